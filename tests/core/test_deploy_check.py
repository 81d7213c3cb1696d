"""Production settings pass Django's deployment checks; error pages are served in French."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from tests.conftest import login
from tests.factories import UserFactory


def _production_env(tmp_path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="cqpt.example.org",
        CSRF_TRUSTED_ORIGINS="https://cqpt.example.org",
        SITE_URL="https://cqpt.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SETTINGS_MODULE="cqpt_portal.settings",
    )
    return env


def _manage(tmp_path, *args):
    return subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_environment(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_serves_with_the_speed_settings(tmp_path):
    """Templates compiled once per process (cached loader), widgets drawn in Python, sessions read from Redis."""
    probe = (
        "from django.template import engines; from django.conf import settings; "
        "print(type(engines['django'].engine.template_loaders[0]).__module__, settings.FORM_RENDERER, "
        "settings.SESSION_ENGINE)"
    )
    result = _manage(tmp_path, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.template.loaders.cached",
        "cqpt_portal.form_renderer.FastWidgetRenderer",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.django_db
def test_404_page_is_french(client, production_errors):
    response = client.get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in html
    assert '<html lang="fr">' in html


@pytest.mark.django_db
def test_403_page_is_french(client, production_errors):
    login(client, UserFactory(role=Role.CANDIDATE))
    response = client.get(reverse("accounts:admin_dashboard"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in html
    assert '<html lang="fr">' in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.urls_with_error")
def test_500_page_is_french(production_errors):
    client = Client(raise_request_exception=False)
    response = client.get("/test-crash/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Une erreur est survenue</h1>" in html
    assert '<html lang="fr">' in html
    assert "RuntimeError" not in html and "boom" not in html


@pytest.mark.django_db
def test_refused_form_page_is_french(production_errors):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a@example.org", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Formulaire expiré</h1>" in html
    assert '<html lang="fr">' in html
