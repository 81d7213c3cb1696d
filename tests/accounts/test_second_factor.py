import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cqpt_portal.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX
from cqpt_portal.accounts.enums import SECOND_FACTOR_ROLES, Role
from cqpt_portal.accounts.models import User
from tests.accounts.helpers import error_next_to
from tests.conftest import login
from tests.factories import PASSWORD, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:otp_verify")
SETUP = reverse("accounts:otp_setup")


def _code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def reviewer():
    user = UserFactory(role=Role.AUVICOM_REVIEWER, email="auvicom@example.org")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def _password_login(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES))
def test_every_staff_role_is_sent_to_the_second_factor(client, role):
    user = UserFactory(role=role)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    login(client, user, verified=False)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fcompte%2Ftableau-de-bord%2F"


def test_staff_password_login_leads_to_the_code_page_then_in(client, reviewer):
    _password_login(client, reviewer)
    for url in (reverse("accounts:dashboard"), reverse("candidates:auvicom_dashboard"), reverse("accounts:profile")):
        response = client.get(url)
        assert response["Location"].startswith(VERIFY), url
    target = reverse("candidates:auvicom_dashboard")
    page = client.get(VERIFY, {"next": target})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1 and "Code à 6 chiffres" in html
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(VERIFY, {"token": _code(device), "next": target})
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_wrong_code_is_refused_next_to_the_field(client, reviewer):
    login(client, reviewer, verified=False)
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(VERIFY, {"token": _wrong(_code(device))})
    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "token", "Ce code est incorrect")
    assert client.get(reverse("accounts:dashboard"))["Location"].startswith(VERIFY)
    garbage = client.post(VERIFY, {"token": "abcdef"})
    assert error_next_to(garbage.content.decode(), "token", "")
    assert client.get(reverse("accounts:dashboard"))["Location"].startswith(VERIFY)


def test_after_a_wrong_code_the_right_one_works_once_the_throttle_delay_is_over(client, reviewer):
    login(client, reviewer, verified=False)
    device = TOTPDevice.objects.get(user=reviewer)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(VERIFY, {"token": _wrong(_code(device))})
        too_soon = client.post(VERIFY, {"token": _code(device)})
        assert error_next_to(too_soon.content.decode(), "token", "Trop de codes erronés")
        traveller.shift(3)
        device.refresh_from_db()
        response = client.post(VERIFY, {"token": _code(device)})
    assert response["Location"] == reverse("accounts:dashboard")


def test_a_code_cannot_be_replayed(client, reviewer):
    device = TOTPDevice.objects.get(user=reviewer)
    with time_machine.travel(timezone.now(), tick=False):
        code = _code(device)
        login(client, reviewer, verified=False)
        assert client.post(VERIFY, {"token": code})["Location"] == reverse("accounts:dashboard")
        client.post(reverse("accounts:logout"))
        login(client, reviewer, verified=False)
        replay = client.post(VERIFY, {"token": code})
    assert replay.status_code == 200


