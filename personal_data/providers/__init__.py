"""The providers of what exists on main; each new app registers its own (see registry.py)."""


def register_all() -> None:
    from ..registry import Provider, register
    from . import accounts, audit, candidates, evaluation, notifications, own

    register(Provider("candidates", candidates.export, candidates.erase, candidates.retention, order=20))
    register(Provider("evaluation", evaluation.export, evaluation.erase, evaluation.retention, order=30))
    register(Provider("notifications", notifications.export, notifications.erase, notifications.retention, order=40))
    register(Provider("personal_data", own.export, own.erase, own.retention, order=50))
    register(Provider("audit", audit.export, audit.erase, audit.retention, order=80))
    register(Provider("accounts", accounts.export, accounts.erase, accounts.retention, order=90))
