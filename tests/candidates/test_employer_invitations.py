"""The employer proposes the CQPT to an employee: the invitation, its link, accept, decline, revoke."""

import html
import re
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DossierState, Initiative, InvitationState
from candidates.models import Dossier, EmployerInvitation
from candidates.services.employer import invitation_accept, invitation_create, invitation_email_send
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from tests.conftest import login
from tests.factories import CqptFactory, DossierFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITEE = "salarie.invite@example.org"


def _post_invitation(client, cqpt, **overrides):
    data = {
        "email": INVITEE,
        "first_name": "Léa",
        "last_name": "Martin",
        "cqpt": cqpt.pk,
        "access_route": AccessRoute.ACCES_LIBRE,
        "contract_type": ContractType.CDI,
        "contract_start": "2021-03-01",
        "contract_end": "",
        "message": "Nous soutenons votre candidature.",
        **overrides,
    }
    return client.post(reverse("candidates:employer_invitation_new"), data)


def _invite(employer, cqpt=None, **overrides):
    fields = {
        "invited_by": employer,
        "email": INVITEE,
        "first_name": "Léa",
        "last_name": "Martin",
        "cqpt": cqpt or CqptFactory(),
        "access_route": AccessRoute.ACCES_LIBRE,
        "contract_type": ContractType.CDI,
        "contract_start": timezone.localdate() - timedelta(days=900),
        **overrides,
    }
    return invitation_create(**fields)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _link_in(message) -> str:
    match = re.search(r"https?://\S+/candidature/invitation/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(0)


def test_invitation_is_emailed_to_a_non_user_with_a_working_link(client, django_capture_on_commit_callbacks):
    employer = EmployerFactory()
    cqpt = CqptFactory(title="Conseiller clientèle à distance")
    login(client, employer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_invitation(client, cqpt)
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:employer_dashboard")

    invitation = EmployerInvitation.objects.get()
    assert invitation.company == employer.company
    assert invitation.state == InvitationState.PENDING
    assert len(invitation.token) >= 40
    assert timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    # No account: the outbox e-mails the address alone (no placeholder user), and keeps its state.
    notification = Notification.objects.get()
    assert (notification.recipient, notification.recipient_email) == (None, INVITEE)
    assert notification.state == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [INVITEE]
    assert "Conseiller clientèle à distance" in message.subject
    assert "Nous soutenons votre candidature." in message.body
    link = _link_in(message)
    assert invitation.token in link
    assert AuditEvent.objects.for_object(invitation).filter(action="invitation_sent").exists()

    client.logout()
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert page.status_code == 200
    content = _text(page)
    assert employer.company.name in content
    assert "Conseiller clientèle à distance" in content
    assert "Me connecter pour accepter" in content
    assert "next=" in content


def test_invitation_email_task_is_idempotent_per_send_key():
    invitation = _invite(EmployerFactory())  # on_commit not run: nothing sent yet
    assert invitation_email_send(invitation_id=invitation.pk) == "sent"
    assert invitation_email_send(invitation_id=invitation.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert invitation_email_send(invitation_id=invitation.pk, send_key="again") == "sent"
    assert len(mail.outbox) == 2


def test_invitation_email_task_raises_mail_errors_so_celery_retries(settings, monkeypatch):
    invitation = _invite(EmployerFactory())

    def refuse(self, fail_silently=False):
        raise SMTPException("421 try later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(SMTPException):
        invitation_email_send(invitation_id=invitation.pk)
    assert not AuditEvent.objects.for_object(invitation).filter(action="invitation_email_sent").exists()


def test_registered_candidate_gets_a_portal_notification(django_capture_on_commit_callbacks):
    candidate = UserFactory(email=INVITEE)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(EmployerFactory())
    notification = Notification.objects.get(recipient=candidate)
    assert notification.kind == "invitation_received"
    assert notification.link == reverse("candidates:invitation", args=[invitation.token])
    assert [m.to for m in mail.outbox] == [[INVITEE]]


def test_invitation_form_shows_errors_next_to_fields(client):
    login(client, EmployerFactory())
    response = _post_invitation(client, CqptFactory(), email="pas-une-adresse", contract_type=ContractType.CONTRAT_PRO)
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert "contract_type" in form.errors
    assert not EmployerInvitation.objects.exists()


def test_second_pending_invitation_to_the_same_address_is_refused(client):
    employer = EmployerFactory()
    _invite(employer)
    login(client, employer)
    response = _post_invitation(client, CqptFactory(), email=INVITEE.upper())
    assert response.status_code == 200
    assert "déjà en attente" in str(response.context["form"].errors["email"])


def test_only_verified_employers_may_invite(client):
    login(client, UserFactory())
    assert client.get(reverse("candidates:employer_invitation_new")).status_code == 403
    unverified = EmployerFactory()
    unverified.company_verified_at = None
    unverified.save()
    login(client, unverified)
    assert client.get(reverse("candidates:employer_invitation_new")).status_code == 403


def test_accept_creates_the_prefilled_dossier_of_the_logged_in_candidate(client):
    employer = EmployerFactory()
    cqpt = CqptFactory()
    invitation = _invite(
        employer,
        cqpt,
        access_route=AccessRoute.CONTRAT_PRO,
        contract_type=ContractType.CONTRAT_PRO,
        contract_end=timezone.localdate() + timedelta(days=300),
    )
    candidate = UserFactory(email=INVITEE, first_name="Léa", last_name="Martin")
    login(client, candidate)
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert "Accepter et créer mon dossier" in _text(page)
    response = client.post(reverse("candidates:invitation_accept", args=[invitation.token]))

    dossier = Dossier.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:dossier_detail", args=[dossier.pk])
    assert dossier.state == DossierState.DRAFT
    assert dossier.company == employer.company
    assert dossier.cqpt == cqpt
    assert dossier.access_route == AccessRoute.CONTRAT_PRO
    assert dossier.contract_type == ContractType.CONTRAT_PRO
    assert dossier.contract_start == invitation.contract_start
    assert dossier.contract_end == invitation.contract_end
    assert dossier.initiative == Initiative.EMPLOYER
    assert dossier.share_with_employer is False
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED
    assert invitation.dossier == dossier
    assert invitation.accepted_by == candidate
    assert AuditEvent.objects.for_object(invitation).filter(action="invitation_accepted", actor=candidate).exists()
    assert AuditEvent.objects.for_object(dossier).filter(action="dossier_created").exists()
    assert Notification.objects.filter(recipient=employer, kind="invitation_accepted").exists()

    # The link now says it was accepted, and a second accept is refused.
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert "Vous avez accepté cette proposition" in _text(page)
    client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert Dossier.objects.filter(candidate=candidate).count() == 1
    # The employer gets no access to the dossier it proposed.
    login(client, employer)
    assert client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).status_code == 403


def test_anonymous_accept_goes_to_login_and_creates_nothing(client):
    invitation = _invite(EmployerFactory())
    response = client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
    assert not Dossier.objects.exists()


def test_candidate_with_another_email_cannot_accept(client):
    invitation = _invite(EmployerFactory())
    other = UserFactory(email="quelquun.dautre@example.org")
    login(client, other)
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert "n'est pas celle de votre compte" in _text(page)
    assert INVITEE not in _text(page)  # the address is masked
    response = client.post(reverse("candidates:invitation_accept", args=[invitation.token]), follow=True)
    assert "n'est pas celle de votre compte" in _text(response)
    assert not Dossier.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING


def test_non_candidate_account_cannot_accept(client):
    invitation = _invite(EmployerFactory())
    employer_with_that_email = EmployerFactory(email=INVITEE)
    login(client, employer_with_that_email)
    client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert not Dossier.objects.exists()


def test_candidate_with_an_active_dossier_is_refused_with_a_clear_message(client):
    invitation = _invite(EmployerFactory())
    candidate = UserFactory(email=INVITEE)
    DossierFactory(candidate=candidate, state=DossierState.SUBMITTED, number="CQPT-2025-000001")
    login(client, candidate)
    response = client.post(reverse("candidates:invitation_accept", args=[invitation.token]), follow=True)
    assert "déjà une candidature en cours (CQPT-2025-000001)" in _text(response)
    assert Dossier.objects.filter(candidate=candidate).count() == 1


def test_candidate_whose_previous_dossier_is_closed_may_accept():
    invitation = _invite(EmployerFactory())
    candidate = UserFactory(email=INVITEE)
    DossierFactory(candidate=candidate, state=DossierState.WITHDRAWN)
    dossier = invitation_accept(invitation_id=invitation.pk, user=candidate)
    assert dossier.initiative == Initiative.EMPLOYER


def test_expired_invitation_is_refused(client):
    invitation = _invite(EmployerFactory())
    EmployerInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    candidate = UserFactory(email=INVITEE)
    login(client, candidate)
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert "a expiré" in _text(page)
    assert "Accepter et créer mon dossier" not in _text(page)
    client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert not Dossier.objects.exists()
    with pytest.raises(ActionRefused):
        invitation_accept(invitation_id=invitation.pk, user=candidate)


def test_revoked_invitation_is_refused(client):
    employer = EmployerFactory()
    invitation = _invite(employer)
    login(client, employer)
    response = client.post(reverse("candidates:employer_invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.REVOKED
    assert AuditEvent.objects.for_object(invitation).filter(action="invitation_revoked", actor=employer).exists()

    candidate = UserFactory(email=INVITEE)
    login(client, candidate)
    page = client.get(reverse("candidates:invitation", args=[invitation.token]), follow=True)
    assert "annulée par l'employeur" in _text(page)
    client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert not Dossier.objects.exists()


def test_employer_cannot_revoke_another_companys_invitation(client):
    invitation = _invite(EmployerFactory())
    login(client, EmployerFactory())
    assert client.post(reverse("candidates:employer_invitation_revoke", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING


def test_decline_without_an_account_records_it_and_notifies_the_employer(client):
    employer = EmployerFactory()
    invitation = _invite(employer)
    response = client.post(reverse("candidates:invitation_decline", args=[invitation.token]), follow=True)
    assert "Vous avez décliné la proposition" in _text(response)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.DECLINED
    assert invitation.responded_at is not None
    assert AuditEvent.objects.for_object(invitation).filter(action="invitation_declined").exists()
    notification = Notification.objects.get(recipient=employer)
    assert notification.kind == "invitation_declined"
    assert "Léa Martin" in notification.subject
    # Declined is final: it cannot be accepted afterwards.
    login(client, UserFactory(email=INVITEE))
    client.post(reverse("candidates:invitation_accept", args=[invitation.token]))
    assert not Dossier.objects.exists()


def test_resend_sends_the_link_again(client, django_capture_on_commit_callbacks):
    employer = EmployerFactory()
    invitation = _invite(employer)
    invitation_email_send(invitation_id=invitation.pk)
    login(client, employer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:employer_invitation_resend", args=[invitation.pk]))
    assert [m.to for m in mail.outbox] == [[INVITEE], [INVITEE]]


def test_unknown_token_is_404(client):
    assert client.get(reverse("candidates:invitation", args=["nope"]), follow=True).status_code == 404
