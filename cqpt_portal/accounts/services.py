from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cqpt_portal.audit.services import audit_record
from cqpt_portal.catalogue.models import Company
from cqpt_portal.notifications.services import notification_create

from .enums import Role
from .models import User
from .tokens import email_confirmation_token


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str = "fr",
    company_siret: str = "",
    company_name: str = "",
) -> User | None:
    """Create an inactive candidate or employer account and e-mail its confirmation link.

    An address already in use gets an e-mail saying so instead, and the caller
    shows the same page either way (no account enumeration). Returns the new
    user, or None. Side effects: INSERTs, one notification, one audit row.
    """
    if role not in (Role.CANDIDATE, Role.EMPLOYER):
        raise ValueError("Only candidates and employers register themselves.")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        notification_create(recipient=existing, kind="registration_duplicate", link=reverse("accounts:password_reset"))
        return None
    company = None
    if role == Role.EMPLOYER:
        company, _created = Company.objects.get_or_create(siret=company_siret, defaults={"name": company_name})
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language,
        company=company,
        is_active=False,
    )
    audit_record(actor=None, target=user, action="user_registered", to_state="inactive", extra={"role": role})
    link = reverse("accounts:confirm_email", args=[_uid(user), email_confirmation_token.make_token(user)])
    notification_create(recipient=user, kind="email_confirmation", link=link, context={"first_name": first_name})
    return user


@transaction.atomic
def user_confirm_email(*, user: User) -> User:
    """Activate the account whose address was just proven. Side effects: UPDATE, audit row."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["is_active", "email_confirmed_at"])
    audit_record(actor=user, target=user, action="email_confirmed", from_state="inactive", to_state="active")
    return user


def password_reset_notify(*, user: User, link: str) -> None:
    """Queue the password-reset e-mail through the outbox. Side effect: one notification."""
    notification_create(recipient=user, kind="password_reset", link=link)
