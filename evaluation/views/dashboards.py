from django.shortcuts import redirect, render

from cqpt_portal.accounts.decorators import permission_required


@permission_required("evaluation.view_evaluator_dashboard")
def evaluator_dashboard(request):
    return render(request, "evaluation/evaluator_dashboard.html")


@permission_required("evaluation.view_cpne_dashboard")
def cpne_dashboard(request):
    """The CPNE's space is the cpne app's (issue 9); the old address leads there."""
    return redirect("cpne:dashboard")
