"""The evaluation's services: AUVICOM's assignment, reminders, and the calendar file of an appointment.

State changes go through evaluation.workflow (and the dossier's through
candidates.workflow); these functions are the entry points that need more than
one table, or no state change at all.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.workflow import DOSSIER_WORKFLOW
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.enums import NotificationKind
from cqpt_portal.notifications.services import notification_create

from ..enums import AssignmentState, EvaluationState
from ..models import Assignment, Evaluation
from ..selectors import late_assignment_cutoff, organisation_managers
from ..workflow import EVALUATION_WORKFLOW, evaluation_link, organisation_problems

ORGANISATION_REFUSED = "organisation"


def evaluation_assign(*, dossier_id: int, organisation_id: int | None, actor) -> Evaluation:
    """AUVICOM designates an evaluator organisation for an admissible dossier (first time or after a decline).

    Side effects, in one transaction: the evaluation row on the first time, a
    new assignment row (history), the dossier moved to "evaluator assigned",
    audit rows, and the organisation's managers notified after commit. Raises
    ActionRefused (with the "organisation" field) when it may not.
    """
    existing = Evaluation.objects.filter(dossier_id=dossier_id).values_list("pk", "state").first()
    if existing is not None:
        if existing[1] != EvaluationState.TO_REASSIGN:
            raise ActionRefused(
                _("Un organisme évaluateur est déjà désigné pour ce dossier. Quelqu'un l'a peut-être fait entre-temps.")
            )
        return EVALUATION_WORKFLOW.apply(
            pk=existing[0], name="reassign", actor=actor, data={"organisation": organisation_id}
        )
    try:
        with transaction.atomic():
            # The dossier's transition locks the dossier row and checks its state and the actor's role.
            dossier = DOSSIER_WORKFLOW.apply(pk=dossier_id, name="assign_organisation", actor=actor)
            problems = organisation_problems(dossier, organisation_id)
            if problems:
                raise ActionRefused(fields={field: [message] for field, message in problems})
            evaluation = Evaluation.objects.create(dossier=dossier, organisation_id=organisation_id)
            Assignment.objects.create(evaluation=evaluation, organisation_id=organisation_id, assigned_by=actor)
            # funding: the evaluation's fee (who pays, how much, to whom) is recorded at assignment.
            from funding.services import fee_record_assignment

            fee_record_assignment(evaluation=evaluation, organisation_id=organisation_id, actor=actor)
            audit_record(
                actor=actor,
                target=evaluation,
                action="create",
                to_state=evaluation.state,
                extra={"organisation": organisation_id},
            )
            for manager in organisation_managers(organisation_id):
                notification_create(
                    recipient=manager,
                    kind=NotificationKind.ASSIGNMENT_RECEIVED,
                    link=evaluation_link(evaluation, manager),
                    context=_assignment_context(evaluation),
                )
    except IntegrityError:  # a second evaluation for the same dossier, created at the same instant
        raise ActionRefused(
            _("Un organisme évaluateur est déjà désigné pour ce dossier. Quelqu'un l'a peut-être fait entre-temps.")
        ) from None
    return evaluation


def _assignment_context(evaluation: Evaluation) -> dict:
    return {
        "number": evaluation.dossier.number or "",
        "candidate_name": evaluation.dossier.display_name,
        "organisation": str(evaluation.organisation or ""),
    }


def assignments_remind(*, now=None) -> int:
    """Remind the managers of every assignment left unanswered past the delay, once per delay.

    Side effects: one notification per manager and assignment; the assignment's
    reminded_at and reminder_count updated (the row is locked, so two beats
    never remind twice). Returns how many assignments were reminded.
    """
    now = now or timezone.now()
    cutoff = late_assignment_cutoff(now)
    due = Assignment.objects.filter(state=AssignmentState.PENDING, assigned_at__lt=cutoff).filter(
        reminded_at__isnull=True
    ) | Assignment.objects.filter(state=AssignmentState.PENDING, reminded_at__lt=cutoff)
    reminded = 0
    for assignment_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            assignment = (
                Assignment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("evaluation__dossier", "evaluation__organisation")
                .filter(pk=assignment_id, state=AssignmentState.PENDING)
                .first()
            )
            if assignment is None or (assignment.reminded_at and assignment.reminded_at >= cutoff):
                continue
            assignment.reminded_at = now
            assignment.reminder_count += 1
            assignment.save(update_fields=["reminded_at", "reminder_count"])
            for manager in organisation_managers(assignment.organisation_id):
                notification_create(
                    recipient=manager,
                    kind=NotificationKind.ASSIGNMENT_REMINDER,
                    link=evaluation_link(assignment.evaluation, manager),
                    context=_assignment_context(assignment.evaluation),
                )
            audit_record(actor=None, target=assignment.evaluation, action="assignment_reminded")
            reminded += 1
    return reminded


def ics_calendar(
    *, uid: str, title: str, starts_at, duration_minutes: int, location: str, description: str = ""
) -> str:
    """An iCalendar (RFC 5545) file with one event, for an appointment or a site visit."""

    def escape(text: str) -> str:
        return (
            text.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\n", "\\n")
        )

    start = starts_at.astimezone(UTC)
    end = start + timedelta(minutes=duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Portail CQPT//FR",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}@{settings.SITE_URL.split('://')[-1].split('/')[0] or 'cqpt'}",
        f"DTSTAMP:{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{end:%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{escape(title)}",
        f"LOCATION:{escape(location)}",
        f"DESCRIPTION:{escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
