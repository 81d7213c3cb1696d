"""The evaluation's state machines, on the shared engine: the evaluation as a whole, and each of its three phases.

The evaluation's own state (organisation's answer, transmission, abandonment)
and each phase's state are separate fields of the one Evaluation row, each with
its table here; every transition locks that row. When the evaluation moves the
dossier on (started, complete, transmitted, abandoned), its effect applies the
dossier's transition (candidates.workflow) in the same transaction.
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.enums import FINAL_STATES as DOSSIER_FINAL_STATES
from candidates.enums import DossierState
from candidates.workflow import DOSSIER_WORKFLOW, sharing_employers
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import is_administrator, is_admissibility_reviewer, is_auvicom, is_cpne_secretary
from cqpt_portal.accounts.selectors import active_users_with_role
from cqpt_portal.notifications.enums import NotificationKind as Kind
from cqpt_portal.workflow import Transition, Workflow, field_problem

from .enums import (
    AbandonReason,
    AssignmentState,
    EvaluationState,
    EvidenceState,
    Phase,
    PhaseResult,
    QuizState,
    WorkplaceState,
)
from .forms.assignment import AcceptAssignmentForm, AssignOrganisationForm, DeclineAssignmentForm
from .forms.evidence import CloseEvidenceForm, ReturnEvidenceForm
from .forms.phases import (
    AbandonForm,
    CloseWorkplaceForm,
    QuizResultForm,
    RescheduleWorkplaceForm,
    ScheduleWorkplaceForm,
)
from .forms.synthesis import TransmitForm
from .models import Evaluation
from .rules import evaluator_transmits, is_assigned_evaluator, is_evaluation_candidate, manages_evaluation

# --- links and recipients --------------------------------------------------------------------


def evaluation_link(evaluation: Evaluation, recipient) -> str:
    """The page of this evaluation for this recipient: the one place an evaluation notification's link is built."""
    if recipient.role == Role.EMPLOYER:
        return reverse("candidates:employer_dashboard") + "#dossiers"
    if is_auvicom(recipient) or is_administrator(recipient):
        return reverse("evaluation:assignment", args=[evaluation.dossier_id])
    return reverse("evaluation:detail", args=[evaluation.pk])


def _context(evaluation: Evaluation, data: dict) -> dict:
    dossier = evaluation.dossier
    when = data.get("scheduled_at")
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return {
        "number": dossier.number or "",
        "candidate_name": dossier.display_name,
        "organisation": str(evaluation.organisation or ""),
        "comment": data.get("comment", ""),
        "reason": data.get("reason_label", ""),
        "when": timezone.localtime(when).strftime("%d/%m/%Y %H:%M") if when else "",
        "place": data.get("address", ""),
    }


def _candidate(evaluation):
    return evaluation.dossier.candidate


def _managers(evaluation):
    from .selectors import organisation_managers

    return organisation_managers(evaluation.organisation_id)


def _to(kind, *whos):
    def notify(evaluation, actor, data):
        recipients = []
        for who in whos:
            recipients += who(evaluation)
        seen, out = set(), []
        for recipient in recipients:
            if recipient is not None and recipient.pk not in seen and recipient.pk != actor.pk:
                seen.add(recipient.pk)
                out.append((recipient, kind))
        return out

    return notify


def CANDIDATE(e):  # noqa: N802 - reads as a recipient list in the table
    return [_candidate(e)]


def EVALUATOR(e):  # noqa: N802
    return [e.evaluator] if e.evaluator_id else []


def MANAGERS(e):  # noqa: N802
    return _managers(e)


def EMPLOYERS(e):  # noqa: N802
    return sharing_employers(e.dossier)


def REVIEWERS(e):  # noqa: N802
    return active_users_with_role(Role.AUVICOM_REVIEWER)


def ASSIGNER(e):  # noqa: N802
    latest = e.assignments.order_by("-assigned_at", "-id").first()
    return [latest.assigned_by] if latest else []


# --- guards and effects ----------------------------------------------------------------------


