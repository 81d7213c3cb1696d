from django.db import models
from django.utils.translation import gettext_lazy as _


class Payer(models.TextChoices):
    AUVICOM = "auvicom", _("AUVICOM (fonds de la professionnalisation)")
    EMPLOYER = "employer", _("L'employeur (plan de formation)")


class FeeState(models.TextChoices):
    """The fee of one evaluation: committed at assignment, due once the evaluation is followed in full."""

    COMMITTED = "committed", _("Engagé")
    DUE = "due", _("Dû")
    IN_STATEMENT = "in_statement", _("Sur un relevé de paiement")
    PAID = "paid", _("Payé")
    NOT_DUE = "not_due", _("Non dû")


class NotDueReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Dossier retiré par le candidat avant la fin de l'évaluation")
    ABANDONED = "abandoned", _("Évaluation abandonnée avant d'être suivie en intégralité")
    INADMISSIBLE = "inadmissible", _("Dossier irrecevable")
    HANDLED_ELSEWHERE = "handled_elsewhere", _("Dispositif traité hors du portail (Fongecif)")


class StatementState(models.TextChoices):
    ISSUED = "issued", _("Émis, en attente de paiement")
    PAID = "paid", _("Payé")
    CANCELLED = "cancelled", _("Annulé")
