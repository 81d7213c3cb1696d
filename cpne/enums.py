from django.db import models
from django.utils.translation import gettext_lazy as _


class College(models.TextChoices):
    """The two sides of the joint commission."""

    EMPLOYERS = "employers", _("Collège employeurs")
    UNIONS = "unions", _("Collège salariés (organisations syndicales)")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Programmée")
    IN_SESSION = "in_session", _("En séance")
    CLOSED = "closed", _("Close, décisions publiées")
    CANCELLED = "cancelled", _("Annulée")


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", _("CQPT délivré")
    NOT_AWARDED = "not_awarded", _("CQPT non délivré")
    DEFERRED = "deferred", _("Ajourné (compléments demandés)")


class DecisionState(models.TextChoices):
    PENDING = "pending", _("En attente de publication")
    RELEASED = "released", _("Publiée")
    REVOKED = "revoked", _("Annulée par une décision ultérieure")


class ConflictSource(models.TextChoices):
    EMPLOYER = "employer", _("Salarié de l'entreprise du candidat")
    DECLARED = "declared", _("Déclaré par le membre")
