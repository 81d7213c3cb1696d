"""Phase 1's pages (add, remove and view a piece of evidence) and the assessment of an assessed phase,
competency by competency (dossier de preuves or mise en situation: `evaluation:assess` with the phase).

Thin views: a form, a service (evaluation.services.evidence, .assessment), a
message, a redirect; a refusal goes next to its field, the rest of the form kept.
"""

from collections import defaultdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response
from cqpt_portal.workflow import add_refusal_to_form

from ..enums import Phase
from ..forms.evidence import AssessmentForm, EvidenceForm
from ..page import render_evaluation
from ..selectors import competency_grid, evaluations_for_page, evidence_for
from ..services.assessment import (
    ASSESSED_PHASES,
    assessments_by_competency,
    competencies_assess,
    phase_is_assessable,
)
from ..services.evidence import evidence_add, evidence_remove

_LOOKUP = (evaluations_for_page, "pk")


@require_POST
@permission_required("evaluation.add_evidence", lookup=_LOOKUP)
def evidence_create(request, obj):
    grid = competency_grid(obj)
    form = EvidenceForm(request.POST, request.FILES, evaluation=obj, grid=grid)
    if form.is_valid():
        try:
            evidence_add(
                evaluation_id=obj.pk,
                actor=request.user,
                uploaded=form.cleaned_data["file"],
                detected=form.detected,
                description=form.cleaned_data["description"],
                competency_ids=[c.pk for c in form.cleaned_data["competencies"]],
            )
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
        else:
            messages.success(request, _("La preuve est ajoutée à votre dossier de preuves."))
            return redirect("evaluation:detail", pk=obj.pk)
    messages.error(request, _("La preuve n'est pas ajoutée : corrigez les champs signalés."))
    return render_evaluation(request, obj, forms={"evidence": form})


@require_POST
@permission_required("evaluation.add_evidence", lookup=_LOOKUP)
def evidence_delete(request, obj, piece_pk):
    try:
        evidence_remove(evaluation_id=obj.pk, actor=request.user, piece_id=piece_pk)
    except ActionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("La preuve est retirée."))
    return redirect("evaluation:detail", pk=obj.pk)


@permission_required("evaluation.view_evidence", lookup=_LOOKUP)
def evidence_file(request, obj, piece_pk):
    piece = obj.evidence.filter(pk=piece_pk).first()
    if piece is None:
        raise Http404
    return private_file_response(
        piece.file,
        content_type=piece.content_type,
        download_name=piece.original_name,
        inline=request.GET.get("download") != "1",
    )


@permission_required("evaluation.assess", lookup=_LOOKUP)
def assess(request, obj, phase):
    """The evaluator's result and comment for each competency of the grid in one assessed phase."""
    if phase not in ASSESSED_PHASES:
        raise Http404
    phase = Phase(phase)
    grid = competency_grid(obj)
    open_ = phase_is_assessable(obj, phase)
    existing = assessments_by_competency(obj, phase)
    form = AssessmentForm(request.POST if request.method == "POST" else None, phase=phase, grid=grid, existing=existing)
    if request.method == "POST" and open_ and form.is_valid():
        try:
            count = competencies_assess(evaluation_id=obj.pk, phase=phase, actor=request.user, results=form.results())
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
        else:
            messages.success(request, _("%(count)s compétence(s) enregistrée(s).") % {"count": count})
            return redirect("evaluation:detail", pk=obj.pk)
    if request.method == "POST" and not open_:
        messages.error(request, _("Rien n'est enregistré : cette phase n'est pas ouverte à l'évaluation."))
    elif request.method == "POST":
        messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
    pieces = defaultdict(list)
    if phase == Phase.EVIDENCE:
        for piece in evidence_for(obj):
            for competency in piece.competencies.all():
                pieces[competency.pk].append(piece)
    rows = form.bound_rows()
    for group in rows:
        for row in group["rows"]:
            row["pieces"] = pieces.get(row["competency"].pk, [])
    return render(
        request,
        "evaluation/assessment_phase.html",
        {
            "evaluation": obj,
            "dossier": obj.dossier,
            "phase": phase,
            "form": form,
            "rows": rows,
            "is_open": open_,
        },
    )


urlpatterns = [
    path("<int:pk>/preuves/", evidence_create, name="evidence_create"),
    path("<int:pk>/preuves/<int:piece_pk>/", evidence_file, name="evidence_file"),
    path("<int:pk>/preuves/<int:piece_pk>/retirer/", evidence_delete, name="evidence_delete"),
    path("<int:pk>/evaluer/<str:phase>/", assess, name="assess"),
]
