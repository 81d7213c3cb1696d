"""Who may open the candidate's pages, and how many queries they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.enums import DocumentKind, DossierState
from candidates.models import DossierDocument
from cqpt_portal.accounts.enums import Role
from tests.conftest import login
from tests.factories import DossierFactory, EmployerFactory, ExperiencePeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

STEP_PAGES = [
    "step_identity",
    "step_employment",
    "step_candidacy",
    "step_funding",
    "step_experience",
    "step_documents",
    "step_submit",
    "dossier_withdraw",
]


def test_another_candidates_dossier_is_forbidden(client):
    dossier = DossierFactory(city="Paris")
    period = ExperiencePeriodFactory(dossier=dossier)
    login(client, UserFactory())
    for name in [*STEP_PAGES, "dossier_detail"]:
        assert client.get(reverse(f"candidates:{name}", args=[dossier.pk])).status_code == 403, name
    assert client.post(reverse("candidates:step_identity", args=[dossier.pk]), {"city": "Lille"}).status_code == 403
    assert client.post(reverse("candidates:step_submit", args=[dossier.pk])).status_code == 403
    assert client.get(reverse("candidates:period_edit", args=[dossier.pk, period.pk])).status_code == 403
    assert client.post(reverse("candidates:period_delete", args=[dossier.pk, period.pk])).status_code == 403
    dossier.refresh_from_db()
    assert dossier.city == "Paris"
    assert dossier.state == DossierState.DRAFT
    assert dossier.periods.count() == 1


def test_unknown_dossier_is_not_found(client):
    login(client, UserFactory())
    assert client.get(reverse("candidates:step_identity", args=[999999])).status_code == 404


def test_anonymous_goes_to_login(client):
    dossier = DossierFactory()
    response = client.get(reverse("candidates:step_identity", args=[dossier.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_and_employers_cannot_edit_but_auvicom_can_read(client):
    dossier = DossierFactory(share_with_employer=True, number="CQPT-2025-000001", state=DossierState.SUBMITTED)
    employer = EmployerFactory(company=dossier.company)
    login(client, employer)
    assert client.get(reverse("candidates:step_identity", args=[dossier.pk])).status_code == 403
    assert client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).status_code == 403
    assert client.post(reverse("candidates:dossier_create")).status_code == 403
    client.logout()
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    login(client, reviewer)
    assert client.get(reverse("candidates:step_identity", args=[dossier.pk])).status_code == 403
    assert client.get(reverse("candidates:dossier_detail", args=[dossier.pk])).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_experience_step_queries_do_not_grow_with_periods(client):
    small, large = DossierFactory(), DossierFactory()
    ExperiencePeriodFactory.create_batch(2, dossier=small)
    ExperiencePeriodFactory.create_batch(10, dossier=large)
    login(client, small.candidate)
    url = reverse("candidates:step_experience", args=[small.pk])
    client.get(url)  # warm the session and content-type caches
    two = _count_queries(client, url)
    client.logout()
    login(client, large.candidate)
    url = reverse("candidates:step_experience", args=[large.pk])
    client.get(url)
    ten = _count_queries(client, url)
    assert two == ten
    assert ten <= 9


@pytest.mark.parametrize("name", ["step_documents", "step_submit", "dossier_detail"])
def test_other_pages_queries_do_not_grow_with_documents_and_periods(client, name):
    counts = []
    for n in (1, 6):
        dossier = DossierFactory()
        ExperiencePeriodFactory.create_batch(n, dossier=dossier)
        for _ in range(n):
            DossierDocument.objects.create(
                dossier=dossier,
                kind=DocumentKind.OTHER,
                file="dossiers/x.pdf",
                original_name="x.pdf",
                content_type="application/pdf",
                size=1,
            )
        client.logout()
        login(client, dossier.candidate)
        url = reverse(f"candidates:{name}", args=[dossier.pk])
        client.get(url)
        counts.append(_count_queries(client, url))
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_dashboard_queries_are_bounded(client):
    dossier = DossierFactory()
    ExperiencePeriodFactory.create_batch(5, dossier=dossier)
    login(client, dossier.candidate)
    client.get(reverse("candidates:dashboard"))
    # One query per part of the page (dossiers, periods, documents, notifications, certificates, funding, quizzes).
    assert _count_queries(client, reverse("candidates:dashboard")) <= 12
