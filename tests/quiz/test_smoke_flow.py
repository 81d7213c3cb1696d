import pytest
from django.urls import reverse

from evaluation.enums import PhaseResult, QuizState
from quiz.enums import AttemptState
from tests.conftest import login

from .support import QuizSetup, correct_keys

pytestmark = pytest.mark.django_db


def test_candidate_takes_the_phase2_quiz_through_the_pages_and_the_result_reaches_the_evaluation(client):
    s = QuizSetup()
    attempt = s.open()
    login(client, s.candidate)
    response = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert response.status_code == 200
    response = client.post(reverse("quiz:start", args=[attempt.pk]))
    assert response.url == reverse("quiz:question", args=[attempt.pk, 1])
    items = list(attempt.questions.order_by("position"))
    for item in items:
        page = client.get(reverse("quiz:question", args=[attempt.pk, item.position]))
        assert page.status_code == 200
        assert b"correct" not in page.content
        response = client.post(
            reverse("quiz:question", args=[attempt.pk, item.position]), {"choices": correct_keys(item)}
        )
        assert response.status_code == 302
    response = client.post(reverse("quiz:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED
    assert attempt.score == 100
    assert attempt.passed is True
    s.evaluation.refresh_from_db()
    assert s.evaluation.quiz_state == QuizState.CLOSED
    assert s.evaluation.quiz_result == PhaseResult.PASSED
    assert s.evaluation.quiz_score == 100
    page = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert "Score global : 100" in page.content.decode()
