"""A payment statement: its page, its payment and cancellation, its PDF and CSV."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response

from .. import selectors
from ..workflow import STATEMENT_WORKFLOW


def _actions(request, statement, *, bound=None):
    actions = []
    for transition in STATEMENT_WORKFLOW.available(request.user, statement):
        form = transition.form(None, prefix=transition.name, statement=statement) if transition.form else None
        if bound is not None and bound[0] == transition.name:
            form = bound[1]
        actions.append({"transition": transition, "form": form, "label": transition.staff_label})
    return actions


def _page(request, statement, *, bound=None, status=200):
    return render(
        request,
        "funding/statement_detail.html",
        {
            "statement": statement,
            "lines": selectors.statement_lines(statement),
            "actions": _actions(request, statement, bound=bound),
            "can_manage": request.user.has_perm("funding.manage_fees"),
        },
        status=status,
    )


@permission_required("funding.view_statement", lookup=(selectors.statements_base, "pk"))
def statement_detail(request, obj):
    return _page(request, obj)


@require_POST
@permission_required("funding.view_statement", lookup=(selectors.statements_base, "pk"))
def statement_transition(request, obj):
    name = request.POST.get("transition", "")
    try:
        transition = STATEMENT_WORKFLOW[name]
    except ActionRefused as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("funding:statement", pk=obj.pk)
    refused = STATEMENT_WORKFLOW.refusal(request.user, obj, name)
    if refused is not None:  # not this user's, or no longer possible: say so on the page
        messages.error(request, " ".join(str(m) for m in refused.messages))
        return redirect("funding:statement", pk=obj.pk)
    form = transition.form(request.POST, prefix=name, statement=obj) if transition.form else None
    try:
        done = STATEMENT_WORKFLOW.submit_form(pk=obj.pk, name=name, actor=request.user, form=form)
    except ActionRefused as refused:
        messages.error(request, " ".join(str(m) for m in refused.messages))
        return redirect("funding:statement", pk=obj.pk)
    if done is None:
        obj = selectors.statements_base().get(pk=obj.pk)
        return _page(request, obj, bound=(name, form), status=400)
    messages.success(request, transition.success_message)
    return redirect("funding:statement", pk=obj.pk)


@permission_required("funding.view_statement", lookup=(selectors.statements_base, "pk"))
def statement_pdf(request, obj):
    if not obj.pdf:
        messages.info(request, _("Le PDF du relevé est en préparation : réessayez dans un instant."))
        return redirect("funding:statement", pk=obj.pk)
    return private_file_response(
        obj.pdf, content_type="application/pdf", download_name=f"releve-{obj.number}.pdf", inline=False
    )


def _cell(value) -> str:
    """A CSV cell that Excel will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _amount(value) -> str:
    return f"{value:.2f}".replace(".", ",")


@permission_required("funding.view_statement", lookup=(selectors.statements_base, "pk"))
def statement_csv(request, obj):
    """The statement for the accounting software: semicolons, UTF-8 with BOM, one line per fee and a total."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="releve-{obj.number}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # BOM: French Excel then reads the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Relevé"),
            _("Organisme"),
            _("SIRET de l'organisme"),
            _("Dossier"),
            _("Nom"),
            _("Prénom"),
            _("CQPT"),
            _("Dispositif"),
            _("Suivie en intégralité le"),
            _("Montant (€)"),
            _("État du relevé"),
            _("Payé le"),
            _("Référence du paiement"),
        ]
    )
    state = obj.get_state_display()
    paid_on = obj.paid_on.strftime("%d/%m/%Y") if obj.paid_on else ""
    for line in selectors.statement_lines(obj):
        dossier = line.fee.evaluation.dossier
        due_at = timezone.localtime(line.fee.due_at).strftime("%d/%m/%Y") if line.fee.due_at else ""
        cells = [
            obj.number,
            obj.organisation.name,
            obj.organisation.siret,
            dossier.number,
            dossier.last_name,
            dossier.first_name,
            dossier.cqpt.code if dossier.cqpt_id else "",
            line.fee.scheme.label if line.fee.scheme_id else "",
        ]
        writer.writerow(
            [
                *(_cell(c) for c in cells),
                due_at,
                _amount(line.amount),
                _cell(state),
                paid_on,
                _cell(obj.payment_reference),
            ]
        )
    writer.writerow([_("Total"), "", "", "", "", "", "", "", "", _amount(obj.total), "", "", ""])
    return response
