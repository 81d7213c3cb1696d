"""A meeting's certificates made by a real Celery worker on Redis, the worker killed (SIGKILL) mid-batch.

Numbers are drawn when the meeting is closed; the batch only renders PDFs,
acknowledged late: the task the dead worker held comes back (visibility
timeout, shortened here), the queued ones go to the next worker, and the beat
sweep would catch anything else. At the end: every award has one certificate,
numbers 1..N without gap or duplicate, each with its PDF.
"""

import os
import signal
import subprocess
import uuid

import pytest
from django.conf import settings

from cpne.enums import DecisionOutcome
from cpne.models import Certificate, CertificateCounter
from cpne.services import decision_record
from cpne.tasks import sweep_certificates_and_minutes
from cpne.workflow import MEETING_WORKFLOW
from tests.cpne.support import commission, meeting_in_session, secretary, transmitted_dossier
from tests.notifications.test_worker_integration import (  # noqa: F401 - web_publishes_to_redis is a fixture
    DATABASE_URL,
    REDIS_URL,
    Worker,
    _test_database_url,
    wait_until,
    web_publishes_to_redis,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="needs a real PostgreSQL and Redis: set DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    ),
]

AWARDS = 16


def _start_worker(tmp_path, private_root, name):
    log_path = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "CELERY_WORKER_TESTS": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        "PRIVATE_MEDIA_ROOT": str(private_root),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)
    command = [
        str(settings.BASE_DIR / ".venv" / "bin" / "celery"),
        "-A",
        "cqpt_portal",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"cpne-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(process=process, log_path=log_path, mail_dir=tmp_path)
    wait_until(lambda: " ready." in worker.log() or process.poll() is not None, timeout=60, message="a worker")
    assert process.poll() is None, worker.log()[-3000:]
    return worker


def _stop(worker):
    if worker.process.poll() is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=5)


def _made():
    return Certificate.objects.exclude(pdf="").count()


@pytest.mark.usefixtures("transactional_db", "web_publishes_to_redis")
def test_a_worker_killed_mid_batch_leaves_no_gap_and_no_duplicate(tmp_path, settings):
    private_root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = private_root
    for _i in range(AWARDS):
        transmitted_dossier()
    sec = secretary()
    meeting = meeting_in_session(sec, commission())
    for item in meeting.items.all():
        decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)

    first = _start_worker(tmp_path, private_root, "first")
    try:
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)  # commits: the batch is published
        assert Certificate.objects.count() == AWARDS  # numbers drawn at closing
        wait_until(lambda: _made() >= 2, timeout=60, interval=0.02, message=f"two PDFs\n{first.log()[-2000:]}")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        _stop(first)
    assert _made() < AWARDS, "the batch ended before the kill: nothing was interrupted"

    second = _start_worker(tmp_path, private_root, "second")
    try:
        wait_until(lambda: _made() == AWARDS, timeout=120, message=f"the whole batch\n{second.log()[-3000:]}")
        meeting.refresh_from_db()
        wait_until(
            lambda: type(meeting).objects.exclude(minutes="").filter(pk=meeting.pk).exists(),
            timeout=60,
            message="the minutes",
        )
        # The sweep afterwards finds nothing left to do.
        assert sweep_certificates_and_minutes.run(grace_seconds=0) == 0
    finally:
        _stop(second)

    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, AWARDS + 1))
    assert Certificate.objects.values("decision").distinct().count() == AWARDS
    assert Certificate.objects.values("code").distinct().count() == AWARDS
    assert CertificateCounter.objects.get().last == AWARDS
    for certificate in Certificate.objects.all():
        with certificate.pdf.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
