from django.urls import path

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.files.responses import private_file_response

from ..models import DossierDocument


def _document_dossier(document):
    return document.dossier


@permission_required("candidates.view_document", lookup=(DossierDocument, "pk"))
def document_view(request, obj):
    """Serve one supporting document to those allowed to see its dossier (never to employers)."""
    return private_file_response(
        obj.file, content_type=obj.content_type, download_name=obj.original_name, inline=request.GET.get("dl") != "1"
    )


urlpatterns = [path("document/<int:pk>/", document_view, name="document")]
