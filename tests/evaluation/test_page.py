"""The evaluation page: who sees it, what it shows (grid, phases, what next), and its bounded queries."""

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from cqpt_portal.accounts.enums import Role
from evaluation.enums import CompetencyResult, EvaluationState, Phase
from evaluation.models import AccompanimentNote, Appointment
from evaluation.services.accompaniment import next_step
from evaluation.workflow import EVIDENCE_WORKFLOW
from tests.evaluation.support import Setup
from tests.evaluation.support_accomp import as_user, in_days, outsiders, page, started
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_login(client):
    setup = started()
    response = client.get(page(setup.evaluation.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_allowed_users_see_the_page(client):
    setup = started()
    allowed = [
        setup.evaluator,
        setup.manager,
        setup.dossier.candidate,
        UserFactory(role=Role.AUVICOM_REVIEWER),
        UserFactory(role=Role.ADMIN),
    ]
    for user in allowed:
        response = as_user(client, user).get(page(setup.evaluation.pk))
        assert response.status_code == 200, user.role
        assert "Grille de compétences du CQPT" in response.content.decode()


def test_outsiders_are_refused(client):
    setup = started()
    for name, user in outsiders(setup).items():
        response = as_user(client, user).get(page(setup.evaluation.pk))
        assert response.status_code == 403, name


def test_page_shows_grid_with_results_and_phases(client):
    setup = started()
    setup.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=setup.evaluation.pk, name="submit_evidence", actor=setup.dossier.candidate)
    setup.assess_all(Phase.EVIDENCE, CompetencyResult.NOT_ACQUIRED)
    body = as_user(client, setup.dossier.candidate).get(page(setup.evaluation.pk)).content.decode()
    for competency in setup.competencies():
        assert competency.code in body
    assert "Non acquise" in body
    assert "Mise en situation de travail réelle" in body
    assert "Preuves remises, à évaluer" in body
    assert "L&#x27;évaluateur doit évaluer le dossier de preuves." in body


def test_next_step_sentence_for_each_situation():
    setup = Setup()
    setup.assign()
    candidate, evaluator = setup.dossier.candidate, setup.evaluator
    assert "accepter" in next_step(setup.evaluation, candidate)
    setup.accept()
    ev = setup.evaluation
    assert next_step(ev, candidate).startswith("Ajoutez vos preuves")
    assert next_step(ev, evaluator).startswith("Le candidat doit rassembler")
    setup.add_evidence()
    ev = EVIDENCE_WORKFLOW.apply(pk=ev.pk, name="submit_evidence", actor=candidate)
    assert next_step(ev, evaluator).startswith("Évaluez chaque compétence")
    assert next_step(ev, candidate).startswith("L'évaluateur doit évaluer")
    ev = EVIDENCE_WORKFLOW.apply(pk=ev.pk, name="return_evidence", actor=evaluator, data={"comment": "Plus"})
    assert next_step(ev, candidate).startswith("Complétez votre dossier")
    ev.state = EvaluationState.ABANDONED
    assert "abandonnée" in next_step(ev, candidate)
    ev.state = EvaluationState.TRANSMITTED
    assert "CPNE" in next_step(ev, candidate)


def test_next_step_after_all_phases():
    setup = Setup()
    ev = setup.complete_phases()
    assert next_step(ev, setup.evaluator).startswith("Rédigez la synthèse")
    assert next_step(ev, setup.dossier.candidate).startswith("L'évaluateur rédige")


def _fill(setup, n):
    for i in range(n):
        setup.add_evidence()
        AccompanimentNote.objects.create(
            evaluation=setup.evaluation, author=setup.evaluator, text=f"n{i}", visible_to_candidate=bool(i % 2)
        )
        Appointment.objects.create(
            evaluation=setup.evaluation,
            title=f"RDV {i}",
            starts_at=in_days(i + 1),
            working_time="during",
            place="Lyon",
            created_by=setup.evaluator,
        )


@pytest.mark.parametrize("who", ["evaluator", "candidate"])
def test_page_queries_do_not_grow_with_rows(client, who):
    counts = []
    for n in (2, 20):
        setup = started()
        _fill(setup, n)
        user = setup.evaluator if who == "evaluator" else setup.dossier.candidate
        as_user(client, user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page(setup.evaluation.pk))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_auvicom_reads_without_acting(client):
    setup = started()
    AccompanimentNote.objects.create(evaluation=setup.evaluation, author=setup.evaluator, text="Privée QWE")
    response = as_user(client, UserFactory(role=Role.AUVICOM_REVIEWER)).get(page(setup.evaluation.pk))
    assert response.status_code == 200
    context = response.context
    assert context["appointment_form"] is None and context["note_form"] is None and context["evidence_form"] is None
    assert "Privée QWE" not in response.content.decode()


def test_assessment_page_queries_do_not_grow_with_evidence(client):
    from django.urls import reverse

    counts = []
    for n in (2, 20):
        setup = started()
        for _ in range(n):
            setup.add_evidence()
        EVIDENCE_WORKFLOW.apply(pk=setup.evaluation.pk, name="submit_evidence", actor=setup.dossier.candidate)
        as_user(client, setup.evaluator)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("evaluation:assess", args=[setup.evaluation.pk, "evidence"]))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
