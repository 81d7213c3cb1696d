"""The CPNE: its members and their college, its meetings, the agenda, the decisions and the certificates.

States change only through cpne.workflow (the meeting's table and the
decision's); a released decision is never overwritten: a revocation is written
on it (who, when, in which later meeting, why) and the dossier's history keeps
both transitions.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.storage import private_storage, random_name

from .enums import College, ConflictSource, DecisionOutcome, DecisionState, MeetingState


def minutes_path(instance, filename):
    return random_name(instance, "cpne-minutes")


def certificate_path(instance, filename):
    return random_name(instance, "certificates")


class CpneMembership(models.Model):
    """A CPNE member's seat: the college they sit for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cpne_membership", verbose_name=_("membre")
    )
    college = models.CharField(_("collège"), max_length=16, choices=College.choices)
    active = models.BooleanField(_("siège actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre de la CPNE")
        verbose_name_plural = _("membres de la CPNE")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.email} ({self.get_college_display()})"


class Meeting(models.Model):
    """A meeting of the commission; its agenda is the dossiers transmitted before the cutoff."""

    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)
    agenda_cutoff = models.DateTimeField(_("date limite de l'ordre du jour"))
    state = models.CharField(_("état"), max_length=16, choices=MeetingState.choices, default=MeetingState.PLANNED)
    state_changed_at = models.DateTimeField(_("changement d'état le"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    cancel_reason = models.TextField(_("motif de l'annulation"), blank=True)
    minutes = models.FileField(
        _("procès-verbal"), storage=private_storage, upload_to=minutes_path, max_length=200, blank=True
    )
    minutes_made_at = models.DateTimeField(_("procès-verbal établi le"), null=True, blank=True)

    class Meta:
        verbose_name = _("séance de la CPNE")
        verbose_name_plural = _("séances de la CPNE")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["state", "starts_at"], name="cpne_meeting_state_idx")]

    def __str__(self):
        return str(_("Séance du %(date)s") % {"date": timezone.localtime(self.starts_at).strftime("%d/%m/%Y")})


class Attendance(models.Model):
    """Whether a member was present at a meeting; the college is frozen as it was that day."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    college = models.CharField(_("collège"), max_length=16, choices=College.choices)
    present = models.BooleanField(_("présent"), default=False)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["college", "member__last_name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="cpne_one_attendance_per_member")]


class AgendaItem(models.Model):
    """One dossier on one meeting's agenda; a postponed item stays, with its reason, and the dossier moves on."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey("candidates.Dossier", on_delete=models.PROTECT, related_name="cpne_items")
    position = models.PositiveIntegerField(_("rang"))
    postponed_at = models.DateTimeField(_("reporté le"), null=True, blank=True)
    postponed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    postpone_reason = models.TextField(_("motif du report"), blank=True)

    class Meta:
        verbose_name = _("dossier à l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "dossier"], name="cpne_dossier_once_per_meeting")]
        indexes = [models.Index(fields=["dossier", "postponed_at"], name="cpne_item_dossier_idx")]


class ConflictOfInterest(models.Model):
    """A member who takes no part in one dossier's decision: employed by the candidate's company, or declared."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("origine"), max_length=16, choices=ConflictSource.choices)
    note = models.TextField(_("précision"), blank=True)
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="cpne_one_conflict_per_member")]


class Decision(models.Model):
    """The commission's decision on one dossier at one meeting: pending until the meeting is closed."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    dossier = models.ForeignKey("candidates.Dossier", on_delete=models.PROTECT, related_name="cpne_decisions")
    outcome = models.CharField(_("décision"), max_length=16, choices=DecisionOutcome.choices)
    reason = models.TextField(_("motif communiqué au candidat"), blank=True)
    request = models.TextField(_("compléments demandés à l'évaluateur"), blank=True)
    redo_phases = models.JSONField(_("phases à reprendre"), default=list, blank=True)
    state = models.CharField(_("état"), max_length=16, choices=DecisionState.choices, default=DecisionState.PENDING)
    state_changed_at = models.DateTimeField(_("changement d'état le"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    released_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_in = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revocations",
        verbose_name=_("annulée en séance du"),
    )
    revocation_reason = models.TextField(_("motif de l'annulation"), blank=True)

    class Meta:
        verbose_name = _("décision de la CPNE")
        verbose_name_plural = _("décisions de la CPNE")
        ordering = ["meeting", "item__position", "id"]
        indexes = [models.Index(fields=["dossier", "state"], name="cpne_decision_dossier_idx")]

    def __str__(self):
        return f"{self.dossier.number} – {self.get_outcome_display()}"


class CertificateCounter(models.Model):
    """The last certificate number of a year; its row is locked while a number is drawn (no gap, no duplicate)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de certificats")
        verbose_name_plural = _("compteurs de certificats")


class Certificate(models.Model):
    """The certificate of one award; what it prints is frozen at issue, the PDF can be re-made identically."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("année"))
    sequence = models.PositiveIntegerField(_("rang dans l'année"))
    code = models.CharField(_("code de vérification"), max_length=8, unique=True)
    candidate_name = models.CharField(_("titulaire"), max_length=300)
    cqpt_title = models.CharField(_("CQPT"), max_length=300)
    decided_on = models.DateField(_("date de la décision"))
    mention = models.TextField(_("mention"))
    issued_at = models.DateTimeField(_("émis le"), default=timezone.now)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=certificate_path, max_length=200, blank=True)
    pdf_made_at = models.DateTimeField(_("PDF établi le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificat")
        verbose_name_plural = _("certificats")
        ordering = ["year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="cpne_certificate_sequence_unique"),
        ]

    def __str__(self):
        return self.number
