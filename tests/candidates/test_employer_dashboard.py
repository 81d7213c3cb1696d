"""The employer dashboard: their company, invitations, periods to confirm, dossiers shared with them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DossierState, EmployerConfirmation, InvitationState
from candidates.models import EmployerInvitation
from tests.conftest import login
from tests.factories import (
    CompanyFactory,
    CqptFactory,
    DossierFactory,
    EmployerFactory,
    ExperiencePeriodFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("candidates:employer_dashboard")


def _invitation(employer, n, **fields):
    return EmployerInvitation.objects.create(
        company=employer.company,
        invited_by=employer,
        email=f"salarie{n}@example.org",
        first_name="Prénom",
        last_name=f"Nom{n}",
        cqpt=CqptFactory(),
        access_route=AccessRoute.ACCES_LIBRE,
        contract_type=ContractType.CDI,
        token=f"token-{employer.pk}-{n}",
        expires_at=timezone.now() + timedelta(days=14),
        **fields,
    )


def _fill(employer, n):
    company = employer.company
    for i in range(n):
        _invitation(employer, i)
        ExperiencePeriodFactory(dossier=DossierFactory(company=company))
        DossierFactory(
            company=company,
            share_with_employer=True,
            number=f"CQPT-2025-{employer.pk:03d}{i:03d}",
            state=DossierState.UNDER_REVIEW,
        )


def test_dashboard_shows_company_invitations_periods_and_shared_dossiers(client):
    employer = EmployerFactory()
    company = employer.company
    shared = DossierFactory(
        company=company,
        share_with_employer=True,
        number="CQPT-2025-000101",
        state=DossierState.ADMISSIBLE,
        first_name="Camille",
        last_name="Partage",
        phone="0699999999",
        city="Montcuq",
    )
    DossierFactory(company=company, share_with_employer=False, number="CQPT-2025-000102", last_name="Discret")
    DossierFactory(company=company, share_with_employer=True, number=None, last_name="Brouillonne")
    DossierFactory(company=CompanyFactory(), share_with_employer=True, number="CQPT-2025-000103", last_name="Ailleurs")
    period = ExperiencePeriodFactory(dossier=DossierFactory(company=company, last_name="Heures"), hours=1234)
    ExperiencePeriodFactory(hours=4321)  # another company
    ExperiencePeriodFactory(dossier=DossierFactory(company=company, state=DossierState.WITHDRAWN), hours=999)
    _invitation(employer, 1)
    _invitation(employer, 2, state=InvitationState.DECLINED)
    expired = _invitation(employer, 3)
    EmployerInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    _invitation(EmployerFactory(), 4)  # another company

    login(client, employer)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert company.name in content and company.siret in content

    assert "CQPT-2025-000101" in content
    assert shared.get_state_display() in content
    assert "Camille Partage" in content
    assert "0699999999" not in content and "Montcuq" not in content and shared.candidate.email not in content
    assert "CQPT-2025-000102" not in content and "Discret" not in content  # not shared
    assert "Brouillonne" not in content  # never submitted
    assert "CQPT-2025-000103" not in content  # other company

    assert "1234" in content and reverse("candidates:employer_period_confirmation", args=[period.pk]) in content
    assert "4321" not in content  # other company's period
    assert "999" not in content  # closed dossier

    assert "salarie1@example.org" in content and "salarie2@example.org" in content
    assert "Expirée" in content
    assert "salarie4@example.org" not in content


def test_dashboard_query_count_does_not_grow_with_rows(client):
    small, large = EmployerFactory(), EmployerFactory()
    _fill(small, 2)
    _fill(large, 10)

    def count(employer):
        login(client, employer)
        client.get(URL)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx)

    assert count(small) == count(large)


def test_invitations_are_paginated_separately(client):
    employer = EmployerFactory()
    for i in range(25):
        _invitation(employer, i)
    login(client, employer)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"invitations": 2}).content.decode()
    assert "?invitations=2#propositions" in first
    # Newest first: the five oldest are on page 2 only.
    assert "salarie0@example.org" not in first and "salarie0@example.org" in second
    assert "salarie24@example.org" in first and "salarie24@example.org" not in second


def test_dashboard_is_for_verified_employers_only(client):
    assert client.get(URL).status_code == 302  # anonymous -> login
    login(client, UserFactory())
    assert client.get(URL).status_code == 403
    unverified = EmployerFactory()
    unverified.company_verified_at = None
    unverified.save()
    login(client, unverified)
    assert client.get(URL).status_code == 403


def test_invitation_form_renders(client):
    login(client, EmployerFactory())
    response = client.get(reverse("candidates:employer_invitation_new"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


# --- the periods to confirm: by SIRET, in SQL order, page by page, in a constant number of queries ---


def _count_queries(client):
    client.get(URL)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_same_number_of_queries_with_2_and_50_periods_to_confirm(client):
    employer = EmployerFactory()
    login(client, employer)
    for _ in range(2):
        ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company))
    ExperiencePeriodFactory(
        dossier=DossierFactory(company=employer.company), employer_status=EmployerConfirmation.CONFIRMED
    )
    with_two = _count_queries(client)
    for _ in range(48):
        ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company))
    for _ in range(30):
        ExperiencePeriodFactory(
            dossier=DossierFactory(company=employer.company),
            employer_status=EmployerConfirmation.DISPUTED,
            employer_reviewed_at=timezone.now(),
        )
    # Each of the two lists, now longer than a page, adds its COUNT (a list that fits in a page needs none);
    # then nothing grows with the data.
    with_eighty = _count_queries(client)
    assert with_eighty == with_two + 2
    for _ in range(30):
        ExperiencePeriodFactory(dossier=DossierFactory(company=employer.company))
    assert _count_queries(client) == with_eighty


def test_periods_to_confirm_come_newest_dossier_first_across_pages(client):
    employer = EmployerFactory()
    company = employer.company
    today = timezone.localdate()
    expected = []
    for n in range(13):
        dossier = DossierFactory(company=CompanyFactory() if n % 3 else company, last_name=f"Salarie{n:02d}")
        # Two periods per dossier, saved latest first: the list orders them by start date.
        late = ExperiencePeriodFactory(dossier=dossier, siret=company.siret, start_date=today - timedelta(days=100))
        early = ExperiencePeriodFactory(
            dossier=dossier, siret=company.siret, company=None, start_date=today - timedelta(days=600)
        )
        expected[:0] = [early.pk, late.pk]
    answered = ExperiencePeriodFactory(
        dossier=DossierFactory(company=company), employer_status=EmployerConfirmation.CONFIRMED
    )
    ExperiencePeriodFactory(dossier=DossierFactory(company=company, state=DossierState.AWARDED))  # closed
    ExperiencePeriodFactory()  # another company

    login(client, employer)
    pages = [client.get(URL, {"periodes": n}) for n in (1, 2)]
    seen = [p.pk for page in pages for p in page.context["periods"].object_list]
    assert seen == expected  # 26 periods: 20, then 6
    assert [len(page.context["periods"].object_list) for page in pages] == [20, 6]
    assert "?periodes=2#periodes" in pages[0].content.decode()
    assert [p.pk for p in pages[0].context["answered_periods"].object_list] == [answered.pk]


def test_answered_periods_are_listed_apart_latest_answer_first(client):
    employer = EmployerFactory()
    now = timezone.now()
    older = ExperiencePeriodFactory(
        dossier=DossierFactory(company=employer.company),
        employer_status=EmployerConfirmation.CONFIRMED,
        employer_reviewed_at=now - timedelta(days=2),
        hours=1111,
    )
    newer = ExperiencePeriodFactory(
        dossier=DossierFactory(company=employer.company),
        employer_status=EmployerConfirmation.DISPUTED,
        employer_reviewed_at=now - timedelta(days=1),
        hours=2222,
    )
    login(client, employer)
    response = client.get(URL)
    assert list(response.context["periods"].object_list) == []
    assert [p.pk for p in response.context["answered_periods"].object_list] == [newer.pk, older.pk]
    body = response.content.decode()
    assert "Aucune période n'attend votre réponse." in body and "Modifier ma réponse" in body