def test_the_verify_page_ignores_an_unsafe_next(client, reviewer):
    login(client, reviewer, verified=False)
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(VERIFY, {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:dashboard")


def test_django_admin_requires_the_second_factor(client):
    superuser = User.objects.create_superuser("root@example.org", PASSWORD)
    TOTPDevice.objects.create(user=superuser, name="app", confirmed=True)
    login(client, superuser, verified=False)
    response = client.get("/django-admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fdjango-admin%2F"
    device = TOTPDevice.objects.get(user=superuser)
    response = client.post(VERIFY, {"token": _code(device), "next": "/django-admin/"})
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_a_superuser_with_a_candidate_role_still_needs_the_second_factor(client):
    user = UserFactory(role=Role.CANDIDATE, is_superuser=True, is_staff=True)
    login(client, user, verified=False)
    assert client.get(reverse("accounts:profile"))["Location"].startswith(VERIFY)


def test_first_login_enrols_a_device_with_a_qr_code(client):
    user = UserFactory(role=Role.EVALUATOR)
    _password_login(client, user)
    to_verify = client.get(reverse("accounts:dashboard"))
    to_setup = client.get(to_verify["Location"])
    assert to_setup["Location"].startswith(SETUP)
    page = client.get(to_setup["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<h1") == 1
    assert "<svg" in html and "QR code de configuration" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"] in html

    wrong = client.post(SETUP, {"token": _wrong(_code(device))})
    assert error_next_to(wrong.content.decode(), "token", "Ce code est incorrect")
    device.refresh_from_db()
    assert not device.confirmed

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        response = client.post(SETUP, {"token": _code(device), "next": reverse("accounts:dashboard")})
    assert response["Location"] == reverse("accounts:dashboard")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("accounts:dashboard"))["Location"] == reverse("evaluation:evaluator_dashboard")


def test_enrolment_is_refused_once_a_device_exists(client, reviewer):
    login(client, reviewer, verified=False)
    assert client.get(SETUP)["Location"] == reverse("accounts:dashboard")
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


def test_enrolment_page_reuses_the_same_pending_key(client):
    user = UserFactory(role=Role.CPNE_MEMBER)
    login(client, user, verified=False)
    first = client.get(SETUP).context["secret"]
    second = client.get(SETUP).context["secret"]
    assert first == second
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("make_user", [UserFactory, EmployerFactory])
def test_candidates_and_employers_never_see_the_second_factor(client, make_user):
    user = make_user()
    _password_login(client, user)
    response = client.get(reverse("accounts:dashboard"))
    assert not response["Location"].startswith(VERIFY)
    assert client.get(response["Location"]).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("accounts:dashboard")
    assert client.get(SETUP)["Location"] == reverse("accounts:dashboard")


def test_a_staff_user_may_log_out_without_the_second_factor(client, reviewer):
    login(client, reviewer, verified=False)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_keeps_the_second_factor(client, reviewer):
    login(client, reviewer)
    new = "nouveau-mot-de-passe-2026"
    client.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_seed_demo_and_demo_otp_print_the_current_code(settings):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    employer = User.objects.get(email="employeur@demo.cqpt.fr")
    assert employer.is_verified_employer
    assert not TOTPDevice.objects.filter(user=employer).exists()
    with time_machine.travel(timezone.now(), tick=False):
        out = StringIO()
        call_command("demo_otp", "AUVICOM@demo.cqpt.fr", stdout=out)
        printed = out.getvalue().strip()
        assert re.fullmatch(r"\d{6}", printed)
        device = TOTPDevice.objects.get(user__email="auvicom@demo.cqpt.fr")
        assert device.key == DEMO_TOTP_KEY_HEX
        assert printed == _code(device)
    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert User.objects.filter(email="employeur@demo.cqpt.fr").count() == 1


def test_demo_otp_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_otp", "auvicom@demo.cqpt.fr", stdout=StringIO())


def test_demo_otp_refuses_an_account_without_device(settings):
    settings.DEMO_MODE = True
    UserFactory(email="nobody@example.org")
    with pytest.raises(CommandError):
        call_command("demo_otp", "nobody@example.org", stdout=StringIO())


def test_the_code_page_offers_no_link_that_needs_a_verified_session(client, reviewer):
    """Before the second factor, header links to the dashboard, notifications or profile would loop back here."""
    _password_login(client, reviewer)
    html = client.get(VERIFY).content.decode()
    for name in (
        "accounts:dashboard",
        "notifications:list",
        "accounts:profile",
        "home",
        "candidates:eligibility_check",
    ):
        assert f'href="{reverse(name)}"' not in html, name
        assert client.get(reverse(name))["Location"].startswith(VERIFY), name  # they would loop back here
    assert f'action="{reverse("accounts:logout")}"' in html
    # Every link left on the page leads somewhere that answers before the second factor.
    for href in set(re.findall(r'href="(/[^"]*)"', html)) - {VERIFY}:
        if not href.startswith("/static/"):
            assert client.get(href).status_code == 200, href
    device = TOTPDevice.objects.get(user=reviewer)
    client.post(VERIFY, {"token": _code(device)})
    html = client.get(reverse("accounts:profile")).content.decode()
    for name in ("accounts:dashboard", "notifications:list", "accounts:profile"):
        assert f'href="{reverse(name)}"' in html, name
