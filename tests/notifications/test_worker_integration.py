"""The outbox end to end: PostgreSQL, Redis and a real Celery worker in a subprocess.

The worker runs on the pytest-django test database (test_<name>) and writes
e-mails to files, so the tests see exactly what was sent. The tests use
``transactional_db`` because the worker only sees committed rows.
"""

import os
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from cqpt_portal.celery import app
from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import message_id, notification_create
from cqpt_portal.notifications.tasks import flush_outbox
from tests.factories import UserFactory

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="needs a real PostgreSQL and Redis: set DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    ),
]


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")


class Worker:
    """A Celery worker subprocess and what it left behind (its log, the mail directory)."""

    def __init__(self, *, process: subprocess.Popen, log_path: Path, mail_dir: Path):
        self.process = process
        self.log_path = log_path
        self.mail_dir = mail_dir

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.log"))

    def wait_for_task(self, task_id: str, timeout: float = 30) -> None:
        """Wait until the worker logs that the task finished (there is no result backend)."""
        wait_until(
            lambda: f"[{task_id}] succeeded" in self.log() or self.process.poll() is not None,
            timeout=timeout,
            message=f"task {task_id} in the worker log:\n{self.log()[-3000:]}",
        )
        assert self.process.poll() is None, f"the worker died:\n{self.log()[-3000:]}"


def _test_database_url() -> str:
    """DATABASE_URL with the name of the database pytest-django created (test_<name>)."""
    return urlsplit(DATABASE_URL)._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@contextmanager
def publishing_to(url: str):
    """Make the web-side Celery app publish to `url`, then restore its broker.

    Celery caches its connection and producer pools; `_after_fork` is Celery's
    own way of dropping them (it is what a forked process calls). The pools
    themselves stay in kombu's registry, keyed by URL, so they are not closed.
    """
    previous = app.conf.broker_url

    def switch(to):
        app.conf.broker_url = to
        app._after_fork()

    switch(url)
    try:
        yield
    finally:
        switch(previous)


@pytest.fixture
def web_publishes_to_redis():
    app.conf.task_always_eager = False
    with publishing_to(REDIS_URL):
        yield
    app.conf.task_always_eager = True


@pytest.fixture
def worker_env() -> dict:
    """More environment for the worker subprocess: a test module overrides this fixture to change it."""
    return {}


@pytest.fixture
def worker(transactional_db, web_publishes_to_redis, tmp_path, worker_env):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CELERY_WORKER_TESTS": "1",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **worker_env,
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
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    started = Worker(process=process, log_path=log_path, mail_dir=mail_dir)
    try:
        wait_until(
            lambda: " ready." in started.log() or process.poll() is not None,
            timeout=60,
            message="the worker to start",
        )
        assert process.poll() is None, f"the worker did not start:\n{started.log()[-3000:]}"
        yield started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _sent_once(notification: Notification, worker: Worker) -> None:
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT, notification.last_error
    assert notification.attempts == 1
    assert notification.sent_at is not None
    mails = worker.mails()
    assert len(mails) == 1, [m.read_text()[:300] for m in mails]
    assert f"X-CQPT-Notification: {notification.pk}" in mails[0].read_text()


def test_committed_notification_is_delivered_once_through_redis(worker):
    user = UserFactory()
    with transaction.atomic():
        notification = notification_create(recipient=user, kind="test", context={"message": "bonjour"})
        # A task published before the commit would reach the worker now, find no row and be lost.
        time.sleep(1)
        assert worker.mails() == []

    wait_until(
        lambda: Notification.objects.get(pk=notification.pk).state != NotificationState.PENDING,
        message=f"the notification to be sent; worker log:\n{worker.log()[-3000:]}",
    )
    # A sweep after delivery finds nothing left to send.
    worker.wait_for_task(flush_outbox.delay().id)
    _sent_once(notification, worker)
    assert user.email in worker.mails()[0].read_text()


def test_rolled_back_notification_is_never_delivered(worker):
    user = UserFactory()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        notification_create(recipient=user, kind="test", context={"message": "annulé"})
        raise Abort

    assert not Notification.objects.exists()
    # A committed notification afterwards proves the pipe works, so "no mail" is not vacuous.
    with transaction.atomic():
        sentinel = notification_create(recipient=user, kind="test", context={"message": "témoin"})
    wait_until(
        lambda: Notification.objects.get(pk=sentinel.pk).state == NotificationState.SENT,
        message=f"the sentinel to be sent; worker log:\n{worker.log()[-3000:]}",
    )
    worker.wait_for_task(flush_outbox.delay().id)
    assert Notification.objects.count() == 1
    _sent_once(sentinel, worker)


