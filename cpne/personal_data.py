"""What the CPNE holds about a person (registered in CpneConfig.ready, see docs/personal_data.md).

A candidate: the commission's released decisions about their dossiers (never a pending one) and their
certificates, which print the name at issue. A member: their seat, their attendance and the conflicts of
interest they declared. Decisions and certificates are the commission's record: they stay; a certificate
keeps its holder's name `award_record_months` after the decision so that it stays verifiable.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import FINAL_STATES, DossierState
from personal_data.providers.candidates import until
from personal_data.registry import Erasure, ErasureContext, Export, Kept, RetentionContext, months_after, row

from .enums import DecisionOutcome, DecisionState, MeetingState
from .models import AgendaItem, Attendance, Certificate, ConflictOfInterest, CpneMembership, Decision


def certificate_name(certificate) -> str:
    return f"cpne/certificat-{certificate.number}.pdf"


def _released(queryset):
    """Decisions the candidate was told of: released (a revoked one was released first)."""
    return queryset.exclude(state=DecisionState.PENDING).filter(released_at__isnull=False)


def export(user) -> Export:
    out = Export()
    decisions = list(
        _released(Decision.objects.filter(dossier__candidate=user)).select_related("meeting").order_by("pk")
    )
    out.rows["decisions"] = [
        {**row(d, exclude=("recorded_by", "revoked_by", "item")), "meeting_date": d.meeting.starts_at}
        for d in decisions
    ]
    # Postponements of their dossier, once the meeting is over (the agenda of an open meeting is not theirs yet).
    out.rows["postponements"] = [
        row(i, ["id", "dossier", "meeting", "postponed_at", "postpone_reason"])
        for i in AgendaItem.objects.filter(
            dossier__candidate=user, postponed_at__isnull=False, meeting__state=MeetingState.CLOSED
        )
    ]
    certificates = list(Certificate.objects.filter(decision__in=[d.pk for d in decisions]).order_by("pk"))
    out.rows["certificates"] = [
        {
            **row(c, exclude=("pdf",)),
            "state": "revoked" if c.revoked_at else "valid",
            "pdf": certificate_name(c) if c.pdf else "",
        }
        for c in certificates
    ]
    out.files += [(certificate_name(c), c.pdf) for c in certificates if c.pdf]
    # A member's own records: their seat, attendance and declared conflicts (not the candidates' identities).
    out.rows["membership"] = [row(m) for m in CpneMembership.objects.filter(user=user)]
    out.rows["attendance"] = [
        {**row(a), "meeting_date": a.meeting.starts_at}
        for a in Attendance.objects.filter(member=user).select_related("meeting").order_by("pk")
    ]
    out.rows["conflicts"] = [
        {**row(c, ["id", "source", "note", "recorded_at"]), "meeting": c.item.meeting_id}
        for c in ConflictOfInterest.objects.filter(member=user).select_related("item").order_by("pk")
    ]
    return out


def erase(user, context: ErasureContext) -> Erasure:
    periods = settings.PERSONAL_DATA_RETENTION
    erasure = Erasure()
    decisions = _released(Decision.objects.filter(dossier__candidate=user)).select_related("dossier")
    for dossier in sorted({d.dossier for d in decisions}, key=lambda d: d.pk):
        label = dossier.number or str(dossier.pk)
        certificates = Certificate.objects.filter(decision__dossier=dossier)
        for certificate in certificates:
            erasure.kept.append(
                Kept(
                    _("Certificat %(number)s (CQPT %(cqpt)s) : nom du titulaire, date et PDF")
                    % {"number": certificate.number, "cqpt": certificate.cqpt_title},
                    _(
                        "Le certificat délivré doit rester vérifiable par un employeur ou par vous-même ; "
                        "il porte le nom à la date de délivrance."
                    ),
                    months_after(certificate.decided_on, periods["award_record_months"]),
                )
            )
        if dossier.state == DossierState.AWARDED:
            months = periods["award_record_months"]
            reason = _("Elles fondent le certificat délivré, qui doit rester vérifiable.")
        else:
            months = periods["dossier_after_decision_months"]
            reason = _("Elles sont le relevé des décisions de la commission, gardé pour un recours ou un contrôle.")
        erasure.kept.append(
            Kept(
                _("Dossier %(number)s : décisions de la CPNE") % {"number": label},
                reason + " " + _("Gardées %(months)s mois après la décision finale.") % {"months": months},
                until(dossier, months),
            )
        )

    # A member: seat closed; attendance and conflicts of meetings still to come go, those of held meetings stay.
    erasure.deleted["cpne_seat"] = CpneMembership.objects.filter(user=user, active=True).update(active=False)
    upcoming = Q(meeting__state__in=(MeetingState.PLANNED, MeetingState.CANCELLED))
    erasure.deleted["attendance_of_meetings_not_held"] = Attendance.objects.filter(upcoming, member=user).delete()[0]
    erasure.deleted["conflicts_of_meetings_not_held"] = ConflictOfInterest.objects.filter(
        member=user, item__meeting__state__in=(MeetingState.PLANNED, MeetingState.CANCELLED)
    ).delete()[0]
    held = Attendance.objects.filter(member=user).exclude(upcoming)
    if held.exists() or ConflictOfInterest.objects.filter(member=user).exists():
        erasure.kept.append(
            Kept(
                _("Présences aux séances de la CPNE et conflits d'intérêts déclarés (%(count)s séance(s))")
                % {"count": held.count()},
                _(
                    "Le procès-verbal d'une séance et la composition du quorum sont un document officiel de la "
                    "commission : ils sont gardés avec ses décisions."
                ),
                None,
            )
        )
    return erasure


def retention(context: RetentionContext) -> dict[str, int]:
    """Past `award_record_months`, a certificate loses its holder's name and PDF; past
    `dossier_after_decision_months`, a decision other than an award loses its free texts."""
    old_certificates = Certificate.objects.filter(
        decided_on__lt=timezone.localdate(context.months_ago("award_record_months"))
    ).exclude(candidate_name="", pdf="")
    old_decisions = (
        Decision.objects.filter(
            dossier__state_changed_at__lt=context.months_ago("dossier_after_decision_months"),
            dossier__state__in=FINAL_STATES - {DossierState.AWARDED},
        )
        .exclude(outcome=DecisionOutcome.AWARDED)
        .exclude(reason="", request="", revocation_reason="")
    )
    report = {"certificates_pseudonymised": old_certificates.count(), "decisions_pseudonymised": old_decisions.count()}
    if not context.dry_run:
        context.files.extend(name for name in old_certificates.values_list("pdf", flat=True) if name)
        # cpne.tasks leaves a certificate without holder alone (it would re-make its PDF otherwise).
        old_certificates.update(candidate_name="", pdf="")
        old_decisions.update(reason="", request="", revocation_reason="")
    return report
