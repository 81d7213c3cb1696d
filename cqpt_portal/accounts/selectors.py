from django.db.models import QuerySet

from .enums import Role
from .models import User


def verified_employers_of(*, company_id: int) -> QuerySet[User]:
    """Active employer accounts allowed to act for the company (an administrator verified their link).

    Mirrors the `is_employer` predicate of accounts/rules.py: use it to choose who is told about a dossier.
    """
    return User.objects.filter(
        role=Role.EMPLOYER, company_id=company_id, is_active=True, company_verified_at__isnull=False
    )


def active_users_with_role(role: Role) -> list[User]:
    """The active accounts of one role (e.g. every admissibility reviewer, to tell them of a new dossier)."""
    return list(User.objects.filter(role=role, is_active=True))
