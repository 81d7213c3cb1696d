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
            # The accessibility statement and the privacy notice are linked from every page's footer, this one included.
            exempt = (
                verify,
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
                reverse("accessibility"),
                reverse("privacy"),
            )
            if not request.path.startswith(_EXEMPT_PREFIXES) and request.path not in exempt:
                return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PortalLocaleMiddleware:
    """French unless the user chose English: the header switch (cookie) or, logged in, their profile.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored:
    the portal's users are French, and many of their browsers are set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        available = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in available:
            user = getattr(request, "user", None)
            language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
            if language not in available:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreWhenSignedInMiddleware:
    """Pages seen signed in hold personal data (dossier, steps, review, queue, notifications, evaluation):
    no browser or proxy may keep a copy (Cache-Control: no-store), unless the view chose its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
