import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from catalogue.models import Company
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from tests.accounts.helpers import emails_to, error_next_to, link_in
from tests.factories import PASSWORD, VALID_SIRETS, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
REGISTER_EMPLOYER = reverse("accounts:register_employer")
NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def _data(**overrides):
    data = {
        "role": Role.CANDIDATE,
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "camille.martin@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "company_siret": "",
        "company_name": "",
    }
    data.update(overrides)
    return data


def _without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _register(client, capture, url=REGISTER, **overrides):
    with capture(execute=True):
        return client.post(url, _data(**overrides))


def test_registration_page_renders_in_french(client):
    html = unescape(client.get(REGISTER).content.decode())
    assert html.count("<h1") == 1
    for label in ("Je suis", "Prénom", "Nom", "Adresse e-mail", "Mot de passe"):
        assert label in html
    html = unescape(client.get(REGISTER_EMPLOYER).content.decode())
    assert html.count("<h1") == 1
    for label in ("Je suis", "Prénom", "Adresse e-mail", "Mot de passe", "SIRET de l'entreprise", "Raison sociale"):
        assert label in html


def test_a_candidate_does_not_see_the_employer_fields(client):
    """Without JavaScript: the candidate's page has no company fields, and links to the employer's page."""
    html = unescape(client.get(REGISTER, {"next": "/candidature/"}).content.decode())
    for employer_only in ("SIRET", "Raison sociale", 'name="company_siret"', 'name="company_name"'):
        assert employer_only not in html
    assert f'href="{REGISTER_EMPLOYER}?next=/candidature/"' in html
    employer_html = client.get(REGISTER_EMPLOYER).content.decode()
    assert 'name="company_siret"' in employer_html and 'name="company_name"' in employer_html


def test_candidate_registers_confirms_once_and_logs_in(client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks, email="Camille.Martin@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get(email="camille.martin@example.org")
    assert not user.is_active and user.email_confirmed_at is None and user.role == Role.CANDIDATE

    (message,) = emails_to("camille.martin@example.org")
    assert "Confirmez votre adresse" in message.subject
    link = link_in(message)

    # Inactive until confirmed.
    client.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session

    # Opening the link (or a mail scanner doing so) confirms nothing; the button does.
    page = client.get(link, follow=True)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.content.decode()
    # The token left the address at once (as Django's reset link does): logs and history never hold it.
    token = link.rstrip("/").split("/")[-1]
    assert page.redirect_chain and token not in page.redirect_chain[-1][0]
    user.refresh_from_db()
    assert not user.is_active
    confirmed = client.post(page.redirect_chain[-1][0])
    assert confirmed["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert AuditEvent.objects.filter(object_id=str(user.pk), action="email_confirmed").exists()

    # Single use.
    assert client.get(link, follow=True).status_code == 400

    response = client.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "link",
    ["/compte/confirmer/MQ/bad-token/", "/compte/confirmer/not-base64!/x-y/", "/compte/confirmer/OTk5OTk5/x-y/"],
)
def test_a_forged_confirmation_link_is_refused(client, link):
    UserFactory(is_active=False, email_confirmed_at=None)
    response = client.get(link, follow=True)
    assert response.status_code == 400
    assert "plus valable" in response.content.decode()


def test_registering_a_used_address_looks_the_same_and_warns_its_owner(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="taken@example.org")
    first = _register(client, django_capture_on_commit_callbacks, email="fresh@example.org")
    fresh_page = client.get(first["Location"]).content.decode()
    second = _register(client, django_capture_on_commit_callbacks, email="TAKEN@example.org")
    taken_page = client.get(second["Location"]).content.decode()

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert _without_csrf(fresh_page).replace("fresh@example.org", "X") == _without_csrf(taken_page).replace(
        "taken@example.org", "X"
    )

    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # untouched
    (warning,) = emails_to("taken@example.org")
    assert Notification.objects.get(recipient=owner).kind == "registration_duplicate"
    assert "déjà un compte" in warning.body
    assert link_in(warning) == reverse("accounts:password_reset")


def test_registering_again_before_confirming_replaces_the_pending_registration(
    client, django_capture_on_commit_callbacks
):
    # Someone registered first with another person's address and a password of their choosing...
    _register(
        client,
        django_capture_on_commit_callbacks,
        email="victim@example.org",
        password1="squatter-password-2026",
        password2="squatter-password-2026",
    )
    first_link = link_in(emails_to("victim@example.org")[0])
    # ...then the real owner registers: their password wins and the first link dies.
    _register(client, django_capture_on_commit_callbacks, email="victim@example.org")
    second_link = link_in(emails_to("victim@example.org")[1])
    assert User.objects.filter(email="victim@example.org").count() == 1
    assert client.get(first_link, follow=True).status_code == 400
    client.post(client.get(second_link, follow=True).redirect_chain[-1][0])
    user = User.objects.get(email="victim@example.org")
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password("squatter-password-2026")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court-1234", "au minimum 12 caractères"),
        ("password1234", "trop courant"),
        ("123456789012345", "entièrement numérique"),
    ],
)
def test_weak_passwords_are_refused_next_to_the_field(client, password, message):
    response = client.post(REGISTER, _data(password1=password, password2=password))
    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "password1", message)
    assert not User.objects.exists()
    assert not mail.outbox