def _dossier_open(evaluation, actor, data):
    if evaluation.dossier.state in DOSSIER_FINAL_STATES:
        return [
            _("Le dossier est clos (« %(state)s ») : l'évaluation ne peut plus avancer.")
            % {"state": evaluation.dossier.get_state_display()}
        ]
    return []


def _in_progress(evaluation, actor, data):
    problems = _dossier_open(evaluation, actor, data)
    if evaluation.state != EvaluationState.IN_PROGRESS:
        problems.append(
            _("L'évaluation n'est pas en cours (« %(state)s »).") % {"state": evaluation.get_state_display()}
        )
    return problems


def _pending_assignment(evaluation):
    return evaluation.assignments.select_for_update().filter(state=AssignmentState.PENDING).first()


def organisation_problems(dossier, organisation_id) -> list:
    """Why this organisation may not evaluate this dossier (none chosen, not accredited, inactive, tied to the employer).

    The one check of both a first assignment (evaluation.services.assignment) and a re-assignment (the guard below).
    """
    from .selectors import eligible_organisations

    if not organisation_id:
        return [field_problem("organisation", _("Choisissez un organisme évaluateur."))]
    if not eligible_organisations(dossier).filter(pk=organisation_id).exists():
        return [
            field_problem(
                "organisation",
                _(
                    "Cet organisme ne peut pas évaluer ce dossier (non habilité pour ce CQPT, inactif ou lié à l'employeur)."
                ),
            )
        ]
    return []


def _guard_assign(evaluation, actor, data):
    return _dossier_open(evaluation, actor, data) + organisation_problems(evaluation.dossier, data.get("organisation"))


def _effect_assign(evaluation, actor, data):
    """A new assignment row (the history keeps the previous ones); the dossier shows the organisation designated."""
    from .models import Assignment

    evaluation.organisation_id = data["organisation"]
    evaluation.evaluator = None
    Assignment.objects.create(evaluation=evaluation, organisation_id=data["organisation"], assigned_by=actor)
    DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="assign_organisation", actor=actor)
    # funding: the same fee record follows the new organisation (history in its audit trail).
    from funding.services import fee_record_assignment

    fee_record_assignment(evaluation=evaluation, organisation_id=data["organisation"], actor=actor)


def _guard_accept(evaluation, actor, data):
    problems = _dossier_open(evaluation, actor, data)
    evaluator = data.get("evaluator")
    if evaluator is None:
        problems.append(field_problem("evaluator", _("Choisissez l'évaluateur qui accompagnera le candidat.")))
    elif (
        evaluator.evaluator_organisation_id != evaluation.organisation_id
        or evaluator.role not in (Role.EVALUATOR, Role.EVALUATOR_MANAGER)
        or not evaluator.is_active
    ):
        problems.append(field_problem("evaluator", _("Cet évaluateur n'appartient pas à votre organisme.")))
    return problems


def _effect_accept(evaluation, actor, data):
    now = timezone.now()
    assignment = _pending_assignment(evaluation)
    assignment.state = AssignmentState.ACCEPTED
    assignment.answered_by = actor
    assignment.answered_at = now
    assignment.evaluator = data["evaluator"]
    assignment.save()
    evaluation.evaluator = data["evaluator"]
    data["evaluator"] = data["evaluator"].pk  # the audit row keeps the id
    DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="start_evaluation", actor=actor)


def _guard_decline(evaluation, actor, data):
    if not data.get("comment"):
        return [field_problem("comment", _("Indiquez pourquoi votre organisme refuse cette évaluation."))]
    return []


def _effect_decline(evaluation, actor, data):
    assignment = _pending_assignment(evaluation)
    assignment.state = AssignmentState.DECLINED
    assignment.answered_by = actor
    assignment.answered_at = timezone.now()
    assignment.decline_reason = data["comment"]
    assignment.save()
    DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="organisation_declined", actor=actor, comment=data["comment"])


def _complete_if_all_phases(evaluation, actor):
    """The third phase's result moves the dossier to "evaluation complete"."""
    if evaluation.all_phases_have_a_result and evaluation.dossier.state == DossierState.IN_EVALUATION:
        DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="complete_evaluation", actor=actor)


