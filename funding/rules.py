"""Who sees and handles the fees; funding.selectors mirrors these for lists.

AUVICOM's funding officer (and the administrator) handles every fee and
statement; an organisation's manager sees the fees and statements of their
organisation; a verified employer sees the fees its company pays.
"""

import rules

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import is_administrator, is_employer, is_funding_officer

from .enums import FeeState, Payer


@rules.predicate
def is_organisation_manager(user):
    return user.is_authenticated and user.role == Role.EVALUATOR_MANAGER and user.evaluator_organisation_id is not None


@rules.predicate
def is_payee_manager(user, obj):
    """The manager of the organisation a fee or a statement pays."""
    return obj is not None and is_organisation_manager(user) and obj.organisation_id == user.evaluator_organisation_id


@rules.predicate
def is_paying_employer(user, fee):
    return fee is not None and is_employer(user) and fee.payer == Payer.EMPLOYER and fee.company_id == user.company_id


@rules.predicate
def followed_in_full(user, fee):
    return fee is not None and fee.state in (FeeState.DUE, FeeState.IN_STATEMENT, FeeState.PAID)


handles_funding = is_funding_officer | is_administrator

rules.add_perm("funding.view_dashboard", handles_funding)
rules.add_perm("funding.manage_fees", handles_funding)
rules.add_perm("funding.view_fee", handles_funding | is_payee_manager | is_paying_employer)
rules.add_perm("funding.view_statement", handles_funding | is_payee_manager)
rules.add_perm("funding.view_organisation_fees", is_organisation_manager)
rules.add_perm("funding.view_employer_fees", is_employer)
rules.add_perm(
    "funding.download_attestation", (handles_funding | is_payee_manager | is_paying_employer) & followed_in_full
)
