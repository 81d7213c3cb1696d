from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from .validators import BRANCH_IDCC, validate_idcc, validate_siret


class Cqpt(models.Model):
    """A CQPT title with its référentiel (blocks of competencies)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("ouvert aux candidatures"), default=True)

    class Meta:
        verbose_name = _("CQPT")
        verbose_name_plural = _("CQPT")
        ordering = ["title"]

    def __str__(self):
        return self.title


class CompetencyBlock(models.Model):
    cqpt = models.ForeignKey(Cqpt, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("CQPT"))
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("intitulé"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("bloc de compétences")
        verbose_name_plural = _("blocs de compétences")
        ordering = ["cqpt", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["cqpt", "code"], name="unique_block_code_per_cqpt")]

    def __str__(self):
        return f"{self.code} – {self.title}"


class Competency(models.Model):
    block = models.ForeignKey(
        CompetencyBlock, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("bloc")
    )
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("intitulé"), max_length=300)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["block", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["block", "code"], name="unique_competency_code_per_block")]

    def __str__(self):
        return f"{self.code} – {self.title}"


class Company(models.Model):
    """An employer, identified by its SIRET; in the branch when its IDCC is 2148."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    idcc = models.CharField(
        _("IDCC"),
        max_length=4,
        default=BRANCH_IDCC,
        validators=[validate_idcc],
        help_text=_("Identifiant de la convention collective ; 2148 pour la Branche des Télécommunications."),
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        ordering = ["name"]
        indexes = [models.Index(Upper("name"), name="company_name_upper_idx")]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def in_branch(self) -> bool:
        return self.idcc == BRANCH_IDCC


class EvaluatorOrganisation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    email = models.EmailField(_("e-mail de contact"), blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    cqpts = models.ManyToManyField(
        Cqpt, related_name="evaluator_organisations", verbose_name=_("CQPT évalués"), blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    evaluator_transmits = models.BooleanField(
        _("l'évaluateur transmet lui-même la synthèse"),
        default=False,
        help_text=_("Sinon, le responsable de l'organisme transmet la synthèse à la CPNE."),
    )
    linked_companies = models.ManyToManyField(
        Company,
        through="OrganisationCompanyLink",
        related_name="linked_evaluator_organisations",
        blank=True,
        verbose_name=_("entreprises liées"),
    )

    class Meta:
        verbose_name = _("organisme évaluateur")
        verbose_name_plural = _("organismes évaluateurs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationCompanyLink(models.Model):
    """A tie between an evaluator organisation and a company, declared by an administrator: a conflict of interest.

    The organisation is never offered to evaluate that company's employees (as
    with an organisation of the same SIREN, which needs no declaration).
    """

    organisation = models.ForeignKey(EvaluatorOrganisation, on_delete=models.CASCADE, related_name="company_links")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="organisation_links")
    reason = models.CharField(_("nature du lien"), max_length=300)
    created_at = models.DateTimeField(_("déclaré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lien entre un organisme et une entreprise")
        verbose_name_plural = _("liens entre organismes et entreprises")
        constraints = [models.UniqueConstraint(fields=["organisation", "company"], name="one_link_per_pair")]

    def __str__(self):
        return f"{self.organisation} – {self.company}"
