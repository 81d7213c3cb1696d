"""The candidacy: dossiers, periods, documents, submissions, decisions; the employers' proposals."""

import datetime

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import FINAL_STATES, DossierState
from candidates.models import (
    AdmissibilityDecision,
    Dossier,
    DossierDocument,
    DossierSubmission,
    EmployerInvitation,
    ExperiencePeriod,
)
from cqpt_portal.notifications.enums import NotificationKind
from cqpt_portal.notifications.services import notification_create

from ..models import DraftDeletionWarning
from ..registry import Erasure, ErasureContext, Export, Kept, RetentionContext, months_after, row

CONTACT_FIELDS = ("phone", "address", "postal_code", "city")
IDENTITY_FIELDS = ("last_name", "first_name", "birth_date")


def erased_email(user) -> str:
    return f"erased-{user.pk}@erased.invalid"


def never_submitted(queryset):
    return queryset.filter(state=DossierState.DRAFT, first_submitted_at__isnull=True, submitted_at__isnull=True)


def document_name(document) -> str:
    return f"candidates/dossier-{document.dossier_id}/{document.pk}-{document.original_name}"


def export(user) -> Export:
    out = Export(rows={})
    dossiers = list(Dossier.objects.filter(candidate=user).order_by("pk"))
    ids = [d.pk for d in dossiers]
    out.rows["dossiers"] = [row(d, exclude=("reviewer",)) for d in dossiers]
    out.rows["experience_periods"] = [
        row(p, exclude=("employer_reviewed_by",)) for p in ExperiencePeriod.objects.filter(dossier__in=ids)
    ]
    documents = list(DossierDocument.objects.filter(dossier__in=ids))
    out.rows["documents"] = [{**row(d, exclude=("uploaded_by",)), "file": document_name(d)} for d in documents]
    out.files += [(document_name(d), d.file) for d in documents if d.file]
    out.rows["submissions"] = [row(s) for s in DossierSubmission.objects.filter(dossier__in=ids)]
    out.rows["admissibility_decisions"] = [
        row(d, exclude=("decided_by", "revoked_by")) for d in AdmissibilityDecision.objects.filter(dossier__in=ids)
    ]
    received = EmployerInvitation.objects.filter(Q(dossier__in=ids) | Q(accepted_by=user) | Q(email__iexact=user.email))
    out.rows["invitations_received"] = [row(i, exclude=("token", "invited_by")) for i in received.distinct()]
    # An employer's own records: what they sent or stated, without their employees' personal data.
    sent = EmployerInvitation.objects.filter(invited_by=user)
    out.rows["invitations_sent"] = [
        row(i, ["id", "company", "cqpt", "access_route", "contract_type", "message", "state", "created_at"])
        for i in sent
    ]
    reviewed = ExperiencePeriod.objects.filter(employer_reviewed_by=user)
    out.rows["periods_reviewed"] = [
        row(p, ["id", "employer_status", "employer_comment", "employer_reviewed_at"]) for p in reviewed
    ]
    return out


def delete_dossiers(queryset, erasure_files: list[str]) -> dict[str, int]:
    """Delete dossiers with their rows; their files' names go to `erasure_files` (deleted after commit)."""
    documents = DossierDocument.objects.filter(dossier__in=queryset)
    erasure_files += [name for name in documents.values_list("file", flat=True) if name]
    counts = {"documents": documents.count(), "experience_periods": 0, "dossiers": 0}
    counts["experience_periods"] = ExperiencePeriod.objects.filter(dossier__in=queryset).count()
    counts["dossiers"] = queryset.count()
    queryset.delete()
    return counts


def decision_date(dossier) -> datetime.date | None:
    return timezone.localdate(dossier.state_changed_at) if dossier.state in FINAL_STATES else None


def until(dossier, months: int):
    decided = decision_date(dossier)
    return months_after(decided, months) if decided else None


