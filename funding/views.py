from django.shortcuts import render

from cqpt_portal.accounts.decorators import permission_required


@permission_required("funding.view_dashboard")
def dashboard(request):
    return render(request, "funding/dashboard.html")
