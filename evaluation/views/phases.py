"""Phase 3's pages besides the evaluation page: the signed observation grid, uploaded and served.

Phases 2 and 3's transitions (quiz result, scheduling, report, closing) are
applied by the evaluation page's one POST endpoint (views/detail.py) with the
forms set on their transitions.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response

from ..forms.phases import WorkplaceGridForm
from ..selectors import evaluations_for_page
from ..services.phases import workplace_grid_upload


@require_http_methods(["GET", "POST"])
@permission_required("evaluation.upload_workplace_grid", lookup=(evaluations_for_page, "pk"))
def workplace_grid_upload_view(request, obj):
    """The signed grid's upload (the evaluation page posts here; a refused file comes back here, next to its field)."""
    if request.method == "GET":
        return render(request, "evaluation/workplace_grid.html", {"evaluation": obj, "form": WorkplaceGridForm()})
    form = WorkplaceGridForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("La grille n'est pas enregistrée : corrigez le champ signalé."))
        return render(request, "evaluation/workplace_grid.html", {"evaluation": obj, "form": form}, status=400)
    try:
        workplace_grid_upload(
            evaluation_id=obj.pk, actor=request.user, uploaded=form.cleaned_data["grid"], detected=form.detected
        )
    except ActionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("La grille d'observation signée est enregistrée."))
    return redirect(reverse("evaluation:detail", args=[obj.pk]) + "#workplace")


@require_GET
@permission_required("evaluation.view_workplace_grid", lookup=(evaluations_for_page, "pk"))
def workplace_grid_file(request, obj):
    return private_file_response(
        obj.workplace_grid,
        content_type=obj.workplace_grid_content_type or "application/octet-stream",
        download_name=obj.workplace_grid_name or "grille",
    )


urlpatterns = [
    path("<int:pk>/mise-en-situation/grille/", workplace_grid_upload_view, name="workplace_grid_upload"),
    path("<int:pk>/mise-en-situation/grille/fichier/", workplace_grid_file, name="workplace_grid_file"),
]
