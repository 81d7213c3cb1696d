"""The accompaniment: appointments (planned, rescheduled, cancelled, history kept) and notes, and the page's
"what is expected next" sentence.

Appointments and notes change no state of the evaluation: they are plain rows,
written here with their audit row and their notifications in one transaction.
"""

from datetime import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from candidates.workflow import sharing_employers
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.enums import NotificationKind
from cqpt_portal.notifications.services import notification_create

from ..enums import AppointmentState, EvaluationState, EvidenceState, QuizState, WorkplaceState
from ..models import AccompanimentNote, Appointment, Evaluation
from ..rules import is_assigned_evaluator, is_evaluation_candidate, is_evaluation_staff
from ..workflow import evaluation_link
from .assignment import ics_calendar


def _lock_open(evaluation_id: int) -> Evaluation:
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("dossier", "dossier__candidate", "organisation")
        .get(pk=evaluation_id)
    )
    if evaluation.state != EvaluationState.IN_PROGRESS:
        raise ActionRefused(
            _("L'évaluation n'est pas en cours (« %(state)s »).") % {"state": evaluation.get_state_display()}
        )
    return evaluation


def _check_evaluator(evaluation: Evaluation, actor) -> None:
    if not is_assigned_evaluator(actor, evaluation):
        raise ActionRefused(_("Seul l'évaluateur qui accompagne le candidat gère ses rendez-vous."))


def _check_future(starts_at: datetime | None) -> None:
    if starts_at is None:
        raise ActionRefused(fields={"starts_at": [_("Indiquez la date et l'heure du rendez-vous.")]})
    if starts_at <= timezone.now():
        raise ActionRefused(fields={"starts_at": [_("Le rendez-vous doit avoir lieu dans le futur.")]})


def _where(appointment: Appointment) -> str:
    return appointment.place or appointment.remote_link


def _notify(appointment: Appointment, kind: NotificationKind, comment: str = "") -> None:
    """The candidate, and the employers the dossier is shared with, hear of it with the .ics file."""
    evaluation = appointment.evaluation
    dossier = evaluation.dossier
    ics = ics_calendar(
        uid=f"appointment-{appointment.pk}",
        title=appointment.title,
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        location=_where(appointment),
        description=str(appointment.get_working_time_display()),
    )
    context = {
        "number": dossier.number or "",
        "candidate_name": dossier.display_name,
        "title": appointment.title,
        "comment": comment,
        "when": formats.date_format(timezone.localtime(appointment.starts_at), "DATETIME_FORMAT"),
        "place": _where(appointment),
    }
    for recipient in [dossier.candidate, *sharing_employers(dossier)]:
        notification_create(
            recipient=recipient,
            kind=kind,
            link=evaluation_link(evaluation, recipient),
            context=context,
            attachment=("rendez-vous.ics", "text/calendar", ics),
        )


APPOINTMENT_FIELDS = ("title", "starts_at", "duration_minutes", "place", "remote_link", "working_time")


def appointment_plan(*, evaluation_id: int, actor, data: dict) -> Appointment:
    """The evaluator proposes an appointment. Side effects: one INSERT, an audit row, notifications with an .ics."""
    with transaction.atomic():
        evaluation = _lock_open(evaluation_id)
        _check_evaluator(evaluation, actor)
        _check_future(data.get("starts_at"))
        appointment = Appointment.objects.create(
            evaluation=evaluation, created_by=actor, **{k: data[k] for k in APPOINTMENT_FIELDS if k in data}
        )
        audit_record(
            actor=actor,
            target=evaluation,
            action="appointment_planned",
            extra={"appointment": appointment.pk, "starts_at": appointment.starts_at.isoformat()},
        )
        _notify(appointment, NotificationKind.APPOINTMENT_PLANNED)
    return appointment


def _lock_planned(evaluation: Evaluation, appointment_id: int) -> Appointment:
    appointment = Appointment.objects.select_for_update().filter(pk=appointment_id, evaluation_id=evaluation.pk).first()
    if appointment is None or appointment.state != AppointmentState.PLANNED:
        raise ActionRefused(_("Ce rendez-vous n'est plus prévu : il a déjà été reporté ou annulé."))
    appointment.evaluation = evaluation
    return appointment


def appointment_reschedule(*, evaluation_id: int, appointment_id: int, actor, data: dict, reason: str) -> Appointment:
    """A new appointment replaces a planned one, which stays as history with the reason.

    Side effects: one INSERT, one UPDATE, an audit row, notifications (appointment_changed) with the new .ics.
    """
    with transaction.atomic():
        evaluation = _lock_open(evaluation_id)
        _check_evaluator(evaluation, actor)
        old = _lock_planned(evaluation, appointment_id)
        _check_future(data.get("starts_at"))
        if not (reason or "").strip():
            raise ActionRefused(fields={"reason": [_("Indiquez le motif du report.")]})
        new = Appointment.objects.create(
            evaluation=evaluation, created_by=actor, **{k: data[k] for k in APPOINTMENT_FIELDS if k in data}
        )
        old.state = AppointmentState.RESCHEDULED
        old.replaced_by = new
        old.change_reason = reason.strip()
        old.save(update_fields=["state", "replaced_by", "change_reason"])
        audit_record(
            actor=actor,
            target=evaluation,
            action="appointment_rescheduled",
            comment=old.change_reason,
            extra={"appointment": old.pk, "replaced_by": new.pk, "starts_at": new.starts_at.isoformat()},
        )
        _notify(new, NotificationKind.APPOINTMENT_CHANGED, comment=old.change_reason)
    return new


