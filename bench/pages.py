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
import json
import os
import subprocess
import sys
import tempfile
import time
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


REFERENCE = ROOT.parent / "shared" / "bench" / "reference"
ELIGIBILITY_FORM = {
    "form-TOTAL_FORMS": "2",
    "form-INITIAL_FORMS": "0",
    "form-MIN_NUM_FORMS": "1",
    "form-MAX_NUM_FORMS": "20",
    "form-0-employer": "Télécom Services",
    "form-0-start": "2024-01-01",
    "form-0-end": "2024-12-31",
    "form-0-hours": "1200",
    "form-0-in_branch": "oui",
    "form-0-related": "oui",
    "form-1-employer": "Réseaux du Sud",
    "form-1-start": "2025-01-01",
    "form-1-end": "2025-06-30",
    "form-1-hours": "600",
    "form-1-in_branch": "oui",
    "form-1-related": "oui",
    "calculate": "1",
}


def _wrk(url: str, duration: str, script: str | None = None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{duration}", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))


def post_eligibility(base: str, rounds: int, duration: str) -> None:
    """The public eligibility page's POST (two periods, the computation) beside (b), alternating as side-by-side.

    side-by-side only sends GETs: this starts the same reference site (which side-by-side has created and
    filled before) and loads it and the portal's POST in turns, with the same wrk settings.
    """
    import statistics
    from urllib.parse import urlencode

    from login import Browser, _csrf

    browser = Browser(base)
    _status, _location, page = browser.request("/candidature/suis-je-eligible/")
    body = urlencode({**ELIGIBILITY_FORM, "csrfmiddlewaretoken": _csrf(page)})
    status, _location, answer = browser.request(
        "/candidature/suis-je-eligible/", dict(ELIGIBILITY_FORM, csrfmiddlewaretoken=_csrf(page))
    )
    if status != 200 or "1800" not in answer.replace("\u202f", "").replace(" ", ""):
        raise SystemExit(f"the eligibility POST answers {status} without the computed hours")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            'wrk.headers["X-Forwarded-Proto"] = "https"\n'
            f'wrk.headers["Origin"] = "{browser.origin}"\n'
            f'wrk.headers["Referer"] = "{browser.origin}/candidature/suis-je-eligible/"\n'
            f'wrk.headers["Cookie"] = "{browser.cookie_header()}"\n'
        )
    python = os.environ.get("PYTHON", str(ROOT / ".venv" / "bin" / "python"))
    pid = Path(tempfile.mkdtemp()) / "ref.pid"
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [
            str(Path(python).with_name("gunicorn")),
            "refsite.wsgi:application",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--bind",
            "127.0.0.1:8199",
            "--pid",
            str(pid),
            "--daemon",
        ],
        cwd=REFERENCE,
        env=environment,
        check=True,
    )
    try:
        time.sleep(2)
        _wrk(f"{base}/candidature/suis-je-eligible/", "2s", script.name)  # warm-up
        reference, portal = [], []
        for _round in range(rounds):
            reference.append(_wrk("http://127.0.0.1:8199/b/", duration))
            portal.append(_wrk(f"{base}/candidature/suis-je-eligible/", duration, script.name))
        ratios = [p / r for p, r in zip(portal, reference, strict=True)]
        print("\n## public, POST")
        print(f"{'page':32} {'req/s':>8} {'ref b req/s':>11} {'ratio to b':>10}")
        print(
            f"{'eligibility (POST, 2 periods)':32} {statistics.median(portal):8.1f} "
            f"{statistics.median(reference):11.1f} {statistics.median(ratios):10.2f}"
        )
    finally:
        subprocess.run(["kill", pid.read_text().strip()], check=False)
        os.unlink(script.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--pages", default=str(ROOT / "bench" / "pages.txt"))
    parser.add_argument("--only", default="", help="only the lines whose account or label contains this")
    parser.add_argument("--rounds", default="3")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--post", action="store_true", help="also the eligibility page's POST (after the GETs)")
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
    if args.post:
        post_eligibility(args.base, int(args.rounds), args.duration)


if __name__ == "__main__":
    main()
