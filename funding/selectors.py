"""Reading the fees: the officer's dashboard (SQL aggregates), the lists of each audience, a statement's lines.

The lists mirror funding.rules: the officer sees every fee, an organisation's
manager its organisation's, an employer the fees its company pays.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format

from cqpt_portal.audit.models import AuditEvent

from .enums import FeeState, Payer
from .models import Fee, Statement, StatementLine

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
OWED = (FeeState.DUE, FeeState.IN_STATEMENT)


def _amount(condition: Q):
    return Coalesce(Sum("amount", filter=condition), ZERO)


# The columns of every dashboard table: count and amount per stage of the fee.
STAGE_COLUMNS = {
    "committed_count": Count("pk", filter=Q(state=FeeState.COMMITTED)),
    "committed_amount": _amount(Q(state=FeeState.COMMITTED)),
    "owed_count": Count("pk", filter=Q(state__in=OWED)),
    "owed_amount": _amount(Q(state__in=OWED)),
    "paid_count": Count("pk", filter=Q(state=FeeState.PAID)),
    "paid_amount": _amount(Q(state=FeeState.PAID)),
    "not_due_count": Count("pk", filter=Q(state=FeeState.NOT_DUE)),
}


def fees_base():
    return Fee.objects.select_related(
        "evaluation__dossier__cqpt", "evaluation__dossier__company", "organisation", "scheme", "company"
    )


def funding_dashboard(*, year: int | None = None, payer: str = Payer.AUVICOM) -> dict:
    """The officer's figures: totals, then by month, scheme, CQPT and organisation. Five queries whatever the data.

    A fee counts in the month it was committed (its assignment).
    """
    fees = Fee.objects.filter(payer=payer)
    if year:
        fees = fees.filter(committed_at__year=year)
    totals = fees.aggregate(**STAGE_COLUMNS)

    def grouped(*keys, order, source=fees):
        return list(source.values(*keys).annotate(**STAGE_COLUMNS).order_by(*order))

    def labelled(rows, label):
        for row in rows:
            row["label"] = label(row)
        return rows

    by_month = grouped("month", order=["month"], source=fees.annotate(month=TruncMonth("committed_at")))
    by_scheme = grouped("scheme__position", "scheme__label", order=["scheme__position", "scheme__label"])
    by_cqpt = grouped(
        "evaluation__dossier__cqpt__code", "evaluation__dossier__cqpt__title", order=["evaluation__dossier__cqpt__code"]
    )
    by_organisation = grouped("organisation_id", "organisation__name", order=["organisation__name"])
    return {
        "totals": totals,
        "by_month": labelled(by_month, lambda r: date_format(r["month"], "F Y") if r["month"] else ""),
        "by_scheme": labelled(by_scheme, lambda r: r["scheme__label"]),
        "by_cqpt": labelled(
            by_cqpt,
            lambda r: (
                f"{r['evaluation__dossier__cqpt__code']} – {r['evaluation__dossier__cqpt__title']}"
                if r["evaluation__dossier__cqpt__code"]
                else ""
            ),
        ),
        "by_organisation": labelled(by_organisation, lambda r: r["organisation__name"]),
    }


def dashboard_years() -> list[int]:
    return [d.year for d in Fee.objects.dates("committed_at", "year", order="DESC")]


def fees_for_officer(*, state: str = "", organisation_id=None, payer: str = ""):
    fees = fees_base()
    if state:
        fees = fees.filter(state=state)
    if organisation_id:
        fees = fees.filter(organisation_id=organisation_id)
    if payer:
        fees = fees.filter(payer=payer)
    return fees.order_by("-committed_at", "-id")


def fees_for_organisation(organisation_id: int):
    return fees_base().filter(organisation_id=organisation_id).order_by("-committed_at", "-id")


def fees_for_employer(company_id: int):
    """The evaluations the company pays for, within its training plan."""
    return fees_base().filter(payer=Payer.EMPLOYER, company_id=company_id).order_by("-committed_at", "-id")


def statements_base():
    return Statement.objects.select_related("organisation", "created_by")


def statements_for_organisation(organisation_id: int):
    return statements_base().filter(organisation_id=organisation_id).order_by("-created_at", "-id")


def statement_lines(statement: Statement):
    """The fees of a statement (the inactive ones too once it is cancelled), with what the documents show."""
    lines = StatementLine.objects.filter(statement=statement)
    if statement.state != "cancelled":
        lines = lines.filter(is_active=True)
    return list(
        lines.select_related(
            "fee__evaluation__dossier__cqpt", "fee__scheme", "fee__evaluation__dossier__company"
        ).order_by("id")
    )


PHASE_ACTIONS = {
    "close_evidence": "evidence",
    "record_quiz_result": "quiz",
    "close_workplace": "workplace",
    "transmit": "transmitted",
}


def phase_dates(evaluation) -> dict:
    """When each phase got its result and when the synthesis was transmitted, from the evaluation's audit trail."""
    dates = {}
    for action, created_at in (
        AuditEvent.objects.for_object(evaluation)
        .filter(action__in=PHASE_ACTIONS)
        .order_by("created_at")
        .values_list("action", "created_at")
    ):
        dates[PHASE_ACTIONS[action]] = created_at
    if evaluation.followed_in_full_at and "transmitted" not in dates:
        dates["transmitted"] = evaluation.followed_in_full_at
    return dates


def fee_of_dossier(dossier_id: int) -> Fee | None:
    return Fee.objects.filter(evaluation__dossier_id=dossier_id).select_related("organisation").first()


def fee_history(fee: Fee):
    return AuditEvent.objects.for_object(fee).select_related("actor").order_by("created_at", "id")


def evaluations_without_fee(limit: int = 20):
    """Evaluations with an organisation but no fee (a scheme handled elsewhere, the CIF): to check, or correct."""
    from evaluation.models import Evaluation

    return (
        Evaluation.objects.filter(fee__isnull=True, organisation__isnull=False)
        .select_related("dossier__funding_scheme", "dossier__cqpt", "organisation")
        .order_by("-created_at", "-id")[:limit]
    )


def evaluations_with_organisation():
    from evaluation.models import Evaluation

    return Evaluation.objects.filter(organisation__isnull=False).select_related(
        "dossier__funding_scheme", "dossier__cqpt", "dossier__company", "organisation"
    )
