"""Object-level permissions on dossiers; selectors.py mirrors them for lists."""

import rules
from django.core.exceptions import ObjectDoesNotExist

from candidates.enums import DossierState
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import (
    is_administrator,
    is_admissibility_reviewer,
    is_auvicom,
    is_candidate,
    is_employer,
)


@rules.predicate
def is_dossier_owner(user, dossier):
    return dossier is not None and user.is_authenticated and dossier.candidate_id == user.pk


@rules.predicate
def is_dossier_reviewer(user, dossier):
    """The AUVICOM reviewer who has claimed this dossier (used by the workflow's table)."""
    return dossier is not None and dossier.reviewer_id is not None and dossier.reviewer_id == user.pk


@rules.predicate
def was_submitted(user, dossier):
    """Staff see a dossier only once it was submitted (a never-submitted draft is the candidate's alone).

    Without an object (a list page, the Django admin's model permission) the answer is yes: lists filter by state.
    """
    return dossier is None or dossier.first_submitted_at is not None or dossier.state != DossierState.DRAFT


can_view_dossier = is_dossier_owner | ((is_auvicom | is_administrator) & was_submitted)
# Least privilege: identity papers and contracts are for the owner and those who review admissibility;
# the funding officer (also AUVICOM) sees the dossier's status, not its documents.
can_view_documents = is_dossier_owner | ((is_admissibility_reviewer | is_administrator) & was_submitted)
rules.add_perm("candidates.view_dossier", can_view_dossier)
rules.add_perm("candidates.view_documents", can_view_documents)
rules.add_perm("candidates.edit_dossier", is_dossier_owner)
rules.add_perm("candidates.decide_admissibility", is_admissibility_reviewer | is_administrator)
rules.add_perm("candidates.view_admissibility_queue", is_auvicom | is_administrator)
rules.add_perm("candidates.view_candidate_dashboard", is_candidate)
rules.add_perm("candidates.view_employer_dashboard", is_employer)
rules.add_perm("candidates.view_auvicom_dashboard", is_auvicom | is_administrator)


@rules.predicate
def requested_export(user, export):
    """The person who asked for this CSV export (nobody else downloads it, not even another reviewer)."""
    return export is not None and user.is_authenticated and export.requested_by_id == user.pk


# Mirrored by selectors.admissibility_exports_of for the list of exports.
rules.add_perm("candidates.download_admissibility_export", (is_auvicom | is_administrator) & requested_export)


@rules.predicate
def can_view_document_of_dossier(user, document):
    return document is not None and can_view_documents.test(user, document.dossier)


rules.add_perm("candidates.view_document", can_view_document_of_dossier)


# --- employers: their company's invitations and the periods declared at their company ---


@rules.predicate
def is_invitation_of_employer_company(user, invitation):
    return invitation is not None and user.company_id is not None and invitation.company_id == user.company_id


@rules.predicate
def is_period_at_employer_company(user, period):
    # Mirrored by candidates.services.employer._periods_at for the lists: the declared SIRET decides
    # (the period's `company` is the catalogue company found by that SIRET, nothing more).
    if period is None or user.company_id is None:
        return False
    return period.siret == user.company.siret


rules.add_perm("candidates.invite_employee", is_employer)
rules.add_perm("candidates.manage_invitation", is_employer & is_invitation_of_employer_company)
rules.add_perm("candidates.confirm_period", is_employer & is_period_at_employer_company)


# --- the evaluation stage: who may move the dossier on (the evaluation app applies these) ---


def _evaluation_of(dossier):
    try:
        return dossier.evaluation
    except ObjectDoesNotExist:
        return None


@rules.predicate
def manages_dossier_evaluation(user, dossier):
    """The manager of the evaluator organisation currently assigned to this dossier."""
    evaluation = _evaluation_of(dossier) if dossier is not None else None
    return (
        evaluation is not None
        and user.is_authenticated
        and user.role == Role.EVALUATOR_MANAGER
        and evaluation.organisation_id is not None
        and evaluation.organisation_id == user.evaluator_organisation_id
    )


@rules.predicate
def evaluates_dossier(user, dossier):
    """The evaluator named for this dossier's evaluation."""
    evaluation = _evaluation_of(dossier) if dossier is not None else None
    return (
        evaluation is not None
        and user.is_authenticated
        and evaluation.evaluator_id is not None
        and evaluation.evaluator_id == user.pk
    )
