"""Helpers shared by the quiz tests (no tests here): a bank for a CQPT, quiz definitions, attempts opened and
started through the real services and workflow."""

import datetime
from decimal import Decimal

from django.utils import timezone

from catalogue.models import CompetencyBlock
from quiz.enums import MultipleChoiceRule, QuestionKind, QuizPurpose
from quiz.models import Question, QuizBand, QuizBlockRule, QuizDefinition
from quiz.services import attempt_open, make_choices
from quiz.workflow import ATTEMPT_WORKFLOW
from tests.evaluation.support import Setup


def bank(cqpt, per_block=4, multiple_every=2):
    """Questions for each block of the CQPT: the first choice is correct in the bank; every other one is multiple."""
    questions = []
    for block in CompetencyBlock.objects.filter(cqpt=cqpt).order_by("position"):
        for n in range(per_block):
            multiple = multiple_every and n % multiple_every == 1
            kind = QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE
            correct = {0, 1} if multiple else {0}
            texts = [f"{block.code} Q{n} bonne", f"{block.code} Q{n} autre", f"{block.code} Q{n} faux", "Aucune"]
            if not multiple:
                texts[1] = f"{block.code} Q{n} fausse"
            questions.append(
                Question.objects.create(
                    cqpt=cqpt,
                    block=block,
                    kind=kind,
                    text=f"Question {n} du bloc {block.code} ?",
                    choices=make_choices(texts, correct),
                    explanation=f"Parce que {n}.",
                )
            )
    return questions


def definition(
    cqpt,
    purpose=QuizPurpose.PHASE2,
    per_block=2,
    minutes=40,
    rule=MultipleChoiceRule.ALL_OR_NOTHING,
    min_percent=None,
    pass_mark=60,
):
    quiz = QuizDefinition.objects.create(
        cqpt=cqpt,
        purpose=purpose,
        title="Quiz de la phase 2" if purpose == QuizPurpose.PHASE2 else "Prédiagnostic",
        time_limit_minutes=minutes,
        pass_mark=Decimal(pass_mark),
        multiple_rule=rule,
    )
    for block in CompetencyBlock.objects.filter(cqpt=cqpt).order_by("position"):
        QuizBlockRule.objects.create(
            definition=quiz,
            block=block,
            question_count=per_block,
            min_percent=min_percent,
            training=f"Module de formation {block.code}",
        )
    if purpose == QuizPurpose.PREDIAGNOSTIC:
        QuizBand.objects.create(definition=quiz, min_percent=80, label="Prêt")
        QuizBand.objects.create(definition=quiz, min_percent=50, label="Prêt avec un complément de formation")
        QuizBand.objects.create(definition=quiz, min_percent=0, label="Pas encore prêt")
    return quiz


class QuizSetup(Setup):
    """An evaluation in progress (tests.evaluation.support.Setup accepted), a bank and the phase-2 quiz."""

    def __init__(self, per_block=4, **quiz_kwargs):
        super().__init__()
        self.accept()
        self.candidate = self.dossier.candidate
        self.questions = bank(self.cqpt, per_block=per_block)
        self.quiz = definition(self.cqpt, **quiz_kwargs)

    def open(self, quiz=None, days=7, **kwargs):
        now = timezone.now()
        quiz = quiz or self.quiz
        return attempt_open(
            definition=quiz,
            candidate=self.candidate,
            dossier=self.dossier,
            evaluation=self.evaluation,
            actor=self.evaluator,
            window_opens_at=now - datetime.timedelta(minutes=1),
            window_closes_at=now + datetime.timedelta(days=days),
            **kwargs,
        )

    def start(self, attempt=None):
        attempt = attempt or self.open()
        return ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="start_attempt", actor=self.candidate)


def correct_keys(item):
    return sorted(item.correct_keys)


def wrong_key(item):
    return next(c["key"] for c in item.choices if not c["correct"])
