"""The evaluation page shared by the evaluator, the organisation's manager and the candidate, and the one POST
endpoint that applies any of the evaluation's transitions (whichever of its four tables holds it).

Context contract of templates/evaluation/detail.html and its section partials:
- `evaluation`, `dossier`, `grid` (the CQPT's blocks, each with `.competencies.all`),
- `actions`: {transition group: [{"transition", "form", "label"}]} for every transition the user may apply now
  (groups: "assignment", "evidence", "quiz", "workplace", "synthesis", "abandon"),
- `is_staff` (the assigned evaluator or the organisation's manager), `is_candidate`,
- accompaniment and phase 1 (see `accompaniment_context`): `next_step` (one sentence), `grid_rows` (per block,
  per competency: its evidence pieces count and its assessment in each assessed phase), `appointments`,
  `appointment_form`, `notes`, `note_form`, `evidence`, `evidence_form`, `evidence_editable`, `can_assess`
  ({"evidence": bool, "workplace": bool}), `phase_rows` (the three phases with their state and result).
A transition's form class takes the keyword argument `evaluation=` (it may ignore it).
"""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused

from ..enums import EvaluationState
from ..rules import is_evaluation_candidate, is_evaluation_staff
from ..selectors import appointments_for, competency_grid, evaluations_for_page, evidence_for, notes_for
from ..workflow import ALL_WORKFLOWS

TRANSITION_WORKFLOWS = {name: workflow for workflow in ALL_WORKFLOWS for name in workflow.transitions}
assert len(TRANSITION_WORKFLOWS) == sum(len(w.transitions) for w in ALL_WORKFLOWS), "transition names are unique"


def _form_for(transition, evaluation, data=None, files=None):
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
                form = _form_for(transition, evaluation)
            label = transition.owner_label if candidate else transition.staff_label
            actions[transition.group].append({"transition": transition, "form": form, "label": label})
    return dict(actions)


def accompaniment_context(request, evaluation, grid, *, forms=None) -> dict:
    """The page's accompaniment, evidence and competency-grid parts, in a bounded number of queries."""
    from ..enums import Phase
    from ..forms.accompaniment import AppointmentForm, NoteForm
    from ..forms.evidence import EvidenceForm
    from ..services.accompaniment import next_step
    from ..services.assessment import phase_is_assessable
    from ..services.evidence import evidence_is_editable

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
        "evidence_form": forms.get("evidence")
        or (EvidenceForm(evaluation=evaluation, grid=grid) if editable else None),
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


@permission_required("evaluation.view_evaluation", lookup=(evaluations_for_page, "pk"))
def evaluation_detail(request, obj):
    return render_evaluation(request, obj)


@require_POST
@permission_required("evaluation.view_evaluation", lookup=(evaluations_for_page, "pk"))
def evaluation_transition(request, obj):
    """Apply one transition of the evaluation (any of its tables) through the workflow; errors next to fields."""
    name = request.POST.get("transition", "")
    workflow = TRANSITION_WORKFLOWS.get(name)
    if workflow is None:
        messages.error(request, _("Action inconnue."))
        return redirect("evaluation:detail", pk=obj.pk)
    transition = workflow.transitions[name]
    form = _form_for(transition, obj, request.POST, request.FILES)
    if form is None:
        try:
            workflow.apply(pk=obj.pk, name=name, actor=request.user)
        except ActionRefused as refused:
            for message in refused.messages:
                messages.error(request, message)
            return redirect("evaluation:detail", pk=obj.pk)
    elif workflow.submit_form(pk=obj.pk, name=name, actor=request.user, form=form) is None:
        if any(field != "__all__" for field in form.errors):
            messages.error(request, _("L'action n'est pas enregistrée : corrigez les champs signalés."))
            evaluation = evaluations_for_page().get(pk=obj.pk)
            return render_evaluation(request, evaluation, bound=(name, form))
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect("evaluation:detail", pk=obj.pk)
    messages.success(request, transition.success_message)
    if transition.next_page:
        return redirect(transition.next_page)
    return redirect("evaluation:detail", pk=obj.pk)


urlpatterns = [
    path("<int:pk>/", evaluation_detail, name="detail"),
    path("<int:pk>/action/", evaluation_transition, name="transition"),
]
