import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from tests.accounts.helpers import error_next_to
from tests.factories import PASSWORD, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
WRONG = "Adresse e-mail ou mot de passe incorrect."


def _post_login(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def test_login_page_is_french_and_has_one_h1(client):
    html = client.get(LOGIN).content.decode()
    assert html.count("<h1") == 1
    assert "Adresse e-mail" in html and "Mot de passe" in html


def test_candidate_logs_in_with_email_and_password_whatever_the_case(client):
    user = UserFactory(email="camille@example.org")
    response = _post_login(client, "Camille@Example.ORG", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_and_unknown_address_give_the_same_answer(client):
    UserFactory(email="known@example.org")
    known = _post_login(client, "known@example.org", "not-the-password-at-all")
    unknown = _post_login(client, "nobody@example.org", "not-the-password-at-all")
    assert known.status_code == unknown.status_code == 200
    assert WRONG in known.content.decode()
    assert WRONG in unknown.content.decode()
    assert known.context["form"].errors == unknown.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_unconfirmed_account_does_not_log_in(client):
    UserFactory(email="pending@example.org", is_active=False, email_confirmed_at=None)
    response = _post_login(client, "pending@example.org", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # Who knows the password is told why; anyone else gets the usual answer.
    assert "pas encore activé" in response.content.decode()
    wrong = _post_login(client, "pending@example.org", "not-the-password-at-all")
    assert WRONG in wrong.content.decode()
    assert "pas encore activé" not in wrong.content.decode()


def test_deactivated_account_does_not_log_in_and_is_not_called_unconfirmed(client):
    UserFactory(email="gone@example.org", is_active=False)  # was confirmed, then deactivated
    response = _post_login(client, "gone@example.org", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert WRONG in response.content.decode()


def test_login_error_is_shown_with_the_form(client):
    response = _post_login(client, "", "")
    html = response.content.decode()
    assert error_next_to(html, "username", "Ce champ est obligatoire.")
    assert error_next_to(html, "password", "Ce champ est obligatoire.")


def test_login_honours_a_safe_next(client):
    UserFactory(email="next@example.org")
    target = reverse("accounts:profile")
    page = client.get(LOGIN, {"next": target})
    assert f'name="next" value="{target}"' in page.content.decode()
    response = client.post(LOGIN, {"username": "next@example.org", "password": PASSWORD, "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_ignores_an_unsafe_next(client, evil):
    UserFactory(email="next@example.org")
    response = client.post(LOGIN, {"username": "next@example.org", "password": PASSWORD, "next": evil})
    assert response["Location"] == reverse("accounts:dashboard")


def test_login_page_links_to_registration_keeping_next(client):
    html = client.get(LOGIN, {"next": "/candidature/"}).content.decode()
    assert f"{reverse('accounts:register')}?next=/candidature/" in html


def test_logout_is_post_only(client):
    user = EmployerFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logged_in_user_visiting_login_goes_to_dashboard(client):
    client.force_login(UserFactory(role=Role.CANDIDATE))
    assert client.get(LOGIN)["Location"] == reverse("accounts:dashboard")
