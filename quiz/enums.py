from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choix unique")
    MULTIPLE = "multiple", _("Choix multiple")


class QuizPurpose(models.TextChoices):
    PREDIAGNOSTIC = "prediagnostic", _("Prédiagnostic")
    PHASE2 = "phase2", _("Quiz de la phase 2")


class MultipleChoiceRule(models.TextChoices):
    """How a multiple-choice question is scored (a single-choice question scores 1 or 0).

    ALL_OR_NOTHING: 1 point when the choices ticked are exactly the correct ones, else 0.
    PARTIAL_PENALTY: (correct ticked / correct choices) − (wrong ticked / wrong choices), never below 0.
    """

    ALL_OR_NOTHING = "all_or_nothing", _("Tout ou rien")
    PARTIAL_PENALTY = "partial_penalty", _("Crédit partiel, pénalité pour les mauvais choix (jamais sous zéro)")


class AttemptState(models.TextChoices):
    OPEN = "open", _("Ouverte, pas encore commencée")
    IN_PROGRESS = "in_progress", _("En cours")
    CLOSED = "closed", _("Terminée et notée")
    LAPSED = "lapsed", _("Non commencée dans la période")
    VOIDED = "voided", _("Annulée, remplacée par une nouvelle tentative")


LIVE_ATTEMPT_STATES = frozenset({AttemptState.OPEN, AttemptState.IN_PROGRESS})


class IncidentKind(models.TextChoices):
    TECHNICAL = "technical", _("Problème technique")
    AMBIGUOUS = "ambiguous", _("Question ambiguë ou erronée")
    OTHER = "other", _("Autre")
