"""Scoring, as pure functions of plain data (no database): a question's points, the per-block and overall scores.

A question is worth 1 point. Single choice: 1 when the one correct choice is ticked, else 0.
Multiple choice, by the quiz's rule (quiz.enums.MultipleChoiceRule):
- all or nothing: 1 when the ticked choices are exactly the correct ones, else 0;
- partial credit with penalty: correct ticked / correct choices − wrong ticked / wrong choices, never below 0.
An unanswered question scores 0. A neutralised question leaves the scoring: it counts neither in the points
nor in the number of questions, so the percentage is computed on the rest.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .enums import MultipleChoiceRule, QuestionKind

ZERO = Decimal(0)
ONE = Decimal(1)


def question_points(*, kind: str, rule: str, correct: set[str], all_keys: list[str], selected) -> Decimal:
    chosen = set(selected or ())
    if not chosen:
        return ZERO
    if kind == QuestionKind.SINGLE or rule == MultipleChoiceRule.ALL_OR_NOTHING:
        return ONE if chosen == correct else ZERO
    wrong = set(all_keys) - correct
    gained = Decimal(len(chosen & correct)) / Decimal(len(correct)) if correct else ZERO
    lost = Decimal(len(chosen & wrong)) / Decimal(len(wrong)) if wrong else ZERO
    return max(ZERO, gained - lost).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(points: Decimal, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(points) * 100 / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoredQuestion:
    block_id: int
    kind: str
    correct: frozenset
    all_keys: tuple
    selected: tuple | None
    neutralised: bool = False


@dataclass
class BlockScore:
    block_id: int
    questions: int = 0
    points: Decimal = ZERO
    percent: Decimal | None = None
    min_percent: Decimal | None = None
    passed: bool | None = None


@dataclass
class Score:
    points: list  # per question, None when neutralised
    blocks: dict = field(default_factory=dict)  # block_id -> BlockScore, in the order met
    percent: Decimal | None = None
    passed: bool | None = None


def score_attempt(
    questions: list[ScoredQuestion], *, rule: str, pass_mark: Decimal | None, block_minimums: dict | None = None
) -> Score:
    """Points per question, score per block and overall; `passed` when a pass mark is given (phase 2)."""
    block_minimums = block_minimums or {}
    result = Score(points=[])
    total_points, total_count = ZERO, 0
    for q in questions:
        block = result.blocks.setdefault(q.block_id, BlockScore(q.block_id, min_percent=block_minimums.get(q.block_id)))
        if q.neutralised:
            result.points.append(None)
            continue
        points = question_points(
            kind=q.kind, rule=rule, correct=set(q.correct), all_keys=list(q.all_keys), selected=q.selected
        )
        result.points.append(points)
        block.questions += 1
        block.points += points
        total_points += points
        total_count += 1
    for block in result.blocks.values():
        block.percent = percent(block.points, block.questions)
        if block.min_percent is not None and block.percent is not None:
            block.passed = block.percent >= block.min_percent
    result.percent = percent(total_points, total_count)
    if pass_mark is not None:
        result.passed = (
            result.percent is not None
            and result.percent >= pass_mark
            and all(b.passed is not False for b in result.blocks.values())
        )
    return result


def band_for(percent_value: Decimal | None, bands: list[tuple[Decimal, str, str]]) -> tuple[str, str]:
    """The prédiagnostic band (label, advice) of a score: the highest band whose threshold it reaches."""
    value = percent_value or ZERO
    for minimum, label, advice in sorted(bands, key=lambda b: b[0], reverse=True):
        if value >= minimum:
            return label, advice
    return "", ""
