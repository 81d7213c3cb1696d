from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.storage import private_storage

from .enums import FeeState, NotDueReason, Payer, StatementState


class FundingScheme(models.Model):
    """A funding scheme as data: the branch's rules change (CPF and Pro-A replaced DIF in 2019)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    label_en = models.CharField(_("libellé (anglais)"), max_length=120, blank=True)
    explanation = models.TextField(_("explication pour le candidat"), blank=True)
    covered_by_auvicom = models.BooleanField(_("forfait pris en charge par AUVICOM"), default=False)
    flat_fee = models.DecimalField(_("montant du forfait (€)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    handled_elsewhere = models.BooleanField(
        _("traité hors du portail"),
        default=False,
        help_text=_(
            "Par exemple le CIF, instruit par le Fongecif : le portail explique la démarche et ne dépose rien."
        ),
    )
    valid_from = models.DateField(_("en vigueur depuis"), null=True, blank=True)
    valid_until = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("dispositif de financement")
        verbose_name_plural = _("dispositifs de financement")
        ordering = ["position", "label"]

    def __str__(self):
        from django.utils.translation import get_language

        if get_language() == "en" and self.label_en:
            return self.label_en
        return self.label


def statement_pdf_path(instance, filename):
    from cqpt_portal.files.storage import random_name

    return random_name(instance, "funding-statements")


def attestation_pdf_path(instance, filename):
    from cqpt_portal.files.storage import random_name

    return random_name(instance, "funding-attestations")


class Fee(models.Model):
    """The fee of one evaluation: who pays whom, how much, and where it stands. One per evaluation, ever.

    `state` changes only through funding.workflow.FEE_WORKFLOW.
    """

    evaluation = models.OneToOneField(
        "evaluation.Evaluation", on_delete=models.PROTECT, related_name="fee", verbose_name=_("évaluation")
    )
    payer = models.CharField(_("payé par"), max_length=16, choices=Payer.choices)
    company = models.ForeignKey(
        "catalogue.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("employeur"),
    )
    scheme = models.ForeignKey(
        FundingScheme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("dispositif"),
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    organisation = models.ForeignKey(
        "catalogue.EvaluatorOrganisation",
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("organisme bénéficiaire"),
    )
    state = models.CharField(_("état"), max_length=16, choices=FeeState.choices, default=FeeState.COMMITTED)
    state_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    committed_at = models.DateTimeField(_("engagé le"), default=timezone.now)
    due_at = models.DateTimeField(_("dû le"), null=True, blank=True)
    paid_on = models.DateField(_("payé le"), null=True, blank=True)
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)
    not_due_reason = models.CharField(_("motif"), max_length=32, choices=NotDueReason.choices, blank=True)
    attestation = models.FileField(
        _("attestation"), storage=private_storage, upload_to=attestation_pdf_path, max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("forfait d'évaluation")
        verbose_name_plural = _("forfaits d'évaluation")
        ordering = ["-committed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["state", "organisation"], name="fee_state_org_idx"),
            models.Index(fields=["organisation", "committed_at"], name="fee_org_committed_idx"),
            models.Index(fields=["company", "payer"], name="fee_company_payer_idx"),
        ]

    def __str__(self):
        return str(_("Forfait du dossier %(number)s") % {"number": self.evaluation.dossier.number})


class StatementNumberCounter(models.Model):
    """One row per year; locked while a statement takes the next number, so none is skipped or doubled."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class Statement(models.Model):
    """A payment statement: the due AUVICOM fees of one organisation, paid together. `state` via STATEMENT_WORKFLOW."""

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "catalogue.EvaluatorOrganisation",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("organisme bénéficiaire"),
    )
    state = models.CharField(_("état"), max_length=16, choices=StatementState.choices, default=StatementState.ISSUED)
    state_changed_at = models.DateTimeField(_("état depuis le"), default=timezone.now)
    total = models.DecimalField(_("total (€)"), max_digits=10, decimal_places=2)
    fee_count = models.PositiveIntegerField(_("forfaits"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("émis le"), default=timezone.now)
    paid_on = models.DateField(_("payé le"), null=True, blank=True)
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=statement_pdf_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("relevé de paiement")
        verbose_name_plural = _("relevés de paiement")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="statement_org_state_idx")]

    def __str__(self):
        return str(_("Relevé %(number)s") % {"number": self.number})


class StatementLine(models.Model):
    """A fee on a statement; a cancelled statement keeps its lines, inactive, and frees the fees."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="statement_lines")
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["statement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fee"], condition=Q(is_active=True), name="fee_in_one_statement_only"),
        ]
