"""Read-side of the quiz, mirroring quiz.rules for lists; each a bounded number of queries."""

from django.db.models import Count, Q, QuerySet

from .enums import AttemptState
from .models import Attempt, AttemptBlockResult, AttemptQuestion, QuizDefinition


def attempts_for_page() -> QuerySet[Attempt]:
    """The queryset an attempt page reads (permission is checked on the object it returns)."""
    return Attempt.objects.select_related("definition", "evaluation", "candidate", "dossier", "opened_by")


def attempts_of_candidate(user) -> QuerySet[Attempt]:
    """A candidate's attempts, newest first, with how many questions are answered (one query per page)."""
    return (
        Attempt.objects.filter(candidate=user)
        .exclude(state=AttemptState.VOIDED)
        .select_related("definition")
        .annotate(
            question_count=Count("questions"),
            answered_count=Count("questions", filter=Q(questions__answered_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def attempts_of_dossier(dossier) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(candidate_id=dossier.candidate_id)
        .filter(Q(dossier=dossier) | Q(dossier__isnull=True))
        .select_related("definition", "opened_by", "replaces")
        .annotate(
            question_count=Count("questions"),
            answered_count=Count("questions", filter=Q(questions__answered_at__isnull=False)),
            incident_count=Count("incidents", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def definitions_for_dossier(dossier) -> QuerySet[QuizDefinition]:
    return QuizDefinition.objects.filter(cqpt_id=dossier.cqpt_id, is_active=True).order_by("purpose")


def attempt_items(attempt) -> list[AttemptQuestion]:
    return list(attempt.questions.select_related("block").order_by("position"))


def attempt_block_results(attempt) -> list[AttemptBlockResult]:
    return list(attempt.block_results.select_related("block"))


def resume_position(items: list[AttemptQuestion]) -> int:
    """Where the candidate resumes: the first unanswered question, else the last one."""
    for item in items:
        if not item.is_answered:
            return item.position
    return items[-1].position if items else 1


def last_saved_at(items: list[AttemptQuestion]):
    return max((i.answered_at for i in items if i.answered_at), default=None)


def attempts_with_incidents(attempt) -> QuerySet:
    return attempt.incidents.select_related("reported_by", "question")
