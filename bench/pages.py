#!/usr/bin/env python
"""Every main page of every role beside the reference page (b) of ../shared/bench/side-by-side, in one run.

    createdb -h 127.0.0.1 -U postgres cqpt_bench_1k
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench_1k
    .venv/bin/python bench/queue_bench.py --dossiers 1000 --fill-only   # bulk dossiers (any database)
    .venv/bin/python manage.py seed_demo                               # one account per role, demo dossiers
    bench/serve.sh &                                                   # gunicorn, 2 sync workers, DEBUG off
    .venv/bin/python bench/pages.py                                    # all pages of bench/pages.txt
    .venv/bin/python bench/pages.py --only auvicom --rounds 3 --duration 5s

For each account of bench/pages.txt it logs in over HTTP (bench/login.py: password, then the second factor),
fills the {placeholders} of the paths from the database (the demo candidate's dossier, the last page of the
queue...), and runs side-by-side on that account's pages with its session cookie. It prints side-by-side's
table for each account; the figure is the ratio to (b), measured in the same rounds.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")

SIDE_BY_SIDE = ROOT.parent / "shared" / "bench" / "side-by-side"


def placeholders() -> dict[str, str]:
    """Ids the paths need, read from the database the portal serves (DATABASE_URL)."""
    import django

    django.setup()
    from candidates.enums import DossierState
    from candidates.models import Dossier
    from candidates.views.admissibility import PAGE_SIZE
    from evaluation.models import Evaluation

    candidate_dossier = Dossier.objects.filter(candidate__email="candidat@demo.cqpt.fr").order_by("-pk").first()
    review_dossier = (
        Dossier.objects.filter(candidate__email__endswith="@demo.cqpt.fr", state=DossierState.SUBMITTED)
        .order_by("pk")
        .first()
    )
    evaluation = Evaluation.objects.filter(evaluator__email="evaluateur@demo.cqpt.fr").order_by("pk").first()
    queued = Dossier.objects.filter(state__in=[DossierState.SUBMITTED, DossierState.UNDER_REVIEW]).count()
    return {
        "candidate_dossier": str(candidate_dossier.pk if candidate_dossier else 0),
        "review_dossier": str(review_dossier.pk if review_dossier else 0),
        "evaluation": str(evaluation.pk if evaluation else 0),
        "queue_last_page": str(max(1, -(-queued // PAGE_SIZE))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--pages", default=str(ROOT / "bench" / "pages.txt"))
    parser.add_argument("--only", default="", help="only the lines whose account or label contains this")
    parser.add_argument("--rounds", default="3")
    parser.add_argument("--duration", default="10s")
    args = parser.parse_args()

    from login import login

    values = placeholders()
    by_account: dict[str, list[str]] = {}
    for line in Path(args.pages).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        account, label, path = line.split("|", 2)
        if args.only and args.only not in account and args.only not in label:
            continue
        by_account.setdefault(account, []).append(f"{label}|{path.format(**values)}")
    for account, lines in by_account.items():
        cookie = "" if account == "public" else login(args.base, account)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as scenarios:
            scenarios.write("\n".join(lines) + "\n")
        print(f"\n## {account}", flush=True)
        command = [str(SIDE_BY_SIDE), "--rounds", args.rounds, "--duration", args.duration]
        command += ["--header", "X-Forwarded-Proto: https"]
        if cookie:
            command += ["--cookie", cookie]
        environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        environment = {**environment, "PYTHON": os.environ.get("PYTHON", str(ROOT / ".venv" / "bin" / "python"))}
        subprocess.run([*command, args.base, scenarios.name], cwd=ROOT, env=environment)
        os.unlink(scenarios.name)


if __name__ == "__main__":
    main()
