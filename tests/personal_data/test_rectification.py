"""Rectification: contact data at any time; after a submission a change of name goes to AUVICOM."""

import pytest
from django.urls import reverse

from candidates.models import DossierSubmission
from cqpt_portal.accounts.enums import Role
from cqpt_portal.notifications.models import Notification
from personal_data.enums import RequestState
from personal_data.models import NameChangeRequest
from tests.conftest import login
from tests.evaluation.support import reviewer
from tests.factories import DossierFactory, EmployerFactory, UserFactory

from .support import submit

pytestmark = pytest.mark.django_db

FORM = {"phone": "0700000000", "address": "2 rue Neuve", "postal_code": "69001", "city": "Lyon"}


def test_before_submission_everything_changes_at_once(client):
    dossier = DossierFactory()
    login(client, dossier.candidate)
    response = client.post(reverse("personal_data:index"), {**FORM, "first_name": "Léa", "last_name": "Martin"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    dossier.candidate.refresh_from_db()
    assert (dossier.first_name, dossier.last_name, dossier.city) == ("Léa", "Martin", "Lyon")
    assert dossier.candidate.last_name == "Martin"
    assert not NameChangeRequest.objects.exists()


def test_after_submission_the_name_goes_to_auvicom_who_accepts_or_refuses(client):
    dossier = submit(DossierFactory(), decided_by=reviewer())
    candidate = dossier.candidate
    old_last_name = dossier.last_name
    login(client, candidate)
    client.post(
        reverse("personal_data:index"),
        {**FORM, "first_name": candidate.first_name, "last_name": "Nouveau", "reason": "Mariage"},
    )
    dossier.refresh_from_db()
    assert dossier.city == "Lyon" and dossier.last_name == old_last_name  # contact at once, name pending
    request = NameChangeRequest.objects.get()
    assert request.state == RequestState.PENDING and request.last_name == "Nouveau"
    assert "AUVICOM" in client.get(reverse("personal_data:index")).content.decode()

    staff = UserFactory(role=Role.AUVICOM_REVIEWER)
    login(client, staff)
    assert "Nouveau" in client.get(reverse("personal_data:staff_requests")).content.decode()
    client.post(reverse("personal_data:name_change_decide", args=[request.pk]), {"decision": "refuse"})
    assert NameChangeRequest.objects.get().state == RequestState.PENDING  # a refusal needs its reason
    client.post(reverse("personal_data:name_change_decide", args=[request.pk]), {"decision": "accept"})
    dossier.refresh_from_db()
    candidate.refresh_from_db()
    assert dossier.last_name == candidate.last_name == "Nouveau"
    # What AUVICOM reviewed stays as it was filed.
    assert DossierSubmission.objects.get(dossier=dossier).snapshot["identity"]["last_name"] == old_last_name
    assert Notification.objects.filter(recipient=candidate, kind="name_change_decided").exists()


def test_a_refusal_keeps_the_name_and_says_why(client):
    dossier = submit(DossierFactory(), decided_by=reviewer())
    login(client, dossier.candidate)
    client.post(reverse("personal_data:index"), {**FORM, "first_name": "X", "last_name": "Y"})
    login(client, UserFactory(role=Role.AUVICOM_REVIEWER))
    request = NameChangeRequest.objects.get()
    client.post(
        reverse("personal_data:name_change_decide", args=[request.pk]),
        {"decision": "refuse", "reason": "Pièce absente"},
    )
    assert NameChangeRequest.objects.get().state == RequestState.REFUSED
    dossier.refresh_from_db()
    assert dossier.first_name != "X"
    assert "Pièce absente" in Notification.objects.get(kind="name_change_decided").body


def test_an_employer_rectifies_their_name_and_staff_cannot_use_the_page(client):
    employer = EmployerFactory()
    login(client, employer)
    client.post(reverse("personal_data:index"), {"first_name": "Jean", "last_name": "Dupont"})
    employer.refresh_from_db()
    assert employer.last_name == "Dupont"
    login(client, UserFactory(role=Role.EVALUATOR))
    assert client.get(reverse("personal_data:index")).status_code == 403


def test_privacy_page_is_public_linked_from_the_footer_and_reads_the_settings(client, settings):
    settings.PERSONAL_DATA_RETENTION = {**settings.PERSONAL_DATA_RETENTION, "draft_inactive_months": 7}
    page = client.get(reverse("privacy")).content.decode()
    assert "supprimé après 7 mois" in page
    for cookie in ("sessionid", "csrftoken", "django_language"):
        assert cookie in page
    assert reverse("privacy") in client.get(reverse("home")).content.decode()
