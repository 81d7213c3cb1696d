"""Public pages of the portal that belong to no app."""

from django.conf import settings
from django.shortcuts import render


def accessibility_statement(request):
    """The accessibility statement (déclaration d'accessibilité) the footer links to, as French public sites have."""
    return render(
        request,
        "accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL, "site_url": settings.SITE_URL},
    )
