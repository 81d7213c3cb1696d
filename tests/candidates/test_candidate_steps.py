"""The candidate's dossier, step by step: each step saves and comes back; read-only outside draft/incomplete."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DossierState, Initiative, WorkingTime
from candidates.models import Dossier, ExperiencePeriod
from catalogue.models import Company
from cqpt_portal.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import (
    VALID_SIRETS,
    CompanyFactory,
    CqptFactory,
    DossierFactory,
    ExperiencePeriodFactory,
    FundingSchemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(client):
    user = UserFactory(first_name="Léa", last_name="Martin")
    login(client, user)
    return user


@pytest.fixture
def draft(candidate):
    return Dossier.objects.create(candidate=candidate, first_name="Léa", last_name="Martin")


def url(name, dossier, *args):
    return reverse(f"candidates:{name}", args=[dossier.pk, *args])


def test_start_creates_a_prefilled_draft_and_only_one_open_dossier(client, candidate):
    response = client.post(reverse("candidates:dossier_create"))
    dossier = Dossier.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response["Location"] == url("step_identity", dossier)
    assert (dossier.state, dossier.first_name, dossier.last_name) == (DossierState.DRAFT, "Léa", "Martin")
    assert AuditEvent.objects.for_object(dossier).get().to_state == DossierState.DRAFT

    response = client.post(reverse("candidates:dossier_create"), follow=True)
    assert Dossier.objects.filter(candidate=candidate).count() == 1
    assert "déjà une candidature en cours" in response.content.decode()


def test_a_new_dossier_may_start_once_the_previous_one_is_final(client, candidate):
    DossierFactory(candidate=candidate, state=DossierState.WITHDRAWN)
    client.post(reverse("candidates:dossier_create"))
    assert Dossier.objects.filter(candidate=candidate, state=DossierState.DRAFT).count() == 1


def test_dashboard_offers_to_start_without_dossier(client, candidate):
    body = client.get(reverse("candidates:dashboard")).content.decode()
    assert reverse("candidates:dossier_create") in body
    assert "Commencer mon dossier" in body


def test_identity_step_saves_and_comes_back(client, draft):
    response = client.post(
        url("step_identity", draft),
        {
            "last_name": "Martin",
            "first_name": "Léa",
            "birth_date": "1992-03-04",
            "phone": "0601020304",
            "address": "3 rue des Lilas",
            "postal_code": "69003",
            "city": "Lyon",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("step_employment", draft)
    draft.refresh_from_db()
    assert (draft.birth_date, draft.city) == (datetime.date(1992, 3, 4), "Lyon")
    body = client.get(url("step_identity", draft)).content.decode()
    assert 'value="1992-03-04"' in body
    assert 'value="Lyon"' in body


def test_identity_step_keeps_typed_values_on_error(client, draft):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url("step_identity", draft), {"birth_date": future, "city": "Lille"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "La date de naissance doit être dans le passé." in body
    assert 'value="Lille"' in body
    draft.refresh_from_db()
    assert draft.city == ""


def _employment(siret, **extra):
    return {
        "siret": siret,
        "job_title": "Technicien",
        "contract_type": ContractType.CDI,
        "contract_start": "2021-09-01",
        "contract_end": "",
        **extra,
    }


def test_employment_step_finds_a_known_company_by_siret(client, draft):
    company = CompanyFactory(name="Orange Lyon")
    response = client.post(url("step_employment", draft), _employment(company.siret))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.company == company
    assert draft.contract_type == ContractType.CDI
    body = client.get(url("step_employment", draft)).content.decode()
    assert f'value="{company.siret}"' in body
    assert "Orange Lyon" in body


def test_employment_step_accepts_a_siret_with_spaces(client, draft):
    company = CompanyFactory()
    spaced = f"{company.siret[:3]} {company.siret[3:6]} {company.siret[6:9]} {company.siret[9:]}"
    client.post(url("step_employment", draft), _employment(spaced))
    draft.refresh_from_db()
    assert draft.company == company


def test_employment_step_refuses_a_bad_siret_checksum_with_the_reason(client, draft):
    bad = VALID_SIRETS[0][:-1] + str((int(VALID_SIRETS[0][-1]) + 1) % 10)
    response = client.post(url("step_employment", draft), _employment(bad))
    assert response.status_code == 200
    body = response.content.decode()
    assert "algorithme de Luhn" in body
    assert 'value="Technicien"' in body
    draft.refresh_from_db()
    assert draft.company is None


def test_employment_step_creates_an_unknown_valid_company_with_name_and_idcc(client, draft, candidate):
    siret = VALID_SIRETS[1]
    response = client.post(url("step_employment", draft), _employment(siret))
    assert response.status_code == 200
    assert "indiquez sa raison sociale" in response.content.decode()
    assert not Company.objects.filter(siret=siret).exists()

    response = client.post(
        url("step_employment", draft), _employment(siret, company_name="Télécom Services", company_idcc="2148")
    )
    assert response.status_code == 302
    company = Company.objects.get(siret=siret)
    assert (company.name, company.idcc) == ("Télécom Services", "2148")
    draft.refresh_from_db()
    assert draft.company == company
    assert AuditEvent.objects.for_object(company).get().actor == candidate


def test_employment_search_lists_companies_and_prefills_the_chosen_siret(client, draft):
    company = CompanyFactory(name="Bouygues Télécom Nantes")
    CompanyFactory(name="Boulangerie")
    body = client.get(url("step_employment", draft), {"q": "télécom"}).content.decode()
    assert "Bouygues Télécom Nantes" in body
    assert "Boulangerie" not in body
    assert f"?siret={company.siret}" in body
    body = client.get(url("step_employment", draft), {"siret": company.siret}).content.decode()
    assert f'value="{company.siret}"' in body


def test_candidacy_step_saves_and_offers_only_active_cqpts(client, draft):
    active = CqptFactory(title="Conseiller clientèle à distance")
    closed = CqptFactory(title="CQPT fermé", is_active=False)
    body = client.get(url("step_candidacy", draft)).content.decode()
    assert active.title in body
    assert closed.title not in body
    response = client.post(
        url("step_candidacy", draft),
        {
            "access_route": AccessRoute.ACCES_LIBRE,
            "cqpt": active.pk,
            "initiative": Initiative.EMPLOYER,
            "share_with_employer": "on",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.access_route, draft.cqpt, draft.initiative, draft.share_with_employer) == (
        AccessRoute.ACCES_LIBRE,
        active,
        Initiative.EMPLOYER,
        True,
    )
    assert client.post(url("step_candidacy", draft), {"cqpt": closed.pk}).status_code == 200
    draft.refresh_from_db()
    assert draft.cqpt == active


def test_funding_step_saves_and_explains_cif(client, draft):
    plan = FundingSchemeFactory(code="plan_formation", label="Plan de formation")
    cif = FundingSchemeFactory(code="cif", label="CIF", handled_elsewhere=True)
    client.post(url("step_funding", draft), {"funding_scheme": plan.pk, "working_time": WorkingTime.OUTSIDE})
    draft.refresh_from_db()
    assert (draft.funding_scheme, draft.working_time) == (plan, WorkingTime.OUTSIDE)
    body = client.get(url("step_funding", draft)).content.decode()
    assert "Fongecif" not in body.split("<form")[0]

    response = client.post(url("step_funding", draft), {"funding_scheme": cif.pk, "working_time": WorkingTime.DURING})
    assert response["Location"] == url("step_funding", draft)
    body = client.get(url("step_funding", draft)).content.decode()
    assert "Le CIF est instruit par le Fongecif" in body
    assert "le portail ne dépose rien" in body.lower()


def test_funding_step_hides_schemes_no_longer_in_force(client, draft):
    FundingSchemeFactory(code="dif", label="DIF historique", valid_until=datetime.date(2014, 12, 31))
    assert "DIF historique" not in client.get(url("step_funding", draft)).content.decode()


def _period(**extra):
    today = timezone.localdate()
    return {
        "employer_name": "Orange",
        "siret": VALID_SIRETS[2],
        "idcc": "2148",
        "start_date": (today - datetime.timedelta(days=400)).isoformat(),
        "end_date": (today - datetime.timedelta(days=30)).isoformat(),
        "hours": "1200",
        "related_to_cqpt": "on",
        "description": "Conseil clientèle",
        **extra,
    }


def test_experience_periods_are_added_edited_deleted_with_the_live_table(client, draft):
    draft.access_route = AccessRoute.ACCES_LIBRE
    draft.save()
    response = client.post(url("step_experience", draft), _period())
    assert response.status_code == 302
    period = ExperiencePeriod.objects.get(dossier=draft)
    assert period.hours == 1200
    body = client.get(url("step_experience", draft)).content.decode()
    assert "Heures comptées" in body
    assert "Il manque 407 heures" in body

    client.post(url("period_edit", draft, period.pk), _period(hours="1700"))
    period.refresh_from_db()
    assert period.hours == 1700
    assert "Condition des 1607 heures remplie" in client.get(url("step_experience", draft)).content.decode()

    client.post(url("period_delete", draft, period.pk))
    assert not ExperiencePeriod.objects.filter(dossier=draft).exists()


def test_experience_period_errors_keep_the_typed_values(client, draft):
    response = client.post(url("step_experience", draft), _period(end_date="2000-01-01", employer_name="SFR"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "La date de fin doit être postérieure à la date de début." in body
    assert 'value="SFR"' in body
    assert not ExperiencePeriod.objects.exists()


def test_experience_links_the_period_to_a_known_company(client, draft):
    company = CompanyFactory(siret=VALID_SIRETS[3])
    client.post(url("step_experience", draft), _period(siret=VALID_SIRETS[3], idcc=""))
    assert ExperiencePeriod.objects.get(dossier=draft).company == company


def test_experience_for_contract_routes_says_the_contract_is_the_rule(client, draft):
    draft.access_route = AccessRoute.CONTRAT_PRO
    draft.save()
    body = client.get(url("step_experience", draft)).content.decode()
    assert "la règle des 1607 heures ne s'applique pas" in body
    assert "Heures comptées" not in body


def test_a_period_of_another_dossier_is_not_found(client, draft):
    other = ExperiencePeriodFactory()
    assert client.get(url("period_edit", draft, other.pk)).status_code == 404
    client.post(url("period_delete", draft, other.pk))
    assert ExperiencePeriod.objects.filter(pk=other.pk).exists()


def test_extra_post_fields_are_ignored(client, draft):
    intruder = UserFactory()
    client.post(
        url("step_identity", draft),
        {
            "last_name": "Martin",
            "first_name": "Léa",
            "city": "Lyon",
            "state": DossierState.AWARDED,
            "number": "CQPT-2020-000001",
            "candidate": intruder.pk,
            "reviewer": intruder.pk,
            "submitted_at": "2020-01-01T00:00",
        },
    )
    client.post(
        url("step_candidacy", draft),
        {"access_route": AccessRoute.ACCES_LIBRE, "state": DossierState.ADMISSIBLE, "candidate": intruder.pk},
    )
    draft.refresh_from_db()
    assert draft.city == "Lyon"
    assert draft.state == DossierState.DRAFT
    assert draft.number is None
    assert draft.candidate_id != intruder.pk
    assert draft.reviewer_id is None
    assert draft.submitted_at is None


@pytest.mark.parametrize("state", [DossierState.SUBMITTED, DossierState.UNDER_REVIEW, DossierState.ADMISSIBLE])
def test_steps_are_read_only_outside_draft_and_incomplete(client, candidate, state):
    dossier = DossierFactory(candidate=candidate, state=state, number="CQPT-2025-000009", city="Paris")
    period = ExperiencePeriodFactory(dossier=dossier)
    response = client.get(url("step_identity", dossier))
    assert response.status_code == 200
    body = response.content.decode()
    assert "lecture seule" in body
    assert "disabled" in body
    assert "Enregistrer et continuer" not in body

    response = client.post(url("step_identity", dossier), {"city": "Marseille"}, follow=True)
    assert "plus modifiable" in response.content.decode()
    client.post(url("step_experience", dossier), _period())
    client.post(url("period_delete", dossier, period.pk))
    dossier.refresh_from_db()
    assert dossier.city == "Paris"
    assert list(dossier.periods.all()) == [period]


def test_incomplete_dossier_is_editable_and_shows_auvicom_missing_items(client, candidate):
    from candidates.models import AdmissibilityDecision

    dossier = DossierFactory(candidate=candidate, state=DossierState.INCOMPLETE, number="CQPT-2025-000010")
    AdmissibilityDecision.objects.create(
        dossier=dossier,
        outcome="incomplete",
        missing_items=["Copie du contrat de travail (toutes les pages)"],
        comment="La page 2 manque.",
        decided_by=UserFactory(role="auvicom_reviewer"),
    )
    body = client.get(url("step_identity", dossier)).content.decode()
    assert "Copie du contrat de travail (toutes les pages)" in body
    assert "La page 2 manque." in body
    client.post(url("step_identity", dossier), {"last_name": "Martin", "first_name": "Léa", "city": "Nice"})
    dossier.refresh_from_db()
    assert dossier.city == "Nice"
