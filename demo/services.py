"""Demo data that spans several apps: the demo accounts act for catalogue's companies and organisations."""

import base64

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalogue.models import Company, EvaluatorOrganisation
from cqpt_portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_KEY_HEX
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User


def demo_accounts_seed() -> list[str]:
    """Create or reset one demo account per role and return the lines to print.

    Side effects: INSERT/UPDATE of the demo users and of their TOTP devices (staff roles).
    Needs the catalogue loaded first (the employer's company, the evaluators' organisation).
    """
    key_b32 = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
    lines = [f"Demo accounts (password: {DEMO_PASSWORD})"]
    for email, role, first, last, siret, org_name in DEMO_ACCOUNTS:
        user, _created = User.objects.update_or_create(
            email=email,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "is_active": True,
                "email_confirmed_at": timezone.now(),
                "company": Company.objects.get(siret=siret) if siret else None,
                "company_verified_at": timezone.now() if siret else None,
                "evaluator_organisation": EvaluatorOrganisation.objects.get(name=org_name) if org_name else None,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if user.needs_second_factor:
            TOTPDevice.objects.update_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )
        lines.append(f"  {user.get_role_display():<40} {email}")
    lines.append(
        f"Staff accounts log in with a second factor: TOTP key {key_b32} in any authenticator app, "
        "or `python manage.py demo_otp EMAIL` for the current code."
    )
    return lines
