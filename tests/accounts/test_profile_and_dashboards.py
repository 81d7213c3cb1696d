import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create
from tests.conftest import login
from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_profile_shows_the_account_and_saves_the_language(client):
    user = EmployerFactory(email="rh@example.org")
    login(client, user)
    page = client.get(reverse("accounts:profile"))
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert "rh@example.org" in html and user.company.name in html and "lien vérifié le" in html
    assert "Langue des e-mails et du portail" in html
    response = client.post(reverse("accounts:profile"), {"language": "en"})
    assert response["Location"] == reverse("accounts:profile")
    assert response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    # E-mails are then written in that language.
    assert notification_create(recipient=user, kind="test").language == "en"


def test_profile_refuses_an_unknown_language(client):
    user = UserFactory()
    login(client, user)
    response = client.post(reverse("accounts:profile"), {"language": "de"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    user.refresh_from_db()
    assert user.language == "fr"


def test_profile_of_a_pending_employer_links_to_the_explanation(client):
    login(client, EmployerFactory(company_verified_at=None))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:employer_pending") in html


def test_registration_stores_the_language_of_the_page(client, django_capture_on_commit_callbacks):
    password = "un-mot-de-passe-solide-2026"
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:register"),
            {
                "role": Role.CANDIDATE,
                "first_name": "Jo",
                "last_name": "Doe",
                "email": "jo@example.org",
                "password1": password,
                "password2": password,
            },
        )
    assert Notification.objects.get(kind="email_confirmation").language == "en"


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.CANDIDATE, "candidates:dashboard"),
        (Role.EMPLOYER, "candidates:employer_dashboard"),
        (Role.AUVICOM_REVIEWER, "candidates:auvicom_dashboard"),
        (Role.AUVICOM_FUNDING, "funding:dashboard"),
        (Role.EVALUATOR, "evaluation:evaluator_dashboard"),
        (Role.EVALUATOR_MANAGER, "evaluation:evaluator_dashboard"),
        (Role.CPNE_MEMBER, "cpne:dashboard"),
        (Role.CPNE_SECRETARY, "cpne:dashboard"),
        (Role.ADMIN, "accounts:admin_dashboard"),
    ],
)
def test_dashboard_routes_each_role(client, role, target):
    user = EmployerFactory() if role == Role.EMPLOYER else UserFactory(role=role)
    login(client, user)
    response = client.get(reverse("accounts:dashboard"))
    assert response["Location"] == reverse(target)
    assert client.get(response["Location"]).status_code == 200


def test_dashboard_needs_login(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response["Location"] == f"{reverse('accounts:login')}?next=/compte/tableau-de-bord/"


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.CANDIDATE, "/financement/"),
        (Role.CANDIDATE, "/compte/administration/"),
        (Role.CANDIDATE, "/candidature/auvicom/"),
        (Role.EVALUATOR, "/financement/"),
        (Role.AUVICOM_REVIEWER, "/compte/administration/"),
    ],
)
def test_a_role_without_permission_gets_the_french_403(client, role, url):
    login(client, UserFactory(role=role))
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html and "ne donne pas accès" in html


def test_anonymous_user_is_sent_to_login_not_403(client):
    response = client.get("/financement/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
