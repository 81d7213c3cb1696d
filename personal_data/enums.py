from django.db import models
from django.utils.translation import gettext_lazy as _


class ArchiveState(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prête")
    FAILED = "failed", _("Échec")


class RequestState(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
