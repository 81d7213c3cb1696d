"""Small includes for other apps' pages: the candidate's dashboard and the evaluation page."""

from django import template
from django.db.models import Q

from ..enums import LIVE_ATTEMPT_STATES, AttemptState
from ..models import Attempt

register = template.Library()


@register.inclusion_tag("quiz/_candidate_quizzes.html")
def candidate_quizzes(user):
    """The candidate's open and running quizzes, and the last closed ones (one query)."""
    attempts = list(
        Attempt.objects.filter(candidate_id=user.pk)
        .filter(Q(state__in=LIVE_ATTEMPT_STATES) | Q(state=AttemptState.CLOSED))
        .select_related("definition")
        .order_by("-created_at", "-id")[:5]
    )
    return {"attempts": attempts}


@register.inclusion_tag("quiz/_evaluation_quizzes.html", takes_context=True)
def evaluation_quizzes(context, evaluation):
    """The quizzes of an evaluation's candidate; for staff, the link to open and manage them (one query)."""
    attempts = list(
        Attempt.objects.filter(candidate_id=evaluation.dossier.candidate_id)
        .filter(Q(evaluation=evaluation) | Q(dossier_id=evaluation.dossier_id) | Q(dossier__isnull=True))
        .exclude(state=AttemptState.VOIDED)
        .select_related("definition")
        .order_by("-created_at", "-id")[:10]
    )
    user = context.get("user") or getattr(context.get("request"), "user", None)
    can_open = user is not None and user.has_perm("quiz.open_attempt", evaluation.dossier)
    return {"attempts": attempts, "evaluation": evaluation, "can_open": can_open}
