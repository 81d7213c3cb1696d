from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

# Paths a logged-in staff user may reach before passing the second factor.
_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon")


class SecondFactorRequiredMiddleware:
    """Staff roles and administrators must pass TOTP before anything else, the Django admin included.

    Runs after django_otp's OTPMiddleware, which sets `user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.needs_second_factor and not user.is_verified():
            verify = reverse("accounts:otp_verify")
            exempt = (verify, reverse("accounts:otp_setup"), reverse("accounts:logout"))
            if not request.path.startswith(_EXEMPT_PREFIXES) and request.path not in exempt:
                return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
