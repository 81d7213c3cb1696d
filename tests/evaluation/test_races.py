"""Races on PostgreSQL: two people acting on the same evaluation at the same instant — one wins, the other is told why.

Run with DATABASE_URL=postgres://... (skipped on SQLite, which has no row locks).
"""

import os

import pytest

from cqpt_portal.exceptions import ActionRefused
from evaluation.enums import AssignmentState, EvaluationState, Phase, PhaseResult
from evaluation.models import Assignment, Evaluation
from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW
from tests.candidates.test_admissibility_concurrency import _race
from tests.evaluation.support import Setup, evaluator_of, fast_password_hashing, manager_of  # noqa: F401

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("round_", range(2))
def test_two_managers_answering_one_assignment_at_once(round_):
    s = Setup()
    s.assign()
    other_manager = manager_of(s.org)
    other_evaluator = evaluator_of(s.org)
    outcomes = _race(
        lambda: EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="accept_assignment", actor=s.manager, data={"evaluator": s.evaluator}
        ),
        lambda: EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="decline_assignment", actor=other_manager, comment="Pas de disponibilité."
        ),
        lambda: EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="accept_assignment", actor=other_manager, data={"evaluator": other_evaluator}
        ),
    )
    winners = [o for o in outcomes if isinstance(o, Evaluation)]
    losers = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert len(winners) == 1 and len(losers) == 2, outcomes
    assert all("entre-temps" in loser.message for loser in losers)
    answered = Assignment.objects.filter(evaluation=s.evaluation).exclude(state=AssignmentState.PENDING)
    assert answered.count() == 1  # one answer recorded, never two
    evaluation = Evaluation.objects.get(pk=s.evaluation.pk)
    assert evaluation.state in (EvaluationState.IN_PROGRESS, EvaluationState.TO_REASSIGN)


def test_two_closings_of_the_dossier_de_preuves_at_once():
    s = Setup()
    s.accept()
    s.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    s.assess_all(Phase.EVIDENCE)
    outcomes = _race(
        lambda: EVIDENCE_WORKFLOW.apply(
            pk=s.evaluation.pk, name="close_evidence", actor=s.evaluator, data={"result": PhaseResult.PASSED}
        ),
        lambda: EVIDENCE_WORKFLOW.apply(
            pk=s.evaluation.pk, name="return_evidence", actor=s.evaluator, comment="Une preuve de plus."
        ),
    )
    assert sum(isinstance(o, Evaluation) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ActionRefused) for o in outcomes) == 1, outcomes
