"""AUVICOM's designation of an evaluator organisation for an admissible dossier (first time or after a decline)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from candidates.enums import DossierState
from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused

from ..enums import AssignmentState, EvaluationState
from ..forms.assignment import AssignOrganisationForm
from ..selectors import (
    assignment_history,
    assignment_page_dossiers,
    cqpt_has_accredited_organisation,
    eligible_organisations,
    evaluation_of_dossier,
)
from ..services.assignment import ORGANISATION_REFUSED, evaluation_assign


def _blocked_reason(dossier, evaluation, organisations) -> str:
    """Why nothing can be assigned now ("" when it can)."""
    if evaluation is not None and evaluation.state != EvaluationState.TO_REASSIGN:
        return ""  # an organisation is designated: the history says which
    if dossier.state != DossierState.ADMISSIBLE:
        return _("Le dossier n'est pas recevable (« %(state)s ») : aucun organisme ne peut être désigné.") % {
            "state": dossier.get_state_display()
        }
    if not dossier.cqpt_id:
        return _("Le dossier ne vise aucun CQPT : aucun organisme ne peut être désigné.")
    if not organisations and not cqpt_has_accredited_organisation(dossier.cqpt_id):
        return _(
            "Aucun organisme évaluateur actif n'est habilité pour ce CQPT : un administrateur doit en habiliter un."
        )
    if not organisations:
        return _(
            "Tous les organismes habilités pour ce CQPT sont liés à l'employeur du candidat (même SIREN ou lien "
            "déclaré par un administrateur) : conflit d'intérêts. Un administrateur doit habiliter un autre organisme."
        )
    return ""


@permission_required("candidates.view_admissibility_queue", lookup=(assignment_page_dossiers, "pk"))
def assignment_page(request, obj):
    """The dossier, the organisations offered with their load, the form to assign, the history."""
    dossier = obj
    evaluation = evaluation_of_dossier(dossier.pk)
    can_assign = request.user.has_perm("evaluation.assign_organisation")
    if request.method == "POST" and not can_assign:
        raise PermissionDenied
    organisations = list(eligible_organisations(dossier)) if dossier.cqpt_id else []
    blocked = _blocked_reason(dossier, evaluation, organisations)
    open_to_assign = not blocked and (evaluation is None or evaluation.state == EvaluationState.TO_REASSIGN)
    form = AssignOrganisationForm(request.POST if request.method == "POST" else None, organisations=organisations)
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation_assign(
                    dossier_id=dossier.pk, organisation_id=form.cleaned_data["organisation"], actor=request.user
                )
            except ActionRefused as refused:
                for field, field_messages in refused.fields.items():
                    for message in field_messages:
                        form.add_error("organisation" if field == ORGANISATION_REFUSED else None, message)
                for message in refused.non_field_messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("L'organisme évaluateur est désigné ; son responsable est prévenu."))
                return redirect("evaluation:assignment", pk=dossier.pk)
        messages.error(request, _("Aucun organisme n'est désigné : corrigez les champs signalés."))
    history = assignment_history(evaluation) if evaluation is not None else []
    context = {
        "dossier": dossier,
        "evaluation": evaluation,
        "organisations": organisations,
        "form": form,
        "can_assign": can_assign,
        "open_to_assign": open_to_assign,
        "show_form": open_to_assign and can_assign,
        "blocked": blocked,
        "history": history,
        "declined_ids": {row.organisation_id for row in history if row.state == AssignmentState.DECLINED},
    }
    return render(request, "evaluation/assignment.html", context)


urlpatterns = [
    path("dossier/<int:pk>/organisme/", assignment_page, name="assignment"),
]
