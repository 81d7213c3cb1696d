"""The assessment of each competency in an assessed phase (dossier de preuves, mise en situation), one service
and one page for both."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from evaluation.enums import CompetencyResult, Phase
from evaluation.models import CompetencyAssessment
from evaluation.services.assessment import competencies_assess
from evaluation.workflow import EVIDENCE_WORKFLOW, WORKPLACE_WORKFLOW
from tests.evaluation.support import Setup
from tests.evaluation.support_accomp import as_user, outsiders, page, started
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def submitted() -> Setup:
    setup = started()
    setup.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=setup.evaluation.pk, name="submit_evidence", actor=setup.dossier.candidate)
    setup.evaluation.refresh_from_db()
    return setup


def url(setup, phase="evidence"):
    return reverse("evaluation:assess", kwargs={"pk": setup.evaluation.pk, "phase": phase})


def test_evaluator_assesses_the_evidence_competencies(client):
    setup = submitted()
    first, second, *_ = setup.competencies()
    as_user(client, setup.evaluator)
    response = client.get(url(setup))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preuves insuffisantes" in body and "Non observée" not in body
    assert "preuve.pdf" in body
    response = client.post(
        url(setup),
        {
            f"result_{first.pk}": CompetencyResult.ACQUIRED,
            f"comment_{first.pk}": "Très clair",
            f"result_{second.pk}": CompetencyResult.INSUFFICIENT_EVIDENCE,
        },
    )
    assert response.status_code == 302
    rows = {a.competency_id: a for a in CompetencyAssessment.objects.filter(phase=Phase.EVIDENCE)}
    assert rows[first.pk].result == CompetencyResult.ACQUIRED and rows[first.pk].comment == "Très clair"
    assert rows[second.pk].result == CompetencyResult.INSUFFICIENT_EVIDENCE
    assert len(rows) == 2
    assert AuditEvent.objects.filter(action="competencies_assessed").count() == 1
    body = as_user(client, setup.dossier.candidate).get(page(setup.evaluation.pk)).content.decode()
    assert "Preuves insuffisantes" in body


def test_result_not_allowed_in_the_phase_refused_next_to_the_field(client):
    setup = submitted()
    competency = setup.competencies()[0]
    as_user(client, setup.evaluator)
    response = client.post(url(setup), {f"result_{competency.pk}": CompetencyResult.NOT_OBSERVED})
    assert response.status_code == 200
    assert f"result_{competency.pk}" in response.context["form"].errors
    assert not CompetencyAssessment.objects.exists()


def test_competency_outside_the_grid_refused():
    setup = submitted()
    other = Setup()
    with pytest.raises(ActionRefused):
        competencies_assess(
            evaluation_id=setup.evaluation.pk,
            phase=Phase.EVIDENCE,
            actor=setup.evaluator,
            results={other.competencies()[0].pk: (CompetencyResult.ACQUIRED, "")},
        )
    assert not CompetencyAssessment.objects.exists()


def test_competency_outside_the_grid_ignored_by_the_page(client):
    setup = submitted()
    other = Setup()
    as_user(client, setup.evaluator)
    response = client.post(url(setup), {f"result_{other.competencies()[0].pk}": CompetencyResult.ACQUIRED})
    assert response.status_code == 302
    assert not CompetencyAssessment.objects.exists()


def test_assessing_only_while_the_phase_is_open(client):
    setup = started()  # evidence still being collected
    as_user(client, setup.evaluator)
    competency = setup.competencies()[0]
    response = client.post(url(setup), {f"result_{competency.pk}": CompetencyResult.ACQUIRED})
    assert response.status_code == 200
    assert not CompetencyAssessment.objects.exists()
    with pytest.raises(ActionRefused):
        competencies_assess(
            evaluation_id=setup.evaluation.pk,
            phase=Phase.WORKPLACE,
            actor=setup.evaluator,
            results={competency.pk: (CompetencyResult.ACQUIRED, "")},
        )


def test_the_same_page_assesses_the_mise_en_situation(client):
    setup = started()
    WORKPLACE_WORKFLOW.apply(
        pk=setup.evaluation.pk,
        name="schedule_workplace",
        actor=setup.evaluator,
        data={
            "scheduled_at": timezone.now() + datetime.timedelta(days=3),
            "address": "1 rue du Site",
            "working_time": "during",
        },
    )
    competency = setup.competencies()[0]
    as_user(client, setup.evaluator)
    body = client.get(url(setup, "workplace")).content.decode()
    assert "Non observée" in body and "Preuves insuffisantes" not in body
    response = client.post(url(setup, "workplace"), {f"result_{competency.pk}": CompetencyResult.NOT_OBSERVED})
    assert response.status_code == 302
    row = CompetencyAssessment.objects.get()
    assert row.phase == Phase.WORKPLACE and row.result == CompetencyResult.NOT_OBSERVED


def test_assessment_page_refused_to_others(client):
    setup = submitted()
    refused = [setup.manager, setup.dossier.candidate, UserFactory(role="auvicom_reviewer"), *outsiders(setup).values()]
    for user in refused:
        assert as_user(client, user).get(url(setup)).status_code == 403
        competency = setup.competencies()[0]
        assert client.post(url(setup), {f"result_{competency.pk}": "acquired"}).status_code == 403
    assert not CompetencyAssessment.objects.exists()
    as_user(client, setup.evaluator)
    assert client.get(url(setup, "quiz")).status_code == 404
    client.logout()
    assert client.get(url(setup)).status_code == 302
