"""The prédiagnostic: proposed by AUVICOM before any evaluation or by the evaluator; a score per block, a band
and the training advised per weak block; no pass or fail; it never touches the evaluation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.enums import QuizState
from quiz.enums import AttemptState, QuizPurpose
from quiz.models import Attempt
from quiz.services import answer_save
from quiz.workflow import ATTEMPT_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import Setup

from .support import bank, correct_keys, definition, wrong_key

pytestmark = pytest.mark.django_db


def test_auvicom_proposes_a_prediagnostic_before_the_evaluation_and_the_candidate_sees_band_and_training(client):
    s = Setup()  # admissible dossier, no evaluation yet
    bank(s.cqpt, per_block=4)
    quiz = definition(s.cqpt, purpose=QuizPurpose.PREDIAGNOSTIC, min_percent=60)
    phase2 = definition(s.cqpt, purpose=QuizPurpose.PHASE2)
    login(client, s.reviewer)
    page = client.get(reverse("quiz:dossier", args=[s.dossier.pk])).content.decode()
    assert f'value="{quiz.pk}"' in page and f'value="{phase2.pk}"' not in page
    now = timezone.localtime()
    response = client.post(
        reverse("quiz:dossier", args=[s.dossier.pk]),
        {
            "definition": quiz.pk,
            "window_opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "window_closes_at": (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    attempt = Attempt.objects.get()
    assert response.url == reverse("quiz:attempt", args=[attempt.pk])
    assert attempt.evaluation is None and attempt.purpose == QuizPurpose.PREDIAGNOSTIC
    candidate = s.dossier.candidate
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="start_attempt", actor=candidate)
    items = list(attempt.questions.order_by("position").select_related("block"))
    first_block = items[0].block_id
    for item in items:
        keys = correct_keys(item) if item.block_id == first_block else [wrong_key(item)]
        answer_save(attempt_id=attempt.pk, position=item.position, keys=keys, actor=candidate)
    login(client, candidate)
    client.post(reverse("quiz:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED and attempt.score == 50
    assert attempt.passed is None and attempt.band == "Prêt avec un complément de formation"
    page = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    assert "Prêt avec un complément de formation" in page and "réussi" not in page
    weak = attempt.block_results.exclude(block_id=first_block).get()
    assert weak.passed is False and weak.training == f"Module de formation {weak.block.code}"
    assert weak.training in page
    login(client, s.reviewer)
    assert client.get(reverse("quiz:attempt", args=[attempt.pk])).status_code == 200


def test_a_phase2_quiz_needs_an_evaluation_in_progress_and_auvicom_cannot_open_it(client):
    s = Setup()
    bank(s.cqpt, per_block=4)
    phase2 = definition(s.cqpt, purpose=QuizPurpose.PHASE2)
    from cqpt_portal.exceptions import ActionRefused
    from quiz.services import attempt_open

    now = timezone.now()
    with pytest.raises(ActionRefused, match="évaluation en cours"):
        attempt_open(
            definition=phase2,
            candidate=s.dossier.candidate,
            actor=s.reviewer,
            window_opens_at=now,
            window_closes_at=now + datetime.timedelta(days=1),
            dossier=s.dossier,
        )


def test_the_evaluator_opens_a_prediagnostic_during_the_evaluation_and_phase_2_stays_pending():
    from .support import QuizSetup

    s = QuizSetup()
    quiz = definition(s.cqpt, purpose=QuizPurpose.PREDIAGNOSTIC)
    attempt = s.start(s.open(quiz=quiz))
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=s.candidate)
    s.evaluation.refresh_from_db()
    assert s.evaluation.quiz_state == QuizState.PENDING
