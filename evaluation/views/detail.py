"""The evaluation page shared by the evaluator, the organisation's manager and the candidate, and the one POST
endpoint that applies any of the evaluation's transitions (whichever of its four tables holds it).

Context contract of templates/evaluation/detail.html and its section partials:
- `evaluation`, `dossier`, `grid` (the CQPT's blocks, each with `.competencies.all`),
- `actions`: {transition group: [{"transition", "form", "label"}]} for every transition the user may apply now
  (groups: "assignment", "evidence", "quiz", "workplace", "synthesis", "abandon"),
- `is_staff` (the assigned evaluator or the organisation's manager), `is_candidate`,
- accompaniment and phase 1 (evaluation.page.accompaniment_context): `next_step` (one sentence), `grid_rows` (per block,
  per competency: its evidence pieces count and its assessment in each assessed phase), `appointments`,
  `appointment_form`, `notes`, `note_form`, `evidence`, `evidence_form`, `evidence_editable`, `can_assess`
  ({"evidence": bool, "workplace": bool}), `phase_rows` (the three phases with their state and result).
Other views re-render this page with a bound form through evaluation.page.render_evaluation (views import no view).
A transition's form class takes the keyword argument `evaluation=` (it may ignore it).
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.accounts.services import safe_next_path
from cqpt_portal.exceptions import ActionRefused

from ..page import TRANSITION_WORKFLOWS, evaluation_actions, render_evaluation, transition_form  # noqa: F401 - re-exported: the page contract
from ..selectors import evaluations_for_page


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
    form = transition_form(transition, obj, request.POST, request.FILES)
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
    # A form on another page (the manager's dashboard) says where to come back to.
    return redirect(safe_next_path(request.POST.get("next")) or reverse("evaluation:detail", args=[obj.pk]))


urlpatterns = [
    path("<int:pk>/", evaluation_detail, name="detail"),
    path("<int:pk>/action/", evaluation_transition, name="transition"),
]
