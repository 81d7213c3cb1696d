"""Saving answers: idempotent, last answer wins, and every refusal of the issue (view and service)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cqpt_portal.exceptions import ActionRefused
from quiz.enums import AttemptState
from quiz.models import Question
from quiz.services import answer_save
from quiz.workflow import ATTEMPT_WORKFLOW
from tests.conftest import login
from tests.factories import UserFactory

from .support import QuizSetup, correct_keys, wrong_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def running():
    s = QuizSetup()
    attempt = s.start(s.open())
    return s, attempt, list(attempt.questions.order_by("position"))


def test_the_same_answer_twice_is_stored_once_and_a_new_answer_replaces_it(running):
    s, attempt, items = running
    keys = correct_keys(items[0])
    first = answer_save(attempt_id=attempt.pk, position=1, keys=keys, actor=s.candidate)
    again = answer_save(attempt_id=attempt.pk, position=1, keys=keys, actor=s.candidate)
    assert first.saves == again.saves == 1
    changed = answer_save(attempt_id=attempt.pk, position=1, keys=[wrong_key(items[0])], actor=s.candidate)
    assert changed.saves == 2
    assert attempt.questions.get(position=1).selected == [wrong_key(items[0])]
    assert attempt.questions.count() == 4


def test_htmx_save_answers_a_fragment_saying_when_and_resuming_keeps_the_answers(client, running):
    s, attempt, items = running
    login(client, s.candidate)
    for item in items[:3]:
        fragment = client.post(
            reverse("quiz:save", args=[attempt.pk, item.position]),
            {"choices": correct_keys(item)},
            HTTP_HX_REQUEST="true",
        )
        assert fragment.status_code == 200
        assert "Réponse enregistrée à" in fragment.content.decode()
        assert "<html" not in fragment.content.decode()
    # A reload, another device: the attempt resumes at the first unanswered question.
    response = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert response.url == reverse("quiz:question", args=[attempt.pk, 4])
    page = client.get(reverse("quiz:question", args=[attempt.pk, 1])).content.decode()
    assert "Réponse enregistrée à" in page
    assert f'value="{correct_keys(items[0])[0]}"' in page and "checked" in page


def test_the_save_request_reads_and_writes_a_constant_small_number_of_queries(client, running):
    s, attempt, items = running
    login(client, s.candidate)
    url = reverse("quiz:save", args=[attempt.pk, 2])
    client.post(url, {"choices": [wrong_key(items[1])]})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"choices": correct_keys(items[1])})
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    # session, user, the attempt (permission), the question with the attempt locked, the UPDATE
    assert len(sql) <= 6, sql


def test_a_choice_that_does_not_belong_to_the_question_is_refused(client, running):
    s, attempt, items = running
    with pytest.raises(ActionRefused) as refused:
        answer_save(attempt_id=attempt.pk, position=1, keys=["99"], actor=s.candidate)
    assert "n'appartient pas à cette question" in refused.value.message
    login(client, s.candidate)
    page = client.post(reverse("quiz:question", args=[attempt.pk, 1]), {"choices": ["99"]})
    assert page.status_code == 422
    assert "appartient pas à cette question" in page.content.decode()
    fragment = client.post(reverse("quiz:save", args=[attempt.pk, 1]), {"choices": ["99"]})
    assert "appartient pas à cette question" in fragment.content.decode()
    assert attempt.questions.get(position=1).selected is None


def test_two_answers_to_a_single_choice_question_are_refused():
    # A draw of single-choice questions only: the random draw of `running` may hold none (1 time in 36).
    s = QuizSetup()
    Question.objects.filter(cqpt=s.cqpt, kind="multiple").update(is_active=False)
    attempt = s.start(s.open())
    items = list(attempt.questions.order_by("position"))
    single = next(i for i in items if i.kind == "single")
    with pytest.raises(ActionRefused, match="une seule réponse"):
        answer_save(attempt_id=attempt.pk, position=single.position, keys=["1", "2"], actor=s.candidate)


def test_answering_someone_elses_attempt_is_refused(client, running):
    s, attempt, items = running
    other = UserFactory()
    login(client, other)
    assert client.post(reverse("quiz:save", args=[attempt.pk, 1]), {"choices": ["1"]}).status_code == 403
    assert client.post(reverse("quiz:question", args=[attempt.pk, 1]), {"choices": ["1"]}).status_code == 403
    assert client.get(reverse("quiz:question", args=[attempt.pk, 1])).status_code == 403
    login(client, s.evaluator)  # the evaluator sees the attempt but never answers it
    assert client.post(reverse("quiz:save", args=[attempt.pk, 1]), {"choices": ["1"]}).status_code == 403
    with pytest.raises(ActionRefused, match="pas le vôtre"):
        answer_save(attempt_id=attempt.pk, position=1, keys=["1"], actor=other)
    assert attempt.questions.filter(selected__isnull=False).count() == 0


def test_changing_a_saved_answer_after_closing_is_refused(client, running):
    s, attempt, items = running
    answer_save(attempt_id=attempt.pk, position=1, keys=correct_keys(items[0]), actor=s.candidate)
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=s.candidate)
    with pytest.raises(ActionRefused, match="pas en cours"):
        answer_save(attempt_id=attempt.pk, position=1, keys=[wrong_key(items[0])], actor=s.candidate)
    login(client, s.candidate)
    fragment = client.post(reverse("quiz:save", args=[attempt.pk, 1]), {"choices": [wrong_key(items[0])]})
    assert "pas en cours" in fragment.content.decode() and "Voir mon résultat" in fragment.content.decode()
    response = client.post(reverse("quiz:question", args=[attempt.pk, 1]), {"choices": [wrong_key(items[0])]})
    assert response.status_code == 302
    assert attempt.questions.get(position=1).selected == correct_keys(items[0])


def test_answering_an_attempt_not_started_is_refused(client):
    s = QuizSetup()
    attempt = s.open()
    with pytest.raises(ActionRefused, match="pas en cours"):
        answer_save(attempt_id=attempt.pk, position=1, keys=["1"], actor=s.candidate)
    login(client, s.candidate)
    assert client.get(reverse("quiz:question", args=[attempt.pk, 1])).url == reverse("quiz:attempt", args=[attempt.pk])


def test_the_correct_answers_never_reach_the_browser_before_closing(client, running):
    s, attempt, items = running
    login(client, s.candidate)
    for item in items:
        page = client.get(reverse("quiz:question", args=[attempt.pk, item.position])).content.decode()
        assert "bonne réponse" not in page and "correct" not in page and "Explication" not in page
        assert item.explanation not in page
        assert "source" not in page
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=s.candidate)
    page = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    assert "bonne réponse" in page and items[0].explanation in page


def test_the_candidate_finishing_with_no_answer_scores_zero_and_the_result_is_recorded(client, running):
    s, attempt, items = running
    login(client, s.candidate)
    client.post(reverse("quiz:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED and attempt.score == 0 and attempt.passed is False
    assert attempt.result_recorded_at is not None
