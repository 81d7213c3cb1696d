"""The server's clock: deadline = start + limit + extra time; the grace period; closing by beat and at the next
request, scored with every answer saved before the deadline, never empty."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from evaluation.enums import PhaseResult, QuizState
from quiz.enums import AttemptState
from quiz.services import answer_save, attempt_grant_extra_time, attempts_close_expired
from quiz.tasks import close_expired_attempts
from tests.conftest import login

from .support import QuizSetup, correct_keys, wrong_key

pytestmark = pytest.mark.django_db
T0 = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).replace(microsecond=0)


def started(minutes=10, **kwargs):
    s = QuizSetup(minutes=minutes, **kwargs)
    with time_machine.travel(T0, tick=False):
        attempt = s.start(s.open())
    return s, attempt


def test_deadline_is_start_plus_limit_and_answers_are_accepted_during_the_grace_period_only():
    s, attempt = started(minutes=10)
    assert attempt.started_at == T0
    assert attempt.deadline == T0 + datetime.timedelta(minutes=10)
    assert attempt.closes_at == attempt.deadline + datetime.timedelta(minutes=2)
    item = attempt.questions.get(position=1)
    with time_machine.travel(T0 + datetime.timedelta(minutes=11), tick=False):  # in the grace period
        answer_save(attempt_id=attempt.pk, position=1, keys=correct_keys(item), actor=s.candidate)
    with (
        time_machine.travel(T0 + datetime.timedelta(minutes=12, seconds=1), tick=False),
        pytest.raises(ActionRefused) as refused,
    ):
        answer_save(attempt_id=attempt.pk, position=2, keys=["1"], actor=s.candidate)
    assert "Le temps est écoulé" in refused.value.message
    assert "n'est pas enregistrée" in refused.value.message
    assert attempt.questions.get(position=2).selected is None


def test_extra_time_moves_the_deadline_before_or_during_the_attempt_and_is_audited():
    s = QuizSetup(minutes=30)
    attempt = s.open()
    attempt_grant_extra_time(attempt_id=attempt.pk, minutes=10, reason="Tiers temps (handicap)", actor=s.evaluator)
    with time_machine.travel(T0, tick=False):
        attempt = s.start(attempt)
    assert attempt.deadline == T0 + datetime.timedelta(minutes=40)
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        attempt_grant_extra_time(attempt_id=attempt.pk, minutes=15, reason="Incident réseau", actor=s.evaluator)
    attempt.refresh_from_db()
    assert attempt.deadline == T0 + datetime.timedelta(minutes=45)
    assert attempt.remaining_seconds(T0 + datetime.timedelta(minutes=44)) == 60
    events = AuditEvent.objects.filter(action="grant_extra_time", object_id=str(attempt.pk))
    assert [e.comment for e in events.order_by("id")] == ["Tiers temps (handicap)", "Incident réseau"]
    with pytest.raises(ActionRefused) as refused:
        attempt_grant_extra_time(attempt_id=attempt.pk, minutes=5, reason="", actor=s.evaluator)
    assert "motif" in refused.value.message


def test_the_next_request_closes_an_expired_attempt_with_the_answers_saved_before_it(client):
    s, attempt = started(minutes=10)
    items = list(attempt.questions.order_by("position"))
    with time_machine.travel(T0 + datetime.timedelta(minutes=3), tick=False):
        answer_save(attempt_id=attempt.pk, position=1, keys=correct_keys(items[0]), actor=s.candidate)
        answer_save(attempt_id=attempt.pk, position=2, keys=[wrong_key(items[1])], actor=s.candidate)
    login(client, s.evaluator)
    with time_machine.travel(T0 + datetime.timedelta(minutes=13), tick=False):
        page = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED and attempt.closed_at_deadline
    assert attempt.score == 25  # 1 of 4
    assert [i.points for i in attempt.questions.order_by("position")] == [1, 0, 0, 0]
    s.evaluation.refresh_from_db()
    assert s.evaluation.quiz_state == QuizState.CLOSED
    assert s.evaluation.quiz_result == PhaseResult.FAILED and s.evaluation.quiz_score == 25
    event = AuditEvent.objects.get(action="expire_attempt", object_id=str(attempt.pk))
    assert event.actor_role == "system"


def test_an_answer_posted_after_the_grace_period_is_refused_with_a_message_and_the_attempt_closes(client):
    s, attempt = started(minutes=10)
    item = attempt.questions.get(position=1)
    login(client, s.candidate)
    with time_machine.travel(T0 + datetime.timedelta(minutes=2), tick=False):
        client.post(reverse("quiz:save", args=[attempt.pk, 1]), {"choices": correct_keys(item)})
    with time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False):
        fragment = client.post(reverse("quiz:save", args=[attempt.pk, 2]), {"choices": ["1"]})
        assert "Le temps est écoulé" in fragment.content.decode()
        response = client.post(reverse("quiz:question", args=[attempt.pk, 2]), {"choices": ["1"]})
        assert response.url == reverse("quiz:attempt", args=[attempt.pk])
        page = client.get(response.url)
    assert "Le quiz est terminé : cette dernière réponse n'a pas été enregistrée." in html.unescape(
        page.content.decode()
    )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED and attempt.score == 25


def test_the_beat_task_closes_expired_attempts_and_lapses_unstarted_ones_and_leaves_the_others():
    s, attempt = started(minutes=10)
    with time_machine.travel(T0 + datetime.timedelta(minutes=1), tick=False):
        keys = correct_keys(attempt.questions.get(position=3))
        answer_save(attempt_id=attempt.pk, position=3, keys=keys, actor=s.candidate)
    with time_machine.travel(T0 + datetime.timedelta(minutes=12), tick=False):
        assert attempts_close_expired() == {"closed": 0, "lapsed": 0}  # still in the grace period
    with time_machine.travel(T0 + datetime.timedelta(minutes=12, seconds=1), tick=False):
        assert close_expired_attempts.delay().get() == {"closed": 1, "lapsed": 0}
        assert attempts_close_expired() == {"closed": 0, "lapsed": 0}  # idempotent
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED
    assert attempt.questions.get(position=3).selected == keys
    assert attempt.score == 25


def test_an_attempt_not_started_in_its_window_lapses():
    s = QuizSetup()
    attempt = s.open(days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        assert attempts_close_expired() == {"closed": 0, "lapsed": 1}
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.LAPSED


def test_an_attempt_cannot_start_before_its_window(client):
    s = QuizSetup()
    now = timezone.now()
    from quiz.services import attempt_open

    attempt = attempt_open(
        definition=s.quiz,
        candidate=s.candidate,
        dossier=s.dossier,
        evaluation=s.evaluation,
        actor=s.evaluator,
        window_opens_at=now + datetime.timedelta(days=1),
        window_closes_at=now + datetime.timedelta(days=3),
    )
    login(client, s.candidate)
    response = client.post(reverse("quiz:start", args=[attempt.pk]), follow=True)
    assert "pourra être commencé à partir du" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.OPEN


def test_a_neutralised_question_after_the_result_was_recorded_corrects_the_evaluation(client):
    """The phase-2 result follows the quiz scored again (correct_quiz_result), never left stale."""
    from quiz.services import attempt_neutralise_question

    s, attempt = started(minutes=10)
    items = list(attempt.questions.order_by("position"))
    with time_machine.travel(T0 + datetime.timedelta(minutes=3), tick=False):
        answer_save(attempt_id=attempt.pk, position=1, keys=correct_keys(items[0]), actor=s.candidate)
        answer_save(attempt_id=attempt.pk, position=2, keys=[wrong_key(items[1])], actor=s.candidate)
    with time_machine.travel(T0 + datetime.timedelta(minutes=13), tick=False):
        attempts_close_expired()
    s.evaluation.refresh_from_db()
    assert s.evaluation.quiz_score == 25
    for position in (2, 3, 4):
        attempt_neutralise_question(
            attempt_id=attempt.pk, position=position, reason="Question ambiguë", actor=s.evaluator
        )
    attempt.refresh_from_db()
    assert attempt.score == 100
    s.evaluation.refresh_from_db()
    assert s.evaluation.quiz_state == QuizState.CLOSED and s.evaluation.quiz_score == 100
    assert AuditEvent.objects.filter(action="correct_quiz_result", object_id=str(s.evaluation.pk)).count() == 3
