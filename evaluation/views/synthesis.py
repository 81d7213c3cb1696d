"""The synthesis page: written by the evaluation's staff until transmitted, read by the candidate once transmitted.

The transmission is the `transmit` transition, posted to the evaluation page's
one endpoint (views/detail.py).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused

from ..enums import EvaluationState
from ..forms.synthesis import SynthesisForm
from ..selectors import competency_grid, evaluations_for_page
from ..services.synthesis import synthesis_save, synthesis_table
from ..workflow import EVALUATION_WORKFLOW


def _transmit_actions(request, evaluation) -> list[dict]:
    """The synthesis group's transitions this user may apply now (the transmission), as on the evaluation page."""
    return [
        {
            "transition": t,
            "form": t.form(None, None, prefix=t.name, evaluation=evaluation) if t.form else None,
            "label": t.staff_label,
        }
        for t in EVALUATION_WORKFLOW.available(request.user, evaluation, group="synthesis")
    ]


def _render(request, evaluation, grid, form, status=200):
    editable = form is not None
    table = synthesis_table(evaluation, grid)
    if editable:
        for item in table:
            item.acquired_field, item.comment_field = form.block_fields(item.block)
    context = {
        "evaluation": evaluation,
        "dossier": evaluation.dossier,
        "table": table,
        "form": form,
        "editable": editable,
        "actions": _transmit_actions(request, evaluation),
    }
    return render(request, "evaluation/synthesis_page.html", context, status=status)


@permission_required("evaluation.view_synthesis", lookup=(evaluations_for_page, "pk"))
def synthesis_page(request, obj):
    evaluation = obj
    grid = competency_grid(evaluation)
    editable = evaluation.state == EvaluationState.IN_PROGRESS and request.user.has_perm(
        "evaluation.edit_synthesis", evaluation
    )
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Cette synthèse ne peut plus être modifiée."))
            return redirect("evaluation:synthesis", pk=evaluation.pk)
        form = SynthesisForm(request.POST, evaluation=evaluation, blocks=grid)
        if form.is_valid():
            try:
                synthesis_save(
                    evaluation_id=evaluation.pk,
                    actor=request.user,
                    blocks=form.verdicts(),
                    opinion=form.cleaned_data["opinion"],
                    justification=form.cleaned_data["opinion_justification"],
                )
            except ActionRefused as refused:
                for message in refused.messages:
                    messages.error(request, message)
                return redirect("evaluation:synthesis", pk=evaluation.pk)
            messages.success(request, _("La synthèse est enregistrée."))
            return redirect("evaluation:synthesis", pk=evaluation.pk)
        messages.error(request, _("La synthèse n'est pas enregistrée : corrigez les champs signalés."))
        return _render(request, evaluation, grid, form, status=400)
    form = SynthesisForm(evaluation=evaluation, blocks=grid) if editable else None
    return _render(request, evaluation, grid, form)


urlpatterns = [
    path("<int:pk>/synthese/", synthesis_page, name="synthesis"),
]
