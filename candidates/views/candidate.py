"""The candidate's pages: dashboard, the dossier's steps, submission, withdrawal, read-only view.

Thin views: a form shapes the input, a service (or the workflow) writes, a
message says what happened. The menu of steps and the path come from
candidates.steps, computed on the server.
"""

import copy

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.selectors import notifications_recent
from cqpt_portal.workflow import add_refusal_to_form

from ..enums import EDITABLE_STATES, FINAL_STATES, AccessRoute
from ..forms.candidate import (
    CandidacyForm,
    CompanySearchForm,
    EmploymentForm,
    ExperiencePeriodForm,
    FundingForm,
    IdentityForm,
)
from ..models import Dossier, ExperiencePeriod
from ..selectors import current_decision, dossiers_for_candidate_pages, state_history, stopped_from
from ..services import dossier_eligibility, submission_problems
from ..services.candidate import (
    company_search,
    dossier_start,
    dossier_update_employment,
    dossier_update_step,
    period_delete,
    period_limit_message,
    period_save,
    periods_left,
)
from ..steps import STEP_KEYS, dossier_steps, dossier_timeline, evaluation_url, next_action, step_url
from ..viewhelpers import mark_visited, refuse_locked, step_context, visited_steps
from ..workflow import DOSSIER_WORKFLOW

# --- shared helpers ----------------------------------------------------------------------


def disable_form(form) -> None:
    for field in form.fields.values():
        field.disabled = True


def _after_save(request, dossier: Dossier, step: str):
    mark_visited(request, dossier, step)
    messages.success(request, _("Étape enregistrée."))
    following = STEP_KEYS[STEP_KEYS.index(step) + 1]
    return redirect(step_url(dossier, following))


# --- dashboard ---------------------------------------------------------------------------


@permission_required("candidates.view_candidate_dashboard")
def dashboard(request):
    dossiers = list(Dossier.objects.filter(candidate=request.user).select_related("cqpt"))
    open_dossier = next((d for d in dossiers if d.state not in FINAL_STATES), None)
    shown = open_dossier or (dossiers[0] if dossiers else None)
    context = {
        "dossiers": dossiers,
        "open_dossier": open_dossier,
        "shown": shown,
        "notifications": notifications_recent(recipient=request.user, limit=5),
    }
    if shown is not None:
        context["timeline"] = dossier_timeline(shown, stopped_from=stopped_from(shown))
        context["next_action"] = next_action(shown, request.user)
        context["evaluation_url"] = evaluation_url(shown)
        if shown.state in EDITABLE_STATES:
            full = dossiers_for_candidate_pages().get(pk=shown.pk)
            steps = dossier_steps(
                full,
                problems=submission_problems(full, reference_date=timezone.localdate()),
                decision=current_decision(full),
                visited=visited_steps(request, full),
            )
            context["steps"] = steps
            context["resume_step"] = next((s for s in steps if s.status != "done"), steps[-1])
    return render(request, "candidates/candidate/dashboard.html", context)


@require_POST
@permission_required("candidates.view_candidate_dashboard")
def dossier_create(request):
    try:
        dossier = dossier_start(candidate=request.user)
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("candidates:dashboard")
    messages.success(
        request, _("Votre dossier est créé. Il est enregistré à chaque étape : vous pouvez le reprendre plus tard.")
    )
    return redirect("candidates:step_identity", pk=dossier.pk)


# --- the steps ---------------------------------------------------------------------------


