"""The evaluation page shared by the evaluator, the organisation's manager and the candidate, and the one POST
endpoint that applies any of the evaluation's transitions (whichever of its four tables holds it).

Context contract of templates/evaluation/detail.html and its section partials:
- `evaluation`, `dossier`, `grid` (the CQPT's blocks, each with `.competencies.all`),
- `actions`: {transition group: [{"transition", "form", "label"}]} for every transition the user may apply now
  (groups: "assignment", "evidence", "quiz", "workplace", "synthesis", "abandon"),
- `is_staff` (the assigned evaluator or the organisation's manager), `is_candidate`.
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

from ..rules import is_evaluation_candidate, is_evaluation_staff
from ..selectors import competency_grid, evaluations_for_page
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


def render_evaluation(request, evaluation, *, bound=None, extra=None, status=200):
    context = {
        "evaluation": evaluation,
        "dossier": evaluation.dossier,
        "grid": competency_grid(evaluation),
        "actions": evaluation_actions(request, evaluation, bound=bound),
        "is_staff": is_evaluation_staff(request.user, evaluation),
        "is_candidate": is_evaluation_candidate(request.user, evaluation),
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
