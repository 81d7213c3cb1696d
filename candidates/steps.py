"""The candidate's side computed on the server: the menu of steps and the path (timeline).

Pages only render what these functions return, so the menu, the statuses and
the "what next" sentence are the same on every page and testable without HTML.
"""

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import EDITABLE_STATES, AccessRoute, DossierState
from .models import AdmissibilityDecision, Dossier
from .services import Problem

DONE = "done"
TODO = "todo"
ATTENTION = "attention"

STATUS_LABELS = {
    DONE: _("Complété"),
    TODO: _("À faire"),
    ATTENTION: _("À corriger"),
}


@dataclass(frozen=True)
class StepDefinition:
    key: str
    label: Promise
    url_name: str


# Keys are those of services.dossier.submission_problems; "submit" is the final page.
STEP_DEFINITIONS = [
    StepDefinition("identity", _("Identité et coordonnées"), "candidates:step_identity"),
    StepDefinition("employment", _("Employeur et contrat"), "candidates:step_employment"),
    StepDefinition("candidacy", _("Voie d'accès et CQPT visé"), "candidates:step_candidacy"),
    StepDefinition("funding", _("Financement"), "candidates:step_funding"),
    StepDefinition("experience", _("Expérience professionnelle"), "candidates:step_experience"),
    StepDefinition("documents", _("Pièces justificatives"), "candidates:step_documents"),
    StepDefinition("submit", _("Vérifier et déposer"), "candidates:step_submit"),
]
STEP_KEYS = [s.key for s in STEP_DEFINITIONS]


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    label: str
    url: str
    status: str
    is_current: bool
    problems: tuple[str, ...]
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def step_url(dossier: Dossier, key: str) -> str:
    definition = next(s for s in STEP_DEFINITIONS if s.key == key)
    return reverse(definition.url_name, args=[dossier.pk])


def _filled(dossier: Dossier, key: str) -> bool:
    """Whether the candidate has already typed something in this step (names are prefilled, so not counted)."""
    if key == "identity":
        return bool(dossier.birth_date or dossier.phone or dossier.address or dossier.city)
    if key == "employment":
        return bool(dossier.company_id or dossier.contract_type or dossier.contract_start)
    if key == "candidacy":
        return bool(dossier.access_route or dossier.cqpt_id)
    if key == "funding":
        return bool(dossier.funding_scheme_id or dossier.working_time)
    if key == "experience":
        return bool(dossier.periods.all())
    if key == "documents":
        return bool(dossier.documents.all())
    return False


def _flagged_steps(decision: AdmissibilityDecision | None) -> set[str]:
    """Steps named by AUVICOM's missing items (a step key, or {"step": key}); free text flags the review page."""
    flagged: set[str] = set()
    if decision is None:
        return flagged
    for item in decision.missing_items or []:
        key = item.get("step") if isinstance(item, dict) else item
        flagged.add(key if key in STEP_KEYS else "submit")
    return flagged


def dossier_steps(
    dossier: Dossier,
    *,
    problems: list[Problem],
    decision: AdmissibilityDecision | None = None,
    visited: frozenset[str] | set[str] = frozenset(),
    current: str = "",
) -> list[Step]:
    """The menu: each step with its label, URL and status (done / to do / needs attention).

    A step needs attention when the checklist reports a problem for it after the
    candidate has filled or visited it, or when AUVICOM's "incomplete" decision
    points at it; it is done when it has content and no problem.
    """
    by_step: dict[str, list[str]] = {}
    for problem in problems:
        by_step.setdefault(problem.step, []).append(str(problem.message))
    flagged = _flagged_steps(decision) if dossier.state == DossierState.INCOMPLETE else set()
    editable = dossier.state in EDITABLE_STATES
    steps = []
    for number, definition in enumerate(STEP_DEFINITIONS, start=1):
        key = definition.key
        step_problems = tuple(by_step.get(key, []))
        note = ""
        if key == "submit":
            # The summary before submission is complete only when every earlier step is.
            if not editable and all(step.status == DONE for step in steps):
                status = DONE
            elif not editable:
                status = TODO
            elif dossier.state == DossierState.INCOMPLETE or "submit" in flagged:
                status = ATTENTION
            else:
                status = TODO
        elif not editable and not step_problems:
            status = DONE
        elif key == "experience" and dossier.access_route in (AccessRoute.CONTRAT_PRO, AccessRoute.PERIODE_PRO):
            status = ATTENTION if step_problems else DONE
            note = str(_("Facultatif pour votre voie d'accès"))
        else:
            touched = _filled(dossier, key) or key in visited
            if key in flagged or (step_problems and touched):
                status = ATTENTION
            elif touched and not step_problems:
                status = DONE
            else:
                status = TODO
        steps.append(
            Step(
                key=key,
                number=number,
                label=str(definition.label),
                url=reverse(definition.url_name, args=[dossier.pk]),
                status=status,
                is_current=key == current,
                problems=step_problems,
                note=note,
            )
        )
    return steps


