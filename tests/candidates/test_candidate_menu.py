"""The menu of steps and the path, computed on the server (candidates.steps), and shown on every page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DocumentKind, DossierState
from candidates.models import AdmissibilityDecision, Dossier, DossierDocument
from candidates.services import submission_problems
from candidates.steps import ATTENTION, DONE, TODO, dossier_steps, dossier_timeline
from tests.conftest import login
from tests.factories import DossierFactory, ExperiencePeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


def statuses(dossier, **kwargs):
    dossier = Dossier.objects.get(pk=dossier.pk)
    problems = submission_problems(dossier, reference_date=timezone.localdate())
    return {s.key: s.status for s in dossier_steps(dossier, problems=problems, **kwargs)}


def test_a_new_draft_is_all_to_do():
    user = UserFactory()
    dossier = Dossier.objects.create(candidate=user, first_name=user.first_name, last_name=user.last_name)
    assert set(statuses(dossier).values()) == {TODO}


def test_filled_steps_are_done_and_half_filled_ones_need_attention():
    user = UserFactory()
    dossier = Dossier.objects.create(candidate=user, first_name="A", last_name="B", city="Paris")
    assert statuses(dossier)["identity"] == ATTENTION  # typed something, phone and birth date missing
    dossier.phone, dossier.birth_date = "0600000000", "1990-01-01"
    dossier.save()
    assert statuses(dossier)["identity"] == DONE


def test_a_visited_but_empty_step_needs_attention():
    user = UserFactory()
    dossier = Dossier.objects.create(candidate=user)
    assert statuses(dossier)["funding"] == TODO
    assert statuses(dossier, visited={"funding"})["funding"] == ATTENTION


def test_missing_hours_flag_the_experience_step():
    dossier = DossierFactory()
    assert statuses(dossier)["experience"] == TODO
    ExperiencePeriodFactory(dossier=dossier, hours=100)
    result = statuses(dossier)
    assert result["experience"] == ATTENTION
    assert result["identity"] == DONE
    assert result["documents"] == TODO


def test_experience_is_optional_for_contract_routes():
    dossier = DossierFactory(access_route=AccessRoute.PERIODE_PRO, contract_type=ContractType.CDI)
    dossier = Dossier.objects.get(pk=dossier.pk)
    steps = dossier_steps(dossier, problems=submission_problems(dossier, reference_date=timezone.localdate()))
    experience = next(s for s in steps if s.key == "experience")
    assert experience.status == DONE
    assert "Facultatif" in experience.note


def test_auvicom_incomplete_decision_needs_attention():
    dossier = DossierFactory(state=DossierState.INCOMPLETE, number="CQPT-2025-000003")
    decision = AdmissibilityDecision.objects.create(
        dossier=dossier,
        outcome="incomplete",
        missing_items=["Pièce d'identité lisible", "documents"],
        decided_by=UserFactory(role="auvicom_reviewer"),
    )
    result = statuses(dossier, decision=decision)
    assert result["submit"] == ATTENTION
    assert result["documents"] == ATTENTION  # named by its key
    assert result["identity"] == DONE


def test_a_submitted_dossier_is_all_done():
    dossier = DossierFactory(state=DossierState.SUBMITTED, number="CQPT-2025-000004")
    ExperiencePeriodFactory(dossier=dossier)
    for kind in (DocumentKind.IDENTITY, DocumentKind.CONTRACT, DocumentKind.EXPERIENCE_ATTESTATION):
        DossierDocument.objects.create(
            dossier=dossier, kind=kind, file="dossiers/x.pdf", original_name="x.pdf", content_type="x", size=1
        )
    assert set(statuses(dossier).values()) == {DONE}


def test_the_menu_is_on_every_step_page_with_statuses(client):
    dossier = DossierFactory()
    ExperiencePeriodFactory(dossier=dossier, hours=100)
    login(client, dossier.candidate)
    pages = [
        "step_identity",
        "step_employment",
        "step_candidacy",
        "step_funding",
        "step_experience",
        "step_documents",
        "step_submit",
    ]
    for name in pages:
        response = client.get(reverse(f"candidates:{name}", args=[dossier.pk]))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert body.count("<h1") == 1, name
        for other in pages:
            assert reverse(f"candidates:{other}", args=[dossier.pk]) in body
        assert "Complété" in body and "À corriger" in body and "À faire" in body
        assert 'aria-current="step"' in body


def test_menu_shows_attention_after_a_document_is_missing(client):
    dossier = DossierFactory()
    login(client, dossier.candidate)
    assert not DossierDocument.objects.filter(dossier=dossier, kind=DocumentKind.IDENTITY).exists()
    body = client.get(reverse("candidates:step_documents", args=[dossier.pk])).content.decode()
    assert "Obligatoire, manquante" in body


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DossierState.DRAFT, {"filed": "current", "admissibility": "todo"}),
        (DossierState.SUBMITTED, {"filed": "done", "admissibility": "current"}),
        (DossierState.INADMISSIBLE, {"admissibility": "failed", "evaluator": "todo"}),
        (DossierState.ADMISSIBLE, {"admissibility": "done", "evaluator": "current"}),
        (DossierState.IN_EVALUATION, {"evidence": "current", "quiz": "current", "workplace": "current"}),
        (DossierState.TRANSMITTED_TO_CPNE, {"workplace": "done", "cpne": "current"}),
        (DossierState.NOT_AWARDED, {"cpne": "failed", "certificate": "todo"}),
        (DossierState.AWARDED, {"cpne": "done", "certificate": "done"}),
    ],
)
def test_timeline_positions(state, expected):
    dossier = Dossier(state=state)
    timeline = {s.key: s.status for s in dossier_timeline(dossier)}
    assert len(timeline) == 8
    for key, status in expected.items():
        assert timeline[key] == status, key


def test_timeline_of_a_withdrawn_dossier_stops_where_it_left():
    timeline = {
        s.key: s.status for s in dossier_timeline(Dossier(state=DossierState.WITHDRAWN), stopped_from="admissible")
    }
    assert timeline["admissibility"] == "done"
    assert timeline["evaluator"] == "stopped"


@pytest.mark.parametrize("state", [DossierState.DRAFT, DossierState.WITHDRAWN])
def test_the_last_step_is_not_complete_while_earlier_steps_are_empty(state):
    """The review page ("Vérifier et déposer") is complete only once every earlier step is."""
    user = UserFactory()
    dossier = Dossier.objects.create(candidate=user, first_name=user.first_name, last_name=user.last_name, state=state)
    result = statuses(dossier, visited={"submit"})
    assert result["identity"] != DONE
    assert result["submit"] == TODO
