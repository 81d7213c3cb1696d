"""Races on PostgreSQL: two tabs saving the same question at once, a save racing the closing.

Run with DATABASE_URL=postgres://... (skipped on SQLite, which has no row locks).
"""

import os
import threading

import pytest
from django.db import connection

from cqpt_portal.exceptions import ActionRefused
from quiz.models import AttemptQuestion
from quiz.services import answer_save
from quiz.workflow import ATTEMPT_WORKFLOW

from .support import QuizSetup, correct_keys, wrong_key

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_two_tabs_saving_the_same_question_at_once_one_row_the_last_answer_wins(round_):
    s = QuizSetup()
    attempt = s.start(s.open())
    item = attempt.questions.get(position=1)
    good, bad = correct_keys(item), [wrong_key(item)]
    outcomes = _race(
        lambda: answer_save(attempt_id=attempt.pk, position=1, keys=good, actor=s.candidate),
        lambda: answer_save(attempt_id=attempt.pk, position=1, keys=bad, actor=s.candidate),
    )
    assert all(isinstance(o, AttemptQuestion) for o in outcomes), outcomes
    stored = AttemptQuestion.objects.get(attempt=attempt, position=1)
    assert stored.saves == 2  # both were applied, one after the other
    last = max(outcomes, key=lambda o: o.saves)  # the one applied second
    assert stored.selected == last.selected
    assert AttemptQuestion.objects.filter(attempt=attempt).count() == 4


@pytest.mark.parametrize("round_", range(3))
def test_the_same_answer_from_two_tabs_at_once_is_stored_once(round_):
    s = QuizSetup()
    attempt = s.start(s.open())
    keys = correct_keys(attempt.questions.get(position=2))
    outcomes = _race(
        *[lambda: answer_save(attempt_id=attempt.pk, position=2, keys=keys, actor=s.candidate) for _ in range(4)]
    )
    assert all(isinstance(o, AttemptQuestion) for o in outcomes), outcomes
    assert AttemptQuestion.objects.get(attempt=attempt, position=2).saves == 1


@pytest.mark.parametrize("round_", range(4))
def test_a_save_racing_the_closing_is_either_scored_or_refused_never_lost(round_):
    s = QuizSetup()
    attempt = s.start(s.open())
    item = attempt.questions.get(position=1)
    outcomes = _race(
        lambda: answer_save(attempt_id=attempt.pk, position=1, keys=correct_keys(item), actor=s.candidate),
        lambda: ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=s.candidate),
    )
    stored = AttemptQuestion.objects.get(pk=item.pk)
    if isinstance(outcomes[0], ActionRefused):
        assert stored.selected is None and stored.points == 0
    else:
        assert isinstance(outcomes[0], AttemptQuestion), outcomes
        assert stored.selected == correct_keys(item) and stored.points == 1
