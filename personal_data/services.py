"""The person's rights (access and portability, erasure, rectification) and the retention periods, applied."""

import io
import json
import logging
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.storage import private_storage
from cqpt_portal.notifications.enums import NotificationKind
from cqpt_portal.notifications.services import notification_create

from .enums import ArchiveState, RequestState
from .models import DataArchive, ErasureRequest, NameChangeRequest, RetentionRun
from .registry import ErasureContext, RetentionContext, providers

logger = logging.getLogger(__name__)
ARCHIVE_SALT = "personal_data.archive"
FORMAT_VERSION = 1
STALE_AFTER = timedelta(hours=1)


def delete_files_on_commit(names) -> None:
    """Remove private files once the rows that named them are gone for good (never for a rolled-back deletion)."""
    names = [name for name in names if name]
    if not names:
        return

    def remove():
        storage = private_storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError as exc:  # a missing file is already what we want; others are logged
                logger.warning("Could not delete %s: %s", name, exc)

    transaction.on_commit(remove)


# Access and portability ---------------------------------------------------------------------------


def archive_request(*, user) -> DataArchive:
    """Ask for the person's archive. Side effects: one row and an audit row; the build task queued after commit.

    A request while one is being prepared returns that one (no duplicate work).
    """
    with transaction.atomic():
        pending = DataArchive.objects.select_for_update().filter(user=user, state=ArchiveState.PENDING).first()
        if pending is not None and pending.requested_at > timezone.now() - STALE_AFTER:
            return pending
        if pending is not None:  # its task was lost (broker outage, crash): give up on it and start again
            pending.state = ArchiveState.FAILED
            pending.save(update_fields=["state"])
        archive = DataArchive.objects.create(user=user)
        audit_record(actor=user, target=archive, action="data_export_requested")
        transaction.on_commit(lambda: _enqueue_build(archive.pk))
    return archive


def _enqueue_build(archive_id: int) -> None:
    from .tasks import build_archive

    try:
        from cqpt_portal.broker import publish_bounded

        if not publish_bounded(build_archive, archive_id):
            logger.warning("Broker unavailable; archive %s not queued", archive_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: the person can ask again, the row says pending
        logger.warning("Broker unavailable (%s); archive %s not queued", exc, archive_id)


def export_data(user) -> tuple[dict, list]:
    """Everything the registered apps hold about the person: the JSON document and the files to include."""
    sections, files = {}, []
    for provider in providers():
        export = provider.export(user)
        sections[provider.name] = export.rows
        files += export.files
    document = {
        "format": "cqpt-portal-personal-data",
        "version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "person": {"id": user.pk, "email": user.email},
        "files": [name for name, _file in files],
        "data": sections,
    }
    return document, files


def archive_build(*, archive_id: int) -> str:
    """Build one archive (ZIP: data.json and the original files); return "built" or "skipped".

    Side effects: a private file, the row marked ready, an audit row, a notification. Idempotent:
    an archive already built (or gone) is skipped.
    """
    with transaction.atomic():
        archive = (
            DataArchive.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=archive_id, state=ArchiveState.PENDING)
            .first()
        )
        if archive is None:
            return "skipped"
        user = archive.user
        document, files = export_data(user)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            for name, field_file in files:
                try:
                    with field_file.storage.open(field_file.name, "rb") as handle:
                        zipped.writestr(f"files/{name}", handle.read())
                except FileNotFoundError:
                    logger.warning("Archive %s: %s is missing on disk", archive.pk, field_file.name)
        archive.file.save("archive.zip", ContentFile(buffer.getvalue()), save=False)
        archive.size = len(buffer.getvalue())
        archive.state = ArchiveState.READY
        archive.ready_at = timezone.now()
        archive.expires_at = archive.ready_at + timedelta(hours=settings.DATA_ARCHIVE_LINK_HOURS)
        archive.save(update_fields=["file", "size", "state", "ready_at", "expires_at"])
        audit_record(
            actor=None, target=archive, action="data_export_built", extra={"files": len(files), "size": archive.size}
        )
        notification_create(
            recipient=user,
            kind=NotificationKind.DATA_ARCHIVE_READY,
            context={"expires": f"{timezone.localtime(archive.expires_at):%d/%m/%Y %H:%M}"},
            link=archive_link(archive),
        )
    return "built"


