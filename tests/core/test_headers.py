"""A strict Content-Security-Policy on every page, and no copy kept of pages with personal data."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from tests.conftest import login
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def _csp(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_has_a_same_origin_policy_without_inline_script_or_style(client):
    for url in ("/", reverse("accounts:login"), reverse("candidates:eligibility_check")):
        policy = _csp(client.get(url))
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert not any("unsafe" in value for values in policy.values() for value in values)


def test_no_template_holds_inline_script_handlers_or_styles():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (inline_script, handler, style_attr):
            if pattern.search(text):
                offenders.append(f"{path.name}: {pattern.pattern}")
    assert offenders == []


def test_htmx_is_told_not_to_inject_its_style(client):
    html = client.get("/").content.decode()
    assert 'name="htmx-config"' in html and '"includeIndicatorStyles": false' in html


@pytest.mark.parametrize(
    ("role", "url_name", "needs_dossier"),
    [
        (Role.CANDIDATE, "candidates:dossier_detail", True),
        (Role.CANDIDATE, "candidates:step_identity", True),
        (Role.CANDIDATE, "notifications:list", False),
        (Role.AUVICOM_REVIEWER, "candidates:auvicom_dashboard", False),
        (Role.CANDIDATE, "accounts:profile", False),
    ],
)
def test_pages_seen_signed_in_are_never_stored(client, role, url_name, needs_dossier):
    user = UserFactory(role=role)
    login(client, user)
    args = [DossierFactory(candidate=user).pk] if needs_dossier else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_may_be_cached(client):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_private_document_keeps_its_own_stricter_policy(client):
    from tests.candidates.test_admissibility_support import submitted_dossier

    dossier = submitted_dossier()
    login(client, UserFactory(role=Role.AUVICOM_REVIEWER))
    response = client.get(reverse("candidates:document", args=[dossier.documents.first().pk]))
    assert _csp(response)["default-src"] == ["'none'"] and "sandbox" in response["Content-Security-Policy"]
