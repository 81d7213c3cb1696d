"""An invitation to someone without an account goes through the outbox; the employer sees whether it left."""

import pytest
from django.core import mail
from django.urls import reverse

from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.tasks import flush_outbox
from tests.candidates.test_employer_invitations import INVITEE, _invite, _text
from tests.conftest import login
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def _dashboard(client, employer) -> str:
    login(client, employer)
    return _text(client.get(reverse("candidates:employer_dashboard")))


def test_an_invitation_made_while_the_broker_is_down_waits_in_the_outbox_and_the_sweep_sends_it(client):
    employer = EmployerFactory()
    invitation = _invite(employer)  # on_commit not run: as if the broker had refused the task
    notification = Notification.objects.get(reference=f"invitation:{invitation.pk}")
    assert (notification.recipient, notification.recipient_email) == (None, INVITEE)
    assert "E-mail en attente d'envoi" in _dashboard(client, employer)

    assert flush_outbox() == {"sent": 1}  # beat's sweep
    assert [m.to for m in mail.outbox] == [[INVITEE]]
    assert invitation.token in mail.outbox[0].body
    assert "E-mail envoyé" in _dashboard(client, employer)


def test_the_employer_sees_an_invitation_whose_e_mail_failed_for_good(client, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    employer = EmployerFactory()
    _invite(employer)
    assert flush_outbox() == {"failed": 1}
    assert Notification.objects.get().state == NotificationState.FAILED
    assert "E-mail non remis : vérifiez l'adresse ou renvoyez le lien" in _dashboard(client, employer)


def test_a_resent_invitation_shows_the_state_of_its_last_e_mail(client, settings):
    employer = EmployerFactory()
    invitation = _invite(employer)
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    flush_outbox()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    login(client, employer)
    client.post(reverse("candidates:employer_invitation_resend", args=[invitation.pk]))
    flush_outbox()
    page = _dashboard(client, employer)
    assert "E-mail envoyé" in page
    assert "E-mail non remis" not in page
