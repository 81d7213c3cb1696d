"""The 1607-hour rule of accès libre, as one pure function (no database, no clock).

The window is the 3 years ending on the reference day (the day the dossier is
submitted, or today before submission): from the day after the same date three
years earlier, to the reference day, both included. A period counts only if
the employer is in the branch (IDCC 2148) and the work is directly related to
the targeted CQPT; a period partly outside the window counts pro rata of its
days inside it (days after the reference day are never counted). Periods with
impossible data count for nothing and say why in `errors`; `notes` explain
what was left out without blocking anything.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

REQUIRED_HOURS = 1607
WINDOW_YEARS = 3
MAX_HOURS_PER_WEEK = 48
MAX_HOURS_PER_DAY = 12
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PeriodInput:
    start: date | None
    end: date | None
    hours: int | Decimal | None
    in_branch: bool
    related: bool
    key: str = ""
    employer: str = ""
    siret: str = ""


@dataclass
class PeriodResult:
    period: PeriodInput
    counted_hours: Decimal = Decimal("0")
    days_in_window: int = 0
    total_days: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counted_from: date | None = None
    counted_to: date | None = None

    @property
    def counts(self) -> bool:
        return self.counted_hours > 0


@dataclass
class EligibilityResult:
    reference_date: date
    window_start: date
    window_end: date
    periods: list[PeriodResult]
    total_hours: Decimal
    required_hours: int = REQUIRED_HOURS

    @property
    def missing_hours(self) -> Decimal:
        return max(Decimal(self.required_hours) - self.total_hours, Decimal("0"))

    @property
    def is_eligible(self) -> bool:
        return self.total_hours >= self.required_hours

    @property
    def has_errors(self) -> bool:
        return any(p.errors for p in self.periods)


def window_for(reference_date: date) -> tuple[date, date]:
    """The 3-year window ending on reference_date, both ends included (29 February → 1 March)."""
    try:
        same_day = reference_date.replace(year=reference_date.year - WINDOW_YEARS)
    except ValueError:  # 29 February, three years before, is 28 February
        same_day = reference_date.replace(year=reference_date.year - WINDOW_YEARS, day=28)
    return same_day + timedelta(days=1), reference_date


def max_plausible_hours(days: int) -> Decimal:
    """At most 48 h a week over the period and 12 h a day (a period under a week is held to one week's 48 h)."""
    weekly = Decimal(MAX_HOURS_PER_WEEK) * Decimal(max(days, 7)) / Decimal(7)
    return min(weekly, Decimal(MAX_HOURS_PER_DAY * days))


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _employer_identity(period: PeriodInput) -> str:
    """SIRET without spaces, or the employer's name when no SIRET was given (the public simulator)."""
    siret = "".join(period.siret.split())
    if siret:
        return f"siret:{siret}"
    name = " ".join(period.employer.split()).casefold()
    return f"name:{name}" if name else ""


def _check_period(period: PeriodInput, result: PeriodResult, reference_date: date) -> bool:
    """Fill result.errors for impossible data; True when the period can be counted."""
    if period.start is None or period.end is None or period.hours is None:
        result.errors.append(_("Dates ou heures manquantes."))
        return False
    if period.end < period.start:
        result.errors.append(_("La date de fin précède la date de début."))
        return False
    if period.hours < 0:
        result.errors.append(_("Le nombre d'heures ne peut pas être négatif."))
        return False
    result.total_days = (period.end - period.start).days + 1
    if period.start > reference_date:
        result.errors.append(_("Cette période commence dans le futur : elle ne peut pas être comptée."))
        return False
    max_hours = max_plausible_hours(result.total_days)
    if Decimal(period.hours) > max_hours:
        result.errors.append(
            _(
                "%(hours)s heures sur %(days)s jours, c'est plus que 48 heures par semaine (ou 12 heures par jour) : "
                "au plus %(max)s heures sur cette période. Vérifiez le nombre d'heures."
            )
            % {
                "hours": period.hours,
                "days": result.total_days,
                "max": max_hours.quantize(Decimal("1"), rounding=ROUND_DOWN),
            }
        )
        return False
    return True


def compute_eligibility(periods: list[PeriodInput], reference_date: date) -> EligibilityResult:
    """Count each period's hours inside the window and sum them against 1607."""
    window_start, window_end = window_for(reference_date)
    results: list[PeriodResult] = []
    seen: dict[tuple, int] = {}
    for index, period in enumerate(periods):
        result = PeriodResult(period=period)
        results.append(result)
        if not _check_period(period, result, reference_date):
            continue
        employer = _employer_identity(period)
        identity = (employer, period.start, period.end)
        if employer and identity in seen:
            result.errors.append(
                _("Doublon de la période n°%(n)s (même employeur, mêmes dates) : comptée une seule fois.")
                % {"n": seen[identity] + 1}
            )
            continue
        seen[identity] = index
        if not period.in_branch:
            result.notes.append(_("Employeur hors de la Branche des Télécommunications (IDCC 2148) : non comptée."))
        if not period.related:
            result.notes.append(_("Expérience sans rapport direct avec le CQPT visé : non comptée."))
        if not (period.in_branch and period.related):
            continue
        if period.hours == 0:
            result.notes.append(_("Aucune heure déclarée sur cette période."))
        overlap_start = max(period.start, window_start)
        overlap_end = min(period.end, window_end)
        if overlap_end < overlap_start:
            result.notes.append(_("En dehors des 3 dernières années : non comptée."))
            continue
        if period.end > reference_date:
            result.notes.append(_("Les jours postérieurs à la date de référence ne sont pas comptés."))
        result.counted_from, result.counted_to = overlap_start, overlap_end
        result.days_in_window = (overlap_end - overlap_start).days + 1
        if result.days_in_window < result.total_days:
            result.notes.append(
                _("Comptée au prorata : %(inside)s jours sur %(total)s dans la période de 3 ans.")
                % {"inside": result.days_in_window, "total": result.total_days}
            )
        result.counted_hours = _round(Decimal(period.hours) * result.days_in_window / result.total_days)
    _note_overlaps([r for r in results if r.counts])
    total = _round(sum((r.counted_hours for r in results), Decimal("0")))
    return EligibilityResult(
        reference_date=reference_date,
        window_start=window_start,
        window_end=window_end,
        periods=results,
        total_hours=total,
    )


def _note_overlaps(counted: list[PeriodResult]) -> None:
    """Overlapping counted periods both count (two part-time jobs are legitimate) but are pointed out."""
    for r in counted:
        for other in counted:
            if other is not r and r.counted_from <= other.counted_to and other.counted_from <= r.counted_to:
                r.notes.append(_("Chevauche une autre période déclarée : AUVICOM vérifiera les heures."))
                break