def _guard_phase_result(evaluation, data):
    if data.get("result") not in PhaseResult.values:
        return [field_problem("result", _("Choisissez le résultat de la phase."))]
    return []


def _unassessed(evaluation, phase) -> list[str]:
    from catalogue.models import Competency

    done = set(evaluation.assessments.filter(phase=phase).values_list("competency_id", flat=True))
    missing = Competency.objects.filter(block__cqpt_id=evaluation.dossier.cqpt_id).exclude(pk__in=done)
    return [c.code for c in missing.order_by("block__position", "position")]


def _guard_submit_evidence(evaluation, actor, data):
    problems = _in_progress(evaluation, actor, data)
    if not evaluation.evidence.exists():
        problems.append(_("Ajoutez au moins une preuve avant de remettre votre dossier de preuves."))
    return problems


def _effect_submit_evidence(evaluation, actor, data):
    evaluation.evidence_submitted_at = timezone.now()


def _guard_return_evidence(evaluation, actor, data):
    problems = _in_progress(evaluation, actor, data)
    if evaluation.evidence_returned_at is not None:
        problems.append(_("Le dossier de preuves a déjà été renvoyé une fois : évaluez-le et clôturez la phase."))
    if not data.get("comment"):
        problems.append(field_problem("comment", _("Indiquez les preuves complémentaires attendues.")))
    return problems


def _effect_return_evidence(evaluation, actor, data):
    evaluation.evidence_returned_at = timezone.now()
    evaluation.evidence_return_note = data["comment"]


def _guard_close_phase(phase):
    def guard(evaluation, actor, data):
        problems = _in_progress(evaluation, actor, data) + _guard_phase_result(evaluation, data)
        missing = _unassessed(evaluation, phase)
        if missing:
            problems.append(
                _("Évaluez chaque compétence de la grille avant de clôturer la phase (reste : %(codes)s).")
                % {"codes": ", ".join(missing)}
            )
        if phase == Phase.WORKPLACE and not evaluation.workplace_grid:
            problems.append(field_problem("grid", _("Joignez la grille d'observation signée.")))
        return problems

    return guard


def _effect_close_phase(phase):
    def effect(evaluation, actor, data):
        setattr(evaluation, f"{phase}_result", data["result"])
        setattr(evaluation, f"{phase}_comment", data.get("comment", ""))
        _complete_if_all_phases(evaluation, actor)

    return effect


def _guard_quiz_result(evaluation, actor, data):
    problems = _in_progress(evaluation, actor, data) + _guard_phase_result(evaluation, data)
    score = data.get("score")
    if score is not None and not (0 <= score <= 100):
        problems.append(field_problem("score", _("Le score est un pourcentage entre 0 et 100.")))
    return problems


def _effect_quiz_result(evaluation, actor, data):
    evaluation.quiz_result = data["result"]
    evaluation.quiz_score = data.get("score")
    evaluation.quiz_comment = data.get("comment", "")
    if data.get("score") is not None:
        data["score"] = str(data["score"])
    _complete_if_all_phases(evaluation, actor)


def _guard_schedule(evaluation, actor, data):
    problems = _in_progress(evaluation, actor, data)
    when = data.get("scheduled_at")
    if when is None:
        problems.append(field_problem("scheduled_at", _("Indiquez la date et l'heure de la mise en situation.")))
    elif when <= timezone.now():
        problems.append(field_problem("scheduled_at", _("La mise en situation doit être planifiée dans le futur.")))
    if not (data.get("address") or "").strip():
        problems.append(field_problem("address", _("Indiquez l'adresse du site de l'entreprise.")))
    if data.get("working_time") not in ("during", "outside"):
        problems.append(
            field_problem("working_time", _("Indiquez si elle a lieu pendant ou hors du temps de travail."))
        )
    return problems