def test_broker_outage_keeps_requests_fast_and_the_sweep_sends_later(worker, client):
    user = UserFactory()

    with publishing_to(UNREACHABLE_BROKER):
        started = time.monotonic()
        response = client.post(reverse("accounts:password_reset"), {"email": user.email})
        elapsed = time.monotonic() - started
        assert response.status_code == 302, response.content[:500]
        assert elapsed < 5, f"the request took {elapsed:.1f} s with the broker down"
        with pytest.raises(OperationalError):  # the broker is really unreachable
            flush_outbox.delay()

    notification = Notification.objects.get(recipient=user)
    assert notification.state == NotificationState.PENDING
    assert notification.attempts == 0
    time.sleep(1)
    assert worker.mails() == [], "nothing reached the worker while the broker was down"

    # The broker is back: beat's periodic sweep, run by the worker, sends it once.
    worker.wait_for_task(flush_outbox.delay().id)
    _sent_once(notification, worker)
    worker.wait_for_task(flush_outbox.delay().id)
    _sent_once(notification, worker)


# The worker's throughput: its database connection kept from task to task and checked after a restart,
# notifications committed together sent over one mail connection (the file backend writes one file per
# connection), a message refused in a batch retried alone.

KEEPS_ITS_CONNECTION = {"WORKER_CONN_MAX_AGE": "600"}


def _notify(address: str) -> Notification:
    return notification_create(email=address, kind="test", context={"message": "bonjour"})


def _all_sent(notifications, worker) -> None:
    wait_until(
        lambda: (
            Notification.objects.filter(pk__in=[n.pk for n in notifications], state=NotificationState.SENT).count()
            == len(notifications)
        ),
        message=f"the notifications to be sent; worker log:\n{worker.log()[-3000:]}",
    )


def _filed(worker) -> str:
    return "".join(path.read_text(errors="replace") for path in worker.mails())


def _worker_backends() -> list[tuple]:
    """The server processes connected to the test database, other than this process's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchall()


@pytest.mark.parametrize("worker_env", [KEEPS_ITS_CONNECTION])
def test_the_worker_keeps_its_database_connection_and_reconnects_after_a_restart(worker):
    worker.wait_for_task(flush_outbox.delay().id)
    [(pid, started)] = _worker_backends()
    for _ in range(3):
        worker.wait_for_task(flush_outbox.delay().id)
    assert _worker_backends() == [(pid, started)], "one connection, kept from task to task"

    # A PostgreSQL restart ends the server process under the kept connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: not _worker_backends(), message="the worker's server process to end")
    with transaction.atomic():
        notification = _notify("salarie@example.org")

    # The next task's health check sees it and reconnects: the task succeeds.
    _all_sent([notification], worker)
    [(new_pid, _started)] = _worker_backends()
    assert new_pid != pid
    assert "Error" not in worker.log(), worker.log()[-3000:]


def test_notifications_committed_together_leave_over_one_mail_connection(worker):
    with transaction.atomic():
        notifications = [_notify(f"salarie{i}@example.org") for i in range(5)]

    _all_sent(notifications, worker)
    worker.wait_for_task(flush_outbox.delay().id)  # behind the four tasks whose notification the batch sent

    assert len(worker.mails()) == 1, "one connection"
    filed = _filed(worker)
    assert [filed.count(f"Message-ID: {message_id(n)}") for n in notifications] == [1] * 5
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.parametrize(
    "worker_env",
    [{"EMAIL_BACKEND": "tests.notifications.backends.RefusingOnceFileBackend", "NOTIFICATION_RETRY_BASE_SECONDS": "1"}],
)
def test_a_message_refused_in_a_batch_is_retried_alone_after_its_backoff(worker):
    with transaction.atomic():
        first, refused, third = _notify("salarie0@example.org"), _notify("refuse@example.org"), _notify("c@example.org")
    started = time.monotonic()

    _all_sent([first, third], worker)
    _all_sent([refused], worker)  # by the task the batch scheduled for it, after its backoff
    assert time.monotonic() - started < 20

    refused.refresh_from_db()
    assert (refused.attempts, refused.last_error) == (2, "")
    assert set(Notification.objects.exclude(pk=refused.pk).values_list("attempts", flat=True)) == {1}
    worker.wait_for_task(flush_outbox.delay().id)
    filed = _filed(worker)
    assert [filed.count(f"Message-ID: {message_id(n)}") for n in (first, refused, third)] == [1, 1, 1]
    assert filed.count("Message-ID: ") == 3
