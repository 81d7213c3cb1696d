from django.shortcuts import render
from django.urls import path

from cqpt_portal.accounts.decorators import permission_required


@permission_required("candidates.view_employer_dashboard")
def employer_dashboard(request):
    return render(request, "candidates/employer/dashboard.html")


urlpatterns = [path("employeur/", employer_dashboard, name="employer_dashboard")]
