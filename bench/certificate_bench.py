#!/usr/bin/env python
"""Benchmark of the CPNE's certificates: one warm render, and a batch of 500 through Celery on Redis.

1. One certificate rendered warm by the portal (`certificate_pdf_make`: template,
   QR code, WeasyPrint with the process's cached fonts, file saved) against the
   same one-page HTML rendered by plain WeasyPrint with a cached
   FontConfiguration, in the same run (median of N). Aim: ≤ 1.2×.
2. A meeting's 500 certificates made by `meeting_certificates` through Celery,
   2 worker processes (prefork) on Redis, against plain WeasyPrint in 2 processes
   (multiprocessing, cached fonts, PDFs written to disk) on the same 500 HTML
   pages, same run. Aim: ≥ 0.9× its throughput.

    createdb -h 127.0.0.1 -U postgres cqpt_cert_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_cert_bench REDIS_URL=redis://127.0.0.1:6379/12
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/certificate_bench.py [--count 500] [--single 30]

Never run it against a database that matters: it writes hundreds of rows and flushes the Redis database.
Not run by the test suite; figures go to docs/performance.md.
"""

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("CONN_MAX_AGE", "600")  # persistent connections, as in production (DEBUG off)
PRIVATE = Path(tempfile.mkdtemp(prefix="cert-bench-"))
os.environ["PRIVATE_MEDIA_ROOT"] = str(PRIVATE)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cpne.enums import DecisionOutcome, DecisionState, MeetingState  # noqa: E402
from cpne.models import AgendaItem, Certificate, Decision, Meeting  # noqa: E402
from cpne.services import certificate_html, certificate_issue, certificate_pdf_make  # noqa: E402
from cqpt_portal.accounts.enums import Role  # noqa: E402

_plain_fonts = None


def _plain_init():
    global _plain_fonts
    from weasyprint.text.fonts import FontConfiguration

    _plain_fonts = FontConfiguration()


def _plain_render(args):
    html, path = args
    from weasyprint import HTML

    Path(path).write_bytes(HTML(string=html).write_pdf(font_config=_plain_fonts))


def _awards(count: int) -> Meeting:
    """A closed meeting with `count` released awards and their certificates (numbers drawn, no PDF yet)."""
    from tests.factories import CqptFactory, DossierFactory, UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # bench users never log in
    secretary = UserFactory(role=Role.CPNE_SECRETARY, email=f"bench-{uuid.uuid4().hex[:8]}@cqpt.invalid")
    cqpt = CqptFactory()
    now = timezone.now()
    meeting = Meeting.objects.create(
        starts_at=now, agenda_cutoff=now, place="Bench", created_by=secretary, state=MeetingState.CLOSED, closed_at=now
    )
    with transaction.atomic():
        for position in range(1, count + 1):
            dossier = DossierFactory(cqpt=cqpt, number=f"B{uuid.uuid4().hex[:12]}")
            item = AgendaItem.objects.create(meeting=meeting, dossier=dossier, position=position)
            decision = Decision.objects.create(
                item=item,
                meeting=meeting,
                dossier=dossier,
                outcome=DecisionOutcome.AWARDED,
                state=DecisionState.RELEASED,
                recorded_by=secretary,
                released_at=now,
            )
            certificate_issue(decision=Decision.objects.select_related("dossier__cqpt", "meeting").get(pk=decision.pk))
    return meeting


def bench_single(meeting: Meeting, repeats: int) -> tuple[float, float]:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    certificate = Certificate.objects.filter(decision__meeting=meeting).first()
    html = certificate_html(certificate)
    fonts = FontConfiguration()
    certificate_pdf_make(certificate_id=certificate.pk, force=True)  # warm: fonts configured once
    HTML(string=html).write_pdf(font_config=fonts)
    ours, plain = [], []
    for _round in range(repeats):  # interleaved, so that noise hits both alike
        started = time.perf_counter()
        certificate_pdf_make(certificate_id=certificate.pk, force=True)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html).write_pdf(font_config=fonts)
        plain.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(plain)


def _worker(database_url: str, redis_url: str) -> tuple[subprocess.Popen, Path]:
    log_path = PRIVATE / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(PRIVATE),
        # As in production: DEBUG off (no query log), persistent connections.
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "localhost",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "cqpt_portal",
        "worker",
        "--concurrency=2",
        "--pool=prefork",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"bench-{uuid.uuid4().hex[:6]}@%h",
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    return process, log_path


def bench_batch(meeting: Meeting, count: int) -> tuple[float, float]:
    from cpne.tasks import meeting_certificates

    certificates = list(Certificate.objects.filter(decision__meeting=meeting))
    htmls = [certificate_html(c) for c in certificates]
    out = PRIVATE / "plain"
    out.mkdir(exist_ok=True)
    with multiprocessing.get_context("fork").Pool(2, initializer=_plain_init) as pool:
        pool.map(_plain_render, [("<p>warm</p>", str(out / "warm.pdf"))] * 2)
        started = time.perf_counter()
        pool.map(_plain_render, [(h, str(out / f"{i}.pdf")) for i, h in enumerate(htmls)], chunksize=1)
        plain = time.perf_counter() - started

    Certificate.objects.filter(decision__meeting=meeting).update(pdf="", pdf_made_at=None)
    warm_up = _awards(6)  # both worker processes up, their fonts configured, before the clock starts
    process, log_path = _worker(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    try:
        meeting_certificates.delay(warm_up.pk)
        while Certificate.objects.filter(decision__meeting=warm_up).exclude(pdf="").count() < 6:
            assert process.poll() is None, log_path.read_text()[-2000:]
            time.sleep(0.1)
        started = time.perf_counter()
        meeting_certificates.delay(meeting.pk)
        made = 0
        while made < count:
            time.sleep(0.25)  # a light poll: the bench must not take the workers' CPU
            made = Certificate.objects.filter(decision__meeting=meeting).exclude(pdf="").count()
        celery = time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return celery, plain


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--single", type=int, default=30)
    args = parser.parse_args()
    assert "postgresql" in settings.DATABASES["default"]["ENGINE"], "set DATABASE_URL=postgres://..."
    assert os.environ.get("REDIS_URL"), "set REDIS_URL=redis://..."
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)  # the bench database only (see the docstring)
    print(f"Filling {args.count} awards…", flush=True)
    meeting = _awards(args.count)
    ours, plain = bench_single(meeting, args.single)
    print(
        f"Single warm render, median of {args.single}: portal {ours * 1000:.1f} ms, plain WeasyPrint "
        f"{plain * 1000:.1f} ms, ratio {ours / plain:.2f}× (aim ≤ 1.2×)",
        flush=True,
    )
    celery, plain_batch = bench_batch(meeting, args.count)
    print(
        f"Batch of {args.count}: Celery 2 workers on Redis {celery:.1f} s ({args.count / celery:.1f}/s), "
        f"plain WeasyPrint 2 processes {plain_batch:.1f} s ({args.count / plain_batch:.1f}/s), "
        f"throughput ratio {plain_batch / celery:.2f}× (aim ≥ 0.9×)"
    )


if __name__ == "__main__":
    main()
