"""The evaluation page's context and rendering, shared by the views that re-render it with a bound form
(evaluation/views/*.py). Not a view module: views import this, never each other.

The context contract is documented in evaluation/views/detail.py.
"""

from collections import defaultdict

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from .enums import EvaluationState, Phase
from .forms.accompaniment import AppointmentForm, NoteForm
from .forms.evidence import EvidenceForm
from .rules import is_evaluation_candidate, is_evaluation_staff
from .selectors import appointments_for, competency_grid, evidence_for, notes_for
from .services.accompaniment import next_step
from .services.assessment import phase_is_assessable
from .services.evidence import evidence_is_editable
from .workflow import ALL_WORKFLOWS

TRANSITION_WORKFLOWS = {name: workflow for workflow in ALL_WORKFLOWS for name in workflow.transitions}
assert len(TRANSITION_WORKFLOWS) == sum(len(w.transitions) for w in ALL_WORKFLOWS), "transition names are unique"


def transition_form(transition, evaluation, data=None, files=None):
    if transition.form is None:
        return None
    return transition.form(data, files, prefix=transition.name, evaluation=evaluation)


def evaluation_actions(request, evaluation, *, bound=None) -> dict[str, list[dict]]:
    """The transitions this user may apply now, grouped, each with its (possibly bound) form."""
    candidate = is_evaluation_candidate(request.user, evaluation)
    actions = defaultdict(list)
    for workflow in ALL_WORKFLOWS:
        for transition in workflow.available(request.user, evaluation):
            if bound is not None and bound[0] == transition.name:
                form = bound[1]
            else:
                form = transition_form(transition, evaluation)
            label = transition.owner_label if candidate else transition.staff_label
            actions[transition.group].append({"transition": transition, "form": form, "label": label})
    return dict(actions)


def accompaniment_context(request, evaluation, grid, *, forms=None) -> dict:
    """The page's accompaniment, evidence and competency-grid parts, in a bounded number of queries."""
    forms = forms or {}
    user = request.user
    staff_or_admin = user.has_perm("evaluation.view_private_notes", evaluation)
    can_see_evidence = user.has_perm("evaluation.view_evidence", evaluation)
    evidence = evidence_for(evaluation) if can_see_evidence else []
    pieces_by_competency = defaultdict(int)
    for piece in evidence:
        for competency in piece.competencies.all():
            pieces_by_competency[competency.pk] += 1
    results = {(a.phase, a.competency_id): a for a in evaluation.assessments.all()}
    grid_rows = [
        {
            "block": block,
            "rows": [
                {
                    "competency": competency,
                    "pieces": pieces_by_competency.get(competency.pk, 0),
                    "evidence": results.get((Phase.EVIDENCE, competency.pk)),
                    "workplace": results.get((Phase.WORKPLACE, competency.pk)),
                }
                for competency in block.competencies.all()
            ],
        }
        for block in grid
    ]
    in_progress = evaluation.state == EvaluationState.IN_PROGRESS
    can_manage_appointments = in_progress and user.has_perm("evaluation.manage_appointments", evaluation)
    can_add_note = user.has_perm("evaluation.add_note", evaluation)
    editable = evidence_is_editable(evaluation) and user.has_perm("evaluation.add_evidence", evaluation)
    # At the cap the section says why instead of offering a form that would be refused.
    evidence_full = (
        _("Votre dossier de preuves compte %(count)s preuves, le maximum : retirez-en une pour en ajouter une autre.")
        % {"count": len(evidence)}
        if editable and len(evidence) >= settings.EVIDENCE_MAX_PIECES
        else ""
    )
    can_assess = user.has_perm("evaluation.assess", evaluation)
    phase_rows = [
        {
            "phase": Phase.EVIDENCE,
            "label": Phase.EVIDENCE.label,
            "state": evaluation.get_evidence_state_display(),
            "result": evaluation.get_evidence_result_display(),
            "comment": evaluation.evidence_comment,
        },
        {
            "phase": Phase.QUIZ,
            "label": Phase.QUIZ.label,
            "state": evaluation.get_quiz_state_display(),
            "result": evaluation.get_quiz_result_display(),
            "comment": evaluation.quiz_comment,
        },
        {
            "phase": Phase.WORKPLACE,
            "label": Phase.WORKPLACE.label,
            "state": evaluation.get_workplace_state_display(),
            "result": evaluation.get_workplace_result_display(),
            "comment": evaluation.workplace_comment,
        },
    ]
    return {
        "next_step": next_step(evaluation, user),
        "phase_rows": phase_rows,
        "grid_rows": grid_rows,
        "appointments": appointments_for(evaluation),
        "appointment_form": forms.get("appointment")
        or (AppointmentForm(evaluation=evaluation) if can_manage_appointments else None),
        "can_manage_appointments": can_manage_appointments,
        "notes": notes_for(evaluation, include_private=staff_or_admin),
        "note_form": forms.get("note") or (NoteForm(evaluation=evaluation) if can_add_note else None),
        "evidence": evidence,
        "can_see_evidence": can_see_evidence,
        "evidence_editable": editable,
        "evidence_full": evidence_full,
        "evidence_form": forms.get("evidence")
        or (EvidenceForm(evaluation=evaluation, grid=grid) if editable and not evidence_full else None),
        "can_assess": {
            Phase.EVIDENCE.value: can_assess and phase_is_assessable(evaluation, Phase.EVIDENCE),
            Phase.WORKPLACE.value: can_assess and phase_is_assessable(evaluation, Phase.WORKPLACE),
        },
    }


def render_evaluation(request, evaluation, *, bound=None, extra=None, forms=None, status=200):
    grid = competency_grid(evaluation)
    context = {
        "evaluation": evaluation,
        "dossier": evaluation.dossier,
        "grid": grid,
        "actions": evaluation_actions(request, evaluation, bound=bound),
        "is_staff": is_evaluation_staff(request.user, evaluation),
        "is_candidate": is_evaluation_candidate(request.user, evaluation),
        **accompaniment_context(request, evaluation, grid, forms=forms),
        **(extra or {}),
    }
    return render(request, "evaluation/detail.html", context, status=status)
