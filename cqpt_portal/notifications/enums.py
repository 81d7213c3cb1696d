from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationState(models.TextChoices):
    PENDING = "pending", _("En attente d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")
