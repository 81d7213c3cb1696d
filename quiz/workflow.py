"""The quiz attempt's state machine, on the shared engine (cqpt_portal.workflow).

open → in progress (the candidate starts; the clock starts) → closed and scored (the candidate finishes,
or the deadline plus the grace period passes: the beat task or the next request closes it with every
answer saved); open → lapsed (not started in its window); any → voided (the evaluator grants a new attempt
after an incident). Closing a phase-2 attempt records its result in the evaluation's phase 2.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.audit.labels import register_action_labels
from cqpt_portal.workflow import Transition, Workflow, field_problem

from .enums import AttemptState
from .models import Attempt
from .rules import anyone, is_attempt_candidate, is_attempt_staff


def _guard_start(attempt, actor, data):
    now = timezone.now()
    if now < attempt.window_opens_at:
        return [
            _("Ce quiz pourra être commencé à partir du %(date)s.")
            % {"date": timezone.localtime(attempt.window_opens_at).strftime("%d/%m/%Y %H:%M")}
        ]
    if now > attempt.window_closes_at:
        return [_("La période pour commencer ce quiz est terminée ; contactez votre évaluateur.")]
    return []


def _effect_start(attempt, actor, data):
    attempt.started_at = timezone.now()
    set_deadline(attempt)


def set_deadline(attempt) -> None:
    """Deadline = start + time limit + extra time; answers are accepted until the grace period after it."""
    if attempt.started_at is None:
        return
    attempt.deadline = attempt.started_at + datetime.timedelta(
        seconds=attempt.time_limit_seconds + attempt.extra_seconds
    )
    attempt.closes_at = attempt.deadline + datetime.timedelta(seconds=attempt.grace_seconds)


def _effect_close(at_deadline: bool):
    def effect(attempt, actor, data):
        from .services import attempt_score

        attempt.closed_at = timezone.now()
        attempt.closed_at_deadline = at_deadline
        attempt_score(attempt)
        data["score"] = str(attempt.score) if attempt.score is not None else ""

    return effect


def _guard_expire(attempt, actor, data):
    if not attempt.is_past_grace():
        return [_("Le temps de ce quiz n'est pas écoulé.")]
    return []


def _guard_lapse(attempt, actor, data):
    if timezone.now() <= attempt.window_closes_at:
        return [_("La période pour commencer ce quiz n'est pas terminée.")]
    return []


def _guard_void(attempt, actor, data):
    if not data.get("comment"):
        return [field_problem("comment", _("Indiquez pourquoi une nouvelle tentative est accordée."))]
    return []


def _effect_void(attempt, actor, data):
    attempt.void_reason = data["comment"]


def _after_close(attempt, actor, data):
    from .services import attempt_record_phase_result

    attempt_record_phase_result(attempt)


_CLOSE = frozenset({AttemptState.IN_PROGRESS})

ATTEMPT_WORKFLOW = Workflow(
    model=Attempt,
    changed_at_field="state_changed_at",
    select_related=("evaluation", "definition"),
    transitions=[
        Transition(
            name="start_attempt",
            sources=frozenset({AttemptState.OPEN}),
            target=AttemptState.IN_PROGRESS,
            allowed=is_attempt_candidate,
            staff_label=gettext_lazy("Quiz commencé"),
            owner_label=gettext_lazy("Commencer le quiz"),
            success_message=gettext_lazy("Le quiz a commencé : le temps est décompté par le serveur."),
            group="take",
            guard=_guard_start,
            effect=_effect_start,
        ),
        Transition(
            name="finish_attempt",
            sources=_CLOSE,
            target=AttemptState.CLOSED,
            allowed=is_attempt_candidate,
            staff_label=gettext_lazy("Quiz terminé par le candidat"),
            owner_label=gettext_lazy("Terminer le quiz"),
            success_message=gettext_lazy("Votre quiz est terminé et noté."),
            group="take",
            effect=_effect_close(at_deadline=False),
        ),
        Transition(
            name="expire_attempt",
            sources=_CLOSE,
            target=AttemptState.CLOSED,
            allowed=anyone,
            staff_label=gettext_lazy("Quiz clos à la fin du temps"),
            owner_label=gettext_lazy("Temps écoulé"),
            success_message=gettext_lazy(
                "Le temps est écoulé : le quiz est clos et noté avec vos réponses enregistrées."
            ),
            group="system",
            guard=_guard_expire,
            effect=_effect_close(at_deadline=True),
        ),
        Transition(
            name="lapse_attempt",
            sources=frozenset({AttemptState.OPEN}),
            target=AttemptState.LAPSED,
            allowed=anyone,
            staff_label=gettext_lazy("Quiz non commencé dans la période"),
            owner_label=gettext_lazy("Période terminée"),
            success_message=gettext_lazy("La période pour commencer ce quiz est terminée."),
            group="system",
            guard=_guard_lapse,
        ),
        Transition(
            name="void_attempt",
            sources=frozenset({AttemptState.OPEN, AttemptState.IN_PROGRESS, AttemptState.CLOSED, AttemptState.LAPSED}),
            target=AttemptState.VOIDED,
            allowed=is_attempt_staff,
            staff_label=gettext_lazy("Accorder une nouvelle tentative"),
            owner_label=gettext_lazy("Nouvelle tentative accordée"),
            success_message=gettext_lazy(
                "Une nouvelle tentative est ouverte ; celle-ci est conservée pour l'historique."
            ),
            style="outline-danger",
            group="manage",
            guard=_guard_void,
            effect=_effect_void,
        ),
    ],
)

ATTEMPT_WORKFLOW.follow("finish_attempt", _after_close)
ATTEMPT_WORKFLOW.follow("expire_attempt", _after_close)

# The audit rows the services write outside the table (opening, accommodations, incidents, the bank).
register_action_labels(
    "quiz.attempt",
    {
        "open_attempt": gettext_lazy("Quiz ouvert pour le candidat"),
        "grant_extra_time": gettext_lazy("Temps supplémentaire accordé"),
        "neutralise_question": gettext_lazy("Question neutralisée"),
        "report_incident": gettext_lazy("Incident signalé"),
    },
)
register_action_labels(
    "quiz.question",
    {
        "question_created": gettext_lazy("Question créée"),
        "question_changed": gettext_lazy("Question modifiée"),
        "question_new_version": gettext_lazy("Nouvelle version de la question"),
        "questions_imported": gettext_lazy("Questions importées (CSV)"),
    },
)
