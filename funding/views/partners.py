"""The organisation's manager (its fees and statements) and the employer (the evaluations it pays for)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.broker import publish_bounded
from cqpt_portal.files.responses import private_file_response

from .. import selectors

PAGE_SIZE = 25


@permission_required("funding.view_organisation_fees")
def organisation_fees(request):
    organisation_id = request.user.evaluator_organisation_id
    fees = Paginator(selectors.fees_for_organisation(organisation_id), PAGE_SIZE).get_page(request.GET.get("page"))
    statements = selectors.statements_for_organisation(organisation_id)[:50]
    return render(
        request,
        "funding/organisation_fees.html",
        {"page_obj": fees, "statements": statements, "organisation": request.user.evaluator_organisation},
    )


@permission_required("funding.view_employer_fees")
def employer_fees(request):
    fees = Paginator(selectors.fees_for_employer(request.user.company_id), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funding/employer_fees.html", {"page_obj": fees, "company": request.user.company})


@permission_required("funding.download_attestation", lookup=(selectors.fees_base, "pk"))
def attestation_pdf(request, obj):
    if not obj.attestation:
        from django.db import transaction

        from ..tasks import build_attestation_pdf

        transaction.on_commit(lambda: publish_bounded(build_attestation_pdf, obj.pk))
        messages.info(request, _("L'attestation est en préparation : réessayez dans un instant."))
        return redirect("funding:fee", pk=obj.pk)
    return private_file_response(
        obj.attestation,
        content_type="application/pdf",
        download_name=f"attestation-{obj.evaluation.dossier.number}.pdf",
        inline=False,
    )