# --- the path, as the candidate sees it --------------------------------------------------

STAGES = [
    ("filed", _("Dépôt du dossier")),
    ("admissibility", _("Recevabilité (AUVICOM)")),
    ("evaluator", _("Organisme évaluateur")),
    ("evidence", _("Dossier de preuves")),
    ("quiz", _("Quiz")),
    ("workplace", _("Mise en situation de travail réelle")),
    ("cpne", _("Décision de la CPNE")),
    ("certificate", _("Certificat")),
]
STAGE_KEYS = [key for key, _label in STAGES]

# For each state: the stage being worked on, and whether that stage failed there.
_STATE_STAGE = {
    DossierState.DRAFT: ("filed", False),
    DossierState.INCOMPLETE: ("filed", False),
    DossierState.SUBMITTED: ("admissibility", False),
    DossierState.UNDER_REVIEW: ("admissibility", False),
    DossierState.INADMISSIBLE: ("admissibility", True),
    DossierState.ADMISSIBLE: ("evaluator", False),
    DossierState.EVALUATOR_ASSIGNED: ("evidence", False),
    DossierState.IN_EVALUATION: ("evidence", False),
    DossierState.EVALUATION_COMPLETE: ("cpne", False),
    DossierState.TRANSMITTED_TO_CPNE: ("cpne", False),
    DossierState.NOT_AWARDED: ("cpne", True),
    DossierState.AWARDED: ("certificate", False),
}

NEXT_ACTION = {
    DossierState.DRAFT: _(
        "Complétez chaque étape de votre dossier, puis déposez-le auprès d'AUVICOM depuis la page « Vérifier et déposer »."
    ),
    DossierState.SUBMITTED: _(
        "Votre dossier est déposé : AUVICOM va examiner sa recevabilité administrative, vous n'avez rien à faire pour l'instant."
    ),
    DossierState.UNDER_REVIEW: _(
        "AUVICOM examine votre dossier : vous serez prévenu(e) de sa décision par e-mail et sur ce portail."
    ),
    DossierState.INCOMPLETE: _(
        "AUVICOM a jugé votre dossier incomplet : complétez les éléments demandés, puis déposez-le à nouveau."
    ),
    DossierState.ADMISSIBLE: _(
        "Votre dossier est recevable : AUVICOM va vous orienter vers un organisme évaluateur, qui vous contactera."
    ),
    DossierState.INADMISSIBLE: _(
        "Votre dossier a été déclaré irrecevable ; le motif figure ci-dessous. Vous pourrez déposer une nouvelle candidature si votre situation change."
    ),
    DossierState.EVALUATOR_ASSIGNED: _(
        "Votre évaluateur va vous contacter pour préparer les trois phases de l'évaluation."
    ),
    DossierState.IN_EVALUATION: _(
        "Votre évaluation est en cours : constituez votre dossier de preuves, passez le quiz et préparez la mise en situation avec votre évaluateur."
    ),
    DossierState.EVALUATION_COMPLETE: _(
        "Les trois phases sont terminées : vos résultats vont être transmis à la CPNE."
    ),
    DossierState.TRANSMITTED_TO_CPNE: _(
        "Vos résultats sont entre les mains de la CPNE, qui décidera lors de sa prochaine réunion."
    ),
    DossierState.AWARDED: _("Félicitations, le CQPT vous est délivré : votre certificat est disponible."),
    DossierState.NOT_AWARDED: _(
        "La CPNE n'a pas délivré le CQPT ; sa décision et ses motifs vous ont été communiqués."
    ),
    DossierState.WITHDRAWN: _(
        "Vous avez retiré cette candidature. Vous pouvez en commencer une nouvelle quand vous le souhaitez."
    ),
    DossierState.EVALUATION_ABANDONED: _(
        "L'évaluation a été abandonnée. Vous pouvez commencer une nouvelle candidature quand vous le souhaitez."
    ),
}


EVALUATION_STATES = frozenset(
    {DossierState.EVALUATOR_ASSIGNED, DossierState.IN_EVALUATION, DossierState.EVALUATION_COMPLETE}
)


def evaluation_of(dossier: Dossier):
    """The dossier's evaluation, or None (one query, then cached on the dossier)."""
    from django.core.exceptions import ObjectDoesNotExist

    if dossier.pk is None:
        return None
    try:
        return dossier.evaluation
    except ObjectDoesNotExist:
        return None


def evaluation_url(dossier: Dossier) -> str:
    """The evaluation page of this dossier once an organisation is designated, else ""."""
    evaluation = evaluation_of(dossier) if dossier.state not in EDITABLE_STATES else None
    return reverse("evaluation:detail", args=[evaluation.pk]) if evaluation is not None else ""


