"""Submission, resubmission after "incomplete", and withdrawal, from the candidate's pages."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DocumentKind, DossierState
from candidates.models import DossierDocument, DossierSubmission
from candidates.workflow import apply_transition
from cqpt_portal.accounts.enums import Role
from cqpt_portal.notifications.models import Notification
from tests.candidates.test_uploads import make_pdf, private_storage_in_tmp  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import DossierFactory, ExperiencePeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_document(dossier, kind):
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=kind,
        file=SimpleUploadedFile("piece.pdf", make_pdf()),
        original_name="piece.pdf",
        content_type="application/pdf",
        size=100,
    )


def ready_dossier(candidate=None, hours=3000):
    dossier = DossierFactory(**({"candidate": candidate} if candidate else {}))
    ExperiencePeriodFactory(dossier=dossier, hours=hours)
    for kind in (DocumentKind.IDENTITY, DocumentKind.CONTRACT, DocumentKind.EXPERIENCE_ATTESTATION):
        add_document(dossier, kind)
    return dossier


@pytest.fixture
def reviewer():
    return UserFactory(role=Role.AUVICOM_REVIEWER, email="instructeur@auvicom.example")


def review_url(dossier):
    return reverse("candidates:step_submit", args=[dossier.pk])


def test_full_submission(client, reviewer, django_capture_on_commit_callbacks):
    dossier = ready_dossier()
    login(client, dossier.candidate)
    body = client.get(review_url(dossier)).content.decode()
    assert "Déposer mon dossier auprès d" in body
    assert "Condition des 1607 heures remplie" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(dossier))
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:dossier_detail", args=[dossier.pk])
    dossier.refresh_from_db()
    year = timezone.localdate().year
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.number == f"CQPT-{year}-000001"
    assert dossier.submitted_at is not None

    submission = DossierSubmission.objects.get(dossier=dossier)
    assert submission.sequence == 1
    assert submission.snapshot["eligibility"]["is_eligible"] is True
    assert len(submission.snapshot["documents"]) == 3

    kinds = set(Notification.objects.values_list("recipient__email", "kind"))
    assert (dossier.candidate.email, "dossier_submitted") in kinds
    assert (reviewer.email, "dossier_submitted_staff") in kinds
    recipients = {address for message in mail.outbox for address in message.to}
    assert {dossier.candidate.email, reviewer.email} <= recipients

    detail = client.get(response["Location"]).content.decode()
    assert dossier.number in detail
    assert "Déposé, en attente d" in detail
    assert "Modifier mon dossier" not in detail

    # Frozen: the steps refuse changes and the button is gone.
    client.post(reverse("candidates:step_identity", args=[dossier.pk]), {"city": "Brest"})
    dossier.refresh_from_db()
    assert dossier.city == "Paris"
    assert "Déposer mon dossier auprès d" not in client.get(review_url(dossier)).content.decode()
    response = client.post(review_url(dossier), follow=True)
    assert DossierSubmission.objects.filter(dossier=dossier).count() == 1
    assert "Action impossible" in response.content.decode()


def test_submission_refused_with_the_checklist_when_hours_are_missing(client):
    dossier = ready_dossier(hours=800)
    login(client, dossier.candidate)
    body = client.get(review_url(dossier)).content.decode()
    assert "Il reste des éléments à compléter" in body
    assert "Il manque 807 heures d" in body
    assert reverse("candidates:step_experience", args=[dossier.pk]) in body
    assert "Déposer mon dossier auprès d" not in body

    response = client.post(review_url(dossier), follow=True)
    assert "Il manque 807 heures d" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert dossier.number is None
    assert not DossierSubmission.objects.exists()


def test_two_submissions_get_consecutive_numbers(client):
    first, second = ready_dossier(), ready_dossier()
    for dossier in (first, second):
        login(client, dossier.candidate)
        client.post(review_url(dossier))
        dossier.refresh_from_db()
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"CQPT-{year}-000001", f"CQPT-{year}-000002")


def test_resubmission_after_incomplete_keeps_the_number(client, reviewer):
    dossier = ready_dossier()
    login(client, dossier.candidate)
    client.post(review_url(dossier))
    dossier.refresh_from_db()
    number = dossier.number
    apply_transition(dossier_id=dossier.pk, name="claim", actor=reviewer)
    apply_transition(
        dossier_id=dossier.pk,
        name="declare_incomplete",
        actor=reviewer,
        comment="Merci de joindre la page 2.",
        data={"missing_items": ["Copie du contrat de travail (toutes les pages)"]},
    )

    body = client.get(review_url(dossier)).content.decode()
    assert "Copie du contrat de travail (toutes les pages)" in body
    assert "Merci de joindre la page 2." in body
    body = client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Copie du contrat de travail (toutes les pages)" in body

    client.post(
        reverse("candidates:step_documents", args=[dossier.pk]),
        {"kind": DocumentKind.CONTRACT, "file": SimpleUploadedFile("contrat-complet.pdf", make_pdf())},
    )
    assert DossierDocument.objects.filter(dossier=dossier, original_name="contrat-complet.pdf").exists()
    response = client.post(review_url(dossier))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.number == number
    assert list(dossier.submissions.values_list("sequence", flat=True)) == [1, 2]


def test_contract_route_needs_no_experience(client):
    dossier = DossierFactory(
        access_route=AccessRoute.CONTRAT_PRO,
        contract_type=ContractType.CONTRAT_PRO,
        contract_targets_cqpt=True,
        contract_start=timezone.localdate() - datetime.timedelta(days=30),
        contract_end=timezone.localdate() + datetime.timedelta(days=300),
    )
    add_document(dossier, DocumentKind.IDENTITY)
    add_document(dossier, DocumentKind.CONTRACT)
    login(client, dossier.candidate)
    client.post(review_url(dossier))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_withdrawal_with_a_reason(client, reviewer, django_capture_on_commit_callbacks):
    dossier = ready_dossier()
    login(client, dossier.candidate)
    client.post(review_url(dossier))
    withdraw_url = reverse("candidates:dossier_withdraw", args=[dossier.pk])
    assert "Retirer définitivement" in client.get(withdraw_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_url, {"reason": "J'ai changé d'entreprise.", "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    assert dossier.withdrawal_reason == "J'ai changé d'entreprise."
    assert Notification.objects.filter(recipient=dossier.candidate, kind="dossier_withdrawn").exists()
    assert any(dossier.candidate.email in m.to for m in mail.outbox)
    # The dashboard now offers a new candidacy and shows where the path stopped.
    body = client.get(reverse("candidates:dashboard")).content.decode()
    assert reverse("candidates:dossier_create") in body
    assert "arrêté ici" in body


def test_withdrawal_without_a_reason_or_confirmation_is_refused(client):
    dossier = DossierFactory()
    login(client, dossier.candidate)
    withdraw_url = reverse("candidates:dossier_withdraw", args=[dossier.pk])
    response = client.post(withdraw_url, {"reason": "  ", "confirm": "on"})
    assert response.status_code == 200
    assert "Indiquez la raison de votre retrait." in response.content.decode()
    response = client.post(withdraw_url, {"reason": "Je déménage."})
    assert "Cochez la case pour confirmer le retrait." in response.content.decode()
    assert "Je déménage." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_withdrawal_is_not_offered_after_the_cpne_decision(client):
    dossier = DossierFactory(state=DossierState.AWARDED, number="CQPT-2024-000001")
    login(client, dossier.candidate)
    response = client.post(
        reverse("candidates:dossier_withdraw", args=[dossier.pk]), {"reason": "x", "confirm": "on"}, follow=True
    )
    assert "ne peut plus être retiré" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.AWARDED


def test_history_shows_state_changes_with_dates(client):
    dossier = ready_dossier()
    login(client, dossier.candidate)
    client.post(review_url(dossier))
    body = client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).content.decode()
    history = body.split("Historique", 1)[1]
    assert "Déposé, en attente d" in history
    assert timezone.localdate().strftime("%d/%m/%Y") in history