def _guard_reschedule(evaluation, actor, data):
    problems = _guard_schedule(evaluation, actor, data)
    if not data.get("comment"):
        problems.append(field_problem("comment", _("Indiquez le motif du report.")))
    return problems


def _effect_schedule(evaluation, actor, data):
    from .models import WorkplaceVisit

    evaluation.visits.filter(is_current=True).update(is_current=False)
    WorkplaceVisit.objects.create(
        evaluation=evaluation,
        scheduled_at=data["scheduled_at"],
        address=data["address"].strip(),
        working_time=data["working_time"],
        change_reason=data.get("comment", ""),
        created_by=actor,
    )
    data["scheduled_at"] = data["scheduled_at"].isoformat()


def _guard_synthesis_ready(evaluation, actor, data):
    problems = _dossier_open(evaluation, actor, data)
    if evaluation.state != EvaluationState.IN_PROGRESS:
        problems.append(
            _("L'évaluation n'est pas en cours (« %(state)s »).") % {"state": evaluation.get_state_display()}
        )
    if not evaluation.all_phases_have_a_result:
        problems.append(_("Les trois phases doivent avoir un résultat avant la transmission."))
    blocks = set(evaluation.dossier.cqpt.blocks.values_list("pk", flat=True)) if evaluation.dossier.cqpt_id else set()
    written = set(evaluation.synthesis_blocks.values_list("block_id", flat=True))
    if blocks - written:
        problems.append(_("La synthèse doit dire, pour chaque bloc de compétences, s'il est acquis."))
    if not evaluation.opinion or not evaluation.opinion_justification.strip():
        problems.append(_("La synthèse doit donner un avis (favorable ou défavorable) et le justifier."))
    return problems


def _effect_transmit(evaluation, actor, data):
    now = timezone.now()
    evaluation.transmitted_at = now
    evaluation.transmitted_by = actor
    evaluation.followed_in_full_at = now
    DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="transmit_to_cpne", actor=actor)
    # funding: followed in full, the evaluation's fee becomes due.
    from funding.services import fee_record_followed_in_full

    fee_record_followed_in_full(evaluation=evaluation, actor=actor)


def _guard_abandon(evaluation, actor, data):
    problems = _dossier_open(evaluation, actor, data)
    if data.get("reason") not in AbandonReason.values:
        problems.append(field_problem("reason", _("Choisissez le motif de l'abandon.")))
    elif data["reason"] == AbandonReason.OTHER and not data.get("comment"):
        problems.append(field_problem("comment", _("Précisez le motif de l'abandon.")))
    return problems


def _effect_abandon(evaluation, actor, data):
    evaluation.abandon_reason = data["reason"]
    evaluation.abandon_comment = data.get("comment", "")
    data["reason_label"] = str(AbandonReason(data["reason"]).label)
    DOSSIER_WORKFLOW.apply(
        pk=evaluation.dossier_id, name="abandon_evaluation", actor=actor, comment=data.get("comment", "")
    )


def _with_visit_calendar(notify):
    """The site visit's .ics calendar file attached to each recipient's notification."""

    def with_calendar(evaluation, actor, data):
        from .services.phases import workplace_visit_ics

        attachment = workplace_visit_ics(evaluation)
        return [
            (recipient, kind, {"attachment": attachment})
            for recipient, kind, *_extra in notify(evaluation, actor, data)
        ]

    return with_calendar


# --- the CPNE's deferral (issue 9, cpne/) ----------------------------------------------------------
# The CPNE adjourns its decision: the evaluation is in progress again, the phases the commission asks to
# redo lose their result, the synthesis must be given again; the dossier goes back to "in evaluation".


def _guard_return_from_cpne(evaluation, actor, data):
    problems = []
    if not data.get("comment"):
        problems.append(field_problem("comment", _("Indiquez ce qui est demandé à l'évaluateur.")))
    phases = data.get("redo_phases") or []
    if not phases or set(phases) - set(Phase.values):
        problems.append(field_problem("redo_phases", _("Choisissez au moins une phase à reprendre.")))
    return problems


