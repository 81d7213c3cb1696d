"""The balancer's probes: /healthz (liveness) and /readyz (readiness), over plain HTTP, by address."""

import json

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_http(settings):
    """DEBUG off, HTTPS redirect on, one host name: what a balancer probing 10.0.0.5 over HTTP meets."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    settings.ALLOWED_HOSTS = ["cqpt.example.org"]


def test_liveness_answers_over_http_whatever_the_host(client, production_http):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5")
    assert (response.status_code, response.content) == (200, b"ok")
    # The rest of the portal still redirects to HTTPS and checks the host.
    assert client.get("/", HTTP_HOST="cqpt.example.org").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.5").status_code == 400


def test_readiness_reports_the_database_and_redis(client, production_http, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_says_unavailable_when_the_database_is_down_and_liveness_does_not(
    client, production_http, monkeypatch
):
    def down(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", down)
    response = client.get("/readyz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"
    assert b"5432" not in response.content
    assert client.get("/healthz", HTTP_HOST="10.0.0.5").status_code == 200


def test_readiness_reports_redis_down_but_stays_ready(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content)["redis"] == "unavailable"
