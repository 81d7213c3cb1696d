"""AUVICOM's CSV export of the review queue: the lines, streamed or written to a file by a task.

The loop runs once per dossier (97,000 for "all states"), so it does as little as it can per row:
tuples from values_list, every label and small table (CQPT, reviewers) made safe once in dicts, the
repeated texts (first names, companies) made safe once per distinct value, the time zone converted
once per row and the date formatted once per day, and csv.writer writing blocks of lines into a
buffer instead of one call per line. The employers, CQPTs and reviewers are read apart (a few
hundred rows) rather than joined to every dossier: the sort of 97,000 rows is then narrower.
"""

import csv
import io
import logging
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.models import Company, Cqpt
from cqpt_portal.audit.services import audit_record
from cqpt_portal.broker import publish_bounded
from cqpt_portal.files.storage import private_storage
from cqpt_portal.notifications.enums import NotificationKind
from cqpt_portal.notifications.services import notification_create

from ..enums import AccessRoute, DossierState, ExportState
from ..models import AdmissibilityExport

logger = logging.getLogger(__name__)

EXPORT_CHUNK_SIZE = 2000  # rows read from the database per fetch
EXPORT_LINES_PER_CHUNK = 500  # lines per block handed to the client or the file
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that Excel will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


class _SafeCells(dict):
    """Cells already made safe, by value: a repeated value (a first name, a company) costs one lookup."""

    def __missing__(self, value):
        cell = self[value] = _cell(value)
        return cell


class _Days(dict):
    """A local date's "dd/mm/YYYY " and its age in days, worked out once per date."""

    def __init__(self, today):
        super().__init__()
        self.today = today

    def __missing__(self, day):
        value = self[day] = (day.strftime("%d/%m/%Y "), (self.today - day).days)
        return value


class _ById(dict):
    """Cells of a related table by id, read in one query; an id met later (a row added meanwhile) is read alone."""

    def __init__(self, load, empty=""):
        super().__init__({None: empty})
        self.load = load  # load(ids, or None for those of the export) -> {id: cells}
        self.empty = empty
        self.update(load(None))

    def __missing__(self, pk):
        cells = self[pk] = self.load([pk]).get(pk, self.empty)
        return cells


_CLOCK = [[f"{hour:02d}:{minute:02d}" for minute in range(60)] for hour in range(24)]


def export_header() -> list[str]:
    return [
        _("Numéro"),
        _("Nom"),
        _("Prénom"),
        _("E-mail"),
        _("CQPT"),
        _("Voie d'accès"),
        _("Entreprise"),
        _("SIRET"),
        _("État"),
        _("Instructeur"),
        _("Déposé le"),
        _("Ancienneté (jours)"),
    ]


def _reviewer_cells(queryset: QuerySet) -> _ById:
    """The "Instructeur" cell of each reviewer of the exported dossiers (a handful of people)."""

    def load(ids):
        users = get_user_model().objects.filter(pk__in=queryset.values("reviewer_id") if ids is None else ids)
        return {
            pk: _cell(f"{first or ''} {last or ''}".strip() or (email or ""))
            for pk, first, last, email in users.values_list("pk", "first_name", "last_name", "email")
        }

    return _ById(load)


def _company_cells(queryset: QuerySet) -> _ById:
    """The "Entreprise" and "SIRET" cells of each employer of the exported dossiers."""

    def load(ids):
        companies = Company.objects.filter(pk__in=queryset.values("company_id") if ids is None else ids)
        return {pk: (_cell(name), _cell(siret)) for pk, name, siret in companies.values_list("pk", "name", "siret")}

    return _ById(load, empty=("", ""))


def _cqpt_cells() -> _ById:
    def load(ids):
        cqpts = Cqpt.objects.all() if ids is None else Cqpt.objects.filter(pk__in=ids)
        return {pk: _cell(title) for pk, title in cqpts.values_list("pk", "title")}

    return _ById(load)


