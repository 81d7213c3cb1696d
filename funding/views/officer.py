"""AUVICOM's funding officer: the dashboard, the fees, the scheme's correction, the payment statements."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.workflow import add_refusal_to_form

from .. import selectors
from ..enums import FeeState, Payer
from ..forms import FeeFilterForm, SchemeChangeForm, StatementCreateForm
from ..models import Fee
from ..services import dossier_scheme_change, statements_create

PAGE_SIZE = 25


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@permission_required("funding.view_dashboard")
def dashboard(request):
    years = selectors.dashboard_years()
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    payer = request.GET.get("payer") if request.GET.get("payer") in Payer.values else Payer.AUVICOM
    return render(
        request,
        "funding/dashboard.html",
        {
            "figures": selectors.funding_dashboard(year=year, payer=payer),
            "years": years,
            "year": year,
            "payer": payer,
            "payers": Payer.choices,
            "without_fee": selectors.evaluations_without_fee(),
        },
    )


@permission_required("funding.manage_fees")
def fee_list(request):
    form = FeeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    fees = selectors.fees_for_officer(
        state=filters.get("state", ""),
        organisation_id=getattr(filters.get("organisation"), "pk", None),
        payer=filters.get("payer", ""),
    )
    page_obj = Paginator(fees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/fee_list.html",
        {"form": form, "page_obj": page_obj, "query_string": _query_string(request)},
    )


def _fee_page(request, fee, *, scheme_form=None, status=200):
    can_manage = request.user.has_perm("funding.manage_fees")
    if scheme_form is None and can_manage and fee.state != FeeState.PAID:
        scheme_form = SchemeChangeForm(dossier=fee.evaluation.dossier, prefix="scheme")
    return render(
        request,
        "funding/fee_detail.html",
        {
            "fee": fee,
            "dossier": fee.evaluation.dossier,
            "scheme_form": scheme_form if can_manage else None,
            "lines": fee.statement_lines.select_related("statement").order_by("id"),
            "audit_events": selectors.fee_history(fee) if can_manage else [],
            "can_manage": can_manage,
        },
        status=status,
    )


@permission_required("funding.view_fee", lookup=(selectors.fees_base, "pk"))
def fee_detail(request, obj):
    return _fee_page(request, obj)


@require_POST
@permission_required("funding.manage_fees", lookup=(selectors.fees_base, "pk"))
def fee_scheme_change(request, obj):
    form = SchemeChangeForm(request.POST, dossier=obj.evaluation.dossier, prefix="scheme")
    if form.is_valid():
        try:
            fee = dossier_scheme_change(
                dossier_id=obj.evaluation.dossier_id,
                scheme_id=form.cleaned_data["scheme"].pk,
                comment=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ActionRefused as refused:
            form.refusal_fields = {"comment": "reason"}
            add_refusal_to_form(form, refused)
        else:
            if fee is not None and fee.state == FeeState.PAID:
                messages.success(
                    request, _("Le dispositif du dossier est changé ; le forfait déjà payé reste inchangé.")
                )
            else:
                messages.success(request, _("Le dispositif est changé ; le payeur et le montant sont recalculés."))
            return redirect("funding:fee", pk=obj.pk)
    obj = selectors.fees_base().get(pk=obj.pk)
    return _fee_page(request, obj, scheme_form=form, status=400)


@permission_required("funding.manage_fees")
def statement_list(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = StatementCreateForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            statements = statements_create(
                actor=request.user,
                organisation_id=getattr(form.cleaned_data["organisation"], "pk", None),
                due_until=form.cleaned_data["due_until"],
            )
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
        else:
            numbers = ", ".join(s.number for s in statements)
            messages.success(
                request,
                _("Relevé(s) créé(s) : %(numbers)s. Le PDF est en préparation.") % {"numbers": numbers},
            )
            if len(statements) == 1:
                return redirect("funding:statement", pk=statements[0].pk)
            return redirect("funding:statements")
    statements = selectors.statements_base().order_by("-created_at", "-id")
    page_obj = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    due = Fee.objects.filter(state=FeeState.DUE, payer=Payer.AUVICOM)
    return render(
        request,
        "funding/statement_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "due_count": due.count(),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@permission_required("funding.manage_fees", lookup=(selectors.evaluations_with_organisation, "pk"))
def evaluation_scheme_change(request, obj):
    """Correct the scheme of a dossier whose evaluation has no fee (e.g. declared CIF by mistake)."""
    dossier = obj.dossier
    if hasattr(obj, "fee"):
        return redirect("funding:fee", pk=obj.fee.pk)
    form = SchemeChangeForm(request.POST or None, dossier=dossier, prefix="scheme")
    if request.method == "POST" and form.is_valid():
        try:
            fee = dossier_scheme_change(
                dossier_id=dossier.pk,
                scheme_id=form.cleaned_data["scheme"].pk,
                comment=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ActionRefused as refused:
            form.refusal_fields = {"comment": "reason"}
            add_refusal_to_form(form, refused)
        else:
            if fee is not None:
                messages.success(request, _("Le dispositif est changé ; le forfait de l'évaluation est enregistré."))
                return redirect("funding:fee", pk=fee.pk)
            messages.success(request, _("Le dispositif est changé ; il ne donne lieu à aucun forfait."))
            return redirect("funding:dashboard")
    return render(
        request,
        "funding/evaluation_scheme.html",
        {"evaluation": obj, "dossier": dossier, "form": form},
        status=400 if form.errors else 200,
    )
