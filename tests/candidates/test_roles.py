"""Staff see a dossier only once submitted; a superuser acts in the portal through its role, never as anyone."""

import html

import pytest
from django.urls import reverse

from candidates.models import Dossier
from candidates.services.candidate import dossier_start
from cqpt_portal.accounts.enums import Role
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_admissibility_support import (  # noqa: F401 - fast_password_hashing is an autouse fixture
    fast_password_hashing,
    ready_dossier,
    submitted_dossier,
)
from tests.candidates.test_uploads import private_storage_in_tmp  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = [Role.AUVICOM_REVIEWER, Role.AUVICOM_FUNDING, Role.ADMIN]


@pytest.mark.parametrize("role", STAFF)
def test_staff_cannot_open_a_never_submitted_draft_nor_its_documents(client, role):
    draft = ready_dossier()
    login(client, UserFactory(role=role))
    assert client.get(reverse("candidates:dossier_detail", args=[draft.pk])).status_code in (403, 404)
    document = draft.documents.get(kind="identity")
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code in (403, 404)


@pytest.mark.parametrize("role", STAFF)
def test_staff_open_it_once_submitted_and_the_funding_officer_still_not_its_documents(client, role):
    dossier = submitted_dossier()
    login(client, UserFactory(role=role))
    assert client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).status_code == 200
    document = dossier.documents.get(kind="identity")
    expected = 403 if role == Role.AUVICOM_FUNDING else 200
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code == expected


@pytest.fixture
def superuser():
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "name",
    [
        "candidates:dashboard",
        "candidates:employer_dashboard",
        "candidates:employer_invitation_new",
    ],
)
def test_a_superuser_gets_a_clear_refusal_on_other_roles_pages_never_a_500(client, superuser, name):
    login(client, superuser)
    assert client.get(reverse(name)).status_code == 403


def test_a_superuser_cannot_create_a_candidates_dossier(client, superuser):
    login(client, superuser)
    assert client.post(reverse("candidates:dossier_create")).status_code == 403
    assert not Dossier.objects.exists()
    with pytest.raises(ActionRefused):
        dossier_start(candidate=superuser)
    assert not Dossier.objects.exists()


def test_a_superuser_still_has_the_django_admin_and_the_administrator_dashboard(client, superuser):
    login(client, superuser)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("accounts:admin_dashboard")).status_code == 200


def test_a_superuser_without_the_administrator_role_is_no_portal_administrator(client):
    login(client, UserFactory(role=Role.CANDIDATE, is_staff=True, is_superuser=True))
    assert client.get(reverse("accounts:admin_dashboard")).status_code == 403


def test_the_funding_officer_sees_which_documents_exist_but_no_link_to_them(client):
    dossier = submitted_dossier()
    login(client, UserFactory(role=Role.AUVICOM_FUNDING))
    page = html.unescape(client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).content.decode())
    document = dossier.documents.get(kind="identity")
    assert reverse("candidates:document", args=[document.pk]) not in page
    assert str(document.get_kind_display()) in page
