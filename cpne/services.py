"""The CPNE's actions: meetings and their agenda, attendance, conflicts of interest, decisions, certificates.

State changes go through cpne.workflow (the meeting, the decision); these
services write what is not a state (an agenda line, a presence, a pending
decision, a certificate's number) in one transaction with its audit row.
"""

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import DossierState
from candidates.models import Dossier
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused

from .enums import ConflictSource, DecisionOutcome, DecisionState, MeetingState
from .models import (
    AgendaItem,
    Attendance,
    Certificate,
    CertificateCounter,
    ConflictOfInterest,
    CpneMembership,
    Decision,
    Meeting,
    certificate_path,
)

# No look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


# --- meetings and their agenda ---------------------------------------------------------------


def meeting_create(*, actor, starts_at, agenda_cutoff, place="", video_link="") -> Meeting:
    """A planned meeting with its agenda drawn; audited."""
    with transaction.atomic():
        meeting = Meeting.objects.create(
            starts_at=starts_at, agenda_cutoff=agenda_cutoff, place=place, video_link=video_link, created_by=actor
        )
        audit_record(actor=actor, target=meeting, action="meeting_created")
        agenda_refresh(meeting=meeting)
    return meeting


def waiting_dossiers(*, cutoff):
    """Dossiers transmitted to the CPNE before the cutoff that are on no open agenda (postponed ones are free)."""
    on_an_agenda = AgendaItem.objects.filter(
        dossier=OuterRef("pk"),
        postponed_at__isnull=True,
        meeting__state__in=[MeetingState.PLANNED, MeetingState.IN_SESSION],
    )
    return (
        Dossier.objects.filter(state=DossierState.TRANSMITTED_TO_CPNE, evaluation__transmitted_at__lte=cutoff)
        .exclude(Exists(on_an_agenda))
        .order_by("evaluation__transmitted_at", "pk")
    )


def agenda_refresh(*, meeting: Meeting) -> int:
    """Add to a planned meeting's agenda the dossiers waiting before its cutoff, in order of transmission."""
    if meeting.state != MeetingState.PLANNED:
        return 0
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
        added = []
        for dossier_id in waiting_dossiers(cutoff=meeting.agenda_cutoff).values_list("pk", flat=True):
            if meeting.items.filter(dossier_id=dossier_id).exists():
                continue  # postponed at this very meeting: it waits for the next one
            last += 1
            added.append(AgendaItem(meeting=meeting, dossier_id=dossier_id, position=last))
        AgendaItem.objects.bulk_create(added)
    return len(added)


def item_postpone(*, item_id: int, actor, reason: str) -> AgendaItem:
    """A dossier taken off this meeting's agenda (it waits for the next meeting), with the reason; audited."""
    reason = (reason or "").strip()
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item_id)
        if item.meeting.state not in (MeetingState.PLANNED, MeetingState.IN_SESSION):
            raise ActionRefused(_("La séance est close : son ordre du jour ne change plus."))
        if Decision.objects.filter(item=item).exists():
            raise ActionRefused(_("Ce dossier a déjà une décision : retirez-la avant de le reporter."))
        if not reason:
            raise ActionRefused(fields={"reason": [_("Indiquez le motif du report.")]})
        item.postponed_at = timezone.now()
        item.postponed_by = actor
        item.postpone_reason = reason
        item.save()
        audit_record(actor=actor, target=item.meeting, action="agenda_postponed", comment=reason)
    return item


# --- attendance and conflicts -------------------------------------------------------------------