def test_different_confirmation_is_refused_next_to_the_field(client):
    response = client.post(REGISTER, _data(password2="autre-chose-encore-2026"))
    assert error_next_to(response.content.decode(), "password2", "ne sont pas identiques")
    assert not User.objects.exists()


def test_employer_registers_with_a_siret_and_waits_for_verification(client, django_capture_on_commit_callbacks):
    response = _register(
        client,
        django_capture_on_commit_callbacks,
        url=REGISTER_EMPLOYER,
        email="rh@telecom.example",
        company_siret="732 829 320 00074",
        company_name="Télécom Exemple",
    )
    assert response.status_code == 302
    user = User.objects.select_related("company").get(email="rh@telecom.example")
    assert user.role == Role.EMPLOYER
    assert user.company.siret == "73282932000074" and user.company.name == "Télécom Exemple"
    assert user.company_verified_at is None
    assert not user.is_verified_employer


def test_employer_registering_for_a_known_company_does_not_rename_it(client, django_capture_on_commit_callbacks):
    company = CompanyFactory(siret=VALID_SIRETS[1], name="Vrai Nom")
    _register(
        client,
        django_capture_on_commit_callbacks,
        url=REGISTER_EMPLOYER,
        email="rh@example.org",
        company_siret=VALID_SIRETS[1],
        company_name="Faux Nom",
    )
    company.refresh_from_db()
    assert company.name == "Vrai Nom"
    assert User.objects.get(email="rh@example.org").company == company
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("73282932000075", "algorithme de Luhn"),
        ("1234", "exactement 14 chiffres"),
        ("7328293200007A", "exactement 14 chiffres"),
        ("", "Indiquez le SIRET"),
    ],
)
def test_employer_with_a_bad_siret_is_told_why(client, siret, message):
    response = client.post(REGISTER_EMPLOYER, _data(company_siret=siret, company_name="Télécom Exemple"))
    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "company_siret", message)
    assert not User.objects.exists() and not Company.objects.exists()


def test_employer_must_give_the_company_name(client):
    response = client.post(REGISTER_EMPLOYER, _data(company_siret=VALID_SIRETS[0]))
    assert error_next_to(response.content.decode(), "company_name", "raison sociale")


def test_candidate_is_not_tied_to_a_company_typed_by_mistake(client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks, company_siret="n'importe quoi", company_name="X")
    assert response.status_code == 302
    assert User.objects.get().company is None
    assert not Company.objects.exists()


def test_staff_roles_cannot_be_chosen_at_registration(client, django_capture_on_commit_callbacks):
    """The role comes from the page, never from the posted data."""
    _register(client, django_capture_on_commit_callbacks, role=Role.ADMIN, email="a@example.org")
    _register(client, django_capture_on_commit_callbacks, role=Role.EMPLOYER, email="b@example.org")
    assert dict(User.objects.values_list("email", "role")) == {
        "a@example.org": Role.CANDIDATE,
        "b@example.org": Role.CANDIDATE,
    }
    assert not User.objects.filter(company__isnull=False).exists()


def test_next_survives_registration_confirmation_and_login(client, django_capture_on_commit_callbacks):
    target = "/candidature/?invitation=abc"
    response = _register(
        client, django_capture_on_commit_callbacks, url=f"{REGISTER}?next=%2Fcandidature%2F%3Finvitation%3Dabc"
    )
    assert response["Location"] == f"{reverse('accounts:register_done')}?next=%2Fcandidature%2F%3Finvitation%3Dabc"
    link = link_in(emails_to("camille.martin@example.org")[0])
    assert "next=" in link
    opened = client.get(link, follow=True)
    page = opened.content.decode()
    assert 'name="next" value="/candidature/?invitation=abc"' in page
    confirmed = client.post(opened.redirect_chain[-1][0], {"next": target})
    assert confirmed["Location"] == f"{reverse('accounts:login')}?next=%2Fcandidature%2F%3Finvitation%3Dabc"
    login_page = client.get(confirmed["Location"]).content.decode()
    assert 'name="next" value="/candidature/?invitation=abc"' in login_page
    response = client.post(
        reverse("accounts:login"), {"username": "camille.martin@example.org", "password": NEW_PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_an_unsafe_next_is_dropped_at_registration(client, django_capture_on_commit_callbacks):
    response = _register(client, django_capture_on_commit_callbacks, url=f"{REGISTER}?next=https://evil.example/")
    assert response["Location"] == reverse("accounts:register_done")
    assert "evil" not in emails_to("camille.martin@example.org")[0].body


def test_logged_in_user_is_sent_away_from_registration(client):
    client.force_login(UserFactory())
    assert client.get(REGISTER)["Location"] == reverse("accounts:dashboard")


def test_an_overlong_address_is_refused_without_crashing(client):
    response = client.post(REGISTER, _data(email=f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 60}.example.org"))
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


def test_services_refuse_to_register_a_staff_role():
    from cqpt_portal.accounts.services import user_register

    with pytest.raises(ValueError):
        user_register(email="x@example.org", password=NEW_PASSWORD, first_name="X", last_name="Y", role=Role.ADMIN)


def test_a_confirmed_then_deactivated_account_is_not_replaced_by_a_new_registration(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="old@example.org", is_active=False)
    _register(client, django_capture_on_commit_callbacks, email="old@example.org")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert Notification.objects.get(recipient=owner).kind == "registration_duplicate"
