from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import NotificationKind, NotificationState


class Notification(models.Model):
    """The outbox: a message written in the same transaction as its cause.

    It is shown in the portal at once and e-mailed after commit by a Celery
    task; the periodic sweep sends what a broker outage left pending.
    """

    # A user (shown in the portal, e-mailed at their current address) or, for someone without an
    # account (an employer's invitation), an address only.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
        null=True,
        blank=True,
    )
    recipient_email = models.EmailField(_("adresse du destinataire"), blank=True)
    # What it is about, for whoever shows its delivery state (e.g. "invitation:12").
    reference = models.CharField(_("référence"), max_length=64, blank=True, db_index=True)
    kind = models.CharField(_("type"), max_length=64, choices=NotificationKind.choices)
    context = models.JSONField(_("contexte"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    link = models.CharField(_("lien"), max_length=300, blank=True)
    # One optional attachment, e.g. an appointment's .ics calendar file.
    attachment_name = models.CharField(_("pièce jointe"), max_length=100, blank=True)
    attachment_type = models.CharField(_("type de la pièce jointe"), max_length=100, blank=True)
    attachment = models.TextField(_("contenu de la pièce jointe"), blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    body = models.TextField(_("message"), blank=True)
    state = models.CharField(
        _("état"), max_length=16, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    # While "sending": until when the worker that took it owns it; past it, the sweep tries again.
    lease_until = models.DateTimeField(_("envoi réservé jusqu'au"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_idx"),
            models.Index(
                fields=["next_attempt_at"],
                name="notif_pending_idx",
                condition=models.Q(state=NotificationState.PENDING),
            ),
            models.Index(fields=["recipient"], name="notif_unread_idx", condition=models.Q(read_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(recipient_email=""),
                name="notif_has_recipient",
            )
        ]

    def __str__(self):
        return self.subject or self.kind

    @property
    def email_address(self) -> str:
        return self.recipient.email if self.recipient_id else self.recipient_email

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
