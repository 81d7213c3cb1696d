"""Object-level permissions of the CPNE's pages; cpne.selectors mirrors them for lists.

Members and the secretary see the meetings and, for each dossier on the agenda,
the evaluation's synthesis and grid (never the identity documents); only the
secretary runs a meeting; an administrator revokes a released award.
"""

import rules

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import is_administrator, is_cpne, is_cpne_secretary


@rules.predicate
def is_seated_member(user):
    """A CPNE member with an active seat in a college."""
    if not (user.is_authenticated and user.role == Role.CPNE_MEMBER):
        return False
    membership = getattr(user, "cpne_membership", None)
    return membership is not None and membership.active


@rules.predicate
def is_certificate_holder(user, certificate):
    return certificate is not None and user.is_authenticated and certificate.decision.dossier.candidate_id == user.pk


rules.add_perm("cpne.view_dashboard", is_cpne)
rules.add_perm("cpne.view_meeting", is_cpne | is_administrator)
rules.add_perm("cpne.manage_meeting", is_cpne_secretary)
rules.add_perm("cpne.declare_conflict", is_seated_member)
rules.add_perm("cpne.view_minutes", is_cpne | is_administrator)
rules.add_perm("cpne.download_certificate", is_certificate_holder | is_cpne_secretary | is_administrator)
rules.add_perm("cpne.revoke_decision", is_administrator)