def erase(user, context: ErasureContext) -> Erasure:
    """Drafts never submitted go at once; a submitted dossier loses its contact data and keeps the rest for its period."""
    from django.conf import settings

    periods = settings.PERSONAL_DATA_RETENTION
    erasure = Erasure()
    drafts = never_submitted(Dossier.objects.filter(candidate=user))
    counts = delete_dossiers(drafts, erasure.files)
    erasure.deleted.update({f"draft_{key}": value for key, value in counts.items()})

    invitations = EmployerInvitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))
    erasure.deleted["invitation_addresses"] = invitations.update(email=erased_email(user), first_name="", last_name="")

    if EmployerInvitation.objects.filter(invited_by=user).exists():
        erasure.kept.append(
            Kept(
                _("Propositions de candidature envoyées au nom de votre entreprise"),
                _(
                    "Elles font partie des dossiers de vos salariés et des archives de l'entreprise ; "
                    "elles ne portent plus ni votre nom ni votre adresse."
                ),
                None,
            )
        )

    submitted = list(Dossier.objects.filter(candidate=user).order_by("pk"))
    for dossier in submitted:
        for name in CONTACT_FIELDS:
            setattr(dossier, name, "")
        dossier.save(update_fields=[*CONTACT_FIELDS, "updated_at"])
        for submission in dossier.submissions.all():
            identity = dict((submission.snapshot or {}).get("identity", {}))
            if identity:
                identity.update(dict.fromkeys(CONTACT_FIELDS, ""), email=erased_email(user))
                submission.snapshot = {**submission.snapshot, "identity": identity}
                submission.save(update_fields=["snapshot"])
        erasure.deleted["dossier_contact_data"] = erasure.deleted.get("dossier_contact_data", 0) + 1

        label = dossier.number or str(dossier.pk)
        documents = dossier.documents.all()
        documents_until = until(dossier, periods["documents_after_decision_months"])
        if documents_until and documents_until <= timezone.localdate(context.now):
            erasure.files += [d.file.name for d in documents if d.file]
            erasure.deleted["documents"] = erasure.deleted.get("documents", 0) + documents.delete()[0]
        elif documents.exists():
            erasure.kept.append(
                Kept(
                    _("Dossier %(number)s : pièces justificatives") % {"number": label},
                    _("Elles fondent la décision ; elles sont supprimées %(months)s mois après la décision finale.")
                    % {"months": periods["documents_after_decision_months"]},
                    documents_until,
                )
            )
        erasure.kept.append(
            Kept(
                _("Dossier %(number)s : identité, emploi, expériences déclarées, dépôts et décisions")
                % {"number": label},
                _(
                    "Le dossier déposé fonde les décisions d'AUVICOM et de la CPNE et le financement de l'évaluation ; "
                    "il est gardé pour répondre à un recours ou à un contrôle, puis pseudonymisé %(months)s mois "
                    "après la décision finale."
                )
                % {"months": periods["dossier_after_decision_months"]},
                until(dossier, periods["dossier_after_decision_months"]),
            )
        )
        if dossier.state == DossierState.AWARDED:
            erasure.kept.append(
                Kept(
                    _("Dossier %(number)s : nom, date de naissance et délivrance du CQPT") % {"number": label},
                    _("Le certificat délivré doit rester vérifiable par un employeur ou par vous-même."),
                    until(dossier, periods["award_record_months"]),
                )
            )
    return erasure


def retention(context: RetentionContext) -> dict[str, int]:
    report = {}
    report.update(_abandoned_drafts(context))
    documents = DossierDocument.objects.filter(
        dossier__state__in=FINAL_STATES,
        dossier__state_changed_at__lt=context.months_ago("documents_after_decision_months"),
    )
    report["documents_after_decision"] = documents.count()
    if not context.dry_run:
        context.files.extend(name for name in documents.values_list("file", flat=True) if name)
        documents.delete()
    report.update(_old_dossiers(context))
    return report


