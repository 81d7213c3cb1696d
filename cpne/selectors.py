"""What the CPNE's pages read: meetings, the agenda with each dossier's synthesis, quorum, certificates."""

from collections import Counter

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from evaluation.models import CompetencyAssessment, SynthesisBlock

from .enums import College, MeetingState
from .models import AgendaItem, Attendance, Certificate, ConflictOfInterest, Meeting
from .workflow import quorum_per_college


def upcoming_meetings():
    return Meeting.objects.filter(state__in=[MeetingState.PLANNED, MeetingState.IN_SESSION]).annotate(
        dossier_count=Count("items", filter=Q(items__postponed_at__isnull=True))
    )


def past_meetings():
    return (
        Meeting.objects.filter(state__in=[MeetingState.CLOSED, MeetingState.CANCELLED])
        .annotate(decision_count=Count("decisions"))
        .order_by("-starts_at", "-id")
    )


def agenda(meeting):
    """The agenda's lines with their dossier, its evaluation, the pending or released decision and the conflicts."""
    return (
        meeting.items.select_related(
            "dossier__cqpt", "dossier__evaluation__organisation", "decision", "decision__certificate"
        )
        .prefetch_related(Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("member")))
        .order_by("position", "id")
    )


def items_for_members():
    """Agenda lines with what members may read: the synthesis and the grid, never the private files."""
    return AgendaItem.objects.select_related("meeting", "dossier__cqpt", "dossier__evaluation__organisation")


def synthesis_of(evaluation):
    blocks = list(
        SynthesisBlock.objects.filter(evaluation=evaluation).select_related("block").order_by("block__position")
    )
    assessments = list(
        CompetencyAssessment.objects.filter(evaluation=evaluation)
        .select_related("competency__block")
        .order_by("competency__block__position", "competency__position", "phase")
    )
    grid = {}
    for assessment in assessments:
        row = grid.setdefault(assessment.competency_id, {"competency": assessment.competency})
        row[assessment.phase] = assessment
    return {"blocks": blocks, "grid": list(grid.values())}


def present_by_college(meeting, *, excluding=()) -> dict:
    counts = Counter(
        a.college
        for a in Attendance.objects.filter(meeting=meeting, present=True).exclude(member_id__in=list(excluding))
    )
    return {college: counts.get(college, 0) for college in College.values}


def _quorum_problems(present: dict, *, about: str = "") -> list[str]:
    needed = quorum_per_college()
    problems = []
    for college in College:
        if present[college.value] < needed:
            problems.append(
                _("Quorum non atteint%(about)s : %(present)s présent(s) pour le %(college)s, %(needed)s requis.")
                % {"about": about, "present": present[college.value], "college": college.label, "needed": needed}
            )
    return problems


def meeting_quorum_problems(meeting) -> list[str]:
    """The meeting's quorum, then each decided dossier's (its members with a conflict of interest do not count)."""
    problems = _quorum_problems(present_by_college(meeting))
    if problems:
        return problems
    for item in meeting.items.filter(decision__isnull=False, postponed_at__isnull=True).select_related("dossier"):
        problems += item_quorum_problems(item)
    return problems


def item_quorum_problems(item) -> list[str]:
    excluded = item.conflicts.values_list("member_id", flat=True)
    return _quorum_problems(
        present_by_college(item.meeting, excluding=excluded),
        about=_(" pour le dossier %(number)s") % {"number": item.dossier.number},
    )


def minutes_context(meeting) -> dict:
    attendances = list(meeting.attendances.select_related("member").order_by("college", "member__last_name"))
    return {
        "meeting": meeting,
        "present": [a for a in attendances if a.present],
        "absent": [a for a in attendances if not a.present],
        "colleges": College,
        "present_counts": [(College(c).label, n) for c, n in present_by_college(meeting).items()],
        "quorum": quorum_per_college(),
        "items": list(agenda(meeting)),
    }


def certificate_by_code(code: str):
    return Certificate.objects.select_related("decision").filter(code=code).first()


def certificates_of_candidate(user):
    return Certificate.objects.filter(decision__dossier__candidate=user).select_related("decision__dossier")


def batch_progress(meeting) -> dict:
    counts = Certificate.objects.filter(decision__meeting=meeting).aggregate(
        total=Count("pk"), made=Count("pk", filter=~Q(pdf=""))
    )
    counts["percent"] = round(100 * counts["made"] / counts["total"]) if counts["total"] else 100
    return counts
