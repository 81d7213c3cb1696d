"""AUVICOM's admissibility review: the queue (with its CSV export), the review page, the decisions.

Views are thin: the filters live in candidates.filters, the reads in
candidates.selectors and candidates.services.admissibility, every state change in
candidates.workflow (its table gives each transition's form and message).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.audit.selectors import audit_trail_fold, audit_trail_page
from cqpt_portal.audit.services import audit_record
from cqpt_portal.files.responses import private_file_response
from cqpt_portal.form_fields import form_fingerprint

from ..enums import AccessRoute, DossierState, ExportState
from ..filters import AdmissibilityQueueFilter
from ..models import AdmissibilityExport, Dossier
from ..selectors import (
    DeferredJoinPaginator,
    admissibility_exports_of,
    admissibility_queue_base,
    dossier_for_admissibility,
    dossiers_for_admissibility,
    latest_submission,
    queue_age_days,
)
from ..services.admissibility import admissibility_sheet
from ..services.admissibility_export import export_csv_chunks, export_for_download, export_params, export_request
from ..workflow import DOSSIER_WORKFLOW

PAGE_SIZE = 25


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@permission_required("candidates.view_auvicom_dashboard")
def auvicom_dashboard(request):
    """The review queue: filtered, sorted, 25 a page; one COUNT, the page's ids, then its rows."""
    filterset = AdmissibilityQueueFilter(request.GET, queryset=admissibility_queue_base(), request=request)
    paginator = DeferredJoinPaginator(filterset.qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = _queue_rows(request.user, page_obj)
    return render(
        request,
        "candidates/admissibility/dashboard.html",
        {
            "filterset": filterset,
            "filter_cache_key": form_fingerprint(filterset.form),
            "page_obj": page_obj,
            "rows": rows,
            "claim": DOSSIER_WORKFLOW["claim"],
            "me_label": _("Moi"),
            "nobody_label": _("Personne"),
            "query_string": _query_string(request),
        },
    )


def _queue_rows(user, dossiers) -> list[dict]:
    """The page's rows as ready-made strings: labels translated once, no template tag per cell.

    The table is the page's main cost (25 rows, nine cells): building each cell here rather than with
    `{% url %}`, `get_FOO_display` and `{% blocktranslate %}` per row took the page from 22 to 13 ms of CPU (bench/profile_page.py).
    """
    today = timezone.localdate()
    states = {value: str(label) for value, label in DossierState.choices}
    routes = {value: str(label) for value, label in AccessRoute.choices}
    detail_url = reverse("candidates:admissibility_detail", args=[0]).removesuffix("0/") + "{}/"
    decide_url = reverse("candidates:admissibility_decide", args=[0]).replace("/0/", "/{}/")
    rows = []
    for dossier in dossiers:
        local = timezone.localtime(dossier.submitted_at) if dossier.submitted_at else None
        age = (today - local.date()).days if local else 0
        reviewer = dossier.reviewer
        rows.append(
            {
                "dossier": dossier,
                "number": dossier.number,
                "url": detail_url.format(dossier.pk),
                "decide_url": decide_url.format(dossier.pk),
                "name": f"{dossier.last_name.upper()} {dossier.first_name}",
                "cqpt": dossier.cqpt.title if dossier.cqpt_id else "",
                "route": routes.get(dossier.access_route, ""),
                "company": dossier.company.name if dossier.company_id else "",
                "state": states.get(dossier.state, dossier.state),
                "reviewer_is_me": dossier.reviewer_id == user.pk,
                "reviewer": (reviewer.get_full_name() or reviewer.email) if reviewer else "",
                "submitted_iso": local.isoformat() if local else "",
                "submitted_title": _("Déposé le %(date)s") % {"date": local.strftime("%d/%m/%Y %H:%M")}
                if local
                else "",
                "age_label": ngettext("%(days)s jour", "%(days)s jours", age) % {"days": age},
                "can_claim": DOSSIER_WORKFLOW.is_available(user, dossier, "claim"),
            }
        )
    return rows


@permission_required("candidates.view_admissibility_queue")
def admissibility_export(request):
    """The filtered queue as CSV (semicolons, UTF-8 with BOM): streamed when short, else prepared by a task."""
    filterset = AdmissibilityQueueFilter(request.GET, queryset=admissibility_queue_base(), request=request)
    params = export_params(request.GET)
    lines = filterset.qs.count()
    if lines > settings.ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS:
        export_request(user=request.user, params=params, lines=lines)
        messages.info(
            request,
            _("Votre export est en préparation : vous recevrez une notification dès qu'il sera prêt à télécharger."),
        )
        return redirect("candidates:admissibility_exports")
    audit_record(actor=request.user, target=request.user, action="admissibility_exported", extra=params)
    response = StreamingHttpResponse(export_csv_chunks(filterset.qs), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="dossiers-auvicom-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _filters_described(request, exports) -> list[tuple[AdmissibilityExport, list[tuple[str, str]]]]:
    """Each export with its filters as the queue's form names them ("CQPT : Conseiller…"), choices read once."""
    fields = AdmissibilityQueueFilter(request=request).form.fields
    choices: dict[str, dict[str, str]] = {}
    described = []
    for export in exports:
        items = []
        for key, value in export.params.items():
            field = fields.get(key)
            if field is None or not value:
                continue
            if hasattr(field, "choices"):
                if key not in choices:
                    choices[key] = {str(k): str(v) for k, v in field.choices}
                value = choices[key].get(str(value), value)
            items.append((str(field.label), str(value)))
        described.append((export, items))
    return described


@permission_required("candidates.view_admissibility_queue")
def admissibility_exports(request):
    """The user's CSV exports prepared by a task: their state, and a download link once ready."""
    exports = admissibility_exports_of(request.user)
    return render(
        request,
        "candidates/admissibility/exports.html",
        {
            "exports": _filters_described(request, exports),
            "preparing": any(export.state == ExportState.PENDING for export in exports),
            "keep_days": settings.ADMISSIBILITY_EXPORT_KEEP_DAYS,
            "sync_max_rows": settings.ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS,
        },
    )


@permission_required("candidates.download_admissibility_export", lookup=(AdmissibilityExport, "pk"))
def admissibility_export_download(request, obj):
    """One ready export, to its requester only, as an attachment never cached."""
    export = export_for_download(export=obj, user=request.user)
    if export is None:
        messages.error(request, _("Cet export n'est pas disponible : il est en préparation, a échoué ou a expiré."))
        return redirect("candidates:admissibility_exports")
    name = f"dossiers-auvicom-{timezone.localtime(export.requested_at):%Y%m%d-%H%M}.csv"
    return private_file_response(export.file, content_type="text/csv; charset=utf-8", download_name=name, inline=False)


def _render_admissibility(request, dossier: Dossier, *, bound: tuple[str, object] | None = None):
    if dossier.submitted_at is None:
        raise Http404  # a draft has not reached AUVICOM
    submission = latest_submission(dossier)
    sheet = admissibility_sheet(dossier=dossier, submission=submission) if submission else None
    documents = list(dossier.documents.all())
    selected = None
    selected_id = request.GET.get("document", "")
    if selected_id.isdigit():
        selected = next((d for d in documents if d.pk == int(selected_id)), None)
    actions = []
    for transition in DOSSIER_WORKFLOW.available(request.user, dossier):
        if transition.form is None:
            continue
        if bound is not None and bound[0] == transition.name:
            form = bound[1]
        else:
            form = transition.form(prefix=transition.name)
        actions.append({"transition": transition, "form": form})
    return render(
        request,
        "candidates/admissibility/detail.html",
        {
            "dossier": dossier,
            "submission": submission,
            "sheet": sheet,
            "documents": documents,
            "selected_document": selected,
            "decisions": list(dossier.decisions.all()),
            "queue_actions": [a for a in actions if a["transition"].group == "queue"],
            "decision_actions": [a for a in actions if a["transition"].group == "decision"],
            "age": queue_age_days(dossier.submitted_at, today=timezone.localdate()),
            **audit_trail_fold(dossier),
            "audit_full_url": reverse("candidates:admissibility_history", args=[dossier.pk]),
        },
    )


@permission_required("candidates.view_admissibility_queue", lookup=(dossiers_for_admissibility, "pk"))
def admissibility_detail(request, obj):
    """The frozen submission, the checks, the documents, the history, and the decisions the user may take."""
    return _render_admissibility(request, obj)


@permission_required("candidates.view_admissibility_queue", lookup=(Dossier, "pk"))
def admissibility_history(request, obj):
    """The dossier's whole trail, page by page, for those who may open its review page."""
    if obj.submitted_at is None:
        raise Http404  # as the review page: a draft has not reached AUVICOM
    page = audit_trail_page(obj, request.GET.get("page"))
    return render(
        request,
        "candidates/admissibility/history.html",
        {"dossier": obj, "audit_events": page.object_list, "audit_page": page},
    )


@permission_required("candidates.decide_admissibility", lookup=(Dossier, "pk"))
@require_POST
def admissibility_decide(request, obj):
    """Apply one review transition (claim, release, a decision, a correction) through the workflow."""
    name = request.POST.get("transition", "")
    transition = DOSSIER_WORKFLOW.transitions.get(name)
    if transition is None or transition.form is None:
        messages.error(request, _("Action inconnue."))
        return redirect("candidates:admissibility_detail", pk=obj.pk)
    form = transition.form(request.POST, prefix=name)
    dossier = DOSSIER_WORKFLOW.submit_form(pk=obj.pk, name=name, actor=request.user, form=form)
    if dossier is not None:
        messages.success(request, transition.success_message)
        if transition.next_page:
            return redirect(transition.next_page)
        return redirect("candidates:admissibility_detail", pk=obj.pk)
    if any(field != "__all__" for field in form.errors):
        messages.error(request, _("La décision n'est pas enregistrée : corrigez les champs signalés."))
        return _render_admissibility(request, dossier_for_admissibility(pk=obj.pk), bound=(name, form))
    # Refused as a whole (state, role, someone faster): say why on the page as it is now.
    for message in form.non_field_errors():
        messages.error(request, message)
    return redirect("candidates:admissibility_detail", pk=obj.pk)


urlpatterns = [
    path("auvicom/", auvicom_dashboard, name="auvicom_dashboard"),
    path("auvicom/export.csv", admissibility_export, name="admissibility_export"),
    path("auvicom/exports/", admissibility_exports, name="admissibility_exports"),
    path("auvicom/exports/<int:pk>/", admissibility_export_download, name="admissibility_export_download"),
    path("auvicom/dossier/<int:pk>/", admissibility_detail, name="admissibility_detail"),
    path("auvicom/dossier/<int:pk>/decide/", admissibility_decide, name="admissibility_decide"),
    path("auvicom/dossier/<int:pk>/historique/", admissibility_history, name="admissibility_history"),
]