def export_csv_chunks(queryset: QuerySet) -> Iterator[str]:
    """The dossiers of `queryset`, in its order, as CSV text in blocks: a BOM, the header, then the lines.

    Semicolons and a BOM so that French Excel reads it as UTF-8; every text cell goes through the
    formula protection of `_cell`. Reads: the CQPTs, the reviewers, then the rows in fetches of
    EXPORT_CHUNK_SIZE (a server-side cursor on PostgreSQL).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    safe = _SafeCells()
    # Labels translated and made safe once, not once per row; an unknown code is shown as it is.
    states = _SafeCells({value: _cell(str(label)) for value, label in DossierState.choices})
    routes = _SafeCells({value: _cell(str(label)) for value, label in AccessRoute.choices})
    cqpts = _cqpt_cells()
    reviewers = _reviewer_cells(queryset)
    companies = _company_cells(queryset)
    days = _Days(today)
    clock = _CLOCK
    risky = _FORMULA_STARTS
    yield "\ufeff"  # BOM: French Excel then reads the file as UTF-8
    writer.writerow(export_header())
    rows = queryset.values_list(
        "number",
        "last_name",
        "first_name",
        "candidate__email",
        "cqpt_id",
        "access_route",
        "company_id",
        "state",
        "reviewer_id",
        "submitted_at",
    )
    lines = []
    for number, last, first, email, cqpt, route, company, state, reviewer, submitted in rows.iterator(
        chunk_size=EXPORT_CHUNK_SIZE
    ):
        # Unique per dossier: checked here rather than remembered.
        number = number or ""
        if number[:1] in risky:
            number = "'" + number
        email = email or ""
        if email[:1] in risky:
            email = "'" + email
        if submitted is None:
            when = age = ""
        else:
            local = submitted.astimezone(zone)
            day, age = days[local.date()]
            when = day + clock[local.hour][local.minute]
        lines.append(
            (
                number,
                safe[last],
                safe[first],
                email,
                cqpts[cqpt],
                routes[route],
                *companies[company],
                states[state],
                reviewers[reviewer],
                when,
                age,
            )
        )
        if len(lines) >= EXPORT_LINES_PER_CHUNK:
            writer.writerows(lines)
            lines = []
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(lines)
    if tail := buffer.getvalue():
        yield tail


# Exports too long to stream: a task writes the file ---------------------------------------------------

# A pending export older than this was lost by the broker or a dead worker: the sweep queues it again...
REQUEUE_AFTER = timedelta(minutes=5)
# ...until this age, when it gives up on it (the page then says it failed; the user asks again).
GIVE_UP_AFTER = timedelta(hours=2)


def export_params(query: QueryDict) -> dict:
    """The filters of the queue as the export keeps them: the page number is not one."""
    params = query.dict()
    params.pop("page", None)
    return params


def export_queryset(*, params: dict, user) -> QuerySet:
    """The queue's dossiers for these filters, as the page shows them to `user` ("mine" is theirs)."""
    from ..filters import AdmissibilityQueueFilter
    from ..selectors import admissibility_queue_base

    data = QueryDict(mutable=True)
    data.update(params)
    request = SimpleNamespace(user=user)  # the filters read only the user, for "mine"
    return AdmissibilityQueueFilter(data, queryset=admissibility_queue_base(), request=request).qs


def export_request(*, user, params: dict, lines: int) -> AdmissibilityExport:
    """Ask for a CSV export written by a task. Side effects: one row and its audit row; the task queued after commit.

    The same filters asked again while the first export is being prepared give that export (a double
    click makes one file).
    """
    with transaction.atomic():
        pending = (
            AdmissibilityExport.objects.select_for_update()
            .filter(requested_by=user, state=ExportState.PENDING, requested_at__gt=timezone.now() - REQUEUE_AFTER)
            .order_by("-requested_at")
        )
        same = next((export for export in pending if export.params == params), None)
        if same is not None:
            return same
        export = AdmissibilityExport.objects.create(
            requested_by=user, params=params, lines=lines, language=translation.get_language() or "fr"
        )
        audit_record(actor=user, target=export, action="admissibility_exported", extra=params)
        transaction.on_commit(lambda: _enqueue_build(export.pk))
    return export


