"""Faults on purpose: a private redis-server stopped, paused (SIGSTOP) and restarted around a submission,
a decision and a login; a Celery worker killed (SIGKILL) in the middle of a send, then restarted.

Each test checks what the user saw (fast answers, the page after the action) and what the mail
server received (each notification exactly once, with its Message-ID). They need PostgreSQL and
Redis like the worker tests (DATABASE_URL, REDIS_URL; CI's .ci/run sets them) and the
redis-server binary; they start their own Redis on a free port and never touch REDIS_URL's.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DossierState
from cqpt_portal import broker
from cqpt_portal import cache as fallback_cache
from cqpt_portal.celery import app
from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import message_id, notification_create
from cqpt_portal.notifications.tasks import flush_outbox
from cqpt_portal.settings import caches_with_redis
from tests.candidates.test_admissibility_support import claimed_dossier, ready_dossier, reviewer
from tests.candidates.test_uploads import private_storage_in_tmp  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory
from tests.notifications.test_worker_integration import DATABASE_URL, REDIS_URL, Worker, _test_database_url, wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SLOW_MAIL = "tests.faults.backends.SlowFileBackend"
FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="needs a real PostgreSQL and Redis: set DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    ),
    pytest.mark.skipif(not os.access(REDIS_SERVER, os.X_OK), reason="needs the redis-server binary"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A private redis-server that a test can stop, pause, resume and start again on the same port."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=0.2, socket_connect_timeout=0.2).ping()
        except (redis.RedisError, OSError):
            return False

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command line
                command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self.answers, timeout=10, message="redis-server to answer")

    def stop(self) -> None:
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused:
            os.kill(self.process.pid, signal.SIGCONT)
            self.paused = False


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web_publishes_to(private_redis):
    """The web side (this process) publishes to the private Redis, as gunicorn would."""
    previous = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = private_redis.url
    app._after_fork()
    broker._paused_until.clear()
    yield private_redis
    app.conf.broker_url = previous
    app._after_fork()
    app.conf.task_always_eager = True
    broker._paused_until.clear()


@pytest.fixture
def workers(transactional_db, web_publishes_to, tmp_path):
    """Start Celery workers on the private Redis; all write to one mail directory; all stopped at the end."""
    mail_dir = tmp_path / "mail"
    markers = tmp_path / "markers"
    mail_dir.mkdir()
    markers.mkdir()
    started: list[Worker] = []

    def start(*, backend: str = FILE_MAIL, mail_delay: float = 0, lease_seconds: int = 300) -> Worker:
        log_path = tmp_path / f"worker-{len(started)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": web_publishes_to.url,
            "EMAIL_BACKEND": backend,
            "EMAIL_FILE_PATH": str(mail_dir),
            "FAULT_MARKERS": str(markers),
            "FAULT_MAIL_DELAY": str(mail_delay),
            "NOTIFICATION_LEASE_SECONDS": str(lease_seconds),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("CELERY_BROKER_URL", None)
        command = [
            str(settings.BASE_DIR / ".venv" / "bin" / "celery"),
            *("-A", "cqpt_portal", "worker", "--pool=solo", "--loglevel=INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"fault-{uuid.uuid4().hex[:8]}@%h"),
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed command line
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        worker = Worker(process=process, log_path=log_path, mail_dir=mail_dir)
        worker.markers = markers
        started.append(worker)
        wait_until(lambda: " ready." in worker.log() or process.poll() is not None, timeout=60, message="a worker")
        assert process.poll() is None, f"the worker did not start:\n{worker.log()[-3000:]}"
        return worker

    yield start
    web_publishes_to.resume()
    for worker in started:  # what they did is checked: no need for a graceful shutdown
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(timeout=10)


def sweep(worker: Worker) -> None:
    """What beat does every minute: the worker sends whatever is pending (or left past its lease)."""
    app._after_fork()  # drop this process's connections to a Redis that may have restarted
    worker.wait_for_task(flush_outbox.delay().id)


def assert_each_delivered_once(notifications, worker: Worker) -> None:
    # The file backend may append several messages to one file: count the messages, not the files.
    mails = "".join(path.read_text(errors="replace") for path in worker.mails())
    for notification in notifications:
        notification.refresh_from_db()
        assert notification.state == NotificationState.SENT, (notification.pk, notification.last_error)
        copies = mails.count(f"Message-ID: {message_id(notification)}")
        assert copies == 1, f"notification {notification.pk} was delivered {copies} times"
    assert mails.count("Message-ID: ") == len(notifications), "no other e-mail was delivered"


def _reconnections(worker: Worker) -> int:
    return worker.log().count("Connected to redis://")


def _notify_someone(**kwargs) -> Notification:
    with transaction.atomic():
        return notification_create(
            recipient=kwargs.get("recipient") or UserFactory(), kind="test", context={"message": "témoin"}
        )


def test_a_submission_with_redis_paused_answers_at_once_and_the_sweep_delivers_each_mail_once(
    workers, private_redis, client
):
    worker = workers()
    reviewers = [reviewer() for _ in range(12)]
    dossier = ready_dossier()
    login(client, dossier.candidate)

    private_redis.pause()
    started = time.monotonic()
    response = client.post(reverse("candidates:step_submit", args=[dossier.pk]))
    elapsed = time.monotonic() - started
    private_redis.resume()

    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("candidates:dossier_detail", args=[dossier.pk])
    assert elapsed < 4, f"the submission took {elapsed:.1f} s with Redis paused"
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.number in client.get(response["Location"]).content.decode()
    notifications = list(Notification.objects.filter(recipient__in=[dossier.candidate, *reviewers]))
    assert len(notifications) == 13
    # Pending, or sent already if the hint timed out in the request but reached Redis once it resumed.

    sweep(worker)
    assert_each_delivered_once(notifications, worker)
    assert worker.process.poll() is None


def test_a_decision_with_redis_stopped_answers_at_once_and_the_worker_rides_out_the_restart(
    workers, private_redis, client
):
    user = reviewer()
    dossier = claimed_dossier(user)
    worker = workers()
    sweep(worker)  # what the submission itself notified
    before = list(Notification.objects.all())
    login(client, user)

    private_redis.stop()
    started = time.monotonic()
    response = client.post(
        reverse("candidates:admissibility_decide", args=[dossier.pk]),
        {"transition": "declare_admissible", "declare_admissible-comment": "Dossier complet."},
        follow=True,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 4, f"the decision took {elapsed:.1f} s with Redis stopped"
    assert "Le dossier est déclaré recevable" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ADMISSIBLE
    decision_mail = Notification.objects.get(recipient=dossier.candidate, kind="dossier_admissible")
    assert decision_mail.state == NotificationState.PENDING
    assert worker.process.poll() is None, "the worker exited when Redis went away"

    private_redis.start()  # empty: the queued tasks are gone, the outbox rows are not
    wait_until(lambda: _reconnections(worker) >= 2, timeout=60, message=f"the worker to reconnect:\n{worker.log()}")
    broker._paused_until.clear()  # as after OUTBOX_PUBLISH_PAUSE_SECONDS
    afterwards = _notify_someone()
    wait_until(
        lambda: Notification.objects.get(pk=afterwards.pk).state == NotificationState.SENT,
        message=f"a notification published after the restart to be sent:\n{worker.log()[-3000:]}",
    )
    sweep(worker)
    assert_each_delivered_once([*before, decision_mail, afterwards], worker)
    assert worker.process.poll() is None


def test_a_redis_restart_while_the_worker_is_sending_does_not_stop_it(workers, private_redis):
    worker = workers(backend=SLOW_MAIL, mail_delay=2)
    first = _notify_someone()
    wait_until(lambda: (worker.markers / f"sending-{first.pk}").exists(), message="the send to start")

    private_redis.stop()
    private_redis.start()
    wait_until(
        lambda: Notification.objects.get(pk=first.pk).state == NotificationState.SENT,
        message=f"the send in progress to finish:\n{worker.log()[-3000:]}",
    )
    wait_until(lambda: _reconnections(worker) >= 2, timeout=60, message=f"the worker to reconnect:\n{worker.log()}")
    broker._paused_until.clear()
    second = _notify_someone()
    wait_until(
        lambda: Notification.objects.get(pk=second.pk).state == NotificationState.SENT,
        message=f"the next notification to be sent:\n{worker.log()[-3000:]}",
    )
    sweep(worker)
    assert_each_delivered_once([first, second], worker)
    assert worker.process.poll() is None


def test_a_worker_killed_mid_send_leaves_the_row_leased_and_the_next_worker_sends_it_once(workers):
    doomed = workers(backend=SLOW_MAIL, mail_delay=60, lease_seconds=60)
    notification = _notify_someone()
    wait_until(lambda: (doomed.markers / f"sending-{notification.pk}").exists(), message="the send to start")
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (NotificationState.SENDING, 1)

    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait(timeout=10)
    # Its connection to the (file) mail server was open, but no message was filed.
    assert "".join(path.read_text() for path in doomed.mails()) == ""

    worker = workers()
    # Within the lease nobody sends it (the dead worker might have been about to finish).
    sweep(worker)
    assert Notification.objects.get(pk=notification.pk).state == NotificationState.SENDING
    # The lease runs out (moved, rather than waited for).
    Notification.objects.filter(pk=notification.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    sweep(worker)
    assert_each_delivered_once([notification], worker)
    notification.refresh_from_db()
    assert notification.attempts == 2
    # The candidate saw it in the portal all along.
    assert notification.recipient.notifications.filter(pk=notification.pk).exists()


@pytest.fixture
def cache_on(private_redis, settings):
    """The production cache: the private Redis first, the database table when it fails."""
    settings.CACHES = caches_with_redis(private_redis.url)
    settings.RATELIMIT_ENABLE = True
    call_command("createcachetable", verbosity=0)
    fallback_cache._primary_paused_until.clear()
    yield private_redis
    fallback_cache._primary_paused_until.clear()


def _log_in(user) -> tuple[int, float]:
    from django.test import Client

    started = time.monotonic()
    response = Client().post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return response.status_code, time.monotonic() - started


@pytest.mark.django_db
def test_login_and_password_reset_work_and_stay_throttled_with_redis_paused_stopped_and_back(cache_on, client):
    user = UserFactory()

    cache_on.pause()
    status, elapsed = _log_in(user)
    assert status == 302 and elapsed < 3, (status, elapsed)
    reset = reverse("accounts:password_reset")
    statuses = [client.post(reset, {"email": user.email}).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429], "the reset is still throttled, in the database"
    cache_on.resume()

    cache_on.stop()
    fallback_cache._primary_paused_until.clear()
    status, elapsed = _log_in(user)
    assert status == 302 and elapsed < 3, (status, elapsed)

    cache_on.start()
    fallback_cache._primary_paused_until.clear()  # as after the pause
    assert _log_in(user)[0] == 302
    assert redis.Redis(port=cache_on.port).dbsize() > 0, "back on Redis once it answers"
