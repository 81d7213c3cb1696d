import rules

from cqpt_portal.accounts.rules import is_auvicom


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and user.is_administrator


@rules.predicate
def holds_personal_data(user):
    """Candidates and employers exercise their rights from the portal; staff accounts go through the DPO."""
    return user.is_authenticated and (user.is_candidate or user.is_employer)


rules.add_perm("personal_data.exercise_rights", holds_personal_data)
rules.add_perm("personal_data.review_requests", is_auvicom | is_administrator)
