from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.storage import private_storage, random_name

from .enums import ArchiveState, RequestState


def archive_path(instance, filename):
    return random_name(instance, "archives")


class DataArchive(models.Model):
    """A person's archive (RGPD art. 15 and 20): one ZIP built by a task, downloadable until it expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_archives", verbose_name=_("personne")
    )
    state = models.CharField(_("état"), max_length=16, choices=ArchiveState.choices, default=ArchiveState.PENDING)
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    ready_at = models.DateTimeField(_("prête le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=archive_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("taille"), default=0)

    class Meta:
        verbose_name = _("archive de données personnelles")
        verbose_name_plural = _("archives de données personnelles")
        ordering = ["-requested_at", "-id"]

    @property
    def is_available(self) -> bool:
        return self.state == ArchiveState.READY and bool(self.file) and timezone.now() < self.expires_at


class ErasureRequest(models.Model):
    """A person's request to erase their account (RGPD art. 17): what was erased, what stays, why and until when.

    It names no one: the account it points to is pseudonymised by the erasure itself.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests", verbose_name=_("compte")
    )
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    processed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    dossier_numbers = models.JSONField(_("dossiers déposés"), default=list, blank=True)
    deleted = models.JSONField(_("supprimé"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    kept = models.JSONField(_("conservé"), default=list, blank=True, encoder=DjangoJSONEncoder)
    acknowledged_at = models.DateTimeField(_("vue par AUVICOM le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'effacement")
        verbose_name_plural = _("demandes d'effacement")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"EFF-{self.pk}"


class NameChangeRequest(models.Model):
    """A change of name after submission: AUVICOM accepts it (the dossiers change) or refuses it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="name_change_requests",
        verbose_name=_("candidat"),
    )
    current_first_name = models.CharField(_("prénom actuel"), max_length=150, blank=True)
    current_last_name = models.CharField(_("nom actuel"), max_length=150, blank=True)
    first_name = models.CharField(_("nouveau prénom"), max_length=150)
    last_name = models.CharField(_("nouveau nom"), max_length=150)
    reason = models.TextField(_("motif"), blank=True, max_length=1000)
    state = models.CharField(_("état"), max_length=16, choices=RequestState.choices, default=RequestState.PENDING)
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        verbose_name = _("demande de changement de nom")
        verbose_name_plural = _("demandes de changement de nom")
        ordering = ["-requested_at", "-id"]

    @property
    def new_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class RetentionRun(models.Model):
    """One application of the retention periods, nightly or by hand, with what it removed."""

    started_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    dry_run = models.BooleanField(_("simulation"), default=False)
    trigger = models.CharField(_("origine"), max_length=16, default="beat")
    periods = models.JSONField(_("durées appliquées"), default=dict)
    report = models.JSONField(_("rapport"), default=dict)

    class Meta:
        verbose_name = _("application des durées de conservation")
        verbose_name_plural = _("applications des durées de conservation")
        ordering = ["-started_at", "-id"]


class DraftDeletionWarning(models.Model):
    """When the candidate was warned that their abandoned draft would be deleted (one warning per inactivity)."""

    dossier = models.OneToOneField("candidates.Dossier", on_delete=models.CASCADE, related_name="deletion_warning")
    warned_at = models.DateTimeField(_("prévenu le"))
    deletion_date = models.DateField(_("suppression prévue le"))