def attendance_prepare(*, meeting: Meeting) -> None:
    """One attendance line per seated member (college as it is today), absent until the secretary ticks it."""
    existing = set(meeting.attendances.values_list("member_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=m.user_id, college=m.college)
        for m in CpneMembership.objects.filter(active=True, user__is_active=True).exclude(user_id__in=existing)
    )


def attendance_record(*, meeting_id: int, actor, present_ids: set[int]) -> None:
    """Who is present, for each college; audited."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.state != MeetingState.IN_SESSION:
            raise ActionRefused(_("Les présences s'enregistrent pendant la séance."))
        for attendance in meeting.attendances.all():
            present = attendance.pk in present_ids
            if attendance.present != present:
                attendance.present = present
                attendance.save(update_fields=["present"])
        audit_record(actor=actor, target=meeting, action="attendance_recorded", extra={"present": sorted(present_ids)})


def conflicts_detect(*, meeting: Meeting) -> int:
    """Members employed by a candidate's company take no part in that dossier (recorded)."""
    members = {
        m.user_id: m.user.company_id
        for m in CpneMembership.objects.filter(active=True, user__company__isnull=False).select_related("user")
    }
    created = 0
    for item in meeting.items.filter(postponed_at__isnull=True).select_related("dossier"):
        for member_id, company_id in members.items():
            if item.dossier.company_id == company_id:
                _conflict, made = ConflictOfInterest.objects.get_or_create(
                    item=item, member_id=member_id, defaults={"source": ConflictSource.EMPLOYER}
                )
                created += made
    return created


def conflict_declare(*, item_id: int, member, note: str = "") -> ConflictOfInterest:
    """A member declares a conflict of interest on one dossier: they take no part in its decision; audited."""
    with transaction.atomic():
        item = AgendaItem.objects.select_related("meeting").get(pk=item_id)
        if item.meeting.state not in (MeetingState.PLANNED, MeetingState.IN_SESSION):
            raise ActionRefused(_("La séance est close."))
        conflict, created = ConflictOfInterest.objects.get_or_create(
            item=item, member=member, defaults={"source": ConflictSource.DECLARED, "note": note.strip()}
        )
        if created:
            audit_record(actor=member, target=item.meeting, action="conflict_declared", comment=note.strip())
    return conflict


# --- decisions ------------------------------------------------------------------------------------


def decision_record(
    *, item_id: int, actor, outcome: str, reason: str = "", request: str = "", redo_phases=()
) -> Decision:
    """Record (or change) the commission's pending decision on one dossier; it is released when the meeting closes."""
    from .selectors import item_quorum_problems

    reason, request = (reason or "").strip(), (request or "").strip()
    fields = {}
    if outcome == DecisionOutcome.NOT_AWARDED and not reason:
        fields["reason"] = [_("Indiquez le motif communiqué au candidat.")]
    if outcome == DecisionOutcome.DEFERRED:
        if not request:
            fields["request"] = [_("Indiquez ce qui est demandé à l'évaluateur.")]
        if not redo_phases:
            fields["redo_phases"] = [_("Choisissez au moins une phase à reprendre.")]
    if fields:
        raise ActionRefused(fields=fields)
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().select_related("meeting", "dossier").get(pk=item_id)
        if item.meeting.state != MeetingState.IN_SESSION:
            raise ActionRefused(_("Les décisions s'enregistrent pendant la séance."))
        if item.postponed_at:
            raise ActionRefused(_("Ce dossier est reporté à une autre séance."))
        problems = item_quorum_problems(item)
        if problems:
            raise ActionRefused(*problems)
        decision, _created = Decision.objects.update_or_create(
            item=item,
            defaults={
                "meeting": item.meeting,
                "dossier": item.dossier,
                "outcome": outcome,
                "reason": reason if outcome == DecisionOutcome.NOT_AWARDED else "",
                "request": request if outcome == DecisionOutcome.DEFERRED else "",
                "redo_phases": sorted(redo_phases) if outcome == DecisionOutcome.DEFERRED else [],
                "recorded_by": actor,
                "recorded_at": timezone.now(),
                "state": DecisionState.PENDING,
            },
        )
        audit_record(
            actor=actor,
            target=item.meeting,
            action="decision_recorded",
            extra={"dossier": item.dossier.number, "outcome": outcome},
        )
    return decision


# --- certificates ---------------------------------------------------------------------------------


def next_certificate_sequence(*, year: int) -> int:
    """The year's next number, drawn under the counter row's lock: no gap, no duplicate (call inside a transaction)."""
    CertificateCounter.objects.bulk_create([CertificateCounter(year=year, last=0)], ignore_conflicts=True)
    counter = CertificateCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def certificate_issue(*, decision: Decision) -> Certificate:
    """The award's certificate: number, code and printed data frozen now; the same one if it exists already."""
    with transaction.atomic():
        existing = Certificate.objects.filter(decision_id=decision.pk).first()
        if existing is not None:
            return existing
        dossier = decision.dossier
        meeting = decision.meeting
        decided_on = timezone.localtime(meeting.starts_at).date()
        year = decided_on.year
        sequence = next_certificate_sequence(year=year)
        code = verification_code()
        while Certificate.objects.filter(code=code).exists():
            code = verification_code()
        certificate = Certificate.objects.create(
            decision=decision,
            number=f"CQPT-C-{year}-{sequence:05d}",
            year=year,
            sequence=sequence,
            code=code,
            candidate_name=dossier.display_name,
            cqpt_title=str(dossier.cqpt),
            decided_on=decided_on,
            mention=_(
                "Délivré par la Commission Paritaire Nationale de l'Emploi des télécommunications "
                "(Convention collective nationale des télécommunications, IDCC 2148), réunie le %(date)s."
            )
            % {"date": decided_on.strftime("%d/%m/%Y")},
        )
    return certificate


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("cpne:verify_code", args=[code])


def certificate_html(certificate: Certificate) -> str:
    """The certificate's one page, with the QR code of its public verification address."""
    import segno

    url = verification_url(certificate.code)
    # A fixed mask: segno would otherwise score the eight masks, most of the QR's cost (any mask reads the same).
    qr = segno.make(url, error="m", micro=False, mask=0)
    return render_to_string(
        "cpne/certificate.html",
        # A PNG (not SVG): the PDF keeps it as an image, which a reader (and the tests) can decode.
        {"certificate": certificate, "verification_url": url, "qr_png": qr.png_data_uri(scale=6, border=2)},
    )


def certificate_pdf_make(*, certificate_id: int, force: bool = False) -> Certificate:
    """Render the certificate's PDF (WeasyPrint) and keep it; idempotent: done once unless forced.

    The file is written first, then the row is updated only if it still has no PDF (or when forced): two
    workers racing on the same award keep one file, the loser deletes its own.
    """
    from .pdf import html_to_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf and not force:
        return certificate
    old = certificate.pdf.name if certificate.pdf else ""
    pdf = html_to_pdf(certificate_html(certificate))
    storage = certificate.pdf.storage
    name = storage.save(certificate_path(certificate, f"{certificate.number}.pdf"), ContentFile(pdf))
    now = timezone.now()
    with transaction.atomic():
        _relaxed_commit()
        updated = Certificate.objects.filter(pk=certificate_id, pdf=old).update(pdf=name, pdf_made_at=now)
    if not updated:
        storage.delete(name)  # another worker was faster
        return Certificate.objects.get(pk=certificate_id)
    if old:
        storage.delete(old)
    certificate.pdf.name, certificate.pdf_made_at = name, now
    return certificate


def _relaxed_commit() -> None:
    """The PDF's row may be lost in a server crash (the sweep makes it again): do not wait for the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def minutes_pdf_make(*, meeting_id: int, force: bool = False) -> Meeting:
    """The minutes (procès-verbal) of a closed meeting as a PDF kept with it; idempotent."""
    from .pdf import html_to_pdf
    from .selectors import minutes_context

    meeting = Meeting.objects.get(pk=meeting_id)
    if meeting.state != MeetingState.CLOSED or (meeting.minutes and not force):
        return meeting
    pdf = html_to_pdf(render_to_string("cpne/minutes.html", minutes_context(meeting)))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.minutes and not force:
            return meeting
        meeting.minutes.save(f"pv-cpne-{meeting.pk}.pdf", ContentFile(pdf), save=False)
        meeting.minutes_made_at = timezone.now()
        meeting.save(update_fields=["minutes", "minutes_made_at"])
    return meeting