def _simple_step(request, obj, *, step: str, form_class, template: str, extra=None):
    dossier = obj
    editable = dossier.state in EDITABLE_STATES
    if request.method == "POST":
        if not editable:
            return refuse_locked(request, dossier, step)
        # A copy, so that an invalid form never changes what the menu reads.
        form = form_class(request.POST, instance=copy.copy(dossier))
        if form.is_valid():
            try:
                dossier_update_step(dossier_id=dossier.pk, actor=request.user, step=step, values=form.cleaned_data)
            except ActionRefused as error:
                messages.error(request, error.message)
                return redirect(step_url(dossier, step))
            scheme = form.cleaned_data.get("funding_scheme")
            if scheme is not None and scheme.handled_elsewhere:
                # Stay here: the page explains that this scheme is filed elsewhere (CIF: the Fongecif).
                mark_visited(request, dossier, step)
                return redirect(step_url(dossier, step))
            return _after_save(request, dossier, step)
    else:
        form = form_class(instance=copy.copy(dossier))
    if not editable:
        disable_form(form)
    context = step_context(request, dossier, step, form=form, **(extra(dossier) if extra else {}))
    return render(request, template, context)


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_identity(request, obj):
    return _simple_step(
        request, obj, step="identity", form_class=IdentityForm, template="candidates/candidate/step_identity.html"
    )


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_employment(request, obj):
    dossier = obj
    editable = dossier.state in EDITABLE_STATES
    search_form = CompanySearchForm(request.GET or None)
    results = None
    if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
        results = company_search(query=search_form.cleaned_data["q"])
    if request.method == "POST":
        if not editable:
            return refuse_locked(request, dossier, "employment")
        form = EmploymentForm(request.POST, instance=copy.copy(dossier))
        if form.is_valid():
            data = form.cleaned_data
            try:
                dossier_update_employment(
                    dossier_id=dossier.pk,
                    actor=request.user,
                    siret=data["siret"],
                    company_name=data["company_name"],
                    company_idcc=data["company_idcc"],
                    values=data,
                )
            except ActionRefused as error:
                messages.error(request, error.message)
                return redirect(step_url(dossier, "employment"))
            return _after_save(request, dossier, "employment")
    else:
        initial = {}
        chosen = request.GET.get("siret", "")
        if chosen.isdigit() and len(chosen) == 14:
            initial["siret"] = chosen
        form = EmploymentForm(instance=copy.copy(dossier), initial=initial)
    if not editable:
        disable_form(form)
    context = step_context(request, dossier, "employment", form=form, search_form=search_form, results=results)
    return render(request, "candidates/candidate/step_employment.html", context)


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_candidacy(request, obj):
    return _simple_step(
        request, obj, step="candidacy", form_class=CandidacyForm, template="candidates/candidate/step_candidacy.html"
    )


def _funding_extra(dossier):
    return {"schemes": FundingForm(instance=dossier).fields["funding_scheme"].queryset}


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_funding(request, obj):
    return _simple_step(
        request,
        obj,
        step="funding",
        form_class=FundingForm,
        template="candidates/candidate/step_funding.html",
        extra=_funding_extra,
    )


def _experience_context(request, dossier, form, editing=None):
    libre = dossier.access_route == AccessRoute.ACCES_LIBRE
    periods = list(dossier.periods.all())
    left = periods_left(len(periods))
    return step_context(
        request,
        dossier,
        "experience",
        form=form,
        editing=editing,
        periods=periods,
        periods_left=left,
        periods_max=settings.DOSSIER_MAX_PERIODS,
        periods_warning=left <= settings.DOSSIER_PERIODS_WARNING,
        period_limit_message=period_limit_message(len(periods)) if not left else "",
        eligibility=dossier_eligibility(dossier, reference_date=timezone.localdate()),
        is_acces_libre=libre,
        is_contract_route=dossier.access_route in (AccessRoute.CONTRAT_PRO, AccessRoute.PERIODE_PRO),
    )


def _save_period(request, dossier, form, editing=None):
    """Save the period; a refusal is shown on the form, which keeps what the candidate typed."""
    try:
        period_save(
            dossier_id=dossier.pk,
            actor=request.user,
            values=form.cleaned_data,
            period_id=editing.pk if editing is not None else None,
        )
    except ActionRefused as error:
        add_refusal_to_form(form, error)
        return render(
            request,
            "candidates/candidate/step_experience.html",
            _experience_context(request, dossier, form, editing=editing),
        )
    mark_visited(request, dossier, "experience")
    messages.success(request, _("Période enregistrée."))
    return redirect(step_url(dossier, "experience"))


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_experience(request, obj):
    dossier = obj
    editable = dossier.state in EDITABLE_STATES
    if request.method == "POST":
        if not editable:
            return refuse_locked(request, dossier, "experience")
        form = ExperiencePeriodForm(request.POST, instance=ExperiencePeriod(dossier=dossier))
        if form.is_valid():
            return _save_period(request, dossier, form)
    else:
        # At the cap the page explains why instead of offering a form that would be refused.
        can_add = editable and periods_left(len(dossier.periods.all())) > 0
        form = ExperiencePeriodForm() if can_add else None
    return render(request, "candidates/candidate/step_experience.html", _experience_context(request, dossier, form))


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def period_edit(request, obj, period_pk):
    dossier = obj
    period = next((p for p in dossier.periods.all() if p.pk == period_pk), None)
    if period is None:
        raise Http404
    editable = dossier.state in EDITABLE_STATES
    if request.method == "POST":
        if not editable:
            return refuse_locked(request, dossier, "experience")
        form = ExperiencePeriodForm(request.POST, instance=copy.copy(period))
        if form.is_valid():
            return _save_period(request, dossier, form, editing=period)
    else:
        form = ExperiencePeriodForm(instance=copy.copy(period))
    if not editable:
        disable_form(form)
    return render(
        request,
        "candidates/candidate/step_experience.html",
        _experience_context(request, dossier, form, editing=period),
    )


