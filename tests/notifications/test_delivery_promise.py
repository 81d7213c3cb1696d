"""What is promised about e-mail: a lease while sending, a stable Message-ID, retry after a dead worker, alerts.

A notification is sent at least once and, once its row says "sent", never again; it is sent
twice only if the worker dies (or loses its connection) after the mail server accepted the
message and before the row said so, and then both copies carry the same Message-ID.
"""

import logging
import socket
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cqpt_portal import broker
from cqpt_portal.celery import app
from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.selectors import notifications_recent
from cqpt_portal.notifications.services import message_id, notification_create, notification_deliver
from cqpt_portal.notifications.tasks import flush_outbox
from tests.factories import UserFactory
from tests.notifications.backends import ObservingEmailBackend

pytestmark = pytest.mark.django_db


def _create(**kwargs):
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("context", {"message": "bonjour"})
    if "email" not in kwargs:
        kwargs.setdefault("recipient", UserFactory())
    return notification_create(**kwargs)


def test_the_row_says_sending_under_a_lease_while_the_server_is_contacted_then_sent(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.ObservingEmailBackend"
    settings.NOTIFICATION_LEASE_SECONDS = 300
    ObservingEmailBackend.seen = []
    notification = _create()
    before = timezone.now()

    assert notification_deliver(notification_id=notification.pk) == "sent"

    [(state, lease_until, sent_message_id)] = ObservingEmailBackend.seen
    assert state == NotificationState.SENDING
    assert before + timedelta(seconds=299) < lease_until <= timezone.now() + timedelta(seconds=300)
    assert sent_message_id == message_id(notification)
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.lease_until) == (NotificationState.SENT, 1, None)
    assert notification.sent_at is not None


def test_every_attempt_carries_the_same_message_id(settings):
    notification = _create()
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    assert notification_deliver(notification_id=notification.pk) == "retry"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert notification_deliver(notification_id=notification.pk) == "sent"
    [message] = mail.outbox
    header = message.message()["Message-ID"]
    assert header == message_id(notification)
    assert header.startswith(f"<notification.{notification.pk}.") and header.endswith("@cqpt.example>")
    assert message_id(_create()) != header


def test_a_send_cut_short_is_retried_only_after_its_lease(settings):
    """The worker died after marking the row "sending": nobody sends it until the lease ends, then once."""
    settings.NOTIFICATION_LEASE_SECONDS = 300
    notification = _create()
    start = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.SENDING, attempts=1, lease_until=start + timedelta(seconds=300)
    )

    with time_machine.travel(start + timedelta(seconds=299), tick=False):
        assert notification_deliver(notification_id=notification.pk) == "skipped"
        assert flush_outbox() == {}
    assert mail.outbox == []

    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        assert flush_outbox() == {"sent": 1}
        assert flush_outbox() == {}
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (NotificationState.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_failure_after_the_last_attempt_logs_an_error_and_mails_the_administrators(settings, caplog):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingNotificationsBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    settings.ADMINS = [("", "exploitation@example.org")]
    notification = _create()

    with caplog.at_level(logging.ERROR, logger="cqpt_portal.notifications.services"):
        assert notification_deliver(notification_id=notification.pk) == "failed"

    assert Notification.objects.get(pk=notification.pk).state == NotificationState.FAILED
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"Notification {notification.pk}" in record.getMessage()
    assert "550 Mailbox unavailable" in record.getMessage()
    [alert] = mail.outbox
    assert alert.to == ["exploitation@example.org"]
    assert str(notification.pk) in alert.subject


def test_a_failure_without_admins_still_logs_an_error(settings, caplog):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    settings.ADMINS = []
    notification = _create()
    with caplog.at_level(logging.ERROR, logger="cqpt_portal.notifications.services"):
        assert notification_deliver(notification_id=notification.pk) == "failed"
    assert any(r.levelno == logging.ERROR and str(notification.pk) in r.getMessage() for r in caplog.records)


def test_an_address_without_an_account_is_e_mailed_through_the_outbox(django_capture_on_commit_callbacks):
    someone = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _create(email="salarie@example.org", reference="invitation:7")
    notification.refresh_from_db()
    assert (notification.recipient, notification.state, notification.language) == (None, NotificationState.SENT, "fr")
    assert [m.to for m in mail.outbox] == [["salarie@example.org"]]
    assert notifications_recent(recipient=someone, limit=10) == []


def test_a_notification_needs_a_user_or_an_address():
    with pytest.raises(ValueError):
        notification_create(kind="test", context={})


@pytest.fixture
def hung_broker():
    """A TCP port that accepts connections and never answers: a Redis stopped with SIGSTOP looks like this."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    previous = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    broker._paused_until.clear()
    yield
    app.conf.broker_url = previous
    app.conf.task_always_eager = True
    broker._paused_until.clear()
    listener.close()


def test_a_hung_broker_costs_one_short_timeout_per_request_whatever_the_recipients(
    hung_broker, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_PUBLISH_TIMEOUT = 0.5
    users = UserFactory.create_batch(12)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for user in users:
            _create(recipient=user)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"12 notifications with the broker hung took {elapsed:.1f} s"
    assert Notification.objects.filter(state=NotificationState.PENDING).count() == 12

    # The next request in this process does not even try while the pause lasts.
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        _create()
    assert time.monotonic() - started < 0.3
    # The promise is the row: the sweep sends them all once the broker is back.
    assert flush_outbox() == {"sent": 13}