def _effect_return_from_cpne(evaluation, actor, data):
    phases = set(data["redo_phases"])
    if Phase.EVIDENCE in phases:
        evaluation.evidence_state = EvidenceState.RETURNED
        evaluation.evidence_return_note = data["comment"]
        evaluation.evidence_result = ""
        evaluation.evidence_comment = ""
    if Phase.QUIZ in phases:
        evaluation.quiz_state = QuizState.PENDING
        evaluation.quiz_result = ""
        evaluation.quiz_score = None
        evaluation.quiz_comment = ""
    if Phase.WORKPLACE in phases:
        evaluation.workplace_state = WorkplaceState.TO_SCHEDULE
        evaluation.workplace_result = ""
        evaluation.workplace_comment = ""
        evaluation.workplace_grid = ""
        evaluation.visits.filter(is_current=True).update(is_current=False)
    evaluation.opinion = ""
    evaluation.transmitted_at = None
    evaluation.transmitted_by = None
    data["redo_phases"] = sorted(phases)
    DOSSIER_WORKFLOW.apply(pk=evaluation.dossier_id, name="cpne_defer", actor=actor, comment=data["comment"])


CPNE_EVALUATION_TRANSITIONS = [
    Transition(
        name="return_from_cpne",
        sources=frozenset({EvaluationState.TRANSMITTED}),
        target=EvaluationState.IN_PROGRESS,
        allowed=is_cpne_secretary | is_administrator,
        staff_label=gettext_lazy("Reprise de l'évaluation demandée par la CPNE"),
        owner_label=gettext_lazy("L'évaluation reprend à la demande de la CPNE"),
        success_message=gettext_lazy("L'évaluation reprend avec les compléments demandés par la CPNE."),
        style="warning",
        group="cpne",
        guard=_guard_return_from_cpne,
        effect=_effect_return_from_cpne,
    ),
]


# --- the tables ----------------------------------------------------------------------------------

_COMMON = {"link": evaluation_link, "context": _context, "select_related": ("dossier", "organisation")}

