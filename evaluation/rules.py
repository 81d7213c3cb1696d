"""Object-level permissions of the evaluation; evaluation.selectors mirrors them for lists.

An evaluator sees only the evaluations assigned to them; an organisation's
manager only their organisation's; the candidate only their own.
"""

import rules

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import is_administrator, is_admissibility_reviewer, is_auvicom, is_cpne, is_evaluator


@rules.predicate
def is_organisation_manager(user):
    return user.is_authenticated and user.role == Role.EVALUATOR_MANAGER and user.evaluator_organisation_id is not None


@rules.predicate
def manages_evaluation(user, evaluation):
    return (
        evaluation is not None
        and is_organisation_manager(user)
        and evaluation.organisation_id is not None
        and evaluation.organisation_id == user.evaluator_organisation_id
    )


@rules.predicate
def is_assigned_evaluator(user, evaluation):
    return (
        evaluation is not None
        and user.is_authenticated
        and user.role in (Role.EVALUATOR, Role.EVALUATOR_MANAGER)
        and evaluation.evaluator_id is not None
        and evaluation.evaluator_id == user.pk
        and evaluation.organisation_id == user.evaluator_organisation_id
    )


@rules.predicate
def is_evaluation_candidate(user, evaluation):
    return evaluation is not None and user.is_authenticated and evaluation.dossier.candidate_id == user.pk


@rules.predicate
def evaluator_transmits(user, evaluation):
    """The organisation lets its evaluators transmit the synthesis themselves (else the manager does)."""
    return (
        evaluation is not None and evaluation.organisation is not None and evaluation.organisation.evaluator_transmits
    )


is_evaluation_staff = is_assigned_evaluator | manages_evaluation
can_view_evaluation = is_evaluation_staff | is_evaluation_candidate | is_auvicom | is_administrator

rules.add_perm("evaluation.view_evaluation", can_view_evaluation)
rules.add_perm("evaluation.view_private_notes", is_evaluation_staff | is_administrator)
rules.add_perm("evaluation.add_note", is_evaluation_staff)
rules.add_perm("evaluation.manage_appointments", is_assigned_evaluator)
rules.add_perm("evaluation.add_evidence", is_evaluation_candidate)
rules.add_perm("evaluation.view_evidence", is_evaluation_staff | is_evaluation_candidate | is_administrator)
rules.add_perm("evaluation.assess", is_assigned_evaluator)
rules.add_perm("evaluation.answer_assignment", manages_evaluation)
rules.add_perm("evaluation.assign_organisation", is_admissibility_reviewer | is_administrator)
rules.add_perm("evaluation.view_evaluator_dashboard", is_evaluator)
rules.add_perm("evaluation.view_manager_dashboard", is_organisation_manager)
rules.add_perm("evaluation.view_cpne_dashboard", is_cpne)

# --- assignment pages and dashboards ---------------------------------------------------------
rules.add_perm("evaluation.view_auvicom_overview", is_auvicom | is_administrator)

# --- phases 2 and 3, synthesis (ev-phases) ---------------------------------------------------------


@rules.predicate
def is_transmitted(user, evaluation):
    return evaluation is not None and evaluation.transmitted_at is not None


rules.add_perm("evaluation.upload_workplace_grid", is_assigned_evaluator)
rules.add_perm("evaluation.view_workplace_grid", is_evaluation_staff | is_administrator)
rules.add_perm("evaluation.edit_synthesis", is_evaluation_staff)
rules.add_perm(
    "evaluation.view_synthesis", is_evaluation_staff | (is_evaluation_candidate & is_transmitted) | is_administrator
)
