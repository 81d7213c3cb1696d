"""Redis down or hung: login and password reset keep working, and keep being throttled (database cache)."""

import socket
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cqpt_portal import cache as fallback_cache
from cqpt_portal.settings import caches_with_redis
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_redis_port():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture(params=["down", "hung"])
def redis_unavailable(request, settings):
    """The production cache settings, with a Redis that refuses connections, or accepts and never answers."""
    location = (
        "redis://127.0.0.1:1/0"
        if request.param == "down"
        else f"redis://127.0.0.1:{request.getfixturevalue('hung_redis_port')}/0"
    )
    settings.CACHES = caches_with_redis(location)
    settings.RATELIMIT_ENABLE = True
    call_command("createcachetable", verbosity=0)
    fallback_cache._primary_paused_until.clear()
    yield request.param
    fallback_cache._primary_paused_until.clear()


def test_login_works_and_is_quick_without_redis(client, redis_unavailable):
    user = UserFactory()
    started = time.monotonic()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert time.monotonic() - started < 2.5


def test_password_reset_is_still_throttled_per_address_without_redis(client, redis_unavailable):
    user = UserFactory()
    url = reverse("accounts:password_reset")
    statuses = [client.post(url, {"email": user.email}).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    # The counters are in the table every web process shares, not in one process's memory.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cqpt_cache")
        assert cursor.fetchone()[0] >= 1


def test_the_fallback_cache_prefers_redis_when_it_answers(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cqpt_portal.cache.FallbackCache",
            "OPTIONS": {"primary": "primary", "fallback": "secondary"},
        },
        "primary": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "primary"},
        "secondary": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "secondary"},
    }
    from django.core.cache import caches

    caches["default"].set("k", 1)
    assert caches["default"].incr("k") == 2
    assert caches["primary"].get("k") == 2
    assert caches["secondary"].get("k") is None