EVALUATION_WORKFLOW = Workflow(
    model=Evaluation,
    changed_at_field="state_changed_at",
    transitions=[
        Transition(
            name="reassign",
            sources=frozenset({EvaluationState.TO_REASSIGN}),
            target=EvaluationState.AWAITING_ORGANISATION,
            allowed=is_admissibility_reviewer | is_administrator,
            staff_label=gettext_lazy("Désigner un autre organisme évaluateur"),
            owner_label=gettext_lazy("Organisme évaluateur désigné"),
            success_message=gettext_lazy("L'organisme évaluateur est désigné ; son responsable est prévenu."),
            group="assignment",
            guard=_guard_assign,
            effect=_effect_assign,
            form=AssignOrganisationForm,
            notify=_to(Kind.ASSIGNMENT_RECEIVED, MANAGERS),
        ),
        Transition(
            name="accept_assignment",
            sources=frozenset({EvaluationState.AWAITING_ORGANISATION}),
            target=EvaluationState.IN_PROGRESS,
            allowed=manages_evaluation,
            staff_label=gettext_lazy("Accepter et nommer l'évaluateur"),
            owner_label=gettext_lazy("Votre évaluation commence"),
            success_message=gettext_lazy("L'évaluation est acceptée ; l'évaluateur et le candidat sont prévenus."),
            style="success",
            group="assignment",
            guard=_guard_accept,
            effect=_effect_accept,
            form=AcceptAssignmentForm,
            notify=lambda e, u, d: (
                _to(Kind.EVALUATION_STARTED, CANDIDATE, EMPLOYERS)(e, u, d)
                + _to(Kind.EVALUATOR_NAMED, EVALUATOR)(e, u, d)
            ),
        ),
        Transition(
            name="decline_assignment",
            sources=frozenset({EvaluationState.AWAITING_ORGANISATION}),
            target=EvaluationState.TO_REASSIGN,
            allowed=manages_evaluation,
            staff_label=gettext_lazy("Refuser"),
            owner_label=gettext_lazy("Un autre organisme évaluateur va être désigné"),
            success_message=gettext_lazy("Le refus est enregistré ; AUVICOM va désigner un autre organisme."),
            style="outline-danger",
            group="assignment",
            guard=_guard_decline,
            effect=_effect_decline,
            form=DeclineAssignmentForm,
            notify=_to(Kind.ASSIGNMENT_DECLINED, ASSIGNER),
        ),
        Transition(
            name="transmit",
            sources=frozenset({EvaluationState.IN_PROGRESS}),
            target=EvaluationState.TRANSMITTED,
            allowed=manages_evaluation | (is_assigned_evaluator & evaluator_transmits),
            staff_label=gettext_lazy("Transmettre la synthèse à la CPNE"),
            owner_label=gettext_lazy("Résultats transmis à la CPNE"),
            success_message=gettext_lazy("La synthèse est transmise à la CPNE ; le candidat est prévenu."),
            style="success",
            group="synthesis",
            form=TransmitForm,
            guard=_guard_synthesis_ready,
            effect=_effect_transmit,
            notify=_to(Kind.EVALUATION_TRANSMITTED, CANDIDATE, EMPLOYERS, EVALUATOR, MANAGERS),
        ),
        Transition(
            name="abandon",
            sources=frozenset({EvaluationState.IN_PROGRESS}),
            target=EvaluationState.ABANDONED,
            allowed=is_assigned_evaluator | manages_evaluation,
            staff_label=gettext_lazy("Enregistrer l'abandon"),
            owner_label=gettext_lazy("Évaluation abandonnée"),
            success_message=gettext_lazy("L'abandon est enregistré ; le candidat et AUVICOM sont prévenus."),
            style="outline-danger",
            group="abandon",
            form=AbandonForm,
            guard=_guard_abandon,
            effect=_effect_abandon,
            notify=_to(Kind.EVALUATION_ABANDONED, CANDIDATE, REVIEWERS, EMPLOYERS),
        ),
        *CPNE_EVALUATION_TRANSITIONS,  # the CPNE's deferral (issue 9)
    ],
    **_COMMON,
)

EVIDENCE_WORKFLOW = Workflow(
    model=Evaluation,
    state_field="evidence_state",
    transitions=[
        Transition(
            name="submit_evidence",
            sources=frozenset({EvidenceState.COLLECTING, EvidenceState.RETURNED}),
            target=EvidenceState.SUBMITTED,
            allowed=is_evaluation_candidate,
            staff_label=gettext_lazy("Remise du dossier de preuves"),
            owner_label=gettext_lazy("Remettre mon dossier de preuves"),
            success_message=gettext_lazy("Votre dossier de preuves est remis à votre évaluateur."),
            group="evidence",
            guard=_guard_submit_evidence,
            effect=_effect_submit_evidence,
            notify=_to(Kind.EVIDENCE_SUBMITTED, EVALUATOR),
        ),
        Transition(
            name="return_evidence",
            sources=frozenset({EvidenceState.SUBMITTED}),
            target=EvidenceState.RETURNED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Demander des preuves complémentaires"),
            owner_label=gettext_lazy("Preuves complémentaires demandées"),
            success_message=gettext_lazy("Le candidat est prévenu des preuves à compléter."),
            style="warning",
            group="evidence",
            guard=_guard_return_evidence,
            form=ReturnEvidenceForm,
            effect=_effect_return_evidence,
            notify=_to(Kind.EVIDENCE_RETURNED, CANDIDATE),
        ),
        Transition(
            name="close_evidence",
            sources=frozenset({EvidenceState.SUBMITTED}),
            target=EvidenceState.CLOSED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Clôturer le dossier de preuves"),
            owner_label=gettext_lazy("Dossier de preuves évalué"),
            success_message=gettext_lazy("Le dossier de preuves est clôturé avec son résultat."),
            style="success",
            group="evidence",
            guard=_guard_close_phase(Phase.EVIDENCE),
            form=CloseEvidenceForm,
            effect=_effect_close_phase(Phase.EVIDENCE),
            notify=_to(Kind.PHASE_CLOSED, CANDIDATE),
        ),
    ],
    **_COMMON,
)

