"""Demo data of the quiz: a bank and two quiz definitions per demo CQPT, and an open prédiagnostic for the demo
candidate (opened by the demo AUVICOM reviewer, so that it needs no evaluation). Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from catalogue.models import CompetencyBlock, Cqpt
from cqpt_portal.accounts.models import User

from .enums import AttemptState, MultipleChoiceRule, QuestionKind, QuizPurpose
from .models import Attempt, Question, QuizBand, QuizBlockRule, QuizDefinition
from .services import attempt_open, make_choices

DEMO_CANDIDATE = "candidat@demo.cqpt.fr"
DEMO_REVIEWER = "auvicom@demo.cqpt.fr"
QUESTIONS_PER_COMPETENCY = 3

# Wording templates: each competency of the référentiel gives a few questions (fictitious demo content).
TEMPLATES = [
    (
        QuestionKind.SINGLE,
        "Pour la compétence « {title} », quelle attitude est attendue d'un professionnel ?",
        [
            "Appliquer la procédure et en rendre compte",
            "Improviser selon l'humeur du client",
            "Attendre qu'on le lui demande",
            "Transférer systématiquement à un collègue",
        ],
        {0},
    ),
    (
        QuestionKind.MULTIPLE,
        "« {title} » : quelles pratiques y contribuent ? (plusieurs réponses)",
        [
            "Écouter et reformuler la demande",
            "Vérifier le résultat avec le client",
            "Ignorer les réclamations",
            "Couper court sans expliquer",
        ],
        {0, 1},
    ),
    (
        QuestionKind.SINGLE,
        "Lors d'une situation liée à « {title} », que faites-vous en premier ?",
        [
            "Identifier le besoin exact",
            "Proposer l'offre la plus chère",
            "Clore l'échange",
            "Renvoyer vers le site web",
        ],
        {0},
    ),
]


def _bank_for(cqpt: Cqpt) -> None:
    if Question.objects.filter(cqpt=cqpt).exists():
        return
    questions = []
    for block in CompetencyBlock.objects.filter(cqpt=cqpt).prefetch_related("competencies"):
        for competency in block.competencies.all():
            for kind, text, choices, correct in TEMPLATES[:QUESTIONS_PER_COMPETENCY]:
                questions.append(
                    Question(
                        cqpt=cqpt,
                        block=block,
                        kind=kind,
                        text=text.format(title=competency.title),
                        choices=make_choices(choices, correct),
                        explanation="Question de démonstration.",
                    )
                )
    Question.objects.bulk_create(questions)


def _definitions_for(cqpt: Cqpt) -> QuizDefinition:
    blocks = list(CompetencyBlock.objects.filter(cqpt=cqpt).order_by("position"))
    prediagnostic, created = QuizDefinition.objects.get_or_create(
        cqpt=cqpt,
        purpose=QuizPurpose.PREDIAGNOSTIC,
        defaults={
            "title": f"Prédiagnostic – {cqpt.title}",
            "time_limit_minutes": 20,
            "multiple_rule": MultipleChoiceRule.PARTIAL_PENALTY,
        },
    )
    if created:
        for block in blocks:
            QuizBlockRule.objects.create(
                definition=prediagnostic,
                block=block,
                question_count=3,
                min_percent=60,
                training=f"Module de formation complémentaire « {block.title} » (2 jours).",
            )
        QuizBand.objects.create(definition=prediagnostic, min_percent=80, label="Prêt")
        QuizBand.objects.create(
            definition=prediagnostic,
            min_percent=50,
            label="Prêt avec un complément de formation",
            advice="Suivez la formation conseillée pour les blocs à renforcer.",
        )
        QuizBand.objects.create(definition=prediagnostic, min_percent=0, label="Pas encore prêt")
    phase2, created = QuizDefinition.objects.get_or_create(
        cqpt=cqpt,
        purpose=QuizPurpose.PHASE2,
        defaults={"title": f"Quiz de la phase 2 – {cqpt.title}", "time_limit_minutes": 40, "pass_mark": 60},
    )
    if created:
        for block in blocks:
            QuizBlockRule.objects.create(definition=phase2, block=block, question_count=5, min_percent=40)
    return prediagnostic


def quiz_demo_seed() -> list[str]:
    """Load a bank and the quiz definitions of each CQPT; open a prédiagnostic for the demo candidate.

    Side effects: INSERTs of questions, definitions and one attempt (with its audit row), each only once.
    """
    lines = []
    with transaction.atomic():
        prediagnostics = {}
        for cqpt in Cqpt.objects.order_by("code"):
            _bank_for(cqpt)
            prediagnostics[cqpt.pk] = _definitions_for(cqpt)
        candidate = User.objects.filter(email=DEMO_CANDIDATE).first()
        reviewer = User.objects.filter(email=DEMO_REVIEWER).first()
        if candidate is None or reviewer is None or not prediagnostics:
            return lines
        if Attempt.objects.filter(
            candidate=candidate, state__in=[AttemptState.OPEN, AttemptState.IN_PROGRESS]
        ).exists():
            return lines
        dossier = candidate.dossiers.exclude(cqpt__isnull=True).order_by("-created_at").first()
        definition = prediagnostics.get(dossier.cqpt_id) if dossier else next(iter(prediagnostics.values()))
        if (
            Attempt.objects.filter(candidate=candidate, definition=definition)
            .exclude(state=AttemptState.VOIDED)
            .exists()
        ):
            return lines
        now = timezone.now()
        attempt_open(
            definition=definition,
            candidate=candidate,
            dossier=dossier,
            actor=reviewer,
            window_opens_at=now,
            window_closes_at=now + datetime.timedelta(days=30),
        )
        lines.append(f"Prédiagnostic opened for {DEMO_CANDIDATE}: {definition.title}")
    return lines
