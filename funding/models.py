from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


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
