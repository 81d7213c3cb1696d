import io
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DocumentKind, DossierState, WorkingTime
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

# Fictitious candidates whose submitted dossiers fill AUVICOM's demo queue.
DEMO_CANDIDATES = [
    ("lea.girard@demo.cqpt.fr", "Léa", "Girard", "ccad", "73282932000074", 2400),
    ("hugo.faure@demo.cqpt.fr", "Hugo", "Faure", "ccpd", "44306184100047", 1800),
    ("ines.mercier@demo.cqpt.fr", "Inès", "Mercier", "ccad", "55210055400013", 3100),
]


def _blank_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create a few submitted demo dossiers through the real services and workflow (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo_dossiers creates accounts with the public demo password: DEMO_MODE must be on (DEMO_MODE=true)."
            )
        today = timezone.localdate()
        scheme = FundingScheme.objects.get(code="plan_formation")
        for email, first, last, cqpt_code, siret, hours in DEMO_CANDIDATES:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": Role.CANDIDATE,
                    "email_confirmed_at": timezone.now(),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if Dossier.objects.filter(candidate=user).exists():
                continue
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
                upload = SimpleUploadedFile(f"{kind}.pdf", _blank_pdf(kind), content_type="application/pdf")
                document_add(dossier_id=dossier.pk, actor=user, kind=kind, uploaded=upload)
            apply_transition(dossier_id=dossier.pk, name="submit", actor=user)
        count = Dossier.objects.filter(state=DossierState.SUBMITTED).count()
        self.stdout.write(f"Demo dossiers: {count} submitted dossier(s) waiting in AUVICOM's queue.")
