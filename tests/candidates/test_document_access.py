"""Who may open a dossier's documents: its owner, admissibility reviewers and administrators; not the funding officer.

Least privilege: the funding officer (AUVICOM, financement) needs a dossier's status, not its identity
papers or contracts.
"""

import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from tests.candidates.test_admissibility_support import (  # noqa: F401 - fast_password_hashing is an autouse fixture
    fast_password_hashing,
    submitted_dossier,
)
from tests.candidates.test_uploads import private_storage_in_tmp  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return submitted_dossier()


def _document_url(dossier):
    return reverse("candidates:document", args=[dossier.documents.first().pk])


def _as(client, role):
    login(client, UserFactory(role=role))
    return client


@pytest.mark.parametrize("role", [Role.AUVICOM_REVIEWER, Role.ADMIN])
def test_reviewers_and_administrators_open_the_documents(client, dossier, role):
    response = _as(client, role).get(_document_url(dossier))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_owner_opens_their_documents(client, dossier):
    login(client, dossier.candidate)
    assert client.get(_document_url(dossier)).status_code == 200


def test_the_funding_officer_cannot_open_a_document(client, dossier):
    response = _as(client, Role.AUVICOM_FUNDING).get(_document_url(dossier))
    assert response.status_code in (403, 404)


def test_the_funding_officer_has_the_dossier_but_not_its_documents(client, dossier):
    funding = UserFactory(role=Role.AUVICOM_FUNDING)
    assert funding.has_perm("candidates.view_dossier", dossier)
    assert not funding.has_perm("candidates.view_documents", dossier)
    assert not funding.has_perm("candidates.view_document", dossier.documents.first())


def test_the_review_page_shows_no_document_viewer_to_the_funding_officer(client, dossier):
    document = dossier.documents.first()
    url = reverse("candidates:admissibility_detail", args=[dossier.pk]) + f"?document={document.pk}"
    response = _as(client, Role.AUVICOM_FUNDING).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("candidates:document", args=[document.pk]) not in html
    assert document.original_name not in html
    assert "réservées au candidat et à l'instruction de la recevabilité" in html


def test_the_review_page_shows_the_document_viewer_to_a_reviewer(client, dossier):
    document = dossier.documents.first()
    url = reverse("candidates:admissibility_detail", args=[dossier.pk]) + f"?document={document.pk}"
    html = _as(client, Role.AUVICOM_REVIEWER).get(url).content.decode()
    assert f'<iframe src="{reverse("candidates:document", args=[document.pk])}"' in html


def test_the_funding_officer_still_sees_the_dossiers_status_page(client, dossier):
    response = _as(client, Role.AUVICOM_FUNDING).get(reverse("candidates:dossier_detail", args=[dossier.pk]))
    assert response.status_code == 200
    assert dossier.number in response.content.decode()
