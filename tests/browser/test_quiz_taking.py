"""The candidate takes a quiz in Chromium: answers saved at each click (htmx), a reload resumes at the same
question with the answers kept, an answer given offline is said not saved then saved when back online, the score
at the end; and a 1-minute quiz whose deadline passes with answers saved is closed and scored with them."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from quiz.enums import AttemptState
from quiz.models import Attempt, AttemptQuestion
from tests.factories import PASSWORD
from tests.quiz.support import QuizSetup

pytestmark = pytest.mark.browser


def _choose(page, item, keys):
    for key in keys:
        page.locator(f"#answer-choices input[value='{key}']").check()


def _correct(item):
    return sorted(item.correct_keys)


def test_answers_are_saved_at_each_click_survive_a_reload_and_a_dropped_connection(page, login):
    s = QuizSetup(per_block=4)
    attempt = s.open()
    login(s.candidate.email, PASSWORD)
    page.goto(reverse("quiz:attempt", args=[attempt.pk]))
    page.get_by_role("button", name="Commencer le quiz").click()
    expect(page.locator("h2#question-title")).to_contain_text("Question 1 sur 4")
    items = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))

    for item in items[:3]:
        _choose(page, item, _correct(item))
        expect(page.locator("#save-status")).to_contain_text("Réponse enregistrée à")
        page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("h2#question-title")).to_contain_text("Question 4 sur 4")
    assert [i.selected for i in AttemptQuestion.objects.filter(attempt=attempt).order_by("position")][:3] == [
        _correct(i) for i in items[:3]
    ]

    # A reload, then coming back from the dashboard: question 4, the three answers kept.
    page.reload()
    expect(page.locator("h2#question-title")).to_contain_text("Question 4 sur 4")
    page.goto(reverse("quiz:attempt", args=[attempt.pk]))
    expect(page.locator("h2#question-title")).to_contain_text("Question 4 sur 4")
    expect(page.locator("nav .btn-success")).to_have_count(3)
    page.goto(reverse("quiz:question", args=[attempt.pk, 2]))
    for key in _correct(items[1]):
        expect(page.locator(f"#answer-choices input[value='{key}']")).to_be_checked()
    page.goto(reverse("quiz:question", args=[attempt.pk, 4]))

    # Offline for one answer: the page says it was not saved; back online, it is sent again and saved.
    page.context.set_offline(True)
    _choose(page, items[3], _correct(items[3]))
    expect(page.locator("#save-status")).to_contain_text("PAS été enregistrée")
    assert AttemptQuestion.objects.get(pk=items[3].pk).selected is None
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Réponse enregistrée à", timeout=12_000)
    assert AttemptQuestion.objects.get(pk=items[3].pk).selected == _correct(items[3])

    page.get_by_role("button", name="Terminer et voir mon résultat").click()
    expect(page.locator("main")).to_contain_text("Score global : 100")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED and attempt.score == 100


def test_a_one_minute_quiz_whose_deadline_passes_is_closed_and_scored_with_the_answers_saved(page, login):
    s = QuizSetup(per_block=4, minutes=1)
    s.quiz.grace_seconds = 5
    s.quiz.save()
    attempt = s.open()
    login(s.candidate.email, PASSWORD)
    page.goto(reverse("quiz:attempt", args=[attempt.pk]))
    page.get_by_role("button", name="Commencer le quiz").click()
    expect(page.locator("#quiz-timer")).to_contain_text(re.compile(r"0 min"))
    items = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    for item in items[:2]:
        _choose(page, item, _correct(item))
        expect(page.locator("#save-status")).to_contain_text("Réponse enregistrée à")
        page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("h2#question-title")).to_contain_text("Question 3 sur 4")

    # The server's clock passes the deadline and the grace period; nobody finishes the quiz, no beat runs.
    attempt.refresh_from_db()
    with time_machine.travel(attempt.closes_at + datetime.timedelta(seconds=1), tick=True):
        page.reload()
        expect(page.locator("main")).to_contain_text("Le temps était écoulé")
        expect(page.locator("main")).to_contain_text("Score global : 50")
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.state == AttemptState.CLOSED and attempt.closed_at_deadline
    assert [i.points for i in attempt.questions.order_by("position")] == [1, 1, 0, 0]
