"""Failed e-mails are visible to administrators and can be given a new round of tries."""

import pytest
from django.core import mail
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create, notification_deliver
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _failed_notification(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    notification = notification_create(recipient=UserFactory(), kind="test", context={"message": "x"})
    assert notification_deliver(notification_id=notification.pk) == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return notification


def test_admin_dashboard_counts_failed_emails(client, settings):
    _failed_notification(settings)
    login(client, UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    body = client.get(reverse("accounts:admin_dashboard")).content.decode()
    assert "1 e-mail en échec" in body
    assert "state__exact=failed" in body


def test_requeue_action_sends_a_failed_email_once(client, settings, django_capture_on_commit_callbacks):
    failed = _failed_notification(settings)
    sent = Notification.objects.create(recipient=failed.recipient, kind="test", state=NotificationState.SENT)
    login(client, UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "requeue_failed", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.state == NotificationState.SENT
    assert failed.attempts == 1
    assert sent.state == NotificationState.SENT  # only failed ones are requeued
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [failed.recipient.email]


def test_admin_never_shows_the_token_of_a_reset_or_confirmation_email(client):
    from cqpt_portal.accounts.services import password_reset_request

    user = UserFactory()
    password_reset_request(email=user.email)
    reset = Notification.objects.get(kind="password_reset")
    # Nothing live is stored at all: the link is made when the e-mail leaves.
    assert reset.link == "" and "/mot-de-passe/nouveau/" not in reset.body
    login(client, UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    body = client.get(reverse("admin:notifications_notification_change", args=[reset.pk])).content.decode()
    assert reset.subject in body
    assert "/mot-de-passe/nouveau/" not in body


def test_reset_and_confirmation_links_are_only_in_the_email_sent(client, django_capture_on_commit_callbacks):
    """The user's own list (and the database) never holds a live reset or confirmation link."""
    from django.core import mail

    from cqpt_portal.accounts.services import password_reset_request

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_request(email=user.email)
    assert "/mot-de-passe/nouveau/" in mail.outbox[-1].body
    stored = Notification.objects.get(kind="password_reset")
    assert "/mot-de-passe/nouveau/" not in stored.body and stored.link == ""
    assert "envoyé que par e-mail" in stored.body
    login(client, user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Réinitialisation" in page and "/mot-de-passe/nouveau/" not in page
