"""Login throttling: django-axes locks one (account, client address) pair, with a cool-off that grows.

Keyed on the pair, a stranger's wrong passwords never lock the owner out; a
client that sprays one password over many accounts is stopped by
`client_is_spraying` (failed logins per address, counted in axes' own table,
so it holds without the cache).
"""

from datetime import timedelta

from django.conf import settings


def axes_username(request, credentials) -> str:
    """The e-mail as the login form received it, stripped and lower-cased.

    Without this, "Victim@x" and "victim@X" would each get their own counter of
    failed attempts although they log into the same account.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    return (value or "").strip().lower()


def _client_address(request) -> str | None:
    address = getattr(request, "axes_ip_address", None)
    if address is None and request is not None:
        address = request.META.get(settings.CLIENT_IP_META_KEY)
    return address


def _recent_failures(**filters):
    from axes.models import AccessFailureLog
    from django.utils import timezone

    return AccessFailureLog.objects.filter(attempt_time__gte=timezone.now() - timedelta(days=1), **filters)


def axes_cool_off(request) -> timedelta:
    """AXES_COOLOFF_TIME: LOGIN_COOLOFF_BASE for the pair's first lockout of the day, doubled by each one after.

    So a guesser gets AXES_FAILURE_LIMIT tries per period, and the periods grow (15 min, 30 min, 1 h, ...).
    """
    base, cap = settings.LOGIN_COOLOFF_BASE, settings.LOGIN_COOLOFF_MAX
    address = _client_address(request) if request is not None else None
    if address is None:
        return base
    username = axes_username(request, getattr(request, "axes_credentials", None))
    lockouts = _recent_failures(username=username, ip_address=address, locked_out=True).count()
    return min(cap, base * (2 ** min(max(lockouts - 1, 0), 12)))


def client_is_spraying(request) -> bool:
    """True when this client address failed LOGIN_FAILURES_PER_ADDRESS logins (any accounts) within a day."""
    address = _client_address(request)
    if not address:
        return False
    return _recent_failures(ip_address=address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS
