"""The evaluation of an admissible dossier: the organisation's assignment, the accompaniment, the three phases, the synthesis.

States change only through evaluation.workflow (the evaluation as a whole and
each phase have their table); history is kept as rows (assignments,
appointments, visits), never overwritten.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.storage import private_storage, random_name

from .enums import (
    AbandonReason,
    AppointmentState,
    AssignmentState,
    CompetencyResult,
    EvaluationState,
    EvidenceState,
    Opinion,
    Phase,
    PhaseResult,
    QuizState,
    WorkingTime,
    WorkplaceState,
)


def evidence_path(instance, filename):
    return random_name(instance, "evidence")


def workplace_grid_path(instance, filename):
    return random_name(instance, "workplace-grids")


class Evaluation(models.Model):
    """One per dossier, created by AUVICOM's first assignment of an evaluator organisation."""

    dossier = models.OneToOneField(
        "candidates.Dossier", on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("dossier")
    )
    organisation = models.ForeignKey(
        "catalogue.EvaluatorOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("organisme évaluateur"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("évaluateur"),
    )
    state = models.CharField(
        _("état"), max_length=32, choices=EvaluationState.choices, default=EvaluationState.AWAITING_ORGANISATION
    )
    state_changed_at = models.DateTimeField(_("changement d'état le"), default=timezone.now)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    # Phase 1: dossier de preuves
    evidence_state = models.CharField(
        _("dossier de preuves"), max_length=32, choices=EvidenceState.choices, default=EvidenceState.COLLECTING
    )
    evidence_submitted_at = models.DateTimeField(_("preuves remises le"), null=True, blank=True)
    evidence_returned_at = models.DateTimeField(_("preuves renvoyées le"), null=True, blank=True)
    evidence_return_note = models.TextField(_("preuves complémentaires demandées"), blank=True)
    evidence_result = models.CharField(
        _("résultat du dossier de preuves"), max_length=16, choices=PhaseResult.choices, blank=True
    )
    evidence_comment = models.TextField(_("commentaire du dossier de preuves"), blank=True)

    # Phase 2: quiz (its result is written by the quiz, or recorded by the evaluator)
    quiz_state = models.CharField(_("quiz"), max_length=32, choices=QuizState.choices, default=QuizState.PENDING)
    quiz_result = models.CharField(_("résultat du quiz"), max_length=16, choices=PhaseResult.choices, blank=True)
    quiz_score = models.DecimalField(_("score du quiz (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    quiz_comment = models.TextField(_("commentaire du quiz"), blank=True)

    # Phase 3: mise en situation de travail réelle
    workplace_state = models.CharField(
        _("mise en situation"), max_length=32, choices=WorkplaceState.choices, default=WorkplaceState.TO_SCHEDULE
    )
    workplace_result = models.CharField(
        _("résultat de la mise en situation"), max_length=16, choices=PhaseResult.choices, blank=True
    )
    workplace_comment = models.TextField(_("commentaire de la mise en situation"), blank=True)
    workplace_grid = models.FileField(
        _("grille signée"),
        storage=private_storage,
        upload_to=workplace_grid_path,
        max_length=200,
        blank=True,
    )
    workplace_grid_name = models.CharField(_("nom de la grille signée"), max_length=150, blank=True)
    workplace_grid_content_type = models.CharField(_("type"), max_length=64, blank=True)

    # Synthesis and transmission
    opinion = models.CharField(_("avis"), max_length=16, choices=Opinion.choices, blank=True)
    opinion_justification = models.TextField(_("justification de l'avis"), blank=True)
    synthesis_updated_at = models.DateTimeField(_("synthèse modifiée le"), null=True, blank=True)
    transmitted_at = models.DateTimeField(_("transmise à la CPNE le"), null=True, blank=True)
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followed_in_full_at = models.DateTimeField(_("suivie en totalité le"), null=True, blank=True)

    # Abandonment
    abandon_reason = models.CharField(_("motif d'abandon"), max_length=32, choices=AbandonReason.choices, blank=True)
    abandon_comment = models.TextField(_("commentaire d'abandon"), blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        indexes = [
            models.Index(fields=["organisation", "state"], name="evaluation_org_state_idx"),
            models.Index(fields=["evaluator", "state"], name="evaluation_evaluator_state_idx"),
            models.Index(fields=["state", "state_changed_at"], name="evaluation_state_idx"),
        ]

    def __str__(self):
        return str(_("Évaluation du dossier %(number)s") % {"number": self.dossier.number})

    @property
    def phase_results(self) -> dict:
        return {
            Phase.EVIDENCE: self.evidence_result,
            Phase.QUIZ: self.quiz_result,
            Phase.WORKPLACE: self.workplace_result,
        }

    @property
    def all_phases_have_a_result(self) -> bool:
        return all(self.phase_results.values())


class Assignment(models.Model):
    """AUVICOM asking one organisation to evaluate one dossier, and the organisation's answer (history rows)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        "catalogue.EvaluatorOrganisation",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("organisme évaluateur"),
    )
    state = models.CharField(_("état"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.PENDING)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("désigné le"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("évaluateur nommé"),
    )
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    reminded_at = models.DateTimeField(_("relancé le"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("relances"), default=0)

    class Meta:
        verbose_name = _("désignation d'un organisme")
        verbose_name_plural = _("désignations d'organismes")
        ordering = ["evaluation", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(state="pending"), name="one_pending_assignment_per_evaluation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "state", "assigned_at"], name="assignment_org_state_idx"),
            models.Index(fields=["state", "assigned_at"], name="assignment_state_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.get_state_display()}"


class Appointment(models.Model):
    """An accompaniment appointment; a rescheduled one stays, pointing at the one that replaces it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="appointments")
    title = models.CharField(_("objet"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    remote_link = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)
    working_time = models.CharField(_("temps de travail"), max_length=16, choices=WorkingTime.choices)
    state = models.CharField(
        _("état"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.PLANNED
    )
    replaced_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        verbose_name=_("remplacé par"),
    )
    change_reason = models.TextField(_("motif du report"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["evaluation", "starts_at"], name="appointment_eval_idx")]

    def __str__(self):
        return f"{self.title} – {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


class AccompanimentNote(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    visible_to_candidate = models.BooleanField(_("visible par le candidat"), default=False)
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)

    class Meta:
        verbose_name = _("note d'accompagnement")
        verbose_name_plural = _("notes d'accompagnement")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["evaluation", "created_at"], name="note_eval_idx")]


class EvidencePiece(models.Model):
    """A piece of the dossier de preuves: a file, what it proves, and the competencies it serves."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("taille"))
    description = models.TextField(_("situation prouvée"))
    competencies = models.ManyToManyField(
        "catalogue.Competency", related_name="evidence", verbose_name=_("compétences prouvées")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("déposée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("preuve")
        verbose_name_plural = _("preuves")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class CompetencyAssessment(models.Model):
    """The evaluator's result for one competency in one phase (dossier de preuves or mise en situation)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assessments")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    competency = models.ForeignKey("catalogue.Competency", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("résultat"), max_length=32, choices=CompetencyResult.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("évaluée le"), default=timezone.now)

    class Meta:
        verbose_name = _("évaluation d'une compétence")
        verbose_name_plural = _("évaluations des compétences")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "phase", "competency"], name="one_assessment_per_phase")
        ]


class WorkplaceVisit(models.Model):
    """The mise en situation's date and place; a rescheduled visit stays as history with its reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="visits")
    scheduled_at = models.DateTimeField(_("date et heure"))
    address = models.TextField(_("adresse du site"))
    working_time = models.CharField(_("temps de travail"), max_length=16, choices=WorkingTime.choices)
    is_current = models.BooleanField(_("en vigueur"), default=True)
    change_reason = models.TextField(_("motif du report"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("planifiée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("mise en situation planifiée")
        verbose_name_plural = _("mises en situation planifiées")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation"], condition=Q(is_current=True), name="one_current_visit")
        ]


class SynthesisBlock(models.Model):
    """The synthesis, block by block: acquired or not, and why."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="synthesis_blocks")
    block = models.ForeignKey("catalogue.CompetencyBlock", on_delete=models.PROTECT, related_name="+")
    acquired = models.BooleanField(_("bloc acquis"))
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("bloc de la synthèse")
        verbose_name_plural = _("blocs de la synthèse")
        constraints = [models.UniqueConstraint(fields=["evaluation", "block"], name="one_synthesis_row_per_block")]
