import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Real hashing costs ~0.3 s per password; the suite tests flows, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tasks run in-process; the worker tests (tests/notifications/test_worker_integration.py)
    # turn this off for themselves so that the web side publishes to Redis.
    from cqpt_portal.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _count_unread_notifications_on_each_page(settings):
    """The header's unread count is cached in use; the tests that bound a page's queries count the worst case,
    with it counted on each page (tests/notifications/test_views.py tests the cache itself)."""
    settings.NOTIFICATION_UNREAD_COUNT_SECONDS = 0


def login(client: Client, user, *, verified: bool | None = None) -> Client:
    """Log a user in; staff users are also marked as having passed the second factor."""
    client.force_login(user)
    if verified is None:
        verified = user.needs_second_factor
    if verified:
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def user_client(client):
    def make(user=None, **kwargs):
        user = user or UserFactory(**kwargs)
        login(client, user)
        return client, user

    return make


__all__ = ["PASSWORD", "login"]


def _allow_test_flush_of_the_audit_trail(sender, connection, **kwargs):
    """Transactional tests flush every table with TRUNCATE; the audit trigger lets only its owner do so, on request."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET cqpt.audit_truncate_allowed = 'on'")


from django.db.backends.signals import connection_created  # noqa: E402 - kept beside its one use

connection_created.connect(_allow_test_flush_of_the_audit_trail)
