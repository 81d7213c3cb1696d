"""django-axes keys its per-account lockout on what this returns (AXES_USERNAME_CALLABLE)."""


def axes_username(request, credentials) -> str:
    """The e-mail as the login form received it, stripped and lower-cased.

    Without this, "Victim@x" and "victim@X" would each get their own counter of
    failed attempts although they log into the same account.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    return (value or "").strip().lower()