def _enqueue_build(export_id: int) -> None:
    """Hand the build to a worker within a bounded time; the beat sweep queues it again if the broker is away."""
    from ..tasks import build_admissibility_export

    if not publish_bounded(build_admissibility_export, export_id):
        logger.warning("Export %s not queued: left for the sweep", export_id)


def export_build(*, export_id: int) -> str:
    """Write one export's CSV file; return "built" or "skipped".

    Side effects: a private file, the row marked ready with its expiry, a notification to the
    requester (e-mailed after commit). Idempotent: an export already built, failed or gone is skipped,
    and a second task waits for the first one's lock, then skips.
    """
    with transaction.atomic():
        export = (
            AdmissibilityExport.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .filter(pk=export_id, state=ExportState.PENDING)
            .first()
        )
        if export is None:
            return "skipped"
        user = export.requested_by
        with translation.override(export.language), tempfile.TemporaryFile() as handle:
            queryset = export_queryset(params=export.params, user=user)
            export.lines = queryset.count()
            for chunk in export_csv_chunks(queryset):
                handle.write(chunk.encode())
            export.size = handle.tell()
            export.file.save("export.csv", File(handle), save=False)
        try:
            export.state = ExportState.READY
            export.ready_at = timezone.now()
            export.expires_at = export.ready_at + timedelta(days=settings.ADMISSIBILITY_EXPORT_KEEP_DAYS)
            export.save(update_fields=["lines", "size", "file", "state", "ready_at", "expires_at"])
            notification_create(
                recipient=user,
                kind=NotificationKind.ADMISSIBILITY_EXPORT_READY,
                context={"lines": export.lines, "expires": f"{timezone.localtime(export.expires_at):%d/%m/%Y}"},
                link=reverse("candidates:admissibility_exports"),
                reference=f"admissibility_export:{export.pk}",
            )
        except Exception:
            export.file.storage.delete(export.file.name)  # the row will not name it: do not leave it behind
            raise
    return "built"


def export_give_up(*, export_id: int) -> bool:
    """Mark a pending export failed (its task failed for good, or was lost). Side effect: one UPDATE."""
    return bool(
        AdmissibilityExport.objects.filter(pk=export_id, state=ExportState.PENDING).update(state=ExportState.FAILED)
    )


def export_for_download(*, export: AdmissibilityExport, user) -> AdmissibilityExport | None:
    """The export if it can still be downloaded (ready, not expired); the download is audited."""
    if not export.is_available:
        return None
    audit_record(actor=user, target=export, action="admissibility_export_downloaded")
    return export


def _delete_files_on_commit(names: list[str]) -> None:
    names = [name for name in names if name]
    if not names:
        return

    def remove():
        storage = private_storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError as exc:
                logger.warning("Could not delete %s: %s", name, exc)

    transaction.on_commit(remove)


def exports_sweep(*, now=None) -> dict[str, int]:
    """The beat's sweep: delete expired exports (rows and files), queue lost ones again, give up on old ones.

    Side effects: DELETEs and their files removed after commit; UPDATEs to failed; tasks queued after commit.
    Idempotent.
    """
    now = now or timezone.now()
    keep = timedelta(days=settings.ADMISSIBILITY_EXPORT_KEEP_DAYS)
    with transaction.atomic():
        expired = AdmissibilityExport.objects.filter(expires_at__lt=now) | AdmissibilityExport.objects.filter(
            expires_at__isnull=True, requested_at__lt=now - keep
        )
        files = list(expired.exclude(file="").values_list("file", flat=True))
        deleted = expired.delete()[0]
        _delete_files_on_commit(files)
        given_up = AdmissibilityExport.objects.filter(
            state=ExportState.PENDING, requested_at__lt=now - GIVE_UP_AFTER
        ).update(state=ExportState.FAILED)
        lost = list(
            AdmissibilityExport.objects.filter(
                state=ExportState.PENDING, requested_at__lt=now - REQUEUE_AFTER
            ).values_list("pk", flat=True)
        )
        for export_id in lost:
            transaction.on_commit(lambda export_id=export_id: _enqueue_build(export_id))
    return {"deleted": deleted, "failed": given_up, "queued": len(lost)}
