"""What AUVICOM reads on the review page: the frozen submission, made readable, beside the live confirmations."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_date

from ..enums import AccessRoute, ContractType, EmployerConfirmation, Initiative, WorkingTime
from ..models import Dossier, DossierSubmission, ExperiencePeriod
from .dossier import Problem, submission_problems


@dataclass
class SnapshotPeriod:
    """One declared period as submitted, with its live employer confirmation (if the period still exists)."""

    employer: str
    siret: str
    start: date | None
    end: date | None
    hours: int | None
    in_branch: bool
    related: bool
    counted_hours: Decimal
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    live: ExperiencePeriod | None = None

    @property
    def employer_status(self) -> str:
        return self.live.employer_status if self.live else ""

    @property
    def employer_status_label(self) -> str:
        return self.live.get_employer_status_display() if self.live else ""

    @property
    def is_confirmed(self) -> bool:
        return self.employer_status == EmployerConfirmation.CONFIRMED

    @property
    def is_disputed(self) -> bool:
        return self.employer_status == EmployerConfirmation.DISPUTED


@dataclass
class AdmissibilitySheet:
    """The review page's reading of one submission."""

    submission: DossierSubmission
    identity: dict
    employment: dict
    candidacy: dict
    periods: list[SnapshotPeriod]
    eligibility: dict
    submitted_document_ids: set[int]
    problems: list[Problem]


def _date(value) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    return parse_date(str(value))


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value if value is not None else "0"))
    except InvalidOperation:
        return Decimal("0")


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def admissibility_sheet(*, dossier: Dossier, submission: DossierSubmission) -> AdmissibilitySheet:
    """Read a submission's snapshot for display; the checklist is computed at its reference date. No writes."""
    snapshot = submission.snapshot or {}
    identity = dict(snapshot.get("identity", {}))
    identity["birth_date"] = _date(identity.get("birth_date"))
    employment = dict(snapshot.get("employment", {}))
    employment["contract_type_label"] = _label(ContractType, employment.get("contract_type"))
    employment["contract_start"] = _date(employment.get("contract_start"))
    employment["contract_end"] = _date(employment.get("contract_end"))
    candidacy = dict(snapshot.get("candidacy", {}))
    candidacy["access_route_label"] = _label(AccessRoute, candidacy.get("access_route"))
    candidacy["working_time_label"] = _label(WorkingTime, candidacy.get("working_time"))
    candidacy["initiative_label"] = _label(Initiative, candidacy.get("initiative"))
    scheme = dossier.funding_scheme
    code = candidacy.get("funding_scheme", "")
    candidacy["funding_scheme_label"] = scheme.label if scheme is not None and scheme.code == code else code

    live_periods = {str(p.pk): p for p in dossier.periods.all()}
    periods = [
        SnapshotPeriod(
            employer=p.get("employer", ""),
            siret=p.get("siret", ""),
            start=_date(p.get("start")),
            end=_date(p.get("end")),
            hours=p.get("hours"),
            in_branch=bool(p.get("in_branch")),
            related=bool(p.get("related")),
            counted_hours=_decimal(p.get("counted_hours")),
            errors=[str(e) for e in p.get("errors", [])],
            notes=[str(n) for n in p.get("notes", [])],
            live=live_periods.get(str(p.get("id", ""))),
        )
        for p in snapshot.get("periods", [])
    ]
    raw = snapshot.get("eligibility", {})
    eligibility = {
        "window_start": _date(raw.get("window_start")),
        "window_end": _date(raw.get("window_end")),
        "total_hours": _decimal(raw.get("total_hours")),
        "required_hours": raw.get("required_hours"),
        "missing_hours": _decimal(raw.get("missing_hours")),
        "is_eligible": bool(raw.get("is_eligible")),
    }
    return AdmissibilitySheet(
        submission=submission,
        identity=identity,
        employment=employment,
        candidacy=candidacy,
        periods=periods,
        eligibility=eligibility,
        submitted_document_ids={d.get("id") for d in snapshot.get("documents", [])},
        problems=submission_problems(dossier, reference_date=submission.reference_date),
    )
