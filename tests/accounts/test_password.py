import pytest
from django.urls import reverse

from cqpt_portal.notifications.models import Notification
from tests.accounts.helpers import emails_to, error_next_to, link_in
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
NEW = "nouveau-mot-de-passe-2026"


def test_password_change_requires_the_old_password_and_a_strong_new_one(client):
    user = UserFactory()
    login(client, user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    wrong_old = client.post(
        url, {"old_password": "pas-le-bon-mot-de-passe", "new_password1": NEW, "new_password2": NEW}
    )
    assert error_next_to(wrong_old.content.decode(), "old_password", "ancien mot de passe est incorrect")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "azerty", "new_password2": "azerty"})
    assert error_next_to(weak.content.decode(), "new_password2", "trop court")
    done = client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still logged in after the change.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_through_the_outbox_single_use(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": "Oubli@Example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = emails_to("oubli@example.org")
    assert Notification.objects.get(recipient=user).kind == "password_reset"
    link = link_in(message)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "azerty", "new_password2": "azerty"})
    assert error_next_to(weak.content.decode(), "new_password2", "trop court")
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW)

    # The link is spent.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "n'est plus valable" in again.content.decode().replace("&#x27;", "'")


def test_password_reset_answers_the_same_for_an_unknown_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESET, {"email": "known@example.org"})
        unknown = client.post(RESET, {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(emails_to("known@example.org")) == 1
    assert emails_to("unknown@example.org") == []


def test_unconfirmed_account_gets_no_reset_link(client, django_capture_on_commit_callbacks):
    UserFactory(email="pending@example.org", is_active=False, email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": "pending@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert emails_to("pending@example.org") == []


def test_a_forged_reset_link_is_refused(client):
    user = UserFactory()
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "abc-def"]), follow=True)
    assert not response.context["validlink"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("accounts:password_reset", "Mot de passe oublié"),
        ("accounts:password_reset_done", "Vérifiez votre messagerie"),
        ("accounts:password_reset_complete", "Mot de passe enregistré"),
    ],
)
def test_public_password_pages_render(client, name, heading):
    html = client.get(reverse(name)).content.decode()
    assert html.count("<h1") == 1 and heading in html


def test_password_change_done_page_renders(client):
    login(client, UserFactory())
    html = client.get(reverse("accounts:password_change_done")).content.decode()
    assert html.count("<h1") == 1 and "Mot de passe modifié" in html


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "Azerty123456", "qwertyuiop12", "abcdefghijkl"])
def test_repetitive_and_keyboard_passwords_are_refused_with_the_reason(client, weak):
    from django.core.exceptions import ValidationError

    from cqpt_portal.accounts.passwords import StrengthValidator

    with pytest.raises(ValidationError) as refused:
        StrengthValidator().validate(weak)
    assert "trop facile à deviner" in refused.value.messages[0]


def test_a_password_longer_than_128_characters_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("Un-long-mot-de-passe-solide-" * 150)
    assert any("128 caractères" in message for message in refused.value.messages)


def test_the_strength_is_given_as_the_person_types_with_the_reason(client):
    url = reverse("accounts:password_strength")
    weak = client.post(url, {"password": "aaaaaaaaaaaa"}).json()
    assert weak["accepted"] is False and weak["score"] <= 1
    assert any("répété" in reason for reason in weak["reasons"])
    strong = client.post(url, {"password": "encore-un-nouveau-mot-2026"}).json()
    assert strong["accepted"] is True and strong["score"] >= 3
    assert client.get(url).status_code == 405  # never in a URL


def test_the_meter_script_is_served_by_the_portal_and_linked_from_the_pages(client):
    page = client.get(reverse("accounts:register")).content.decode()
    assert "/static/js/password-strength.js" in page
    assert 'name="cqpt-password-strength" content="/compte/mot-de-passe/force/"' in page
    assert 'autocomplete="new-password"' in page
