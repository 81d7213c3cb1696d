from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.validators import validate_idcc, validate_siret
from cqpt_portal.files.storage import dossier_document_path, private_storage, random_name

from .enums import (
    AccessRoute,
    AdmissibilityOutcome,
    ContractType,
    DocumentKind,
    DossierState,
    EmployerConfirmation,
    ExportState,
    InadmissibilityReason,
    Initiative,
    InvitationState,
    WorkingTime,
    missing_item_label,
)


class Dossier(models.Model):
    """A candidacy for one CQPT: the candidate's own file, from draft to the CPNE decision.

    `state` changes only through candidates.workflow.apply_transition.
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("candidat")
    )
    number = models.CharField(_("numéro"), max_length=20, unique=True, null=True, blank=True)
    state = models.CharField(_("état"), max_length=32, choices=DossierState.choices, default=DossierState.DRAFT)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("premier dépôt le"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)

    # Identity and contact
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)

    # Employer and contract
    company = models.ForeignKey(
        "catalogue.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("employeur"),
    )
    job_title = models.CharField(_("emploi occupé"), max_length=150, blank=True)
    contract_type = models.CharField(_("type de contrat"), max_length=16, choices=ContractType.choices, blank=True)
    contract_start = models.DateField(_("début du contrat"), null=True, blank=True)
    contract_end = models.DateField(_("fin du contrat"), null=True, blank=True)
    contract_targets_cqpt = models.BooleanField(_("le contrat vise ce CQPT"), default=False)

    # The candidacy
    access_route = models.CharField(_("voie d'accès"), max_length=16, choices=AccessRoute.choices, blank=True)
    cqpt = models.ForeignKey(
        "catalogue.Cqpt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("CQPT visé"),
    )
    funding_scheme = models.ForeignKey(
        "funding.FundingScheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("dispositif de financement"),
    )
    working_time = models.CharField(_("temps de l'évaluation"), max_length=16, choices=WorkingTime.choices, blank=True)
    initiative = models.CharField(
        _("initiative"), max_length=16, choices=Initiative.choices, default=Initiative.EMPLOYEE
    )
    share_with_employer = models.BooleanField(
        _("partager l'avancement avec mon employeur"),
        default=False,
        help_text=_("Votre employeur verra l'état de votre dossier, jamais vos documents."),
    )

    # AUVICOM's review
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_dossiers",
        verbose_name=_("instructeur AUVICOM"),
    )
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("motif du retrait"), blank=True)

    class Meta:
        verbose_name = _("dossier de candidature")
        verbose_name_plural = _("dossiers de candidature")
        ordering = ["-created_at"]
        permissions = [("review_dossier", "Can review admissibility"), ("correct_decision", "Can correct a decision")]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="dossier_state_submitted_idx"),
            models.Index(fields=["cqpt", "state"], name="dossier_cqpt_state_idx"),
            models.Index(fields=["access_route", "state"], name="dossier_route_state_idx"),
            models.Index(fields=["company", "state"], name="dossier_company_state_idx"),
            models.Index(fields=["reviewer", "state"], name="dossier_reviewer_state_idx"),
            models.Index(fields=["submitted_at"], name="dossier_submitted_idx"),
            models.Index(Upper("last_name"), name="dossier_last_name_upper_idx"),
        ]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{self.number or _('Brouillon')} – {name}" if name else str(self.number or _("Brouillon"))

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.candidate.email


class ExperiencePeriod(models.Model):
    """A period of work declared by the candidate, counted by the 1607-hour rule."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="periods", verbose_name=_("dossier"))
    employer_name = models.CharField(_("employeur"), max_length=200)
    siret = models.CharField(_("SIRET de l'employeur"), max_length=14, validators=[validate_siret])
    idcc = models.CharField(
        _("IDCC de l'employeur"),
        max_length=4,
        blank=True,
        validators=[validate_idcc],
        help_text=_("2148 pour la Branche des Télécommunications."),
    )
    company = models.ForeignKey(
        "catalogue.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experience_periods",
        verbose_name=_("entreprise connue"),
    )
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    hours = models.PositiveIntegerField(_("heures de travail effectif"))
    related_to_cqpt = models.BooleanField(_("en rapport direct avec le CQPT visé"), default=True)
    description = models.TextField(_("description des activités"), blank=True, max_length=2000)
    employer_status = models.CharField(
        _("confirmation de l'employeur"),
        max_length=16,
        choices=EmployerConfirmation.choices,
        default=EmployerConfirmation.DECLARED,
    )
    employer_comment = models.TextField(_("commentaire de l'employeur"), blank=True)
    employer_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    employer_reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("période d'expérience")
        verbose_name_plural = _("périodes d'expérience")
        ordering = ["start_date", "id"]
        indexes = [
            models.Index(fields=["company", "employer_status"], name="period_company_status_idx"),
            # The employer dashboard's two lists (services.employer.employer_periods_to_confirm and
            # employer_periods_answered) read a page straight off these, in order, with no sort.
            models.Index(
                fields=["siret", "-dossier", "start_date", "id"],
                condition=Q(employer_status=EmployerConfirmation.DECLARED),
                name="period_pending_siret_idx",
            ),
            models.Index(
                fields=["siret", "-employer_reviewed_at", "-id"],
                condition=~Q(employer_status=EmployerConfirmation.DECLARED),
                name="period_answered_siret_idx",
            ),
        ]

    def __str__(self):
        return f"{self.employer_name} {self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y}"


