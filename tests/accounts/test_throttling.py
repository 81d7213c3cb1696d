from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.helpers import link_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOCKED = "Connexion temporairement bloquée"


def _fail(client, email, n, **meta):
    return client.post(LOGIN, {"username": email, "password": f"wrong-password-{n}"}, **meta)


def test_the_pair_account_and_address_locks_after_the_failure_limit_whatever_x_forwarded_for_says(client):
    UserFactory(email="target@example.org")
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit - 1):
        response = _fail(client, "target@example.org", n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200
    response = _fail(client, "target@example.org", limit, HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Even the right password, from the same address, no longer gets in.
    response = client.post(
        LOGIN, {"username": "target@example.org", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client):
    UserFactory(email="target@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT + 3):
        response = _fail(client, "target@example.org", n, REMOTE_ADDR="10.6.6.6")
    assert response.status_code == 429
    # The owner, from their own address, logs in at once.
    response = client.post(LOGIN, {"username": "target@example.org", "password": PASSWORD}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_cool_off_grows_with_each_failure_past_the_limit(client, settings):
    import time_machine
    from django.utils import timezone

    settings.LOGIN_COOLOFF_BASE = timedelta(minutes=15)
    UserFactory(email="target@example.org")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            _fail(client, "target@example.org", n)
    with time_machine.travel(now + timedelta(minutes=16), tick=False):
        # 15 minutes later the pair is free again; the next lockout lasts 30 minutes.
        for n in range(settings.AXES_FAILURE_LIMIT):
            response = _fail(client, "target@example.org", n)
        assert response.status_code == 429
    with time_machine.travel(now + timedelta(minutes=16 + 20), tick=False):
        response = client.post(LOGIN, {"username": "target@example.org", "password": PASSWORD})
        assert response.status_code == 429
    with time_machine.travel(now + timedelta(minutes=16 + 31), tick=False):
        response = client.post(LOGIN, {"username": "target@example.org", "password": PASSWORD})
        assert response.status_code == 302


def test_a_client_spraying_one_password_over_many_accounts_is_stopped(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    UserFactory(email="victim@example.org")
    for n in range(8):
        assert _fail(client, f"user{n}@example.org", n, REMOTE_ADDR="10.9.9.9").status_code == 200
    response = client.post(LOGIN, {"username": "victim@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another client is not affected.
    response = client.post(LOGIN, {"username": "victim@example.org", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302


def test_changing_the_case_of_the_address_does_not_reset_the_counter(client):
    UserFactory(email="target@example.org")
    variants = [
        "target@example.org",
        "Target@example.org",
        "TARGET@example.org",
        "target@Example.org",
        "tArget@example.ORG",
    ]
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _fail(client, variants[n % len(variants)], n)
    assert response.status_code == 429


def test_other_accounts_are_not_locked(client):
    UserFactory(email="target@example.org")
    UserFactory(email="other@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "target@example.org", n)
    response = client.post(LOGIN, {"username": "other@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_login_resets_the_counter(client):
    UserFactory(email="target@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail(client, "target@example.org", n)
    assert client.post(LOGIN, {"username": "target@example.org", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, "target@example.org", n).status_code == 200


def test_a_password_reset_unlocks_the_account(client, django_capture_on_commit_callbacks):
    UserFactory(email="target@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "target@example.org", n)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "target@example.org"})
    from django.core import mail

    set_page = client.get(link_in(mail.outbox[-1]), follow=True)
    new = "encore-un-nouveau-mot-2026"
    client.post(set_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    response = client.post(LOGIN, {"username": "target@example.org", "password": new})
    assert response.status_code == 302


@pytest.fixture
def ratelimits_on(settings):
    settings.RATELIMIT_ENABLE = True


def _assert_throttled(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives" in html and "Réessayez dans une heure" in html


@pytest.mark.usefixtures("ratelimits_on")
def test_registration_is_throttled_per_address_typed(client):
    for _ in range(5):
        assert client.post(reverse("accounts:register"), {"email": "spam@example.org"}).status_code == 200
    _assert_throttled(client.post(reverse("accounts:register"), {"email": "spam@example.org"}))
    # Another address is not affected by that counter.
    assert client.post(reverse("accounts:register"), {"email": "other@example.org"}).status_code == 200


@pytest.mark.usefixtures("ratelimits_on")
def test_password_reset_is_throttled_per_address_typed(client):
    for _ in range(5):
        assert client.post(reverse("accounts:password_reset"), {"email": "victim@example.org"}).status_code == 302
    _assert_throttled(client.post(reverse("accounts:password_reset"), {"email": "victim@example.org"}))


@pytest.mark.usefixtures("ratelimits_on")
def test_password_reset_is_throttled_per_client_address_whatever_x_forwarded_for_says(client):
    for n in range(60):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": f"someone{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        assert response.status_code == 302
    _assert_throttled(
        client.post(reverse("accounts:password_reset"), {"email": "last@example.org"}, HTTP_X_FORWARDED_FOR="192.0.2.9")
    )


@pytest.mark.usefixtures("ratelimits_on")
def test_pages_are_not_throttled_on_get(client):
    for _ in range(10):
        assert client.get(reverse("accounts:register")).status_code == 200
