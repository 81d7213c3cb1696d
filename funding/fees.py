"""The funding rules as pure functions: who pays, how much, and whether the fee is due. No database.

A scheme is anything with `covered_by_auvicom`, `flat_fee`, `handled_elsewhere`,
`valid_from` and `valid_until` (a FundingScheme, saved or not).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from .enums import FeeState, NotDueReason, Payer

ZERO = Decimal("0.00")
PHASE_COUNT = 3


class Ending(models.TextChoices):
    """How the dossier ended (or None while it runs), as far as the fee is concerned."""

    WITHDRAWN = "withdrawn"
    ABANDONED = "abandoned"
    INADMISSIBLE = "inadmissible"
    CPNE_AWARDED = "cpne_awarded"
    CPNE_NOT_AWARDED = "cpne_not_awarded"
    CPNE_DEFERRED = "cpne_deferred"


@dataclass(frozen=True)
class FeeTerms:
    """Who pays and how much; payer None: nothing to record (the scheme is handled outside the portal)."""

    payer: str | None
    amount: Decimal


def scheme_in_force(scheme, on: date) -> bool:
    """Whether the scheme's validity dates cover this day (open-ended when a date is blank)."""
    return (scheme.valid_from is None or scheme.valid_from <= on) and (
        scheme.valid_until is None or on <= scheme.valid_until
    )


def fee_terms(scheme, on: date) -> FeeTerms:
    """Who pays the evaluation and the amount, for the dossier's scheme on the day of the assignment.

    AUVICOM pays the scheme's flat fee when the scheme is covered and in force
    that day; the CIF and other schemes handled elsewhere record nothing;
    otherwise (plan de formation, DIF that is not prioritaire, no scheme, a
    scheme out of force) the employer pays, within its training plan.
    """
    if scheme is None:
        return FeeTerms(payer=Payer.EMPLOYER, amount=ZERO)
    if scheme.handled_elsewhere:
        return FeeTerms(payer=None, amount=ZERO)
    in_force = scheme_in_force(scheme, on)
    amount = Decimal(scheme.flat_fee).quantize(ZERO) if in_force else ZERO
    if scheme.covered_by_auvicom and in_force:
        return FeeTerms(payer=Payer.AUVICOM, amount=amount)
    return FeeTerms(payer=Payer.EMPLOYER, amount=amount)


def followed_in_full(*, phases_with_result: int, synthesis_transmitted: bool) -> bool:
    """The three phases have a result and the synthesis is transmitted to the CPNE."""
    return phases_with_result >= PHASE_COUNT and synthesis_transmitted


def fee_status(*, phases_with_result: int, synthesis_transmitted: bool, ending: str | None = None) -> tuple[str, str]:
    """The fee's state for this course of the evaluation: (state, not-due reason or "").

    Due once followed in full, whatever the CPNE then decides (and even if the
    candidate withdraws afterwards: the work is done); not due when the
    dossier ends before; committed while it runs.
    """
    if followed_in_full(phases_with_result=phases_with_result, synthesis_transmitted=synthesis_transmitted):
        return FeeState.DUE, ""
    if ending == Ending.WITHDRAWN:
        return FeeState.NOT_DUE, NotDueReason.WITHDRAWN
    if ending == Ending.ABANDONED:
        return FeeState.NOT_DUE, NotDueReason.ABANDONED
    if ending == Ending.INADMISSIBLE:
        return FeeState.NOT_DUE, NotDueReason.INADMISSIBLE
    return FeeState.COMMITTED, ""


def asks_nothing_of_candidate(scheme) -> bool:
    """Every scheme the portal handles is paid by AUVICOM or the employer: the candidate pays nothing."""
    return scheme is None or not scheme.handled_elsewhere
