"""Every URL of the project refuses anonymous visitors, unless it is on the public list.

The test walks the whole URL resolver, so a new view without a permission
check fails it. A page that really is public goes into PUBLIC below, with a
reason. The Django admin is protected by OTPAdminSite and tested on its own.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

# URL names (namespace:name) that anonymous visitors may open, and why.
PUBLIC = {
    "home": "the portal's front page",
    "healthz": "the load balancer's liveness probe",
    "readyz": "the load balancer's readiness probe (database, Redis)",
    "favicon": "the icon browsers ask for at /favicon.ico",
    "accessibility": "the accessibility statement (footer)",
    "privacy": "the privacy notice (footer; RGPD art. 13)",
    "set_language": "the language switch in the header",
    "accounts:login": "logging in",
    "accounts:logout": "logging out (POST only)",
    "accounts:register": "creating an account",
    "accounts:register_employer": "creating an employer's account",
    "accounts:register_done": "the page after registering",
    "accounts:confirm_email": "the link of the confirmation e-mail, opened before logging in",
    "accounts:password_reset": "forgotten password",
    "accounts:password_reset_done": "forgotten password",
    "accounts:password_reset_confirm": "the link of the password e-mail, opened before logging in",
    "accounts:password_reset_complete": "forgotten password",
    "candidates:eligibility_check": "the public eligibility simulator",
    "cpne:verify": "the public verification of a certificate's code (rate-limited)",
    "cpne:verify_code": "the address in a certificate's QR code (rate-limited)",
    "candidates:invitation": "the link of an invitation e-mail, opened before logging in (the token is the key)",
}
ADMIN_NAMESPACE = "admin"
DUMMY_VALUES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _fill(route: str) -> str:
    return _CONVERTER.sub(lambda m: DUMMY_VALUES.get(m.group("converter") or "str", "1"), route)


def project_urls(patterns=None, prefix="/", namespace=""):
    """Yield (qualified name, URL with dummy values) for every pattern outside the admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            raise AssertionError(f"{entry!r}: a regex pattern cannot be filled in; add a case to this test")
        route = prefix + _fill(str(entry.pattern))
        if isinstance(entry, URLResolver):
            if entry.app_name == ADMIN_NAMESPACE:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from project_urls(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or entry.lookup_str}", route


ALL_URLS = sorted(set(project_urls()))


def test_the_walk_finds_the_project_urls():
    names = {name for name, _url in ALL_URLS}
    assert {"home", "notifications:list", "candidates:dashboard", "accounts:dashboard"} <= names
    assert len(ALL_URLS) >= 20
    assert set(PUBLIC) <= names, f"PUBLIC names no URL: {sorted(set(PUBLIC) - names)}"


@pytest.mark.parametrize(("name", "url"), ALL_URLS, ids=[name for name, _url in ALL_URLS])
def test_anonymous_get_is_refused_unless_public(client, name, url):
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        return
    login_url = reverse("accounts:login")
    if response.status_code == 302:
        assert response["Location"].startswith(login_url), f"{url} redirects to {response['Location']}"
    else:
        assert response.status_code in (403, 404, 405), (
            f"{url} ({name}) answered {response.status_code} to an anonymous visitor: check the permission, "
            "or add it to PUBLIC in this test if it really is a public page"
        )


def test_admin_sends_anonymous_visitors_to_its_login():
    from django.test import Client

    client = Client()
    for url in (reverse("admin:index"), reverse("admin:audit_auditevent_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_refuses_a_staff_user_without_the_second_factor(client):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)  # password only: no second factor
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("admin:index"))
