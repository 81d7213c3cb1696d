from django.shortcuts import render
from django.urls import path

from cqpt_portal.accounts.decorators import permission_required

from ..models import Dossier


@permission_required("candidates.view_candidate_dashboard")
def dashboard(request):
    dossiers = Dossier.objects.filter(candidate=request.user).select_related("cqpt")
    return render(request, "candidates/candidate/dashboard.html", {"dossiers": dossiers})


@permission_required("candidates.view_dossier", lookup=(Dossier, "pk"))
def dossier_detail(request, obj):
    return render(request, "candidates/candidate/dossier_detail.html", {"dossier": obj})


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dossier/<int:pk>/", dossier_detail, name="dossier_detail"),
]
