"""Helpers for the personal-data tests: people with dossiers, documents, notifications and audit rows."""

import datetime
import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from candidates.enums import DocumentKind, DossierState
from candidates.models import AdmissibilityDecision, DossierDocument, DossierSubmission
from cqpt_portal.audit.services import audit_record
from cqpt_portal.notifications.services import notification_create
from tests.evaluation.support import PDF_BYTES
from tests.factories import ExperiencePeriodFactory


def add_document(dossier, name="piece.pdf", kind=DocumentKind.IDENTITY):
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=kind,
        file=ContentFile(PDF_BYTES, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=dossier.candidate,
    )


def fill(dossier, *, tag: str):
    """A period, a document, a notification and an audit row, all marked with `tag`."""
    ExperiencePeriodFactory(dossier=dossier, description=f"activité {tag}")
    add_document(dossier, name=f"identite-{tag}.pdf")
    notification_create(recipient=dossier.candidate, kind="test", context={})
    audit_record(actor=dossier.candidate, target=dossier, action="create", comment=f"note {tag}")


def submit(dossier, *, state=DossierState.SUBMITTED, decided_by=None, when=None):
    """Mark a dossier submitted (and decided, for a final state) as the workflow would leave it."""
    when = when or timezone.now()
    dossier.state = state
    dossier.number = dossier.number or f"CQPT-2026-{dossier.pk:06d}"
    dossier.submitted_at = dossier.first_submitted_at = when
    dossier.state_changed_at = when
    dossier.save()
    submission = DossierSubmission.objects.create(
        dossier=dossier,
        sequence=1,
        submitted_at=when,
        reference_date=when.date(),
        snapshot={"identity": {"last_name": dossier.last_name, "phone": dossier.phone, "city": dossier.city}},
    )
    if decided_by is not None:
        AdmissibilityDecision.objects.create(
            dossier=dossier, submission=submission, outcome="admissible", decided_by=decided_by, decided_at=when
        )
    return dossier


def files_on_disk() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def read_archive(archive) -> tuple[dict, dict[str, bytes]]:
    with archive.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zipped:
        document = json.loads(zipped.read("data.json"))
        files = {name: zipped.read(name) for name in zipped.namelist() if name != "data.json"}
    return document, files


def days(n):
    return datetime.timedelta(days=n)
