"""One pending invitation per address and company: the service says so, the database makes sure."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from candidates.enums import InvitationState
from candidates.models import EmployerInvitation
from candidates.services.employer import invitation_accept, invitation_revoke
from cqpt_portal.accounts.enums import Role
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_employer_invitations import INVITEE, _invite, _post_invitation
from tests.conftest import login
from tests.factories import CqptFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db

DUPLICATE = "Une proposition est déjà en attente de réponse pour cette adresse"


def test_service_refuses_a_second_pending_invitation_to_the_same_address():
    employer = EmployerFactory()
    _invite(employer)
    with pytest.raises(ActionRefused) as refused:
        _invite(employer, email="  " + INVITEE.upper())
    assert DUPLICATE in str(refused.value)
    assert EmployerInvitation.objects.count() == 1


def test_the_same_address_may_be_invited_by_another_company():
    _invite(EmployerFactory())
    _invite(EmployerFactory())
    assert EmployerInvitation.objects.filter(state=InvitationState.PENDING).count() == 2


@pytest.mark.parametrize("close", ["revoke", "accept", "expire"])
def test_a_closed_invitation_does_not_block_a_new_one(close):
    employer = EmployerFactory()
    first = _invite(employer)
    if close == "revoke":
        invitation_revoke(invitation_id=first.pk, actor=employer)
    elif close == "accept":
        invitation_accept(invitation_id=first.pk, user=UserFactory(email=INVITEE, role=Role.CANDIDATE))
    else:
        EmployerInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    second = _invite(employer)
    assert second.state == InvitationState.PENDING
    first.refresh_from_db()
    expected = {
        "revoke": InvitationState.REVOKED,
        "accept": InvitationState.ACCEPTED,
        "expire": InvitationState.EXPIRED,
    }[close]
    assert first.state == expected


def test_an_expired_invitation_closed_by_a_new_one_is_audited_and_refused_on_its_link(client):
    employer = EmployerFactory()
    first = _invite(employer)
    EmployerInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _invite(employer)
    assert AuditEvent.objects.for_object(first).filter(action="invitation_expired").count() == 1
    response = client.get(reverse("candidates:invitation", args=[first.token]), follow=True)
    assert "a expiré" in response.content.decode()


def test_database_refuses_two_pending_invitations_whatever_the_case_of_the_address():
    employer = EmployerFactory()
    first = _invite(employer)
    duplicate = {
        f.name: getattr(first, f.name)
        for f in EmployerInvitation._meta.concrete_fields
        if f.name not in ("id", "token", "email", "company", "invited_by", "cqpt", "accepted_by", "dossier")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerInvitation.objects.create(
            **duplicate,
            company=first.company,
            invited_by=employer,
            cqpt=first.cqpt,
            email=INVITEE.upper(),
            token="another-token",
        )


def test_view_shows_the_refusal_next_to_the_email_field(client):
    employer = EmployerFactory()
    _invite(employer)
    login(client, employer)
    response = _post_invitation(client, CqptFactory(), email=INVITEE.upper())
    assert response.status_code == 200
    assert DUPLICATE in str(response.context["form"].errors["email"])
    assert response.context["form"]["first_name"].value() == "Léa"
    assert EmployerInvitation.objects.count() == 1


def test_view_invites_again_once_the_previous_invitation_expired(client):
    employer = EmployerFactory()
    first = _invite(employer)
    EmployerInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    login(client, employer)
    response = _post_invitation(client, CqptFactory())
    assert response.status_code == 302
    assert EmployerInvitation.objects.filter(state=InvitationState.PENDING).count() == 1
