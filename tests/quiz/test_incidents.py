"""Incidents: the candidate or the evaluator reports one; the evaluator neutralises a question or grants a new
attempt, each with a reason, audited; otherwise one attempt per quiz."""

import pytest
from django.urls import reverse

from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from quiz.enums import AttemptState
from quiz.models import Attempt, Incident
from quiz.services import answer_save
from quiz.workflow import ATTEMPT_WORKFLOW
from tests.conftest import login

from .support import QuizSetup, correct_keys, wrong_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    s = QuizSetup()
    s.attempt = s.start(s.open())
    s.items = list(s.attempt.questions.order_by("position"))
    return s


def test_the_candidate_reports_an_incident_during_the_attempt_and_the_evaluator_sees_it(client, setup):
    s = setup
    login(client, s.candidate)
    back = reverse("quiz:question", args=[s.attempt.pk, 2])
    response = client.post(
        reverse("quiz:incident", args=[s.attempt.pk]),
        {"kind": "ambiguous", "position": 2, "description": "Deux réponses semblent justes.", "back": back},
    )
    assert response.url == back
    incident = Incident.objects.get()
    assert incident.question.position == 2 and incident.reported_by == s.candidate
    assert AuditEvent.objects.filter(action="report_incident", object_id=str(s.attempt.pk)).exists()
    login(client, s.evaluator)
    page = client.get(reverse("quiz:attempt", args=[s.attempt.pk])).content.decode()
    assert "Deux réponses semblent justes." in page


def test_an_incident_without_description_is_refused_next_to_the_field(client, setup):
    login(client, setup.candidate)
    response = client.post(reverse("quiz:incident", args=[setup.attempt.pk]), {"kind": "technical", "description": ""})
    assert response.status_code == 422
    assert Incident.objects.count() == 0


def test_neutralising_a_question_after_scoring_rescores_on_the_rest_with_a_reason(client, setup):
    s = setup
    for item in s.items[:3]:
        answer_save(attempt_id=s.attempt.pk, position=item.position, keys=correct_keys(item), actor=s.candidate)
    answer_save(attempt_id=s.attempt.pk, position=4, keys=[wrong_key(s.items[3])], actor=s.candidate)
    ATTEMPT_WORKFLOW.apply(pk=s.attempt.pk, name="finish_attempt", actor=s.candidate)
    s.attempt.refresh_from_db()
    assert s.attempt.score == 75
    login(client, s.evaluator)
    url = reverse("quiz:neutralise", args=[s.attempt.pk])
    refused = client.post(url, {"position": 4, "reason": ""})
    assert refused.status_code == 422
    client.post(url, {"position": 4, "reason": "Question erronée (deux bonnes réponses)."})
    s.attempt.refresh_from_db()
    assert s.attempt.score == 100
    event = AuditEvent.objects.get(action="neutralise_question", object_id=str(s.attempt.pk))
    assert event.comment == "Question erronée (deux bonnes réponses)." and event.extra["position"] == 4
    again = client.post(url, {"position": 4, "reason": "encore"})
    assert "déjà neutralisée" in again.content.decode()


def test_one_attempt_per_quiz_unless_the_evaluator_grants_a_new_one_with_a_reason(client, setup):
    s = setup
    with pytest.raises(ActionRefused, match="déjà une tentative"):
        s.open()
    login(client, s.evaluator)
    url = reverse("quiz:new_attempt", args=[s.attempt.pk])
    refused = client.post(url, {"comment": ""})
    assert refused.status_code == 422 and "nouvelle tentative est accordée" in refused.content.decode()
    response = client.post(url, {"comment": "Coupure de courant chez le candidat."})
    new = Attempt.objects.exclude(pk=s.attempt.pk).get()
    assert response.url == reverse("quiz:attempt", args=[new.pk])
    s.attempt.refresh_from_db()
    assert s.attempt.state == AttemptState.VOIDED and s.attempt.void_reason == "Coupure de courant chez le candidat."
    assert new.state == AttemptState.OPEN and new.replaces_id == s.attempt.pk
    assert AuditEvent.objects.filter(action="void_attempt", object_id=str(s.attempt.pk)).exists()
    login(client, s.candidate)
    assert "Commencer le quiz" in client.get(reverse("quiz:attempt", args=[new.pk])).content.decode()
