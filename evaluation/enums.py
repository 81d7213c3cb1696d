from django.db import models
from django.utils.translation import gettext_lazy as _

# Evaluation and accompaniment happen during or outside working time: the same choice as the candidacy's.
from candidates.enums import WorkingTime  # noqa: F401 - re-exported for the evaluation's models and forms


class EvaluationState(models.TextChoices):
    """The evaluation as a whole (one per dossier, from AUVICOM's first assignment)."""

    AWAITING_ORGANISATION = "awaiting_organisation", _("En attente de la réponse de l'organisme")
    TO_REASSIGN = "to_reassign", _("Organisme à désigner de nouveau")
    IN_PROGRESS = "in_progress", _("En cours")
    TRANSMITTED = "transmitted", _("Transmise à la CPNE")
    ABANDONED = "abandoned", _("Abandonnée")


OPEN_EVALUATION_STATES = frozenset({EvaluationState.AWAITING_ORGANISATION, EvaluationState.IN_PROGRESS})


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")


class EvidenceState(models.TextChoices):
    """Phase 1, the dossier de preuves."""

    COLLECTING = "collecting", _("Le candidat rassemble ses preuves")
    SUBMITTED = "evidence_submitted", _("Preuves remises, à évaluer")
    RETURNED = "evidence_returned", _("Preuves complémentaires demandées")
    CLOSED = "evidence_closed", _("Phase terminée")


class QuizState(models.TextChoices):
    """Phase 2, the quiz: its result comes from the quiz (or is recorded by the evaluator)."""

    PENDING = "quiz_pending", _("À passer")
    CLOSED = "quiz_closed", _("Phase terminée")


class WorkplaceState(models.TextChoices):
    """Phase 3, the mise en situation de travail réelle at the company's site."""

    TO_SCHEDULE = "to_schedule", _("À planifier")
    SCHEDULED = "scheduled", _("Planifiée")
    CLOSED = "workplace_closed", _("Phase terminée")


class PhaseResult(models.TextChoices):
    PASSED = "passed", _("Réussie")
    FAILED = "failed", _("Non réussie")


class Phase(models.TextChoices):
    EVIDENCE = "evidence", _("Dossier de preuves")
    QUIZ = "quiz", _("Quiz")
    WORKPLACE = "workplace", _("Mise en situation de travail réelle")


class CompetencyResult(models.TextChoices):
    ACQUIRED = "acquired", _("Acquise")
    NOT_ACQUIRED = "not_acquired", _("Non acquise")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Preuves insuffisantes")
    NOT_OBSERVED = "not_observed", _("Non observée")


# The results an evaluator may give in each phase.
PHASE_RESULTS = {
    Phase.EVIDENCE: [CompetencyResult.ACQUIRED, CompetencyResult.NOT_ACQUIRED, CompetencyResult.INSUFFICIENT_EVIDENCE],
    Phase.WORKPLACE: [CompetencyResult.ACQUIRED, CompetencyResult.NOT_ACQUIRED, CompetencyResult.NOT_OBSERVED],
}


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


class AppointmentState(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    RESCHEDULED = "rescheduled", _("Reporté")
    CANCELLED = "cancelled", _("Annulé")


class AbandonReason(models.TextChoices):
    CANDIDATE_STOPPED = "candidate_stopped", _("Le candidat arrête l'évaluation")
    NO_SHOW_TWICE = "no_show_twice", _("Le candidat ne s'est pas présenté deux fois")
    OTHER = "other", _("Autre motif")
