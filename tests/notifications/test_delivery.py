"""The outbox without a worker: retries, idempotence, commit/rollback, language (SQLite, eager Celery)."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation

from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create, notification_deliver
from cqpt_portal.notifications.tasks import flush_outbox, send_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.notifications.backends.FailingEmailBackend"
PROBE_TEMPLATES = Path(__file__).parent / "templates"


def _create(user, **kwargs):
    kwargs.setdefault("kind", "test")
    kwargs.setdefault("context", {"message": "bonjour"})
    return notification_create(recipient=user, **kwargs)


def test_failing_mail_server_is_retried_with_backoff_then_marked_failed(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    notification = _create(UserFactory())
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert notification_deliver(notification_id=notification.pk) == "retry"
        notification.refresh_from_db()
        assert notification.attempts == 1
        assert notification.state == NotificationState.PENDING
        assert notification.next_attempt_at == start + timedelta(seconds=30)
        assert "SMTPException" in notification.last_error
        # Not due yet: nothing is tried.
        assert notification_deliver(notification_id=notification.pk) == "skipped"
        assert Notification.objects.get(pk=notification.pk).attempts == 1

    second_try = start + timedelta(seconds=31)
    with time_machine.travel(second_try, tick=False):
        assert notification_deliver(notification_id=notification.pk) == "retry"
        notification.refresh_from_db()
        assert notification.attempts == 2
        assert notification.next_attempt_at == second_try + timedelta(seconds=60), "the delay doubles"

    with time_machine.travel(second_try + timedelta(seconds=61), tick=False):
        assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED
    assert notification.attempts == 3
    assert notification.sent_at is None

    # A failed notification is left alone by the sweep.
    with time_machine.travel(second_try + timedelta(days=1), tick=False):
        assert flush_outbox() == {}
    assert Notification.objects.get(pk=notification.pk).attempts == 3


def test_the_task_reports_retry_when_the_mail_server_fails(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    notification = _create(UserFactory())
    assert send_notification.delay(notification.pk).get() == "retry"
    assert Notification.objects.get(pk=notification.pk).attempts == 1


def test_delivering_twice_sends_once():
    notification = _create(UserFactory())
    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert notification_deliver(notification_id=notification.pk) == "skipped"
    assert send_notification.delay(notification.pk).get() == "skipped"
    assert flush_outbox() == {}
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (NotificationState.SENT, 1)
    assert mail.outbox[0].extra_headers["X-CQPT-Notification"] == str(notification.pk)


def test_the_sweep_sends_what_is_due_and_only_that():
    user = UserFactory()
    due = _create(user)
    later = _create(user)
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert flush_outbox() == {"sent": 1}
    assert [m.extra_headers["X-CQPT-Notification"] for m in mail.outbox] == [str(due.pk)]


def test_e_mail_goes_after_commit_only(django_capture_on_commit_callbacks):
    user = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notification = _create(user)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert Notification.objects.get(pk=notification.pk).state == NotificationState.SENT


def test_rolled_back_notification_queues_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _create(user)
        raise RuntimeError("the cause rolled back")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.fixture
def language_probe(settings):
    """The "test" kind, with templates (found first) whose subject is the language it was rendered in."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [PROBE_TEMPLATES, *settings.TEMPLATES[0]["DIRS"]]},
        *settings.TEMPLATES[1:],
    ]
    return "test"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_e_mail_is_rendered_in_the_recipient_language(language_probe, language):
    user = UserFactory(language=language)
    other = "en" if language == "fr" else "fr"
    with translation.override(other):  # the request's language does not matter
        notification = _create(user, kind=language_probe, context={})
    assert notification.language == language
    assert notification.subject == language
    assert notification.body.startswith(f"language={language}\n")
    notification_deliver(notification_id=notification.pk)
    assert mail.outbox[0].subject == language


def test_link_is_absolute_in_the_e_mail(settings):
    settings.SITE_URL = "https://cqpt.example.org"
    notification = _create(UserFactory(), link="/notifications/")
    assert "https://cqpt.example.org/notifications/" in notification.body
    assert notification.link == "/notifications/"
