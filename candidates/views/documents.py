"""Supporting documents: the candidate's upload step, deletion, and the permission-checked file view."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response
from cqpt_portal.workflow import add_refusal_to_form

from ..enums import EDITABLE_STATES, AccessRoute, DocumentKind
from ..forms.candidate import DocumentUploadForm
from ..models import Dossier, DossierDocument
from ..selectors import documents_with_dossier, dossiers_for_candidate_pages
from ..services.candidate import document_add, document_delete
from ..services.dossier import REQUIRED_DOCUMENTS
from ..steps import step_url
from ..viewhelpers import mark_visited, refuse_locked, step_context


@permission_required("candidates.view_document", lookup=(documents_with_dossier, "pk"))
def document_view(request, obj):
    """Serve one supporting document to those allowed to see its dossier (never to employers).

    Staff's readings and downloads are audited on the dossier (the owner's own are not).
    """
    inline = request.GET.get("dl") != "1"
    if obj.dossier.candidate_id != request.user.pk:
        audit_record(
            actor=request.user,
            target=obj.dossier,
            action="document_viewed" if inline else "document_downloaded",
            extra={"document": obj.pk, "kind": obj.kind},
        )
    return private_file_response(
        obj.file, content_type=obj.content_type, download_name=obj.original_name, inline=inline
    )


@permission_required("candidates.edit_dossier", lookup=(dossiers_for_candidate_pages, "pk"))
def step_documents(request, obj):
    """Upload, list and delete the dossier's documents; a refused file says why and keeps the rest of the form."""
    dossier = obj
    editable = dossier.state in EDITABLE_STATES
    if request.method == "POST":
        if not editable:
            return refuse_locked(request, dossier, "documents")
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = document_add(
                    dossier_id=dossier.pk,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    uploaded=form.cleaned_data["file"],
                )
            except ActionRefused as refused:
                if not refused.fields:
                    messages.error(request, refused.message)
                    return redirect(step_url(dossier, "documents"))
                add_refusal_to_form(form, refused)
            else:
                mark_visited(request, dossier, "documents")
                messages.success(
                    request, _("« %(name)s » est ajouté à votre dossier.") % {"name": document.original_name}
                )
                return redirect(step_url(dossier, "documents"))
    else:
        form = DocumentUploadForm(initial={"kind": request.GET.get("type", "")}) if editable else None
    documents = list(dossier.documents.all())
    present = {d.kind for d in documents}
    required = list(REQUIRED_DOCUMENTS.get(dossier.access_route, [DocumentKind.IDENTITY]))
    kinds = [
        {
            "value": kind.value,
            "label": kind.label,
            "documents": [d for d in documents if d.kind == kind],
            "required": kind in required,
            "present": kind in present,
        }
        for kind in DocumentKind
    ]
    context = step_context(
        request,
        dossier,
        "documents",
        form=form,
        kinds=kinds,
        attestation_expected=dossier.access_route == AccessRoute.ACCES_LIBRE,
    )
    return render(request, "candidates/candidate/step_documents.html", context)


@require_POST
@permission_required("candidates.edit_dossier", lookup=(Dossier, "pk"))
def document_remove(request, obj, document_pk):
    try:
        document_delete(dossier_id=obj.pk, actor=request.user, document_id=document_pk)
    except DossierDocument.DoesNotExist:
        raise Http404(_("Ce document ne fait pas partie de votre dossier.")) from None
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le document est supprimé."))
    return redirect(step_url(obj, "documents"))


urlpatterns = [
    path("document/<int:pk>/", document_view, name="document"),
    path("dossier/<int:pk>/pieces/", step_documents, name="step_documents"),
    path("dossier/<int:pk>/pieces/<int:document_pk>/supprimer/", document_remove, name="document_delete"),
]
