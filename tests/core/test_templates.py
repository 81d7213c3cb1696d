"""Every template of the project compiles, and renders when it can do without a context.

Compiling catches syntax errors and a missing {% load %}; rendering with only
a request and a user catches broken {% url %} names and includes.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import TemplateDoesNotExist, engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User


def _project_template_dirs() -> list[Path]:
    """templates/ and the templates/ folder of every app of ours (not of third-party packages)."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for config in settings.TEMPLATES for d in config.get("DIRS", [])]
    from django.apps import apps

    for app in apps.get_app_configs():
        candidate = Path(app.path).resolve() / "templates"
        if candidate.is_dir() and base in candidate.parents and ".venv" not in candidate.parts:
            dirs.append(candidate)
    return [d for d in dirs if d.is_dir()]


def _project_templates() -> list[str]:
    names = set()
    for directory in _project_template_dirs():
        for path in directory.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".txt", ".xml", ".csv", ".svg", ".js"):
                names.add(path.relative_to(directory).as_posix())
    return sorted(names)


TEMPLATES = _project_templates()


def test_the_project_has_templates():
    assert "base.html" in TEMPLATES
    assert any(name.startswith("notifications/email/") for name in TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(name):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        pytest.fail(f"{name} is in a template folder but the loaders do not find it")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request.LANGUAGE_CODE = "fr"
    return request


def _is_broken_reference(exc: Exception) -> bool:
    """An error that no context can fix: a missing template or an unknown URL name."""
    if isinstance(exc, TemplateDoesNotExist):
        return True
    return isinstance(exc, NoReverseMatch) and (
        "is not a valid view function or pattern name" in str(exc) or "is not a registered namespace" in str(exc)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_without_context_or_only_lacks_one(name):
    """Render with only a request and a user (anonymous, then a candidate that is not saved).

    A template that needs its view's objects may fail for lack of them; it must
    not fail because an include or a URL name does not exist.
    """
    template = get_template(name)
    candidate = User(pk=987654, email="camille@example.org", role=Role.CANDIDATE)
    for user in (AnonymousUser(), candidate):
        try:
            output = template.render({}, _request(user))
        except Exception as exc:  # noqa: BLE001 - sorted below: only broken references fail
            assert not _is_broken_reference(exc), f"{name}: {exc!r}"
            return
        assert isinstance(output, str)


URL_TAG = re.compile(r"""{%\s*url\s+["']([^"']+)["']""")


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_url_name_in_a_template_exists(name):
    """Also for the templates that cannot render without their view's context."""
    source = get_template(name).template.source
    for url_name in URL_TAG.findall(source):
        try:
            reverse(url_name)
        except NoReverseMatch as exc:
            assert not _is_broken_reference(exc), f"{name}: {{% url '{url_name}' %}}: {exc}"


def test_error_pages_render_in_french_without_a_database():
    """500.html renders with no context processors at all (the database may be what failed)."""
    html = engines["django"].from_string(Path(settings.BASE_DIR, "templates", "500.html").read_text()).render({})
    assert 'lang="fr"' in html
    assert "Une erreur est survenue" in html
