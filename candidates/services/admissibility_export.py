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
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Company, Cqpt

from ..enums import AccessRoute, DossierState

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