@require_POST
@permission_required("candidates.edit_dossier", lookup=(Dossier, "pk"))
def period_remove(request, obj, period_pk):
    try:
        period_delete(dossier_id=obj.pk, actor=request.user, period_id=period_pk)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Période supprimée."))
    return redirect(step_url(obj, "experience"))


# --- review and submission, withdrawal -----------------------------------------------------


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_submit(request, obj):
    dossier = obj
    if request.method == "POST":
        try:
            dossier = DOSSIER_WORKFLOW.apply(pk=dossier.pk, name="submit", actor=request.user)
        except ActionRefused as refused:
            for message in refused.messages:
                messages.error(request, message)
            return redirect(step_url(dossier, "submit"))
        messages.success(request, DOSSIER_WORKFLOW["submit"].success_message % {"number": dossier.number})
        return redirect("candidates:dossier_detail", pk=dossier.pk)
    context = step_context(request, dossier, "submit")
    transitions = {t.name: t for t in DOSSIER_WORKFLOW.available(request.user, dossier)}
    context.update(
        eligibility=dossier_eligibility(dossier, reference_date=timezone.localdate()),
        is_acces_libre=dossier.access_route == AccessRoute.ACCES_LIBRE,
        submit=transitions.get("submit") if not context["problems"] else None,
        can_withdraw="withdraw" in transitions,
    )
    return render(request, "candidates/candidate/step_submit.html", context)


@permission_required("candidates.edit_dossier", lookup=(Dossier, "pk"))
def dossier_withdraw(request, obj):
    dossier = obj
    refused = DOSSIER_WORKFLOW.refusal(request.user, dossier, "withdraw")
    if refused is not None:
        messages.error(
            request,
            _("Ce dossier ne peut plus être retiré : il est « %(state)s ».") % {"state": dossier.get_state_display()},
        )
        return redirect("candidates:dossier_detail", pk=dossier.pk)
    transition = DOSSIER_WORKFLOW["withdraw"]
    form = transition.form(request.POST or None)
    if request.method == "POST" and DOSSIER_WORKFLOW.submit_form(
        pk=dossier.pk, name="withdraw", actor=request.user, form=form
    ):
        messages.success(request, transition.success_message)
        return redirect("candidates:dashboard")
    return render(request, "candidates/candidate/withdraw.html", {"dossier": dossier, "form": form})


# --- read-only view ----------------------------------------------------------------------


@permission_required("candidates.view_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def dossier_detail(request, obj):
    dossier = obj
    transitions = {t.name: t for t in DOSSIER_WORKFLOW.available(request.user, dossier)}
    context = {
        "dossier": dossier,
        "decision": current_decision(dossier),
        "history": state_history(dossier),
        "is_acces_libre": dossier.access_route == AccessRoute.ACCES_LIBRE,
        "eligibility": dossier_eligibility(dossier, reference_date=timezone.localdate()),
        "editable": dossier.state in EDITABLE_STATES and dossier.candidate_id == request.user.pk,
        "can_withdraw": "withdraw" in transitions,
        "next_action": next_action(dossier, request.user) if dossier.candidate_id == request.user.pk else "",
        "evaluation_url": evaluation_url(dossier) if dossier.candidate_id == request.user.pk else "",
        "first_step_url": step_url(dossier, "identity"),
    }
    return render(request, "candidates/candidate/dossier_detail.html", context)


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dossier/nouveau/", dossier_create, name="dossier_create"),
    path("dossier/<int:pk>/", dossier_detail, name="dossier_detail"),
    path("dossier/<int:pk>/identite/", step_identity, name="step_identity"),
    path("dossier/<int:pk>/employeur/", step_employment, name="step_employment"),
    path("dossier/<int:pk>/candidature/", step_candidacy, name="step_candidacy"),
    path("dossier/<int:pk>/financement/", step_funding, name="step_funding"),
    path("dossier/<int:pk>/experience/", step_experience, name="step_experience"),
    path("dossier/<int:pk>/experience/<int:period_pk>/", period_edit, name="period_edit"),
    path("dossier/<int:pk>/experience/<int:period_pk>/supprimer/", period_remove, name="period_delete"),
    path("dossier/<int:pk>/deposer/", step_submit, name="step_submit"),
    path("dossier/<int:pk>/retirer/", dossier_withdraw, name="dossier_withdraw"),
]
