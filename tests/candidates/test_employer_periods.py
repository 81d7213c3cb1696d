"""The employer confirms or disputes hours declared at their company; never another company's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.enums import DocumentKind, DossierState, EmployerConfirmation
from candidates.models import DossierDocument
from candidates.services.employer import period_confirm
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from tests.conftest import login
from tests.factories import (
    CompanyFactory,
    DossierFactory,
    EmployerFactory,
    ExperiencePeriodFactory,
)

pytestmark = pytest.mark.django_db


def _review_url(period):
    return reverse("candidates:employer_period_confirmation", args=[period.pk])


def test_employer_confirms_hours(client):
    employer = EmployerFactory()
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company))
    login(client, employer)
    assert client.get(_review_url(period)).status_code == 200
    response = client.post(_review_url(period), {"decision": EmployerConfirmation.CONFIRMED, "comment": ""})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.CONFIRMED
    assert period.employer_reviewed_by == employer
    assert period.employer_reviewed_at is not None
    event = AuditEvent.objects.for_object(period.dossier).get(action="period_confirmed")
    assert event.actor == employer
    assert event.extra["period"] == period.pk
    notification = Notification.objects.get(recipient=period.dossier.candidate)
    assert notification.kind == "period_confirmed"
    assert notification.link == reverse("candidates:dossier_detail", args=[period.dossier.pk])


def test_dispute_needs_a_comment(client):
    employer = EmployerFactory()
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company))
    login(client, employer)
    response = client.post(_review_url(period), {"decision": EmployerConfirmation.DISPUTED, "comment": "  "})
    assert response.status_code == 200
    assert "Expliquez pourquoi" in str(response.context["form"].errors["comment"])
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.DECLARED

    response = client.post(
        _review_url(period), {"decision": EmployerConfirmation.DISPUTED, "comment": "Temps partiel : 800 h."}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.DISPUTED
    assert period.employer_comment == "Temps partiel : 800 h."
    assert AuditEvent.objects.for_object(period.dossier).filter(action="period_disputed").exists()
    notification = Notification.objects.get(recipient=period.dossier.candidate)
    assert notification.kind == "period_disputed"
    assert "Temps partiel : 800 h." in notification.body


def test_period_declared_by_siret_only_is_reviewable():
    employer = EmployerFactory()
    dossier = DossierFactory(company=CompanyFactory())
    period = ExperiencePeriodFactory(dossier=dossier, siret=employer.company.siret, company=None)
    period_confirm(period_id=period.pk, actor=employer, decision=EmployerConfirmation.CONFIRMED)
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.CONFIRMED


def test_another_companys_period_is_refused(client):
    employer = EmployerFactory()
    other = ExperiencePeriodFactory()  # declared at another company
    login(client, employer)
    assert client.get(_review_url(other)).status_code == 403
    assert client.post(_review_url(other), {"decision": EmployerConfirmation.CONFIRMED}).status_code == 403
    other.refresh_from_db()
    assert other.employer_status == EmployerConfirmation.DECLARED
    with pytest.raises(ActionRefused):
        period_confirm(period_id=other.pk, actor=employer, decision=EmployerConfirmation.CONFIRMED)
    assert client.get(reverse("candidates:employer_period_confirmation", args=[999999])).status_code == 404


def test_candidate_cannot_review_periods(client):
    period = ExperiencePeriodFactory()
    login(client, period.dossier.candidate)
    assert client.get(_review_url(period)).status_code == 403


def test_period_of_a_closed_dossier_cannot_be_reviewed(client):
    employer = EmployerFactory()
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company, state=DossierState.WITHDRAWN))
    login(client, employer)
    page = client.get(_review_url(period))
    assert "Ce dossier est clos" in page.content.decode()
    client.post(_review_url(period), {"decision": EmployerConfirmation.CONFIRMED})
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.DECLARED
    with pytest.raises(ActionRefused):
        period_confirm(period_id=period.pk, actor=employer, decision=EmployerConfirmation.CONFIRMED)


def test_employer_never_opens_documents_even_of_a_shared_dossier(client):
    employer = EmployerFactory()
    dossier = DossierFactory(
        company=employer.company, share_with_employer=True, number="CQPT-2025-000042", state=DossierState.SUBMITTED
    )
    document = DossierDocument.objects.create(
        dossier=dossier,
        kind=DocumentKind.IDENTITY,
        file=SimpleUploadedFile("id.pdf", b"%PDF-1.4 test"),
        original_name="id.pdf",
        content_type="application/pdf",
        size=13,
    )
    login(client, employer)
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code == 403
    assert client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).status_code == 403
    # The owner can (the refusal above is about the employer, not a broken view).
    login(client, dossier.candidate)
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code == 200


@pytest.mark.parametrize("state", [DossierState.ADMISSIBLE, DossierState.INADMISSIBLE, DossierState.IN_EVALUATION])
def test_hours_cannot_be_disputed_once_admissibility_is_decided(client, state):
    """Refused, not reopened: AUVICOM decided on the record as it stood; a correction goes through AUVICOM."""
    employer = EmployerFactory()
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company, state=state))
    login(client, employer)
    page = client.get(_review_url(period)).content.decode()
    assert "AUVICOM a déjà statué" in page or "Ce dossier est clos" in page
    assert 'name="decision"' not in page
    client.post(_review_url(period), {"decision": EmployerConfirmation.DISPUTED, "comment": "Faux"})
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.DECLARED
    with pytest.raises(ActionRefused):
        period_confirm(period_id=period.pk, actor=employer, decision=EmployerConfirmation.DISPUTED, comment="Faux")
    assert not AuditEvent.objects.filter(action="period_disputed").exists()


@pytest.mark.parametrize("state", [DossierState.SUBMITTED, DossierState.UNDER_REVIEW, DossierState.INCOMPLETE])
def test_hours_can_be_disputed_while_admissibility_is_open(state):
    employer = EmployerFactory()
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company, state=state))
    period_confirm(period_id=period.pk, actor=employer, decision=EmployerConfirmation.DISPUTED, comment="Faux")
    period.refresh_from_db()
    assert period.employer_status == EmployerConfirmation.DISPUTED
