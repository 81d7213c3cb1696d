"""Object-level permissions of the quiz; quiz.selectors mirrors them for lists.

A candidate sees only their own attempts; an evaluator only the attempts of the evaluations assigned to them;
AUVICOM's reviewers the prédiagnostics they may propose before any evaluation exists.
"""

import rules

from cqpt_portal.accounts.rules import is_administrator, is_admissibility_reviewer, is_candidate
from evaluation.rules import is_assigned_evaluator, manages_evaluation


@rules.predicate
def is_attempt_candidate(user, attempt):
    return attempt is not None and user is not None and user.is_authenticated and attempt.candidate_id == user.pk


@rules.predicate
def is_attempt_evaluator(user, attempt):
    return attempt is not None and attempt.evaluation_id is not None and is_assigned_evaluator(user, attempt.evaluation)


@rules.predicate
def manages_attempt_evaluation(user, attempt):
    """The evaluator organisation's manager reads the attempts of its evaluations (never acts on them)."""
    return attempt is not None and attempt.evaluation_id is not None and manages_evaluation(user, attempt.evaluation)


@rules.predicate
def is_prediagnostic_without_evaluation(user, attempt):
    return attempt is not None and attempt.evaluation_id is None


@rules.predicate
def anyone(user, attempt):
    """The system's own transitions (expiry): they need no role, their guard says when."""
    return True


@rules.predicate
def is_dossier_evaluator(user, dossier):
    evaluation = getattr(dossier, "evaluation", None) if dossier is not None else None
    return evaluation is not None and is_assigned_evaluator(user, evaluation)


is_attempt_staff = is_attempt_evaluator | (is_admissibility_reviewer & is_prediagnostic_without_evaluation)

rules.add_perm(
    "quiz.view_attempt", is_attempt_candidate | is_attempt_staff | manages_attempt_evaluation | is_administrator
)
rules.add_perm("quiz.take_attempt", is_attempt_candidate)
rules.add_perm("quiz.report_incident", is_attempt_candidate | is_attempt_staff)
rules.add_perm("quiz.manage_attempt", is_attempt_staff)
rules.add_perm("quiz.open_attempt", is_dossier_evaluator | is_admissibility_reviewer)
rules.add_perm("quiz.view_my_attempts", is_candidate)