def appointment_cancel(*, evaluation_id: int, appointment_id: int, actor, reason: str) -> Appointment:
    """Cancel a planned appointment with a reason. Side effects: one UPDATE, an audit row, notifications."""
    with transaction.atomic():
        evaluation = _lock_open(evaluation_id)
        _check_evaluator(evaluation, actor)
        appointment = _lock_planned(evaluation, appointment_id)
        if not (reason or "").strip():
            raise ActionRefused(fields={"reason": [_("Indiquez le motif de l'annulation.")]})
        appointment.state = AppointmentState.CANCELLED
        appointment.change_reason = reason.strip()
        appointment.save(update_fields=["state", "change_reason"])
        audit_record(
            actor=actor,
            target=evaluation,
            action="appointment_cancelled",
            comment=appointment.change_reason,
            extra={"appointment": appointment.pk},
        )
        dossier = evaluation.dossier
        context = {
            "number": dossier.number or "",
            "candidate_name": dossier.display_name,
            "title": appointment.title,
            "comment": appointment.change_reason,
            "when": "",
            "place": "",
        }
        for recipient in [dossier.candidate, *sharing_employers(dossier)]:
            notification_create(
                recipient=recipient,
                kind=NotificationKind.APPOINTMENT_CHANGED,
                link=evaluation_link(evaluation, recipient),
                context=context,
            )
    return appointment


def note_add(*, evaluation_id: int, actor, text: str, visible_to_candidate: bool) -> AccompanimentNote:
    """The evaluator or the organisation's manager writes a note. Side effect: one INSERT."""
    with transaction.atomic():
        evaluation = Evaluation.objects.select_related("dossier").get(pk=evaluation_id)
        if not is_evaluation_staff(actor, evaluation):
            raise ActionRefused(_("Seuls l'évaluateur et le responsable de l'organisme écrivent des notes."))
        if not (text or "").strip():
            raise ActionRefused(fields={"text": [_("Écrivez la note.")]})
        return AccompanimentNote.objects.create(
            evaluation=evaluation, author=actor, text=text.strip(), visible_to_candidate=visible_to_candidate
        )


def next_step(evaluation: Evaluation, user) -> str:
    """One sentence: what is expected next, and from whom, as the given user should read it."""
    candidate = is_evaluation_candidate(user, evaluation)
    evaluator = is_assigned_evaluator(user, evaluation)
    state = evaluation.state
    if state == EvaluationState.AWAITING_ORGANISATION:
        return _("L'organisme évaluateur doit accepter l'évaluation et nommer un évaluateur.")
    if state == EvaluationState.TO_REASSIGN:
        return _("AUVICOM doit désigner un autre organisme évaluateur.")
    if state == EvaluationState.TRANSMITTED:
        return _("La synthèse est transmise : la CPNE rendra sa décision.")
    if state == EvaluationState.ABANDONED:
        return _("L'évaluation est abandonnée : rien n'est plus attendu.")
    if evaluation.evidence_state in (EvidenceState.COLLECTING, EvidenceState.RETURNED):
        if evaluation.evidence_state == EvidenceState.RETURNED:
            if candidate:
                return _("Complétez votre dossier de preuves comme demandé par votre évaluateur, puis remettez-le.")
            return _("Le candidat doit compléter son dossier de preuves et le remettre.")
        if candidate:
            return _("Ajoutez vos preuves pour les compétences de la grille, puis remettez votre dossier de preuves.")
        return _("Le candidat doit rassembler ses preuves et remettre son dossier de preuves.")
    if evaluation.evidence_state == EvidenceState.SUBMITTED:
        if evaluator:
            return _("Évaluez chaque compétence du dossier de preuves, puis clôturez la phase.")
        return _("L'évaluateur doit évaluer le dossier de preuves.")
    if evaluation.quiz_state == QuizState.PENDING:
        if candidate:
            return _("Passez le quiz en ligne.")
        return _("Le candidat doit passer le quiz ; son résultat sera enregistré ici.")
    if evaluation.workplace_state == WorkplaceState.TO_SCHEDULE:
        if evaluator:
            return _("Planifiez la mise en situation sur le site de l'entreprise.")
        return _("L'évaluateur doit planifier la mise en situation sur le site de l'entreprise.")
    if evaluation.workplace_state == WorkplaceState.SCHEDULED:
        if evaluator:
            return _(
                "Après la mise en situation, remplissez la grille d'observation, joignez-la signée et clôturez la phase."
            )
        if candidate:
            return _("Présentez-vous à la mise en situation ; l'évaluateur remplira ensuite la grille d'observation.")
        return _("L'évaluateur doit conduire la mise en situation et remplir la grille d'observation.")
    if is_evaluation_staff(user, evaluation):
        return _("Rédigez la synthèse par bloc et l'avis, puis transmettez-la à la CPNE.")
    return _("L'évaluateur rédige la synthèse, qui sera transmise à la CPNE.")
