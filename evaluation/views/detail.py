"""The evaluation page shared by the evaluator, the organisation's manager and the candidate."""

from django.shortcuts import render
from django.urls import path

from cqpt_portal.accounts.decorators import permission_required

from ..selectors import evaluations_for_page


@permission_required("evaluation.view_evaluation", lookup=(evaluations_for_page, "pk"))
def evaluation_detail(request, obj):
    return render(request, "evaluation/detail.html", {"evaluation": obj})


urlpatterns = [
    path("<int:pk>/", evaluation_detail, name="detail"),
]
