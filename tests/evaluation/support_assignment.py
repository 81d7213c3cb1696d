"""Helpers for the assignment and dashboard tests (no tests here): many evaluations for one organisation."""

from evaluation.services.assignment import evaluation_assign
from evaluation.workflow import EVALUATION_WORKFLOW
from tests.evaluation.support import admissible_dossier


def more_evaluations(s, n: int, *, accept: bool = False, organisation=None, evaluator=None) -> list:
    """`n` more admissible dossiers of the Setup's CQPT assigned to its organisation (and accepted if asked)."""
    organisation = organisation or s.org
    evaluator = evaluator or s.evaluator
    evaluations = []
    for _ in range(n):
        dossier = admissible_dossier(s.cqpt)
        evaluation = evaluation_assign(dossier_id=dossier.pk, organisation_id=organisation.pk, actor=s.reviewer)
        if accept:
            evaluation = EVALUATION_WORKFLOW.apply(
                pk=evaluation.pk, name="accept_assignment", actor=s.manager, data={"evaluator": evaluator}
            )
        evaluations.append(evaluation)
    return evaluations
