"""The draw of an attempt's questions and of the order of their choices: a pure function of a seed and a pool.

The seed is stored on the attempt, so the same attempt draws the same questions in the same order on every
device; the drawn questions are also stored (quiz.services.attempt_open), so a later change to the bank
never changes an attempt.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class PoolQuestion:
    id: int
    block_id: int
    choice_keys: tuple


@dataclass(frozen=True)
class Drawn:
    question_id: int
    block_id: int
    choice_order: tuple


class NotEnoughQuestions(Exception):
    def __init__(self, shortages: dict):
        super().__init__(shortages)
        self.shortages = shortages  # block_id -> (wanted, available)


def draw(seed: int, pool: list[PoolQuestion], counts: list[tuple[int, int]]) -> list[Drawn]:
    """`counts` is [(block_id, how many)] in the blocks' order; questions come block by block, shuffled inside."""
    rng = random.Random(seed)
    by_block: dict[int, list[PoolQuestion]] = {}
    for question in sorted(pool, key=lambda q: q.id):
        by_block.setdefault(question.block_id, []).append(question)
    shortages = {
        block_id: (count, len(by_block.get(block_id, [])))
        for block_id, count in counts
        if len(by_block.get(block_id, [])) < count
    }
    if shortages:
        raise NotEnoughQuestions(shortages)
    drawn = []
    for block_id, count in counts:
        for question in rng.sample(by_block.get(block_id, []), count):
            order = list(question.choice_keys)
            rng.shuffle(order)
            drawn.append(Drawn(question.id, block_id, tuple(order)))
    return drawn


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**62)
