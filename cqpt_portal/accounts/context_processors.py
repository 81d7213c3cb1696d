from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    # A staff user between the password and the second factor: links to the pages behind the
    # second factor would only loop back to the code page, so the header leaves them out.
    is_verified = getattr(user, "is_verified", lambda: False)  # set by django_otp's OTPMiddleware
    session_verified = bool(
        user is not None and user.is_authenticated and (not user.needs_second_factor or is_verified())
    )
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "session_verified": session_verified,
        "awaiting_second_factor": bool(user is not None and user.is_authenticated and not session_verified),
    }
