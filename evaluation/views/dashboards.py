from django.shortcuts import render

from cqpt_portal.accounts.decorators import permission_required


@permission_required("evaluation.view_evaluator_dashboard")
def evaluator_dashboard(request):
    return render(request, "evaluation/evaluator_dashboard.html")


@permission_required("evaluation.view_cpne_dashboard")
def cpne_dashboard(request):
    return render(request, "evaluation/cpne_dashboard.html")
