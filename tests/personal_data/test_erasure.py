"""Erasure: a draft goes at once, files and rows; a submitted dossier keeps what the retention table says."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier, DossierDocument, DossierSubmission, ExperiencePeriod
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from personal_data.models import ErasureRequest
from personal_data.registry import months_after
from personal_data.services import erasure_apply
from tests.conftest import login
from tests.evaluation.support import reviewer
from tests.factories import PASSWORD, DossierFactory

from .support import add_document, files_on_disk, fill, submit

pytestmark = pytest.mark.django_db


def test_erasing_a_draft_leaves_no_file_and_no_row(client, django_capture_on_commit_callbacks):
    from personal_data.models import DataArchive
    from personal_data.services import archive_request

    dossier = DossierFactory(phone="0699999999")
    fill(dossier, tag="draft")
    add_document(dossier, name="contrat.pdf")
    candidate = dossier.candidate
    email = candidate.email
    other = DossierFactory()
    add_document(other, name="autre.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        archive_request(user=candidate)  # a copy of everything: it must go too
    assert len(files_on_disk()) == 4
    login(client, candidate)
    assert client.get(reverse("personal_data:erase")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("personal_data:erase"), {"password": "wrong", "confirm": "on"})
    assert refused.status_code == 200 and Dossier.objects.filter(pk=dossier.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("personal_data:erase"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    # Only the audit trail stays (append-only, until its own period ends).
    assert [item["what"][:15] for item in ErasureRequest.objects.get().kept] == ["Journal d'audit"]
    assert "Journal d&#x27;audit" in response.content.decode()
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert not DossierDocument.objects.filter(dossier_id=dossier.pk).exists()
    assert not ExperiencePeriod.objects.filter(dossier_id=dossier.pk).exists()
    assert not Notification.objects.filter(recipient=candidate).exists()
    assert not DataArchive.objects.filter(user=candidate).exists()
    assert [p.name.startswith("") for p in files_on_disk()] == [True]  # only the other candidate's file
    assert files_on_disk()[0].name == other.documents.get().file.name.rsplit("/", 1)[-1]
    candidate.refresh_from_db()
    assert (candidate.email, candidate.first_name, candidate.last_name) == (
        f"erased-{candidate.pk}@erased.invalid",
        "",
        "",
    )
    assert not candidate.is_active and not candidate.has_usable_password()
    # Nothing erased is copied into the trail: the erasure's audit row holds counts only.
    event = AuditEvent.objects.get(action="erasure_applied")
    assert email not in json.dumps(event.extra) and "0699999999" not in json.dumps(event.extra)
    assert "_auth_user_id" not in client.session


def test_erasure_after_submission_keeps_the_dossier_and_its_documents_until_their_dates(
    django_capture_on_commit_callbacks, settings
):
    dossier = submit(DossierFactory(phone="0612345678"), state=DossierState.UNDER_REVIEW, decided_by=None)
    document = add_document(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure_apply(user=dossier.candidate)
    dossier.refresh_from_db()
    # Kept: identity, the submission, the document (until the final decision + its period).
    assert dossier.last_name and dossier.birth_date
    assert DossierDocument.objects.filter(pk=document.pk).exists() and len(files_on_disk()) == 1
    # Erased: contact data, in the dossier and in its frozen submission.
    assert (dossier.phone, dossier.address, dossier.postal_code, dossier.city) == ("", "", "", "")
    identity = DossierSubmission.objects.get(dossier=dossier).snapshot["identity"]
    assert identity["phone"] == "" and identity["city"] == ""
    assert identity["last_name"] == dossier.last_name
    whats = [item["what"] for item in request.kept]
    assert any("pièces justificatives" in w for w in whats)
    assert any("identité" in w for w in whats)
    assert all(item["until"] is None for item in request.kept if "Dossier" in item["what"])  # no decision yet
    assert request.dossier_numbers == [dossier.number]


def test_erasure_after_a_final_decision_deletes_documents_past_their_period(
    django_capture_on_commit_callbacks, settings
):
    decided = timezone.now() - datetime.timedelta(days=400)  # > 12 months: documents are due
    dossier = submit(DossierFactory(), state=DossierState.NOT_AWARDED, decided_by=reviewer(), when=decided)
    add_document(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure_apply(user=dossier.candidate)
    assert not DossierDocument.objects.filter(dossier=dossier).exists() and files_on_disk() == []
    assert Dossier.objects.filter(pk=dossier.pk).exclude(last_name="").exists()
    kept = {item["what"]: item["until"] for item in request.kept}
    dossier_until = months_after(
        timezone.localdate(decided), settings.PERSONAL_DATA_RETENTION["dossier_after_decision_months"]
    )
    assert [until for what, until in kept.items() if "identité" in what] == [dossier_until]
    assert not any("pièces" in what for what in kept)
    assert not any("certificat" in item["reason"] for item in request.kept)


def test_an_awarded_cqpt_keeps_name_and_decision_for_the_certificate(django_capture_on_commit_callbacks):
    dossier = submit(DossierFactory(), state=DossierState.AWARDED, decided_by=reviewer())
    request = erasure_apply(user=dossier.candidate)
    assert any("certificat" in item["reason"] for item in request.kept)


def test_auvicom_sees_the_request_and_marks_it_seen(client):
    from cqpt_portal.accounts.enums import Role
    from tests.factories import UserFactory

    dossier = submit(DossierFactory(), decided_by=reviewer())
    request = erasure_apply(user=dossier.candidate)
    staff = UserFactory(role=Role.AUVICOM_REVIEWER)
    login(client, staff)
    page = client.get(reverse("personal_data:staff_requests")).content.decode()
    assert str(request) in page and dossier.number in page
    client.post(reverse("personal_data:erasure_acknowledge", args=[request.pk]))
    assert ErasureRequest.objects.get(pk=request.pk).acknowledged_by == staff
    login(client, DossierFactory().candidate)
    assert client.get(reverse("personal_data:staff_requests")).status_code == 403


def test_an_employer_erases_their_account_their_companys_records_stay_without_their_name():
    from candidates.models import EmployerInvitation
    from tests.factories import EmployerFactory

    employer = EmployerFactory(last_name="Patron")
    dossier = DossierFactory(company=employer.company)
    EmployerInvitation.objects.create(
        company=employer.company,
        invited_by=employer,
        email="salarie@example.org",
        cqpt=dossier.cqpt,
        access_route="acces_libre",
        contract_type="cdi",
        token="tok",
        expires_at=timezone.now(),
    )
    request = erasure_apply(user=employer)
    employer.refresh_from_db()
    assert employer.company is None and employer.last_name == "" and not employer.is_active
    assert EmployerInvitation.objects.get().invited_by == employer  # the company's record, under a pseudonym
    assert any("Propositions" in item["what"] for item in request.kept)
    event = AuditEvent.objects.get(action="erasure_applied")
    assert event.actor_id == employer.pk and "Patron" not in json.dumps(event.extra)
