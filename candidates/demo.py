"""Demo dossiers made through the real services and workflow (used by seed_demo_dossiers and evaluation's demo)."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DocumentKind, WorkingTime
from candidates.models import Dossier
from candidates.services.candidate import (
    document_add,
    dossier_start,
    dossier_update_employment,
    dossier_update_step,
    period_save,
)
from candidates.workflow import apply_transition
from catalogue.models import Company, Cqpt
from cqpt_portal.accounts.demo import DEMO_PASSWORD
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from funding.models import FundingScheme


def blank_pdf(title: str) -> bytes:
    """A one-page blank PDF with a title: a harmless stand-in for a scanned document."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def demo_candidate(*, email: str, first: str, last: str) -> User:
    """A fictitious candidate account with the public demo password (created once)."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "role": Role.CANDIDATE, "email_confirmed_at": timezone.now()},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def demo_dossier_submit(*, user: User, cqpt_code: str, siret: str, hours: int) -> Dossier:
    """Fill every step of a new dossier for this candidate, attach the documents and submit it to AUVICOM."""
    today = timezone.localdate()
    scheme = FundingScheme.objects.get(code="plan_formation")
    company = Company.objects.get(siret=siret)
    dossier = dossier_start(candidate=user)
    dossier_update_step(
        dossier_id=dossier.pk,
        actor=user,
        step="identity",
        values={
            "birth_date": today.replace(year=today.year - 30),
            "phone": "0600000000",
            "address": "10 rue des Lilas",
            "postal_code": "75011",
            "city": "Paris",
        },
    )
    dossier_update_employment(
        dossier_id=dossier.pk,
        actor=user,
        siret=siret,
        values={
            "job_title": "Conseiller clientèle",
            "contract_type": ContractType.CDI,
            "contract_start": today - timedelta(days=900),
        },
    )
    dossier_update_step(
        dossier_id=dossier.pk,
        actor=user,
        step="candidacy",
        values={
            "access_route": AccessRoute.ACCES_LIBRE,
            "cqpt": Cqpt.objects.get(code=cqpt_code),
            "share_with_employer": True,
        },
    )
    dossier_update_step(
        dossier_id=dossier.pk,
        actor=user,
        step="funding",
        values={"funding_scheme": scheme, "working_time": WorkingTime.DURING},
    )
    period_save(
        dossier_id=dossier.pk,
        actor=user,
        values={
            "employer_name": company.name,
            "siret": siret,
            "idcc": company.idcc,
            "start_date": today - timedelta(days=800),
            "end_date": today - timedelta(days=10),
            "hours": hours,
            "related_to_cqpt": True,
            "description": "Relation client à distance.",
        },
    )
    for kind in (DocumentKind.IDENTITY, DocumentKind.CONTRACT, DocumentKind.EXPERIENCE_ATTESTATION):
        upload = SimpleUploadedFile(f"{kind}.pdf", blank_pdf(kind), content_type="application/pdf")
        document_add(dossier_id=dossier.pk, actor=user, kind=kind, uploaded=upload)
    apply_transition(dossier_id=dossier.pk, name="submit", actor=user)
    return Dossier.objects.get(pk=dossier.pk)
