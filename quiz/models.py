"""The question bank, the quiz definitions, and the attempts with their drawn questions and answers.

A question used in an attempt is never changed in place (quiz.services.question_save makes a new
version), and each drawn question keeps a copy of the wording and choices it showed, in its order.
An attempt's state changes only through quiz.workflow.ATTEMPT_WORKFLOW.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import AttemptState, IncidentKind, MultipleChoiceRule, QuestionKind, QuizPurpose


class Question(models.Model):
    """One version of a question; `choices` is [{"key", "text", "correct"}] (2 to 8)."""

    cqpt = models.ForeignKey("catalogue.Cqpt", on_delete=models.PROTECT, related_name="+", verbose_name=_("CQPT"))
    block = models.ForeignKey(
        "catalogue.CompetencyBlock", on_delete=models.PROTECT, related_name="questions", verbose_name=_("bloc")
    )
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.TextField(_("énoncé"))
    choices = models.JSONField(_("choix"), default=list)
    explanation = models.TextField(_("explication (montrée après la notation)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("version précédente"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["cqpt", "block__position", "id"]
        indexes = [models.Index(fields=["block", "is_active"], name="quiz_question_block_idx")]

    def __str__(self):
        return f"{self.text[:80]} (v{self.version})"

    @property
    def correct_keys(self) -> set[str]:
        return {c["key"] for c in self.choices if c.get("correct")}


class QuizDefinition(models.Model):
    """How a CQPT's quiz is drawn, timed and scored, for one purpose (prédiagnostic or phase 2)."""

    cqpt = models.ForeignKey("catalogue.Cqpt", on_delete=models.PROTECT, related_name="+", verbose_name=_("CQPT"))
    purpose = models.CharField(_("usage"), max_length=16, choices=QuizPurpose.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    time_limit_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=40)
    pass_mark = models.DecimalField(
        _("seuil de réussite (%)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        help_text=_("Phase 2 : score global minimal. Sans effet pour le prédiagnostic."),
    )
    multiple_rule = models.CharField(
        _("notation des choix multiples"),
        max_length=32,
        choices=MultipleChoiceRule.choices,
        default=MultipleChoiceRule.ALL_OR_NOTHING,
    )
    grace_seconds = models.PositiveSmallIntegerField(
        _("délai de grâce (secondes)"),
        default=120,
        help_text=_("Après la limite de temps, les réponses déjà envoyées sont encore acceptées pendant ce délai."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("définition de quiz")
        verbose_name_plural = _("définitions de quiz")
        constraints = [models.UniqueConstraint(fields=["cqpt", "purpose"], name="one_quiz_definition_per_purpose")]

    def __str__(self):
        return self.title


class QuizBlockRule(models.Model):
    """How many questions a quiz draws from one block; the block's minimum; the training advised when weak."""

    definition = models.ForeignKey(QuizDefinition, on_delete=models.CASCADE, related_name="block_rules")
    block = models.ForeignKey(
        "catalogue.CompetencyBlock", on_delete=models.PROTECT, related_name="+", verbose_name=_("bloc")
    )
    question_count = models.PositiveSmallIntegerField(_("questions tirées"), default=5)
    min_percent = models.DecimalField(
        _("minimum du bloc (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Phase 2 : score minimal du bloc pour réussir. Prédiagnostic : sous ce score, le bloc est à renforcer."
        ),
    )
    training = models.TextField(_("formation complémentaire conseillée si le bloc est faible"), blank=True)

    class Meta:
        verbose_name = _("tirage par bloc")
        verbose_name_plural = _("tirages par bloc")
        ordering = ["block__position", "id"]
        constraints = [models.UniqueConstraint(fields=["definition", "block"], name="one_rule_per_block")]


class QuizBand(models.Model):
    """A prédiagnostic band: from this overall score up (e.g. 80 % "prêt")."""

    definition = models.ForeignKey(QuizDefinition, on_delete=models.CASCADE, related_name="bands")
    min_percent = models.DecimalField(_("à partir de (%)"), max_digits=5, decimal_places=2)
    label = models.CharField(_("appréciation"), max_length=200)
    advice = models.TextField(_("conseil"), blank=True)

    class Meta:
        verbose_name = _("appréciation du prédiagnostic")
        verbose_name_plural = _("appréciations du prédiagnostic")
        ordering = ["-min_percent"]


class Attempt(models.Model):
    """One candidate's attempt at one quiz: opened by staff for a window, started by the candidate."""

    definition = models.ForeignKey(QuizDefinition, on_delete=models.PROTECT, related_name="attempts")
    purpose = models.CharField(_("usage"), max_length=16, choices=QuizPurpose.choices)
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts")
    dossier = models.ForeignKey(
        "candidates.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", null=True, blank=True, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("état"), max_length=16, choices=AttemptState.choices, default=AttemptState.OPEN)
    state_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    created_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    window_opens_at = models.DateTimeField(_("à passer à partir du"))
    window_closes_at = models.DateTimeField(_("à commencer avant le"))
    seed = models.BigIntegerField(_("graine du tirage"))
    # Snapshots of the definition when opened, so that editing it never changes a running attempt.
    time_limit_seconds = models.PositiveIntegerField(_("durée (secondes)"))
    grace_seconds = models.PositiveIntegerField(_("délai de grâce (secondes)"))
    pass_mark = models.DecimalField(_("seuil de réussite (%)"), max_digits=5, decimal_places=2)
    multiple_rule = models.CharField(max_length=32, choices=MultipleChoiceRule.choices)
    extra_seconds = models.PositiveIntegerField(_("temps supplémentaire (secondes)"), default=0)
    extra_time_reason = models.TextField(_("motif du temps supplémentaire"), blank=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    deadline = models.DateTimeField(_("fin du temps"), null=True, blank=True)
    closes_at = models.DateTimeField(_("fin du délai de grâce"), null=True, blank=True)
    closed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    closed_at_deadline = models.BooleanField(_("close à la fin du temps"), default=False)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("réussi"), null=True, blank=True)
    band = models.CharField(_("appréciation"), max_length=200, blank=True)
    band_advice = models.TextField(_("conseil"), blank=True)
    result_recorded_at = models.DateTimeField(_("résultat reporté dans l'évaluation le"), null=True, blank=True)
    result_not_recorded_reason = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("remplace la tentative"),
    )
    void_reason = models.TextField(_("motif de la nouvelle tentative"), blank=True)

    class Meta:
        verbose_name = _("tentative de quiz")
        verbose_name_plural = _("tentatives de quiz")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One attempt per quiz, unless the evaluator grants a new one (the old one is then voided).
            models.UniqueConstraint(
                fields=["candidate", "definition"], condition=~Q(state="voided"), name="one_live_attempt_per_quiz"
            )
        ]
        indexes = [
            models.Index(fields=["state", "closes_at"], name="quiz_attempt_expiry_idx"),
            models.Index(fields=["state", "window_closes_at"], name="quiz_attempt_window_idx"),
            models.Index(fields=["candidate", "state"], name="quiz_attempt_candidate_idx"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} – {self.candidate} – {self.pk}"

    @property
    def time_limit_with_extra(self) -> datetime.timedelta:
        return datetime.timedelta(seconds=self.time_limit_seconds + self.extra_seconds)

    def remaining_seconds(self, now=None) -> int:
        if self.deadline is None:
            return int(self.time_limit_with_extra.total_seconds())
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))

    def is_past_grace(self, now=None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) > self.closes_at

    @property
    def is_prediagnostic(self) -> bool:
        return self.purpose == QuizPurpose.PREDIAGNOSTIC


