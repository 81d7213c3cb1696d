"""Role predicates (django-rules), combined by each app's own rules.py; and the administrator's dashboard."""

import rules

from .enums import AUVICOM_ROLES, CPNE_ROLES, EVALUATOR_ROLES, Role


@rules.predicate
def is_candidate(user):
    return user.is_authenticated and user.role == Role.CANDIDATE


@rules.predicate
def is_employer(user):
    # A self-registered employer only typed a SIRET: until an administrator has
    # verified the link, they must not see that company's employees' dossiers.
    return (
        user.is_authenticated
        and user.role == Role.EMPLOYER
        and user.company_id is not None
        and user.company_verified_at is not None
    )


@rules.predicate
def is_auvicom(user):
    return user.is_authenticated and user.role in AUVICOM_ROLES


@rules.predicate
def is_admissibility_reviewer(user):
    return user.is_authenticated and user.role == Role.AUVICOM_REVIEWER


@rules.predicate
def is_funding_officer(user):
    return user.is_authenticated and user.role == Role.AUVICOM_FUNDING


@rules.predicate
def is_evaluator(user):
    return user.is_authenticated and user.role in EVALUATOR_ROLES


@rules.predicate
def is_cpne(user):
    return user.is_authenticated and user.role in CPNE_ROLES


@rules.predicate
def is_cpne_secretary(user):
    return user.is_authenticated and user.role == Role.CPNE_SECRETARY


@rules.predicate
def is_administrator(user):
    # The role, not is_superuser: superuser rights cover the Django admin only.
    return user.is_authenticated and user.role == Role.ADMIN


rules.add_perm("accounts.view_admin_dashboard", is_administrator)
