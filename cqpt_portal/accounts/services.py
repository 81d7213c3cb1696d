from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode

from cqpt_portal.audit.services import audit_record
from cqpt_portal.notifications.services import notification_create

from .enums import SELF_REGISTERED_ROLES, Role
from .models import User
from .tokens import email_confirmation_token

# Notification.link holds at most 300 characters; a longer `next` is dropped.
_MAX_NEXT_LENGTH = 200


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def safe_next_path(value: str | None) -> str:
    """Return `value` if it is a path on this site (never another host or scheme), else ""."""
    value = (value or "").strip()
    if (
        not value
        or len(value) > _MAX_NEXT_LENGTH
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or not url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return ""
    return value


def _with_next(path: str, next_path: str) -> str:
    return f"{path}?{urlencode({'next': next_path})}" if next_path else path


def _confirmation_link(user: User, next_path: str) -> str:
    path = reverse("accounts:confirm_email", args=[_uid(user), email_confirmation_token.make_token(user)])
    return _with_next(path, next_path)


def _is_pending_self_registration(user: User) -> bool:
    """Never confirmed, never activated, self-registered: a new registration may replace it."""
    return (
        not user.is_active
        and user.email_confirmed_at is None
        and user.role in SELF_REGISTERED_ROLES
        and not user.is_staff
        and not user.is_superuser
    )


def _warn_duplicate(owner: User) -> None:
    notification_create(recipient=owner, kind="registration_duplicate", link=reverse("accounts:password_reset"))


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
    next_path: str = "",
) -> User | None:
    """Create an inactive candidate or employer account and e-mail its confirmation link.

    An address whose account is active (or was confirmed once) gets an e-mail
    saying so instead; an address whose registration was never confirmed gets
    that registration replaced by this one (so that whoever registered first
    with someone else's address cannot choose the password) and a new link.
    The caller shows the same page in every case (no account enumeration).
    Returns the new or replaced user, or None.
    Side effects: INSERT/UPDATE of the user (and of a Company for a new SIRET),
    one notification, one audit row.
    """
    if role not in SELF_REGISTERED_ROLES:
        raise ValueError("Only candidates and employers register themselves.")
    email = User.objects.normalize_email(email).lower()
    next_path = safe_next_path(next_path)
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None and not _is_pending_self_registration(existing):
        make_password(password)  # same work as a real registration: response time reveals nothing
        _warn_duplicate(existing)
        return None
    company = None
    if role == Role.EMPLOYER:
        # The company is only *claimed* here: `company_verified_at` stays empty
        # until an administrator checks the link (see employer_verify).
        company_model = apps.get_model("catalogue", "Company")  # by label: accounts imports no domain app
        company, _created = company_model.objects.get_or_create(siret=company_siret, defaults={"name": company_name})
    if existing is None:
        try:
            with transaction.atomic():
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
        except IntegrityError:
            # The same address registered at the same instant: treat it as already used.
            _warn_duplicate(User.objects.get(email__iexact=email))
            return None
        action = "user_registered"
    else:
        user = existing
        user.first_name, user.last_name, user.role, user.language = first_name, last_name, role, language
        user.company, user.company_verified_at = company, None
        user.set_password(password)  # also invalidates the previous confirmation link
        user.save()
        action = "user_registration_replaced"
    audit_record(
        actor=None,
        target=user,
        action=action,
        to_state="inactive",
        extra={"role": role, "company_siret": company.siret if company else ""},
    )
    # The link (with its token) is made when the e-mail leaves and never stored: see live_link_email_confirmation.
    notification_create(
        recipient=user,
        kind="email_confirmation",
        context={"first_name": first_name, "next": next_path},
    )
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


@transaction.atomic
def employer_verify(*, user: User, actor: User) -> bool:
    """Record that `user` really acts for their company, and tell them.

    Returns False (and does nothing) for anyone but a not-yet-verified employer
    with a company. Side effects: UPDATE, audit row, one notification.
    """
    user = User.objects.select_for_update(of=("self",)).select_related("company").get(pk=user.pk)
    if user.role != Role.EMPLOYER or user.company_id is None or user.company_verified_at is not None:
        return False
    user.company_verified_at = timezone.now()
    user.save(update_fields=["company_verified_at"])
    audit_record(
        actor=actor,
        target=user,
        action="employer_verified",
        from_state="unverified",
        to_state="verified",
        extra={"company_siret": user.company.siret},
    )
    notification_create(
        recipient=user,
        kind="employer_verified",
        link=reverse("accounts:dashboard"),
        context={"first_name": user.first_name, "company_name": user.company.name, "siret": user.company.siret},
    )
    return True


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """E-mail a single-use reset link to the active account with this address, if any.

    Nothing tells the caller whether one exists. Side effect: at most one
    notification per matching account (e-mailed after commit).
    """
    users = User.objects.filter(email__iexact=email.strip(), is_active=True)
    for user in users:
        if not user.has_usable_password():
            continue
        notification_create(recipient=user, kind="password_reset")  # link: live_link_password_reset


def live_link_password_reset(notification) -> str:
    """The reset link, made when the e-mail leaves (valid PASSWORD_RESET_TIMEOUT from then, never stored)."""
    user = notification.recipient
    return reverse("accounts:password_reset_confirm", args=[_uid(user), default_token_generator.make_token(user)])


def live_link_email_confirmation(notification) -> str:
    """The confirmation link, made when the e-mail leaves (never stored)."""
    return _confirmation_link(notification.recipient, safe_next_path((notification.context or {}).get("next")))
