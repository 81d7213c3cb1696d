"""Probes for the load balancer and the orchestrator: liveness (/healthz) and readiness (/readyz).

HealthCheckMiddleware, first in MIDDLEWARE, answers them before any other
middleware runs: no HTTPS redirect, no ALLOWED_HOSTS check (a balancer probes
by address), no session, so that a probe says what it means and nothing else.
"""

import json

from django.conf import settings
from django.db import connection
from django.http import HttpResponse


def liveness(request):
    """The process answers: no database or Redis access (a restart would not cure them)."""
    return HttpResponse("ok", content_type="text/plain")


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ready"; the message is not the balancer's business
        connection.close_if_unusable_or_obsolete()
        return "unavailable"
    return "ok"


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        return "unavailable"
    return "ok"


def readiness(request):
    """Ready when the database answers (503 otherwise); Redis is reported, not required (the portal works without)."""
    checks = {"database": _database_state(), "redis": _redis_state()}
    ready = checks["database"] == "ok"
    body = json.dumps({"status": "ok" if ready else "unavailable", **checks})
    response = HttpResponse(body, content_type="application/json", status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


PROBES = {"/healthz": liveness, "/readyz": readiness}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