def _abandoned_drafts(context: RetentionContext) -> dict[str, int]:
    inactive_months = context.periods["draft_inactive_months"]
    warning = datetime.timedelta(days=context.periods["draft_warning_days"])
    deletion_cutoff = context.months_ago("draft_inactive_months")
    drafts = never_submitted(Dossier.objects.all())
    # Deleted only once the candidate was warned, at least `warning` ago, after their last change.
    due = drafts.filter(
        updated_at__lt=deletion_cutoff,
        deletion_warning__warned_at__gte=F("updated_at"),
        deletion_warning__warned_at__lte=context.now - warning,
    )
    to_warn = drafts.filter(updated_at__lt=deletion_cutoff + warning).filter(
        Q(deletion_warning__isnull=True) | Q(deletion_warning__warned_at__lt=F("updated_at"))
    )
    report = {"drafts_warned": to_warn.count()}
    if context.dry_run:
        counts = {
            "documents": DossierDocument.objects.filter(dossier__in=due).count(),
            "dossiers": due.count(),
        }
    else:
        counts = delete_dossiers(Dossier.objects.filter(pk__in=list(due.values_list("pk", flat=True))), context.files)
        for dossier in to_warn.select_related("candidate", "cqpt"):
            deletion_date = max(
                timezone.localdate(months_after(dossier.updated_at, inactive_months)),
                timezone.localdate(context.now + warning),
            )
            DraftDeletionWarning.objects.update_or_create(
                dossier=dossier, defaults={"warned_at": context.now, "deletion_date": deletion_date}
            )
            notification_create(
                recipient=dossier.candidate,
                kind=NotificationKind.DRAFT_DELETION_WARNING,
                context={
                    "cqpt": str(dossier.cqpt) if dossier.cqpt else "",
                    "last_change": f"{timezone.localdate(dossier.updated_at):%d/%m/%Y}",
                    "deletion_date": f"{deletion_date:%d/%m/%Y}",
                },
                link=reverse("candidates:dashboard"),
            )
    report["drafts_deleted"] = counts["dossiers"]
    report["draft_documents_deleted"] = counts["documents"]
    return report


def _old_dossiers(context: RetentionContext) -> dict[str, int]:
    """Past their period, dossiers are pseudonymised: the number, CQPT, states and decisions stay as statistics."""
    old = Dossier.objects.filter(
        state__in=FINAL_STATES, state_changed_at__lt=context.months_ago("dossier_after_decision_months")
    )
    identity_kept = Q(state=DossierState.AWARDED, state_changed_at__gte=context.months_ago("award_record_months"))
    has_data = (
        ~Q(phone="") | ~Q(address="") | ~Q(postal_code="") | ~Q(city="") | ~Q(job_title="") | ~Q(withdrawal_reason="")
    )
    has_identity = ~Q(last_name="") | ~Q(first_name="") | Q(birth_date__isnull=False)
    to_clear = old.filter(has_data | Q(periods__isnull=False) | (has_identity & ~identity_kept)).distinct()
    pks = list(to_clear.values_list("pk", flat=True))
    report = {"dossiers_pseudonymised": len(pks)}
    if context.dry_run or not pks:
        return report
    ExperiencePeriod.objects.filter(dossier__in=pks).delete()
    Dossier.objects.filter(pk__in=pks).update(
        phone="", address="", postal_code="", city="", job_title="", withdrawal_reason=""
    )
    Dossier.objects.filter(pk__in=pks).exclude(identity_kept).update(last_name="", first_name="", birth_date=None)
    for submission in DossierSubmission.objects.filter(dossier__in=pks):
        submission.snapshot = {}
        submission.save(update_fields=["snapshot"])
    AdmissibilityDecision.objects.filter(dossier__in=pks).update(comment="", missing_items=[])
    EmployerInvitation.objects.filter(dossier__in=pks).update(
        email="erased@erased.invalid", first_name="", last_name="", message=""
    )
    return report
