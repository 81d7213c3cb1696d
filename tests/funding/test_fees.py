"""The pure funding rules: every scheme of the branch × every course of the evaluation (no database)."""

from datetime import date
from decimal import Decimal

import pytest

from funding.enums import FeeState, NotDueReason, Payer
from funding.fees import (
    Ending,
    asks_nothing_of_candidate,
    fee_status,
    fee_terms,
    followed_in_full,
    scheme_in_force,
)
from funding.management.commands.seed_funding_schemes import SCHEMES
from funding.models import FundingScheme

ASSIGNED_ON = date(2026, 3, 10)


def scheme(code):
    for _pos, (c, label, _en, covered, fee, elsewhere, _expl) in enumerate(SCHEMES):
        if c == code:
            return FundingScheme(
                code=c,
                label=label,
                covered_by_auvicom=covered,
                flat_fee=Decimal(fee),
                handled_elsewhere=elsewhere,
                valid_from=date(2004, 5, 4),
            )
    raise KeyError(code)


# Who pays and how much, per scheme of the branch (seed data), on the day of the assignment.
EXPECTED_TERMS = {
    "contrat_pro": (Payer.AUVICOM, Decimal("300.00")),
    "periode_pro": (Payer.AUVICOM, Decimal("300.00")),
    "dif_prioritaire": (Payer.AUVICOM, Decimal("300.00")),
    "plan_formation": (Payer.EMPLOYER, Decimal("0.00")),
    "dif": (Payer.EMPLOYER, Decimal("0.00")),
    "cif": (None, Decimal("0.00")),
}

# (phases with a result, synthesis transmitted, how the dossier ended) -> (fee state, reason)
OUTCOMES = {
    "running": ((1, False, None), (FeeState.COMMITTED, "")),
    "completed_awaiting_cpne": ((3, True, None), (FeeState.DUE, "")),
    "cpne_awarded": ((3, True, Ending.CPNE_AWARDED), (FeeState.DUE, "")),
    "cpne_not_awarded": ((3, True, Ending.CPNE_NOT_AWARDED), (FeeState.DUE, "")),
    "cpne_deferred": ((3, True, Ending.CPNE_DEFERRED), (FeeState.DUE, "")),
    "abandoned_before_any_phase": ((0, False, Ending.ABANDONED), (FeeState.NOT_DUE, NotDueReason.ABANDONED)),
    "abandoned_after_evidence": ((1, False, Ending.ABANDONED), (FeeState.NOT_DUE, NotDueReason.ABANDONED)),
    "abandoned_after_quiz": ((2, False, Ending.ABANDONED), (FeeState.NOT_DUE, NotDueReason.ABANDONED)),
    "abandoned_after_workplace": ((3, False, Ending.ABANDONED), (FeeState.NOT_DUE, NotDueReason.ABANDONED)),
    "withdrawn_during_evaluation": ((2, False, Ending.WITHDRAWN), (FeeState.NOT_DUE, NotDueReason.WITHDRAWN)),
    "withdrawn_after_transmission": ((3, True, Ending.WITHDRAWN), (FeeState.DUE, "")),
    "inadmissible": ((0, False, Ending.INADMISSIBLE), (FeeState.NOT_DUE, NotDueReason.INADMISSIBLE)),
}


@pytest.mark.parametrize("code", sorted(EXPECTED_TERMS))
@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_every_scheme_and_outcome(code, outcome):
    terms = fee_terms(scheme(code), ASSIGNED_ON)
    assert (terms.payer, terms.amount) == EXPECTED_TERMS[code]
    assert isinstance(terms.amount, Decimal)
    (phases, transmitted, ending), expected = OUTCOMES[outcome]
    state, reason = fee_status(phases_with_result=phases, synthesis_transmitted=transmitted, ending=ending)
    assert (state, reason) == expected
    # Whatever the scheme the portal handles, nothing is asked of the candidate.
    assert asks_nothing_of_candidate(scheme(code)) is (code != "cif")


def test_every_seeded_scheme_is_covered_by_the_table():
    assert {code for code, *_rest in SCHEMES} == set(EXPECTED_TERMS)


def test_followed_in_full_needs_the_three_phases_and_the_transmission():
    assert followed_in_full(phases_with_result=3, synthesis_transmitted=True)
    assert not followed_in_full(phases_with_result=3, synthesis_transmitted=False)
    assert not followed_in_full(phases_with_result=2, synthesis_transmitted=True)


def test_the_flat_fee_in_force_on_the_day_of_the_assignment():
    old = scheme("contrat_pro")
    old.valid_until = date(2019, 12, 31)
    assert scheme_in_force(old, date(2019, 12, 31))
    assert not scheme_in_force(old, date(2020, 1, 1))
    assert fee_terms(old, date(2019, 6, 1)) == fee_terms(scheme("contrat_pro"), ASSIGNED_ON)
    # Out of force: AUVICOM no longer covers it; the employer's training plan remains.
    after = fee_terms(old, date(2020, 1, 1))
    assert (after.payer, after.amount) == (Payer.EMPLOYER, Decimal("0.00"))
    future = scheme("dif_prioritaire")
    future.valid_from = date(2027, 1, 1)
    assert fee_terms(future, ASSIGNED_ON).payer == Payer.EMPLOYER


def test_an_amount_is_a_decimal_rounded_to_the_cent():
    odd = scheme("contrat_pro")
    odd.flat_fee = Decimal("312.5")
    assert fee_terms(odd, ASSIGNED_ON).amount == Decimal("312.50")


def test_no_scheme_means_the_employer():
    assert fee_terms(None, ASSIGNED_ON).payer == Payer.EMPLOYER
    assert asks_nothing_of_candidate(None)