def next_action(dossier: Dossier, user) -> str:
    """What the candidate does next: during the evaluation, the evaluation's own next step (one query)."""
    if dossier.state in EVALUATION_STATES:
        from evaluation.services.accompaniment import next_step  # evaluation imports candidates

        evaluation = evaluation_of(dossier)
        if evaluation is not None:
            return next_step(evaluation, user)
    return NEXT_ACTION.get(dossier.state, "")


@dataclass(frozen=True)
class TimelineEvent:
    """A dated appointment shown under a stage (an accompaniment appointment, the site visit)."""

    label: str
    starts_at: object  # an aware datetime
    place: str = ""
    note: str = ""


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    status: str  # "done", "current", "failed", "stopped" or "todo"
    detail: str = ""  # where this stage stands (the organisation, a phase's state or result)
    hint: str = ""  # what is next in this stage, and from whom
    events: tuple[TimelineEvent, ...] = ()


def dossier_timeline(dossier: Dossier, *, stopped_from: str = "") -> list[Stage]:
    """The path from filing to the certificate, and where this dossier stands on it.

    For a withdrawn or abandoned dossier, `stopped_from` is the state it left
    (from the audit trail), so the timeline shows where it stopped. Once the
    dossier has an evaluation, its stages (organisation, the three phases, the
    transmission) follow the evaluation itself: each phase's state or result,
    the next appointments and the site visit, and what is next (at most three
    queries).
    """
    state = dossier.state
    stopped = state in (DossierState.WITHDRAWN, DossierState.EVALUATION_ABANDONED)
    position, failed = _STATE_STAGE.get(stopped_from if stopped else state, ("filed", False))
    index = STAGE_KEYS.index(position)
    stages = []
    for i, (key, label) in enumerate(STAGES):
        if i < index:
            status = "done"
        elif i == index:
            if stopped:
                status = "stopped"
            elif failed:
                status = "failed"
            elif state == DossierState.AWARDED:
                status = "done"
            else:
                status = "current"
        else:
            status = "todo"
        # The three phases run side by side during the evaluation.
        if state == DossierState.IN_EVALUATION and key in ("quiz", "workplace"):
            status = "current"
        stages.append(Stage(key=key, label=str(label), status=status))
    evaluation = _evaluation_for_timeline(dossier)
    if evaluation is not None:
        stages = _with_evaluation(stages, dossier, evaluation)
    return stages


# --- the evaluation's part of the timeline -----------------------------------------------

_EVALUATION_STATES = frozenset(
    {
        DossierState.EVALUATOR_ASSIGNED,
        DossierState.IN_EVALUATION,
        DossierState.EVALUATION_COMPLETE,
        DossierState.TRANSMITTED_TO_CPNE,
        DossierState.NOT_AWARDED,
        DossierState.AWARDED,
        DossierState.EVALUATION_ABANDONED,
        DossierState.WITHDRAWN,
    }
)
MAX_TIMELINE_APPOINTMENTS = 3


def _evaluation_for_timeline(dossier: Dossier):
    """The dossier's evaluation with its current site visit and next appointments (three queries), or None.

    evaluation imports candidates, so its models are imported here, not at module import.
    """
    if dossier.pk is None or dossier.state not in _EVALUATION_STATES:
        return None
    from evaluation.enums import AppointmentState
    from evaluation.models import Evaluation

    evaluation = Evaluation.objects.select_related("organisation", "evaluator").filter(dossier_id=dossier.pk).first()
    if evaluation is None:
        return None
    # Both ends of the one-to-one known: dossier.evaluation and evaluation.dossier cost no further query.
    type(dossier).evaluation.related.set_cached_value(dossier, evaluation)
    Evaluation.dossier.field.set_cached_value(evaluation, dossier)
    evaluation.timeline_visit = evaluation.visits.filter(is_current=True).first()
    evaluation.timeline_appointments = list(
        evaluation.appointments.filter(state=AppointmentState.PLANNED, starts_at__gte=timezone.now()).order_by(
            "starts_at", "id"
        )[:MAX_TIMELINE_APPOINTMENTS]
    )
    return evaluation


def _phase_status(closed: bool, running: bool, abandoned: bool) -> str:
    if closed:
        return "done"
    if abandoned:
        return "stopped"
    return "current" if running else "todo"


