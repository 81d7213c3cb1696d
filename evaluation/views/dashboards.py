"""The evaluation's dashboards: the evaluator's tasks, the organisation manager's, AUVICOM's overview, the CPNE's.

Every list is paginated and costs the same number of queries whatever its size.
"""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from candidates.selectors import DeferredJoinPaginator
from cqpt_portal.accounts.decorators import permission_required

from ..forms.assignment import AcceptAssignmentForm, DeclineAssignmentForm
from ..selectors import (
    DUE_KINDS,
    dossiers_to_assign,
    evaluations_for_page,
    evaluator_due,
    evaluator_due_counts,
    late_assignment_cutoff,
    late_assignments,
    organisation_evaluations,
    organisation_evaluators,
    pending_assignments_of_organisation,
    phase_counts,
    phase_counts_by_organisation,
)

PAGE_SIZE = 20


def _age_days(moment, today) -> int:
    return (today - timezone.localdate(moment)).days if moment else 0


@permission_required("evaluation.view_evaluator_dashboard")
def evaluator_dashboard(request):
    """What is due for this evaluator, oldest first, with counts by kind (one UNION, then the page's evaluations)."""
    now = timezone.now()
    kind = request.GET.get("kind") if request.GET.get("kind") in DUE_KINDS else None
    page_obj = Paginator(evaluator_due(request.user, kind=kind, now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    evaluations = evaluations_for_page().in_bulk([pk for pk, _kind, _since in rows])
    today = timezone.localdate(now)
    tasks = [
        {
            "evaluation": evaluations[pk],
            "kind": row_kind,
            "label": DUE_KINDS[row_kind],
            "since": since,
            "age": _age_days(since, today),
        }
        for pk, row_kind, since in rows
        if pk in evaluations
    ]
    counts = evaluator_due_counts(request.user, now=now)
    context = {
        "tasks": tasks,
        "page_obj": page_obj,
        "kinds": [{"key": key, "label": label, "count": counts[key]} for key, label in DUE_KINDS.items()],
        "total": sum(counts.values()),
        "kind": kind,
        "query_string": f"kind={kind}" if kind else "",
        "is_manager": request.user.has_perm("evaluation.view_manager_dashboard"),
    }
    return render(request, "evaluation/evaluator_dashboard.html", context)


@permission_required("evaluation.view_manager_dashboard")
def manager_dashboard(request):
    """The organisation's assignments to answer (with accept/decline), its evaluators' load, its evaluations by phase."""
    organisation_id = request.user.evaluator_organisation_id
    now = timezone.now()
    today = timezone.localdate(now)
    cutoff = late_assignment_cutoff(now)
    evaluators = list(organisation_evaluators(organisation_id))

    assignments_page = DeferredJoinPaginator(pending_assignments_of_organisation(organisation_id), PAGE_SIZE).get_page(
        request.GET.get("apage")
    )
    assignments = [
        {
            "assignment": assignment,
            "evaluation": assignment.evaluation,
            "age": _age_days(assignment.assigned_at, today),
            "late": assignment.assigned_at < cutoff,
            "accept_form": AcceptAssignmentForm(
                prefix="accept_assignment", evaluators=evaluators, auto_id=f"id_a{assignment.pk}_%s"
            ),
            "decline_form": DeclineAssignmentForm(prefix="decline_assignment", auto_id=f"id_d{assignment.pk}_%s"),
        }
        for assignment in assignments_page
    ]
    evaluations_page = DeferredJoinPaginator(organisation_evaluations(organisation_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "organisation": request.user.evaluator_organisation,
        "assignments": assignments,
        "assignments_page": assignments_page,
        "evaluators": evaluators,
        "evaluations_page": evaluations_page,
        "counts": phase_counts(organisation_evaluations(organisation_id)),
    }
    return render(request, "evaluation/manager_dashboard.html", context)


@permission_required("evaluation.view_auvicom_overview")
def auvicom_overview(request):
    """AUVICOM's overview: dossiers to assign (or reassign), late assignments, evaluations by phase and organisation."""
    now = timezone.now()
    today = timezone.localdate(now)
    to_assign_page = DeferredJoinPaginator(dossiers_to_assign(), PAGE_SIZE).get_page(request.GET.get("page"))
    late_page = DeferredJoinPaginator(late_assignments(now), PAGE_SIZE).get_page(request.GET.get("lpage"))
    context = {
        "to_assign": [
            {"dossier": dossier, "age": _age_days(dossier.state_changed_at, today)} for dossier in to_assign_page
        ],
        "to_assign_page": to_assign_page,
        "late": [{"assignment": a, "age": _age_days(a.assigned_at, today)} for a in late_page],
        "late_page": late_page,
        "by_organisation": phase_counts_by_organisation(),
    }
    return render(request, "evaluation/auvicom_overview.html", context)


@permission_required("evaluation.view_cpne_dashboard")
def cpne_dashboard(request):
    """The CPNE's space is the cpne app's (issue 9); the old address leads there."""
    return redirect("cpne:dashboard")


# The evaluator's and the CPNE's dashboards are routed in evaluation/urls.py.
urlpatterns = [
    path("organisme/", manager_dashboard, name="manager_dashboard"),
    path("suivi-auvicom/", auvicom_overview, name="auvicom_overview"),
]