class AttemptQuestion(models.Model):
    """A drawn question, with the wording and choices (in their drawn order) it showed, and its saved answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("numéro"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="uses")
    block = models.ForeignKey("catalogue.CompetencyBlock", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.TextField()
    choices = models.JSONField(default=list)  # [{"key", "text", "correct"}] in the order shown
    explanation = models.TextField(blank=True)
    selected = models.JSONField(_("réponse"), null=True, blank=True)  # keys ticked; None: not answered
    answered_at = models.DateTimeField(_("enregistrée le"), null=True, blank=True)
    saves = models.PositiveIntegerField(_("enregistrements"), default=0)
    neutralised_at = models.DateTimeField(_("neutralisée le"), null=True, blank=True)
    neutralised_reason = models.TextField(_("motif de la neutralisation"), blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("question tirée")
        verbose_name_plural = _("questions tirées")
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="one_question_per_position")]

    @property
    def choice_keys(self) -> list[str]:
        return [c["key"] for c in self.choices]

    @property
    def correct_keys(self) -> set[str]:
        return {c["key"] for c in self.choices if c.get("correct")}

    @property
    def is_answered(self) -> bool:
        return bool(self.selected)


class AttemptBlockResult(models.Model):
    """An attempt's score for one block, written when it is scored."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="block_results")
    block = models.ForeignKey("catalogue.CompetencyBlock", on_delete=models.PROTECT, related_name="+")
    questions = models.PositiveSmallIntegerField(_("questions comptées"))
    points = models.DecimalField(max_digits=8, decimal_places=4)
    percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True)
    min_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    passed = models.BooleanField(null=True)
    training = models.TextField(blank=True)

    class Meta:
        ordering = ["block__position", "block__code"]
        constraints = [models.UniqueConstraint(fields=["attempt", "block"], name="one_result_per_block")]


class Incident(models.Model):
    """An incident reported during or after an attempt (by the candidate or the evaluator)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("nature"), max_length=16, choices=IncidentKind.choices)
    question = models.ForeignKey(
        AttemptQuestion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        verbose_name=_("question concernée"),
    )
    description = models.TextField(_("description"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("signalé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["reported_at", "id"]
