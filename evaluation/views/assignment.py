"""AUVICOM's designation of an evaluator organisation for an admissible dossier."""

from django.shortcuts import render
from django.urls import path

from candidates.selectors import dossiers_for_review
from cqpt_portal.accounts.decorators import permission_required


@permission_required("candidates.view_review_queue", lookup=(dossiers_for_review, "pk"))
def assignment_page(request, obj):
    return render(request, "evaluation/assignment.html", {"dossier": obj})


urlpatterns = [
    path("dossier/<int:pk>/organisme/", assignment_page, name="assignment"),
]
