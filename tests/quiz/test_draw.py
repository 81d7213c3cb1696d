"""The draw: random per attempt, stored, reproducible; the choices' order too; keys reveal nothing."""

import re

import pytest
from django.urls import reverse

from quiz.draw import NotEnoughQuestions, PoolQuestion, draw
from quiz.models import AttemptQuestion, Question
from tests.conftest import login

from .support import QuizSetup

POOL = [PoolQuestion(i, 1 if i <= 10 else 2, ("a", "b", "c", "d")) for i in range(1, 21)]


def test_same_seed_same_questions_same_order_and_pool_order_does_not_matter():
    first = draw(42, POOL, [(1, 3), (2, 2)])
    assert first == draw(42, list(reversed(POOL)), [(1, 3), (2, 2)])
    assert [d.block_id for d in first] == [1, 1, 1, 2, 2]
    assert len({d.question_id for d in first}) == 5
    for d in first:
        assert sorted(d.choice_order) == ["a", "b", "c", "d"]


def test_different_seeds_draw_differently():
    draws = {tuple((d.question_id, d.choice_order) for d in draw(seed, POOL, [(1, 3), (2, 2)])) for seed in range(20)}
    assert len(draws) > 15


def test_not_enough_questions_says_which_block():
    with pytest.raises(NotEnoughQuestions) as error:
        draw(1, POOL, [(1, 11), (2, 2)])
    assert error.value.shortages == {1: (11, 10)}


@pytest.mark.django_db
def test_the_draw_is_stored_with_the_wording_and_keys_renumbered_in_the_shown_order(client):
    s = QuizSetup()
    attempt = s.open()
    items = list(attempt.questions.order_by("position"))
    assert len(items) == 4  # 2 blocks × 2
    for item in items:
        assert [c["key"] for c in item.choices] == [str(i) for i in range(1, len(item.choices) + 1)]
        source = Question.objects.get(pk=item.question_id)
        assert item.text == source.text
        assert {c["source"] for c in item.choices} == {c["key"] for c in source.choices}
        assert item.correct_keys == {c["key"] for c in item.choices if source.choices[ord(c["source"]) - 97]["correct"]}
    s.start(attempt)
    login(client, s.candidate)
    url = reverse("quiz:question", args=[attempt.pk, 1])
    first, second = (re.findall(r'form-check-label"[^>]*>([^<]*)<', client.get(url).content.decode()) for _ in "12")
    assert first == second == [c["text"] for c in items[0].choices]  # same order on every reload
    # The bank changes afterwards: the attempt still shows what it drew.
    Question.objects.filter(pk=items[0].question_id).update(text="Changé")
    assert AttemptQuestion.objects.get(pk=items[0].pk).text == items[0].text


@pytest.mark.django_db
def test_opening_is_refused_when_the_bank_is_short():
    from cqpt_portal.exceptions import ActionRefused

    s = QuizSetup(per_block=1)
    with pytest.raises(ActionRefused) as refused:
        s.open()
    assert "n'a que 1 question(s) active(s)" in refused.value.message
