"""The evaluation's dashboards: the evaluator's tasks, the organisation manager's, AUVICOM's overview."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.accounts.enums import Role
from evaluation.enums import EvaluationState
from evaluation.models import Appointment, Assignment, Evaluation, WorkplaceVisit
from evaluation.services.accompaniment import appointment_plan
from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, WORKPLACE_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    Setup,
    admissible_dossier,
    evaluator_of,
    fast_password_hashing,
    manager_of,
    organisation,
)
from tests.evaluation.support_assignment import more_evaluations
from tests.factories import VALID_SIRETS, UserFactory

pytestmark = pytest.mark.django_db

EVALUATOR = reverse("evaluation:evaluator_dashboard")
MANAGER = reverse("evaluation:manager_dashboard")
OVERVIEW = reverse("evaluation:auvicom_overview")


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _late(assignment_or_evaluation, days=12):
    Assignment.objects.filter(
        pk=getattr(assignment_or_evaluation, "assignment_pk", None) or assignment_or_evaluation.assignments.get().pk
    ).update(assigned_at=timezone.now() - datetime.timedelta(days=days))


# --- permissions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        (
            EVALUATOR,
            [Role.EVALUATOR, Role.EVALUATOR_MANAGER],
            [Role.CANDIDATE, Role.AUVICOM_REVIEWER, Role.CPNE_MEMBER],
        ),
        (
            OVERVIEW,
            [Role.AUVICOM_REVIEWER, Role.AUVICOM_FUNDING, Role.ADMIN],
            [Role.CANDIDATE, Role.EVALUATOR, Role.EVALUATOR_MANAGER, Role.CPNE_MEMBER, Role.EMPLOYER],
        ),
    ],
)
def test_dashboard_permissions(client, url, allowed, refused):
    s = Setup()
    for role in allowed:
        user = {Role.EVALUATOR: s.evaluator, Role.EVALUATOR_MANAGER: s.manager}.get(role) or UserFactory(role=role)
        login(client, user)
        assert client.get(url).status_code == 200, role
        client.logout()
    for role in refused:
        user = {Role.EVALUATOR: s.evaluator, Role.EVALUATOR_MANAGER: s.manager}.get(role) or UserFactory(role=role)
        login(client, user)
        assert client.get(url).status_code == 403, role
        client.logout()
    assert reverse("accounts:login") in client.get(url)["Location"]


def test_manager_dashboard_permissions(client):
    s = Setup()
    login(client, s.manager)
    assert client.get(MANAGER).status_code == 200
    for user in (
        s.evaluator,
        s.reviewer,
        s.dossier.candidate,
        UserFactory(role=Role.ADMIN),
        UserFactory(role=Role.EVALUATOR_MANAGER),  # no organisation
    ):
        client.logout()
        login(client, user)
        assert client.get(MANAGER).status_code == 403
    client.logout()
    assert reverse("accounts:login") in client.get(MANAGER)["Location"]


def test_a_manager_lands_on_the_manager_dashboard_and_keeps_the_evaluator_one(client):
    s = Setup()
    login(client, s.manager)
    assert client.get(reverse("accounts:dashboard"))["Location"] == MANAGER
    page = _text(client.get(MANAGER))
    assert EVALUATOR in page
    assert MANAGER in _text(client.get(EVALUATOR))


# --- the organisation manager -----------------------------------------------------------------------


def test_manager_sees_the_assignments_to_answer_with_age_and_lateness(client):
    s = Setup()
    s.assign()
    late = more_evaluations(s, 1)[0]
    _late(late)
    other_org = organisation(s.cqpt, siret=VALID_SIRETS[3], name="Autre organisme")
    foreign = more_evaluations(s, 1, organisation=other_org)[0]
    login(client, s.manager)
    page = _text(client.get(MANAGER))
    assert s.dossier.number in page
    assert late.dossier.number in page
    assert foreign.dossier.number not in page
    assert page.count("En retard") == 1
    assert "il y a 12 jours" in page
    assert f'id="id_a{s.evaluation.assignments.get().pk}_accept_assignment-evaluator"' in page
    assert 'name="accept_assignment-evaluator"' in page
    assert 'name="decline_assignment-comment"' in page


def test_manager_accepts_from_the_dashboard(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    response = client.post(
        reverse("evaluation:transition", args=[s.evaluation.pk]),
        {"transition": "accept_assignment", "accept_assignment-evaluator": s.evaluator.pk},
    )
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.IN_PROGRESS
    assert "Aucune désignation n'attend votre réponse." in _text(client.get(MANAGER))


def test_manager_sees_each_evaluators_load_and_evaluations_by_phase(client):
    s = Setup()
    s.accept()
    more_evaluations(s, 2, accept=True)
    idle = evaluator_of(s.org, last_name="Zzidle")
    login(client, s.manager)
    page = _text(client.get(MANAGER))
    assert idle.get_full_name() in page
    rows = [line for line in page.splitlines() if s.evaluator.get_full_name() in line and "text-end" in line]
    assert any(">3<" in row for row in rows)
    assert "Évaluations par phase" in page
    assert s.dossier.number in page  # the evaluations table


def test_manager_dashboard_queries_do_not_grow(client):
    s = Setup()
    s.accept()
    more_evaluations(s, 1)
    login(client, s.manager)
    with_two = _queries(client, MANAGER)
    more_evaluations(s, 24)
    more_evaluations(s, 24, accept=True)
    # Both lists are now longer than a page: each adds its COUNT (a list within a page needs none), no more.
    assert _queries(client, MANAGER) == with_two + 2
    assert _queries(client, MANAGER, {"page": 2, "apage": 2}) == with_two + 2


# --- the evaluator -------------------------------------------------------------------------------------


def test_evaluator_sees_what_is_due_oldest_first_with_counts(client):
    s = Setup()
    s.accept()
    s.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    login(client, s.evaluator)
    page = _text(client.get(EVALUATOR))
    assert "Dossier de preuves à évaluer" in page
    assert "Mise en situation à planifier" in page
    assert "Résultat du quiz à enregistrer" in page
    assert reverse("evaluation:detail", args=[s.evaluation.pk]) in page
    filtered = _text(client.get(EVALUATOR, {"kind": "evidence"}))
    assert filtered.count(reverse("evaluation:detail", args=[s.evaluation.pk])) == 1


def test_a_visit_past_its_date_asks_for_the_grid_and_complete_phases_ask_for_the_synthesis(client):
    s = Setup()
    s.accept()
    WORKPLACE_WORKFLOW.apply(
        pk=s.evaluation.pk,
        name="schedule_workplace",
        actor=s.evaluator,
        data={
            "scheduled_at": timezone.now() + datetime.timedelta(days=2),
            "address": "1 rue du Site",
            "working_time": "during",
        },
    )
    login(client, s.evaluator)
    detail = reverse("evaluation:detail", args=[s.evaluation.pk])
    assert detail not in _text(client.get(EVALUATOR, {"kind": "grid"}))
    WorkplaceVisit.objects.filter(evaluation=s.evaluation).update(
        scheduled_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = _text(client.get(EVALUATOR, {"kind": "grid"}))
    assert detail in page
    assert 'Mise en situation à planifier <span class="badge text-bg-light">0</span>' in page

    t = Setup()
    t.complete_phases()
    client.logout()
    login(client, t.evaluator)
    page = _text(client.get(EVALUATOR, {"kind": "synthesis"}))
    assert reverse("evaluation:detail", args=[t.evaluation.pk]) in page


def _plan(s, evaluation, days=3):
    return appointment_plan(
        evaluation_id=evaluation.pk,
        actor=s.evaluator,
        data={
            "title": "Point d'étape",
            "starts_at": timezone.now() + datetime.timedelta(days=days),
            "duration_minutes": 60,
            "place": "Agence",
            "working_time": "during",
        },
    )


def test_an_evaluation_without_an_upcoming_appointment_asks_for_one(client):
    s = Setup()
    s.accept()
    login(client, s.evaluator)
    detail = reverse("evaluation:detail", args=[s.evaluation.pk])
    page = _text(client.get(EVALUATOR, {"kind": "appointment"}))
    assert "Rendez-vous d'accompagnement à fixer" in page and detail in page
    appointment = _plan(s, s.evaluation)
    page = _text(client.get(EVALUATOR, {"kind": "appointment"}))
    assert detail not in page
    assert 'Rendez-vous d\'accompagnement à fixer <span class="badge text-bg-light">0</span>' in page
    # Once the appointment is past, the next one is to set.
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    page = _text(client.get(EVALUATOR, {"kind": "appointment"}))
    assert detail in page
    assert 'Rendez-vous d\'accompagnement à fixer <span class="badge text-bg-light">1</span>' in page


def test_an_evaluator_sees_only_their_own_evaluations(client):
    s = Setup()
    s.accept()
    colleague = evaluator_of(s.org)
    theirs = more_evaluations(s, 1, accept=True, evaluator=colleague)[0]
    login(client, s.evaluator)
    page = _text(client.get(EVALUATOR))
    assert reverse("evaluation:detail", args=[s.evaluation.pk]) in page
    assert reverse("evaluation:detail", args=[theirs.pk]) not in page


def test_an_evaluator_with_nothing_due_is_told_so(client):
    s = Setup()
    login(client, s.evaluator)
    assert "Rien ne vous attend pour l'instant." in _text(client.get(EVALUATOR))


def test_evaluator_dashboard_queries_do_not_grow(client):
    s = Setup()
    s.accept()
    login(client, s.evaluator)
    with_two = _queries(client, EVALUATOR)
    more_evaluations(s, 49, accept=True)
    for evaluation in Evaluation.objects.filter(evaluator=s.evaluator).order_by("pk")[:20]:
        _plan(s, evaluation)
    assert _queries(client, EVALUATOR) == with_two
    assert _queries(client, EVALUATOR, {"page": 3}) == with_two
    assert _queries(client, EVALUATOR, {"kind": "quiz", "page": 2}) == with_two
    assert _queries(client, EVALUATOR, {"kind": "appointment", "page": 2}) == with_two


# --- AUVICOM ---------------------------------------------------------------------------------------------


def test_overview_lists_dossiers_to_assign_reassign_and_late_assignments(client):
    s = Setup()
    assigned = Setup()
    assigned.assign()
    declined = Setup()
    declined.assign()
    EVALUATION_WORKFLOW.apply(
        pk=declined.evaluation.pk, name="decline_assignment", actor=declined.manager, data={"comment": "Complet"}
    )
    late = Setup()
    late.assign()
    _late(late.evaluation)
    login(client, s.reviewer)
    page = _text(client.get(OVERVIEW))
    to_assign, _sep, rest = page.partition("Désignations sans réponse dans le délai")
    assert s.dossier.number in to_assign
    assert declined.dossier.number in to_assign
    assert "Organisme à désigner de nouveau (refus)" in to_assign
    assert assigned.dossier.number not in to_assign
    late_list, _sep, by_org = rest.partition("Évaluations par phase et par organisme")
    assert late.dossier.number in late_list
    assert assigned.dossier.number not in late_list
    assert reverse("evaluation:assignment", args=[late.dossier.pk]) in late_list
    assert late.org.name in by_org
    assert declined.org.name in by_org


def test_the_review_queue_and_review_page_link_to_the_assignment(client):
    s = Setup()
    login(client, s.reviewer)
    assert OVERVIEW in _text(client.get(reverse("candidates:auvicom_dashboard")))
    assert reverse("evaluation:assignment", args=[s.dossier.pk]) in _text(
        client.get(reverse("candidates:admissibility_detail", args=[s.dossier.pk]))
    )


def test_overview_queries_do_not_grow(client):
    s = Setup()
    s.assign()
    _late(s.evaluation)
    admissible_dossier(s.cqpt)
    login(client, s.reviewer)
    with_two = _queries(client, OVERVIEW)
    for evaluation in more_evaluations(s, 49):
        _late(evaluation)
    for _ in range(49):
        admissible_dossier(s.cqpt)
    # Both lists are now longer than a page: each adds its COUNT (a list within a page needs none), no more.
    assert _queries(client, OVERVIEW) == with_two + 2
    assert _queries(client, OVERVIEW, {"page": 2, "lpage": 3}) == with_two + 2