def archive_link(archive: DataArchive) -> str:
    token = signing.TimestampSigner(salt=ARCHIVE_SALT).sign(str(archive.pk))
    return reverse("personal_data:archive_download", kwargs={"token": token})


def archive_for_download(*, token: str, user) -> DataArchive:
    """The archive a signed link names, if it is the user's, still valid and ready; else ActionRefused."""
    try:
        archive_id = signing.TimestampSigner(salt=ARCHIVE_SALT).unsign(
            token, max_age=timedelta(hours=settings.DATA_ARCHIVE_LINK_HOURS)
        )
    except signing.SignatureExpired:
        raise ActionRefused(_("Ce lien a expiré : demandez une nouvelle archive.")) from None
    except signing.BadSignature:
        raise ActionRefused(_("Ce lien n'est pas valide.")) from None
    archive = DataArchive.objects.filter(pk=archive_id, user=user).first()
    if archive is None or not archive.is_available:
        raise ActionRefused(_("Cette archive n'est plus disponible : demandez-en une nouvelle."))
    audit_record(actor=user, target=archive, action="data_export_downloaded")
    return archive


# Erasure -------------------------------------------------------------------------------------------


def erasure_apply(*, user) -> ErasureRequest:
    """Erase the person's account: each app deletes or pseudonymises what it no longer needs and lists what stays.

    Side effects, in one transaction: the request row, deletions and pseudonymisation by every provider,
    an audit row with counts only (never the erased data); the files are deleted after commit.
    """
    now = timezone.now()
    with transaction.atomic():
        numbers = list(Dossier.objects.filter(candidate=user).exclude(number=None).values_list("number", flat=True))
        request = ErasureRequest.objects.create(user=user, requested_at=now, dossier_numbers=numbers)
        context = ErasureContext(now=now, actor=user)
        deleted, kept, files = {}, [], []
        for provider in providers():
            if provider.erase is None:
                continue
            outcome = provider.erase(user, context)
            deleted.update({f"{provider.name}.{key}": value for key, value in outcome.deleted.items()})
            kept += [item.as_dict() for item in outcome.kept]
            files += outcome.files
        request.deleted = deleted
        request.kept = kept
        request.processed_at = timezone.now()
        request.save(update_fields=["deleted", "kept", "processed_at"])
        audit_record(
            actor=user,  # the person, now under their pseudonymised account
            target=request,
            action="erasure_applied",
            extra={"deleted": deleted, "kept": len(kept), "files": len(files)},
        )
        delete_files_on_commit(files)
    return request


def erasure_acknowledge(*, request_id: int, actor) -> ErasureRequest:
    """AUVICOM notes that it has seen an erasure request. Side effects: one UPDATE, one audit row."""
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request_id)
        if request.acknowledged_at is None:
            request.acknowledged_at = timezone.now()
            request.acknowledged_by = actor
            request.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audit_record(actor=actor, target=request, action="erasure_acknowledged")
    return request


# Retention -----------------------------------------------------------------------------------------


