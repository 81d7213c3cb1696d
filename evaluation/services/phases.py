"""Phase 2 (the quiz result) and phase 3 (the signed observation grid of the mise en situation).

State changes go through evaluation.workflow; the grid upload is no state
change, so it is written here with its audit row.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.audit.labels import register_action_labels
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.validation import checked_upload, safe_display_name

from ..enums import EvaluationState, QuizState, WorkplaceState
from ..models import Evaluation
from ..rules import is_assigned_evaluator
from ..workflow import QUIZ_WORKFLOW


def evaluation_record_quiz_result(
    *, evaluation_id: int, result: str, score: Decimal | None = None, actor, comment: str = ""
) -> Evaluation:
    """Record phase 2's result (the quiz's own, or one the evaluator took elsewhere) through the quiz workflow.

    Side effects (the workflow's): quiz_state closed, result and score written,
    audit row, the candidate notified; the dossier moves to "evaluation
    complete" when it was the last phase. Raises ActionRefused when it may not.
    """
    data = {"result": result, "comment": comment}
    if score is not None:
        data["score"] = Decimal(score)
    # A result already recorded is corrected (the quiz scored again after an incident); the workflow re-checks.
    state = Evaluation.objects.filter(pk=evaluation_id).values_list("quiz_state", flat=True).first()
    name = "correct_quiz_result" if state == QuizState.CLOSED else "record_quiz_result"
    return QUIZ_WORKFLOW.apply(pk=evaluation_id, name=name, actor=actor, data=data)


def workplace_grid_upload(*, evaluation_id: int, actor, uploaded) -> Evaluation:
    """Store the signed observation grid of the mise en situation (replacing a previous one).

    Side effects, in one transaction: the evaluation row locked, the file
    written under a random name, the previous file deleted after commit, one
    audit row. Raises ActionRefused when the phase is not open or the actor is
    not the assigned evaluator.
    """
    detected = checked_upload(uploaded, field="grid")  # checked here, whatever the caller did
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation_id)
        if not is_assigned_evaluator(actor, evaluation):
            raise ActionRefused(_("Seul l'évaluateur désigné dépose la grille signée."))
        if evaluation.state != EvaluationState.IN_PROGRESS or evaluation.workplace_state != WorkplaceState.SCHEDULED:
            raise ActionRefused(
                _("La grille signée se dépose une fois la mise en situation planifiée, avant sa clôture.")
            )
        previous = evaluation.workplace_grid.name if evaluation.workplace_grid else ""
        evaluation.detected_extension = detected.extension
        evaluation.workplace_grid.save("upload", uploaded, save=False)
        stored = evaluation.workplace_grid
        evaluation.workplace_grid_name = safe_display_name(uploaded.name, fallback="grille")
        evaluation.workplace_grid_content_type = detected.mime
        try:
            evaluation.save(update_fields=["workplace_grid", "workplace_grid_name", "workplace_grid_content_type"])
        except Exception:
            stored.storage.delete(stored.name)
            raise
        audit_record(
            actor=actor,
            target=evaluation,
            action="workplace_grid_uploaded",
            extra={"name": evaluation.workplace_grid_name, "replaced": bool(previous)},
        )
        if previous:
            storage = stored.storage
            transaction.on_commit(lambda: storage.delete(previous))
    return evaluation


WORKPLACE_VISIT_MINUTES = 180


def workplace_visit_ics(evaluation: Evaluation) -> tuple[str, str, str]:
    """The current site visit as an .ics attachment (name, content type, text) for its notifications."""
    from .assignment import ics_calendar

    visit = evaluation.visits.filter(is_current=True).order_by("-created_at", "-id").first()
    dossier = evaluation.dossier
    text = ics_calendar(
        uid=f"cqpt-workplace-visit-{evaluation.pk}",  # one event per evaluation: a report updates it
        title=_("Mise en situation de travail – dossier %(number)s") % {"number": dossier.number or ""},
        starts_at=visit.scheduled_at,
        duration_minutes=WORKPLACE_VISIT_MINUTES,
        location=visit.address,
        description=_("%(candidate)s – %(working_time)s – %(organisation)s")
        % {
            "candidate": dossier.display_name,
            "working_time": visit.get_working_time_display(),
            "organisation": evaluation.organisation or "",
        },
    )
    return ("mise-en-situation.ics", "text/calendar", text)


register_action_labels(
    "evaluation.evaluation", {"workplace_grid_uploaded": gettext_lazy("Grille d'observation signée déposée")}
)
