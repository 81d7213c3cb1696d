"""The scoring rules, as pure functions: single choice, each multiple-choice rule, neutralisation, pass marks, bands."""

from decimal import Decimal

from quiz.enums import MultipleChoiceRule, QuestionKind
from quiz.scoring import ScoredQuestion, band_for, question_points, score_attempt

KEYS = ["1", "2", "3", "4"]
AON = MultipleChoiceRule.ALL_OR_NOTHING
PARTIAL = MultipleChoiceRule.PARTIAL_PENALTY


def points(kind, rule, correct, selected):
    return question_points(kind=kind, rule=rule, correct=set(correct), all_keys=KEYS, selected=selected)


def test_single_choice_scores_one_or_zero_whatever_the_rule():
    for rule in (AON, PARTIAL):
        assert points(QuestionKind.SINGLE, rule, {"2"}, ["2"]) == 1
        assert points(QuestionKind.SINGLE, rule, {"2"}, ["1"]) == 0
        assert points(QuestionKind.SINGLE, rule, {"2"}, None) == 0


def test_all_or_nothing_needs_exactly_the_correct_choices():
    assert points(QuestionKind.MULTIPLE, AON, {"1", "3"}, ["1", "3"]) == 1
    assert points(QuestionKind.MULTIPLE, AON, {"1", "3"}, ["1"]) == 0
    assert points(QuestionKind.MULTIPLE, AON, {"1", "3"}, ["1", "3", "4"]) == 0


def test_partial_credit_with_penalty_and_never_below_zero():
    # 2 correct (1, 3), 2 wrong (2, 4)
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, ["1", "3"]) == 1
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, ["1"]) == Decimal("0.5")
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, ["1", "3", "2"]) == Decimal("0.5")
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, ["1", "2"]) == 0
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, ["2", "4"]) == 0  # -1 floored at 0
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "2", "3"}, ["1", "2"]) == Decimal("0.6667")
    assert points(QuestionKind.MULTIPLE, PARTIAL, {"1", "3"}, []) == 0


def q(block, selected, correct=("1",), neutralised=False, kind=QuestionKind.SINGLE):
    return ScoredQuestion(
        block, kind, frozenset(correct), tuple(KEYS), tuple(selected) if selected else None, neutralised
    )


def test_per_block_and_overall_with_pass_mark_and_block_minimum():
    questions = [q(1, ["1"]), q(1, ["1"]), q(2, ["1"]), q(2, ["2"])]
    score = score_attempt(questions, rule=AON, pass_mark=Decimal(60))
    assert score.percent == Decimal("75.00")
    assert score.blocks[1].percent == 100 and score.blocks[2].percent == 50
    assert score.passed is True
    strict = score_attempt(questions, rule=AON, pass_mark=Decimal(60), block_minimums={2: Decimal(60)})
    assert strict.passed is False
    assert strict.blocks[2].passed is False and strict.blocks[1].passed is None
    assert score_attempt(questions, rule=AON, pass_mark=Decimal(80)).passed is False


def test_a_neutralised_question_leaves_the_scoring_and_the_percentage_is_on_the_rest():
    questions = [q(1, ["1"]), q(1, ["2"]), q(2, ["1"]), q(2, None, neutralised=True)]
    score = score_attempt(questions, rule=AON, pass_mark=None)
    assert score.points == [1, 0, 1, None]
    assert score.blocks[1].questions == 2 and score.blocks[2].questions == 1
    assert score.blocks[2].percent == 100
    assert score.percent == Decimal("66.67")
    assert score.passed is None  # no pass mark: the prédiagnostic
    everything_neutralised = score_attempt([q(1, ["1"], neutralised=True)], rule=AON, pass_mark=Decimal(50))
    assert everything_neutralised.percent is None and everything_neutralised.passed is False


def test_unanswered_questions_score_zero():
    score = score_attempt([q(1, None), q(1, ["1"])], rule=AON, pass_mark=Decimal(50))
    assert score.percent == 50 and score.passed is True


def test_band_is_the_highest_reached():
    bands = [(Decimal(80), "Prêt", ""), (Decimal(50), "Complément", "bloc"), (Decimal(0), "Pas encore prêt", "")]
    assert band_for(Decimal(90), bands)[0] == "Prêt"
    assert band_for(Decimal(80), bands)[0] == "Prêt"
    assert band_for(Decimal("79.99"), bands) == ("Complément", "bloc")
    assert band_for(None, bands)[0] == "Pas encore prêt"
    assert band_for(Decimal(10), []) == ("", "")