class DossierDocument(models.Model):
    """A supporting document, checked by content and stored privately under a random name."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents", verbose_name=_("dossier"))
    kind = models.CharField(_("type de document"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=dossier_document_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("taille"))
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.original_name}"


class DossierSubmission(models.Model):
    """What AUVICOM reviews: the dossier as it stood at one (re)submission, frozen."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="submissions")
    sequence = models.PositiveSmallIntegerField(_("dépôt n°"))
    submitted_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    reference_date = models.DateField(_("date de référence de l'éligibilité"))
    snapshot = models.JSONField(_("contenu"), encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["dossier", "sequence"]
        constraints = [models.UniqueConstraint(fields=["dossier", "sequence"], name="unique_submission_sequence")]


class AdmissibilityDecision(models.Model):
    """AUVICOM's decision on one submission; a correction revokes it and adds another."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="decisions")
    submission = models.ForeignKey(DossierSubmission, null=True, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("décision"), max_length=16, choices=AdmissibilityOutcome.choices)
    reason = models.CharField(_("motif"), max_length=32, choices=InadmissibilityReason.choices, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    missing_items = models.JSONField(_("pièces ou informations manquantes"), default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("décidé le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "decided_at"]
        indexes = [models.Index(fields=["dossier", "revoked_at"], name="decision_current_idx")]

    @property
    def missing_item_labels(self) -> list[str]:
        """The missing items as the candidate reads them, in the current language."""
        return [missing_item_label(item) for item in self.missing_items or []]


class DossierNumberCounter(models.Model):
    """One row per year; locked while a submission takes the next number, so none is skipped."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class EmployerInvitation(models.Model):
    """An employer's proposal to an employee: a prefilled candidacy to accept or decline."""

    company = models.ForeignKey("catalogue.Company", on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_invitations")
    email = models.EmailField(_("e-mail du salarié"))
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    cqpt = models.ForeignKey("catalogue.Cqpt", on_delete=models.PROTECT, verbose_name=_("CQPT proposé"))
    access_route = models.CharField(_("voie d'accès"), max_length=16, choices=AccessRoute.choices)
    contract_type = models.CharField(_("type de contrat"), max_length=16, choices=ContractType.choices)
    contract_start = models.DateField(_("début du contrat"), null=True, blank=True)
    contract_end = models.DateField(_("fin du contrat"), null=True, blank=True)
    message = models.TextField(_("message au salarié"), blank=True, max_length=2000)
    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(_("état"), max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    responded_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dossier = models.OneToOneField(Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation")

    class Meta:
        verbose_name = _("proposition de l'employeur")
        verbose_name_plural = _("propositions des employeurs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="invitation_company_idx")]
        constraints = [
            # One proposal awaiting an answer per address and company (services.employer.invitation_create).
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=Q(state=InvitationState.PENDING),
                name="invitation_one_pending_per_email",
            )
        ]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


def admissibility_export_path(instance, filename):
    return random_name(instance, "exports")


class AdmissibilityExport(models.Model):
    """A CSV export of AUVICOM's queue too long to stream: written by a task, downloaded by its requester only.

    It keeps the filters it was asked with; the file lives in private storage under a random name
    until it expires (settings.ADMISSIBILITY_EXPORT_KEEP_DAYS), then the beat sweep deletes both.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admissibility_exports",
        verbose_name=_("demandé par"),
    )
    params = models.JSONField(_("filtres"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    state = models.CharField(_("état"), max_length=16, choices=ExportState.choices, default=ExportState.PENDING)
    lines = models.PositiveIntegerField(_("lignes"), default=0)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    ready_at = models.DateTimeField(_("prêt le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    file = models.FileField(
        _("fichier"), storage=private_storage, upload_to=admissibility_export_path, max_length=200, blank=True
    )
    size = models.PositiveBigIntegerField(_("taille"), default=0)

    class Meta:
        verbose_name = _("export CSV de la file AUVICOM")
        verbose_name_plural = _("exports CSV de la file AUVICOM")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_requester_idx")]

    def __str__(self):
        return f"EXP-{self.pk}"

    @property
    def is_available(self) -> bool:
        return (
            self.state == ExportState.READY
            and bool(self.file)
            and self.expires_at is not None
            and timezone.now() < self.expires_at
        )
