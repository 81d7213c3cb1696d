import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent
from tests.accounts.helpers import emails_to
from tests.conftest import login
from tests.factories import PASSWORD, CompanyFactory, EmployerFactory, EvaluatorOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_employer():
    return EmployerFactory(
        email="rh@example.org", company=CompanyFactory(name="Télécom Exemple"), company_verified_at=None
    )


@pytest.fixture
def admin_client(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True, email="admin@example.org")
    login(client, admin)
    return client


def test_unverified_employer_is_not_an_employer_for_the_rules(pending_employer):
    assert not pending_employer.has_perm("candidates.view_employer_dashboard")
    assert not pending_employer.has_perm("candidates.confirm_period")
    assert EmployerFactory().has_perm("candidates.view_employer_dashboard")


def test_unverified_employer_lands_on_the_pending_page(client, pending_employer):
    login(client, pending_employer)
    response = client.get(reverse("accounts:dashboard"))
    assert response["Location"] == reverse("accounts:employer_pending")
    html = client.get(response["Location"]).content.decode()
    assert "Télécom Exemple" in html and pending_employer.company.siret in html
    assert "vérifie que vous agissez bien pour l" in html
    assert html.count("<h1") == 1


def test_unverified_employer_cannot_open_the_employer_dashboard(client, pending_employer):
    login(client, pending_employer)
    response = client.get(reverse("candidates:employer_dashboard"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_verified_employer_goes_to_the_employer_dashboard_and_not_to_the_pending_page(client):
    login(client, EmployerFactory())
    assert client.get(reverse("accounts:dashboard"))["Location"] == reverse("candidates:employer_dashboard")
    assert client.get(reverse("accounts:employer_pending"))["Location"] == reverse("accounts:dashboard")


def test_the_pending_page_is_only_for_employers(client):
    login(client, UserFactory())
    assert client.get(reverse("accounts:employer_pending"))["Location"] == reverse("accounts:dashboard")


def test_admin_action_verifies_employers_and_tells_them(
    admin_client, pending_employer, django_capture_on_commit_callbacks
):
    candidate = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "verify_employers", "_selected_action": [pending_employer.pk, candidate.pk]},
            follow=True,
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 employeur vérifié" in html and "1 compte ignoré" in html
    pending_employer.refresh_from_db()
    assert pending_employer.company_verified_at is not None
    assert pending_employer.has_perm("candidates.view_employer_dashboard")
    candidate.refresh_from_db()
    assert candidate.company_verified_at is None
    (message,) = emails_to("rh@example.org")
    assert "vérifié" in message.subject
    assert "Télécom Exemple" in message.body
    event = AuditEvent.objects.get(object_id=str(pending_employer.pk), action="employer_verified")
    assert event.actor.email == "admin@example.org"


def test_verifying_twice_sends_one_email(admin_client, pending_employer, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("admin:accounts_user_changelist"),
                {"action": "verify_employers", "_selected_action": [pending_employer.pk]},
            )
    assert len(emails_to("rh@example.org")) == 1


def test_admin_user_list_filters_and_searches(admin_client, pending_employer):
    EmployerFactory(email="verified@example.org")
    UserFactory(email="candidate@example.org")
    url = reverse("admin:accounts_user_changelist")
    pending = admin_client.get(url, {"employer_verification": "pending"}).content.decode()
    assert "rh@example.org" in pending and "verified@example.org" not in pending
    assert "candidate@example.org" not in pending
    by_role = admin_client.get(url, {"role__exact": Role.CANDIDATE}).content.decode()
    assert "candidate@example.org" in by_role and "rh@example.org" not in by_role
    by_siret = admin_client.get(url, {"q": pending_employer.company.siret}).content.decode()
    assert "rh@example.org" in by_siret and "candidate@example.org" not in by_siret
    assert admin_client.get(reverse("admin:accounts_user_change", args=[pending_employer.pk])).status_code == 200


def test_admin_dashboard_counts_employers_waiting(admin_client, pending_employer):
    html = admin_client.get(reverse("accounts:admin_dashboard")).content.decode()
    assert "1 employeur attend la vérification" in html


def test_administrator_creates_a_staff_account(admin_client):
    organisation = EvaluatorOrganisationFactory()
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Evaluatrice@Example.org",
            "first_name": "Élodie",
            "last_name": "Robert",
            "role": Role.EVALUATOR,
            "evaluator_organisation": organisation.pk,
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="evaluatrice@example.org")
    assert user.role == Role.EVALUATOR and user.evaluator_organisation == organisation
    assert user.is_active and user.check_password(PASSWORD)
    assert user.needs_second_factor


def test_administrator_creating_an_employer_must_choose_the_company(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "rh2@example.org", "role": Role.EMPLOYER, "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "choisissez-la" in str(response.context["adminform"].form.errors["company"])
    company = CompanyFactory()
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "rh2@example.org", "role": Role.EMPLOYER, "company": company.pk, "usable_password": "false"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="rh2@example.org")
    assert user.is_verified_employer and not user.has_usable_password()


def test_administrator_cannot_create_a_second_account_for_an_address(admin_client):
    UserFactory(email="dup@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "DUP@example.org", "role": Role.CPNE_MEMBER, "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "existe déjà" in str(response.context["adminform"].form.errors["email"])
    assert User.objects.filter(email__iexact="dup@example.org").count() == 1


def test_verified_employers_of_leaves_out_unverified_and_inactive_ones(pending_employer):
    from cqpt_portal.accounts.selectors import verified_employers_of

    company = pending_employer.company
    verified = EmployerFactory(company=company)
    EmployerFactory(company=company, is_active=False)
    UserFactory(company=company)  # a candidate never acts for a company
    assert list(verified_employers_of(company_id=company.pk)) == [verified]


def test_a_staff_member_who_may_only_view_users_cannot_verify(client, pending_employer):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(role=Role.AUVICOM_REVIEWER, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    login(client, viewer)
    url = reverse("admin:accounts_user_changelist")
    assert "verify_employers" not in client.get(url).content.decode()
    client.post(url, {"action": "verify_employers", "_selected_action": [pending_employer.pk]})
    pending_employer.refresh_from_db()
    assert pending_employer.company_verified_at is None