def _with_evaluation(stages: list[Stage], dossier: Dossier, evaluation) -> list[Stage]:
    from evaluation.enums import EvaluationState, EvidenceState, QuizState, WorkplaceState

    waiting = evaluation.state in (EvaluationState.AWAITING_ORGANISATION, EvaluationState.TO_REASSIGN)
    running = evaluation.state == EvaluationState.IN_PROGRESS
    abandoned = evaluation.state == EvaluationState.ABANDONED or dossier.state in (
        DossierState.EVALUATION_ABANDONED,
        DossierState.WITHDRAWN,
    )
    by_key = {stage.key: stage for stage in stages}
    changes: dict[str, dict] = {}

    # The organisation, the evaluator and the accompaniment appointments.
    if waiting:
        changes["evaluator"] = {
            "status": "stopped" if abandoned else "current",
            "detail": str(_("Organisme désigné, en attente de sa réponse"))
            if evaluation.state == EvaluationState.AWAITING_ORGANISATION
            else str(_("AUVICOM désigne un autre organisme évaluateur")),
        }
        for key in ("evidence", "quiz", "workplace"):
            changes[key] = {"status": "todo"}
    else:
        people = [str(evaluation.organisation or "")]
        if evaluation.evaluator is not None:
            people.append(evaluation.evaluator.get_full_name() or evaluation.evaluator.email)
        changes["evaluator"] = {
            "status": "done",
            "detail": " – ".join(p for p in people if p),
            "events": tuple(
                TimelineEvent(
                    label=str(_("Rendez-vous : %(title)s") % {"title": a.title}),
                    starts_at=a.starts_at,
                    place=a.place or (str(_("À distance")) if a.remote_link else ""),
                    note=a.get_working_time_display(),
                )
                for a in evaluation.timeline_appointments
            ),
        }
        # Phase 1, the dossier de preuves.
        closed = evaluation.evidence_state == EvidenceState.CLOSED
        evidence = {"status": _phase_status(closed, running, abandoned)}
        if closed:
            evidence["detail"] = evaluation.get_evidence_result_display()
        else:
            evidence["detail"] = evaluation.get_evidence_state_display()
            if running:
                evidence["hint"] = {
                    EvidenceState.COLLECTING: _(
                        "À vous : déposez vos preuves, compétence par compétence, puis remettez votre dossier de preuves."
                    ),
                    EvidenceState.RETURNED: _(
                        "À vous : complétez vos preuves comme demandé par votre évaluateur, puis remettez-les."
                    ),
                    EvidenceState.SUBMITTED: _("Votre évaluateur examine vos preuves."),
                }.get(evaluation.evidence_state, "")
        changes["evidence"] = evidence
        # Phase 2, the quiz.
        closed = evaluation.quiz_state == QuizState.CLOSED
        quiz = {"status": _phase_status(closed, running, abandoned)}
        quiz["detail"] = evaluation.get_quiz_result_display() if closed else evaluation.get_quiz_state_display()
        if not closed and running:
            quiz["hint"] = _("Votre évaluateur vous indiquera comment passer le quiz.")
        changes["quiz"] = quiz
        # Phase 3, the mise en situation at the company's site.
        closed = evaluation.workplace_state == WorkplaceState.CLOSED
        workplace = {"status": _phase_status(closed, running, abandoned)}
        visit = evaluation.timeline_visit
        if closed:
            workplace["detail"] = evaluation.get_workplace_result_display()
        else:
            workplace["detail"] = evaluation.get_workplace_state_display()
            if running and evaluation.workplace_state == WorkplaceState.TO_SCHEDULE:
                workplace["hint"] = _(
                    "Votre évaluateur va planifier la mise en situation sur le site de votre entreprise."
                )
            if visit is not None and evaluation.workplace_state == WorkplaceState.SCHEDULED:
                workplace["events"] = (
                    TimelineEvent(
                        label=str(_("Mise en situation sur le site de l'entreprise")),
                        starts_at=visit.scheduled_at,
                        place=visit.address,
                        note=visit.get_working_time_display(),
                    ),
                )
                if running:
                    workplace["hint"] = _("Présentez-vous sur le site à la date prévue.")
        changes["workplace"] = workplace
        # The synthesis, then the CPNE.
        if running and evaluation.all_phases_have_a_result:
            changes["cpne"] = {
                "status": "current",
                "hint": _("Votre évaluateur rédige la synthèse de l'évaluation, puis la transmet à la CPNE."),
            }
        elif evaluation.transmitted_at is not None and dossier.state == DossierState.TRANSMITTED_TO_CPNE:
            changes["cpne"] = {
                "status": "current",
                "detail": str(
                    _("Résultats transmis le %(date)s")
                    % {"date": formats.date_format(timezone.localtime(evaluation.transmitted_at), "SHORT_DATE_FORMAT")}
                ),
                "hint": _("La CPNE décidera lors de sa prochaine réunion."),
            }
        elif running:
            changes["cpne"] = {"status": "todo"}
    for key, values in changes.items():
        values = {k: (str(v) if k in ("detail", "hint") else v) for k, v in values.items()}
        by_key[key] = replace(by_key[key], **values)
    return [by_key[stage.key] for stage in stages]
