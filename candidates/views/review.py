from django.shortcuts import render
from django.urls import path

from cqpt_portal.accounts.decorators import permission_required

from ..models import Dossier


@permission_required("candidates.view_auvicom_dashboard")
def auvicom_dashboard(request):
    return render(request, "candidates/review/dashboard.html")


@permission_required("candidates.view_dossier", lookup=(Dossier, "pk"))
def review_detail(request, obj):
    return render(request, "candidates/review/detail.html", {"dossier": obj})


urlpatterns = [
    path("auvicom/", auvicom_dashboard, name="auvicom_dashboard"),
    path("auvicom/dossier/<int:pk>/", review_detail, name="review_detail"),
]
