"""Helpers shared by the review tests (no tests here): reviewers, dossiers in the queue, submitted dossiers."""

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from candidates.enums import DocumentKind, DossierState, EmployerConfirmation
from candidates.models import Dossier, DossierDocument
from candidates.workflow import apply_transition
from cqpt_portal.accounts.enums import Role
from tests.factories import DossierFactory, ExperiencePeriodFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_numbers = itertools.count(1)


def reviewer(**kwargs):
    return UserFactory(role=Role.AUVICOM_REVIEWER, **kwargs)


def administrator(**kwargs):
    return UserFactory(role=Role.ADMIN, **kwargs)


def queue_dossier(*, state=DossierState.SUBMITTED, days_ago=1, number=None, **kwargs) -> Dossier:
    """A dossier that has reached AUVICOM, made directly (fast) for the queue tests."""
    if state == DossierState.UNDER_REVIEW and "reviewer" not in kwargs:
        kwargs["reviewer"] = reviewer()
    submitted_at = timezone.now() - datetime.timedelta(days=days_ago)
    return DossierFactory(
        state=state,
        number=number or f"CQPT-2025-{next(_numbers):06d}",
        submitted_at=submitted_at,
        first_submitted_at=submitted_at,
        **kwargs,
    )


def add_documents(dossier, kinds=(DocumentKind.IDENTITY, DocumentKind.CONTRACT, DocumentKind.EXPERIENCE_ATTESTATION)):
    for kind in kinds:
        DossierDocument.objects.create(
            dossier=dossier,
            kind=kind,
            file=ContentFile(PDF_BYTES, name=f"{kind}.pdf"),
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            uploaded_by=dossier.candidate,
        )


def ready_dossier(**kwargs) -> Dossier:
    """A complete accès-libre draft that the workflow accepts to submit."""
    dossier = DossierFactory(**kwargs)
    ExperiencePeriodFactory(dossier=dossier, employer_status=EmployerConfirmation.CONFIRMED)
    add_documents(dossier)
    return dossier


def submitted_dossier(**kwargs) -> Dossier:
    """A dossier submitted through the workflow (number, snapshot, notifications)."""
    dossier = ready_dossier(**kwargs)
    return apply_transition(dossier_id=dossier.pk, name="submit", actor=dossier.candidate)


def claimed_dossier(by, **kwargs) -> Dossier:
    dossier = submitted_dossier(**kwargs)
    return apply_transition(dossier_id=dossier.pk, name="claim", actor=by)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Dozens of users per test: hash their passwords cheaply (the hasher is not under test here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
