"""The account itself and the login records django-axes keeps."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from ..registry import Erasure, ErasureContext, Export, RetentionContext, row

LOG_MODELS = (AccessAttempt, AccessLog, AccessFailureLog)


def export(user) -> Export:
    account = row(user, exclude=("password", "is_superuser", "is_staff"))
    logs = []
    for model in LOG_MODELS:
        for entry in model.objects.filter(username__iexact=user.email):
            logs.append({"kind": model._meta.model_name, **row(entry, ["attempt_time", "ip_address", "user_agent"])})
    return Export(rows={"account": [account], "login_records": logs})


def erase(user, context: ErasureContext) -> Erasure:
    """Pseudonymise the account (its id stays for the records that must stay) and delete its login records."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    deleted = {}
    deleted["login_records"] = sum(
        model.objects.filter(username__iexact=user.email).delete()[0] for model in LOG_MODELS
    )
    deleted["second_factor_devices"] = (
        TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    )
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.company = None
    user.company_verified_at = None
    user.email_confirmed_at = None
    user.set_unusable_password()
    user.save()
    deleted["account"] = 1
    # Nothing personal stays on the account: only its number, which the records that must stay point to.
    return Erasure(deleted=deleted)


def retention(context: RetentionContext) -> dict[str, int]:
    cutoff = context.months_ago("logs_months")
    report = {}
    for model in LOG_MODELS:
        queryset = model.objects.filter(attempt_time__lt=cutoff)
        report[f"login_records_{model._meta.model_name}"] = (
            queryset.count() if context.dry_run else queryset.delete()[0]
        )
    return report