QUIZ_WORKFLOW = Workflow(
    model=Evaluation,
    state_field="quiz_state",
    transitions=[
        Transition(
            name="record_quiz_result",
            sources=frozenset({QuizState.PENDING}),
            target=QuizState.CLOSED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Enregistrer le résultat du quiz"),
            owner_label=gettext_lazy("Résultat du quiz enregistré"),
            success_message=gettext_lazy("Le résultat du quiz est enregistré."),
            group="quiz",
            form=QuizResultForm,
            guard=_guard_quiz_result,
            effect=_effect_quiz_result,
            notify=_to(Kind.PHASE_CLOSED, CANDIDATE),
        ),
        # After an incident (a question neutralised, a new attempt granted) the quiz is scored again: its
        # result replaces the recorded one while the evaluation is in progress (never after transmission).
        Transition(
            name="correct_quiz_result",
            sources=frozenset({QuizState.CLOSED}),
            target=QuizState.CLOSED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Corriger le résultat du quiz"),
            owner_label=gettext_lazy("Résultat du quiz corrigé"),
            success_message=gettext_lazy("Le résultat du quiz est corrigé."),
            style="outline-secondary",
            group="quiz",
            form=QuizResultForm,
            guard=_guard_quiz_result,
            effect=_effect_quiz_result,
            notify=_to(Kind.PHASE_CLOSED, CANDIDATE),
        ),
    ],
    **_COMMON,
)

WORKPLACE_WORKFLOW = Workflow(
    model=Evaluation,
    state_field="workplace_state",
    transitions=[
        Transition(
            name="schedule_workplace",
            sources=frozenset({WorkplaceState.TO_SCHEDULE}),
            target=WorkplaceState.SCHEDULED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Planifier la mise en situation"),
            owner_label=gettext_lazy("Mise en situation planifiée"),
            success_message=gettext_lazy("La mise en situation est planifiée ; le candidat est prévenu."),
            group="workplace",
            form=ScheduleWorkplaceForm,
            guard=_guard_schedule,
            effect=_effect_schedule,
            notify=_with_visit_calendar(_to(Kind.WORKPLACE_SCHEDULED, CANDIDATE, EMPLOYERS)),
        ),
        Transition(
            name="reschedule_workplace",
            sources=frozenset({WorkplaceState.SCHEDULED}),
            target=WorkplaceState.SCHEDULED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Reporter la mise en situation"),
            owner_label=gettext_lazy("Mise en situation reportée"),
            success_message=gettext_lazy("La mise en situation est reportée ; le candidat est prévenu."),
            style="outline-secondary",
            group="workplace",
            form=RescheduleWorkplaceForm,
            guard=_guard_reschedule,
            effect=_effect_schedule,
            notify=_with_visit_calendar(_to(Kind.WORKPLACE_SCHEDULED, CANDIDATE, EMPLOYERS)),
        ),
        Transition(
            name="close_workplace",
            sources=frozenset({WorkplaceState.SCHEDULED}),
            target=WorkplaceState.CLOSED,
            allowed=is_assigned_evaluator,
            staff_label=gettext_lazy("Clôturer la mise en situation"),
            owner_label=gettext_lazy("Mise en situation évaluée"),
            success_message=gettext_lazy("La mise en situation est clôturée avec son résultat."),
            style="success",
            group="workplace",
            form=CloseWorkplaceForm,
            guard=_guard_close_phase(Phase.WORKPLACE),
            effect=_effect_close_phase(Phase.WORKPLACE),
            notify=_to(Kind.PHASE_CLOSED, CANDIDATE),
        ),
    ],
    **_COMMON,
)

PHASE_WORKFLOWS = {Phase.EVIDENCE: EVIDENCE_WORKFLOW, Phase.QUIZ: QUIZ_WORKFLOW, Phase.WORKPLACE: WORKPLACE_WORKFLOW}
ALL_WORKFLOWS = [EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW]
