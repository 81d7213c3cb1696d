"""AUVICOM's review queue: filters, search, sort, pagination, bounded queries, access."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DossierState
from candidates.filters import AdmissibilityQueueFilter
from candidates.selectors import admissibility_queue_base
from cqpt_portal.accounts.enums import Role
from tests.candidates.test_admissibility_support import (  # noqa: F401 - autouse fixture
    fast_password_hashing,
    queue_dossier,
    reviewer,
    submitted_dossier,
)
from tests.conftest import login
from tests.factories import CompanyFactory, CqptFactory, DossierFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("candidates:auvicom_dashboard")


def _numbers(response) -> list[str]:
    return [row["dossier"].number for row in response.context["rows"]]


@pytest.fixture
def reviewer_client(client):
    user = reviewer(first_name="Rémi", last_name="Instructeur")
    login(client, user)
    client.user = user
    return client


def test_default_queue_shows_submitted_and_under_review_oldest_first(reviewer_client):
    old = queue_dossier(days_ago=10)
    claimed = queue_dossier(state=DossierState.UNDER_REVIEW, days_ago=5)
    recent = queue_dossier(days_ago=1)
    queue_dossier(state=DossierState.ADMISSIBLE, days_ago=20)
    DossierFactory(state=DossierState.DRAFT)

    response = reviewer_client.get(QUEUE)

    assert response.status_code == 200
    assert _numbers(response) == [old.number, claimed.number, recent.number]
    html = response.content.decode()
    assert "10 jours" in html
    assert old.cqpt.title in html and old.company.name in html
    assert claimed.reviewer.get_full_name() in html


def test_state_filter_all_and_one_state_but_never_drafts(reviewer_client):
    submitted = queue_dossier()
    admissible = queue_dossier(state=DossierState.ADMISSIBLE)
    DossierFactory(state=DossierState.DRAFT)
    withdrawn_draft = DossierFactory(state=DossierState.WITHDRAWN)  # never reached AUVICOM

    everything = _numbers(reviewer_client.get(QUEUE, {"state": "all"}))
    assert set(everything) == {submitted.number, admissible.number}
    assert withdrawn_draft.pk not in [
        row["dossier"].pk for row in reviewer_client.get(QUEUE, {"state": "all"}).context["rows"]
    ]
    assert _numbers(reviewer_client.get(QUEUE, {"state": DossierState.ADMISSIBLE})) == [admissible.number]
    response = reviewer_client.get(QUEUE, {"state": DossierState.DRAFT})
    assert response.context["filterset"].form.errors["state"]
    assert _numbers(response) == [submitted.number]  # an invalid state falls back to the queue


def test_filters_cqpt_route_company_and_dates(reviewer_client):
    cqpt = CqptFactory(title="Conseiller clientèle à distance")
    company = CompanyFactory(name="Télécom Ouest", siret="73282932000074")
    a = queue_dossier(cqpt=cqpt, days_ago=40)
    b = queue_dossier(
        company=company, access_route=AccessRoute.CONTRAT_PRO, contract_type=ContractType.CONTRAT_PRO, days_ago=3
    )
    c = queue_dossier(days_ago=1)

    assert _numbers(reviewer_client.get(QUEUE, {"cqpt": cqpt.pk})) == [a.number]
    assert _numbers(reviewer_client.get(QUEUE, {"access_route": AccessRoute.CONTRAT_PRO})) == [b.number]
    assert _numbers(reviewer_client.get(QUEUE, {"company": "ouest"})) == [b.number]
    assert _numbers(reviewer_client.get(QUEUE, {"company": "732829320"})) == [b.number]  # SIREN
    today = timezone.localdate()
    window = {
        "submitted_from": (today - datetime.timedelta(days=5)).isoformat(),
        "submitted_to": (today - datetime.timedelta(days=2)).isoformat(),
    }
    assert _numbers(reviewer_client.get(QUEUE, window)) == [b.number]
    assert _numbers(reviewer_client.get(QUEUE, {"submitted_from": today.isoformat()})) == []
    assert set(_numbers(reviewer_client.get(QUEUE, {"submitted_to": today.isoformat()}))) == {
        a.number,
        b.number,
        c.number,
    }
    response = reviewer_client.get(QUEUE, {"submitted_from": "31/02/2025"})
    assert response.status_code == 200
    assert response.context["filterset"].form.errors["submitted_from"]


def test_reviewer_filter_mine_unclaimed_and_by_reviewer(reviewer_client):
    other = reviewer(first_name="Odile", last_name="Autre")
    mine = queue_dossier(state=DossierState.UNDER_REVIEW, reviewer=reviewer_client.user)
    theirs = queue_dossier(state=DossierState.UNDER_REVIEW, reviewer=other)
    nobody = queue_dossier()

    assert _numbers(reviewer_client.get(QUEUE, {"reviewer": "mine"})) == [mine.number]
    assert _numbers(reviewer_client.get(QUEUE, {"reviewer": "unclaimed"})) == [nobody.number]
    assert _numbers(reviewer_client.get(QUEUE, {"reviewer": str(other.pk)})) == [theirs.number]
    response = reviewer_client.get(QUEUE, {"reviewer": "999999"})
    assert response.context["filterset"].form.errors["reviewer"]


def test_search_by_number_exact_or_prefix_and_by_name(reviewer_client):
    a = queue_dossier(number="CQPT-2025-000123", last_name="Dupont", first_name="Jeanne")
    b = queue_dossier(number="CQPT-2025-000124", last_name="Martin", first_name="Dupuis")
    c = queue_dossier(number="CQPT-2024-000777", last_name="Lefèvre", first_name="Paul")

    assert _numbers(reviewer_client.get(QUEUE, {"q": "CQPT-2025-000123"})) == [a.number]
    assert _numbers(reviewer_client.get(QUEUE, {"q": "cqpt-2025-00012"})) == [a.number, b.number]
    assert _numbers(reviewer_client.get(QUEUE, {"q": "2024"})) == [c.number]
    assert set(_numbers(reviewer_client.get(QUEUE, {"q": "dup"}))) == {a.number, b.number}  # last or first name
    assert _numbers(reviewer_client.get(QUEUE, {"q": "JEANNE dupont"})) == [a.number]
    assert _numbers(reviewer_client.get(QUEUE, {"q": "lefèvre"})) == [c.number]
    assert _numbers(reviewer_client.get(QUEUE, {"q": "inconnu"})) == []


def test_sorts_by_age_number_and_name(reviewer_client):
    b = queue_dossier(number="CQPT-2025-000002", last_name="Bernard", days_ago=1)
    a = queue_dossier(number="CQPT-2025-000003", last_name="adam", days_ago=3)
    c = queue_dossier(number="CQPT-2025-000001", last_name="Colin", days_ago=2)

    assert _numbers(reviewer_client.get(QUEUE)) == [a.number, c.number, b.number]
    assert _numbers(reviewer_client.get(QUEUE, {"sort": "-age"})) == [b.number, c.number, a.number]
    assert _numbers(reviewer_client.get(QUEUE, {"sort": "number"})) == [c.number, b.number, a.number]
    assert _numbers(reviewer_client.get(QUEUE, {"sort": "-number"})) == [a.number, b.number, c.number]
    assert _numbers(reviewer_client.get(QUEUE, {"sort": "name"})) == [a.number, b.number, c.number]
    assert _numbers(reviewer_client.get(QUEUE, {"sort": "-name"})) == [c.number, b.number, a.number]


def test_pagination_25_a_page_keeps_the_filters(reviewer_client):
    cqpt = CqptFactory()
    dossiers = [queue_dossier(cqpt=cqpt, days_ago=100 - i) for i in range(27)]
    queue_dossier()  # another CQPT, filtered out

    first = reviewer_client.get(QUEUE, {"cqpt": cqpt.pk, "sort": "age"})
    assert len(first.context["rows"]) == 25
    assert first.context["page_obj"].paginator.count == 27
    html = first.content.decode()
    assert f"?cqpt={cqpt.pk}&amp;sort=age&amp;page=2" in html
    assert f"export.csv?cqpt={cqpt.pk}&amp;sort=age" in html

    second = reviewer_client.get(QUEUE, {"cqpt": cqpt.pk, "sort": "age", "page": 2})
    assert _numbers(second) == [d.number for d in dossiers[25:]]
    assert "Page 2 sur 2" in second.content.decode()
    assert reviewer_client.get(QUEUE, {"page": "abc"}).status_code == 200
    assert reviewer_client.get(QUEUE, {"page": "99"}).status_code == 200


def _count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_same_number_of_queries_with_2_and_50_dossiers(reviewer_client):
    other = reviewer()
    for _ in range(2):
        queue_dossier(state=DossierState.UNDER_REVIEW, reviewer=other)
    with_two = _count_queries(reviewer_client)
    with_two_filtered = _count_queries(reviewer_client, {"state": "all", "q": "a", "cqpt": "", "reviewer": "mine"})
    for i in range(48):
        if i % 2:
            queue_dossier(state=DossierState.UNDER_REVIEW, reviewer=reviewer() if i % 3 else other, days_ago=i)
        else:
            queue_dossier(state=DossierState.SUBMITTED, days_ago=i)
    with_fifty = _count_queries(reviewer_client)
    assert with_fifty == with_two + 1  # a list longer than one page adds its COUNT, once
    assert _count_queries(reviewer_client, {"state": "all", "q": "a", "cqpt": "", "reviewer": "mine"}) == (
        with_two_filtered
    )
    for i in range(30):
        queue_dossier(state=DossierState.SUBMITTED, days_ago=i)
    assert _count_queries(reviewer_client) == with_fifty
    assert _count_queries(reviewer_client, {"page": "3"}) == with_fifty


def test_claim_button_in_the_queue_only_for_reviewers_on_submitted_dossiers(client):
    submitted = queue_dossier()
    queue_dossier(state=DossierState.UNDER_REVIEW)
    login(client, reviewer())
    html = client.get(QUEUE).content.decode()
    assert html.count('value="claim"') == 1
    assert reverse("candidates:admissibility_decide", args=[submitted.pk]) in html

    login(client, UserFactory(role=Role.AUVICOM_FUNDING))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert 'value="claim"' not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EVALUATOR, Role.EVALUATOR_MANAGER, Role.CPNE_MEMBER])
def test_other_roles_cannot_open_the_queue_or_the_review_page(client, role):
    dossier = submitted_dossier()
    login(client, UserFactory(role=role))
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("candidates:admissibility_detail", args=[dossier.pk])).status_code == 403


def test_employer_and_the_candidate_himself_get_403(client):
    dossier = submitted_dossier(share_with_employer=True)
    login(client, EmployerFactory(company=dossier.company))
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("candidates:admissibility_detail", args=[dossier.pk])).status_code == 403
    login(client, dossier.candidate)
    assert client.get(reverse("candidates:admissibility_detail", args=[dossier.pk])).status_code == 403


def test_anonymous_goes_to_login(client):
    dossier = submitted_dossier()
    for url in (QUEUE, reverse("candidates:admissibility_detail", args=[dossier.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("sort", ["age", "-age", "number", "-number", "name", "-name"])
def test_pages_put_together_give_every_dossier_once_in_order(reviewer_client, sort):
    names = ["Zola", "adam", "Ménard", "Dupont", "dupont", "Brun"]
    for i in range(61):
        queue_dossier(last_name=names[i % len(names)], first_name=f"P{i % 7}", days_ago=(i * 7) % 31)
    pages = [_numbers(reviewer_client.get(QUEUE, {"sort": sort, "page": n})) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [25, 25, 11]
    everything = [n for page in pages for n in page]
    expected = list(
        AdmissibilityQueueFilter({"sort": sort}, queryset=admissibility_queue_base()).qs.values_list(
            "number", flat=True
        )
    )
    assert everything == expected