def retention_apply(*, dry_run: bool = False, trigger: str = "beat") -> RetentionRun:
    """Apply settings.PERSONAL_DATA_RETENTION through every provider; return the run and its report.

    Side effects (none in a dry run but the run row and its audit row): deletions and pseudonymisation,
    warnings to candidates before their draft goes, files removed after commit. Idempotent: a second
    run the same night finds nothing more to do.
    """
    now = timezone.now()
    periods = dict(settings.PERSONAL_DATA_RETENTION)
    with transaction.atomic():
        run = RetentionRun.objects.create(started_at=now, dry_run=dry_run, trigger=trigger, periods=periods)
        context = RetentionContext(now=now, dry_run=dry_run, periods=periods, files=[])
        report = {}
        for provider in providers():
            if provider.retention is None:
                continue
            report[provider.name] = provider.retention(context)
        run.report = report
        run.finished_at = timezone.now()
        run.save(update_fields=["report", "finished_at"])
        audit_record(
            actor=None,
            target=run,
            action="retention_dry_run" if dry_run else "retention_applied",
            extra={"trigger": trigger, "report": report, "files": len(context.files)},
        )
        if not dry_run:
            delete_files_on_commit(context.files)
    return run


# Rectification -------------------------------------------------------------------------------------

CONTACT_FIELDS = ("phone", "address", "postal_code", "city")


def has_submitted(user) -> bool:
    return Dossier.objects.filter(candidate=user, first_submitted_at__isnull=False).exists()


def contact_rectify(*, user, data: dict) -> NameChangeRequest | None:
    """Correct the person's identity and contact data.

    Contact data changes at once on the account and every dossier. A name is changed at once
    while nothing was submitted; after a submission it becomes a request AUVICOM accepts or refuses.
    Side effects: UPDATEs, an audit row, maybe a NameChangeRequest row.
    """
    with transaction.atomic():
        contact = {name: data[name] for name in CONTACT_FIELDS if name in data}
        dossiers = Dossier.objects.filter(candidate=user)
        if contact:
            dossiers.update(**contact, updated_at=timezone.now())
        first_name, last_name = data.get("first_name", user.first_name), data.get("last_name", user.last_name)
        name_changed = (first_name, last_name) != (user.first_name, user.last_name)
        request = None
        if name_changed and has_submitted(user):
            request = NameChangeRequest.objects.filter(user=user, state=RequestState.PENDING).first()
            if request is None:
                request = NameChangeRequest(user=user)
            request.current_first_name, request.current_last_name = user.first_name, user.last_name
            request.first_name, request.last_name = first_name, last_name
            request.reason = data.get("reason", "")
            request.save()
            audit_record(actor=user, target=request, action="name_change_requested")
        elif name_changed:
            _apply_name(user, first_name, last_name)
        audit_record(actor=user, target=user, action="contact_rectified", extra={"fields": sorted(contact)})
    return request


def _apply_name(user, first_name: str, last_name: str) -> None:
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    # The submissions stay as they were filed (what AUVICOM reviewed); a certificate shows the name at issue.
    Dossier.objects.filter(candidate=user).update(first_name=first_name, last_name=last_name, updated_at=timezone.now())


def name_change_decide(*, request_id: int, actor, accept: bool, reason: str = "") -> NameChangeRequest:
    """AUVICOM accepts (the account and dossiers change) or refuses a change of name.

    Side effects: UPDATEs, an audit row, a notification to the candidate after commit.
    """
    with transaction.atomic():
        request = NameChangeRequest.objects.select_for_update().select_related("user").get(pk=request_id)
        if request.state != RequestState.PENDING:
            raise ActionRefused(_("Cette demande a déjà été traitée."))
        if not accept and not reason.strip():
            raise ActionRefused(fields={"reason": [_("Indiquez le motif du refus.")]})
        request.state = RequestState.ACCEPTED if accept else RequestState.REFUSED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.refusal_reason = "" if accept else reason
        request.save(update_fields=["state", "decided_at", "decided_by", "refusal_reason"])
        if accept:
            _apply_name(request.user, request.first_name, request.last_name)
        audit_record(
            actor=actor,
            target=request,
            action="name_change_accepted" if accept else "name_change_refused",
            comment=reason if not accept else "",
        )
        notification_create(
            recipient=request.user,
            kind=NotificationKind.NAME_CHANGE_DECIDED,
            context={"accepted": accept, "new_name": request.new_name, "reason": reason},
            link=reverse("personal_data:index"),
        )
    return request
