"""The evaluator's assessment of each competency of the grid in an assessed phase (dossier de preuves or mise en
situation), one row per competency and phase, rewritten while the phase is open.

Closing the phase (with its result) is the workflow's (close_evidence, close_workplace).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Competency
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused

from ..enums import PHASE_RESULTS, EvaluationState, EvidenceState, Phase, WorkplaceState
from ..models import CompetencyAssessment, Evaluation
from ..rules import is_assigned_evaluator

ASSESSED_PHASES = {Phase.EVIDENCE: "evidence_state", Phase.WORKPLACE: "workplace_state"}
# The phase's state in which its competencies may be assessed.
ASSESSABLE_STATE = {Phase.EVIDENCE: EvidenceState.SUBMITTED, Phase.WORKPLACE: WorkplaceState.SCHEDULED}


def phase_is_assessable(evaluation: Evaluation, phase: str) -> bool:
    return (
        phase in ASSESSED_PHASES
        and evaluation.state == EvaluationState.IN_PROGRESS
        and getattr(evaluation, ASSESSED_PHASES[phase]) == ASSESSABLE_STATE[phase]
    )


def assessments_by_competency(evaluation: Evaluation, phase: str) -> dict[int, CompetencyAssessment]:
    return {a.competency_id: a for a in evaluation.assessments.filter(phase=phase)}


def competencies_assess(*, evaluation_id: int, phase: str, actor, results: dict[int, tuple[str, str]]) -> int:
    """Record the evaluator's result and comment for competencies of the grid in one phase.

    `results` maps a competency id to (result, comment); an empty result
    leaves that competency as it was. Refused for a competency outside the
    dossier's CQPT grid or a result not allowed in the phase. Side effects:
    INSERTs/UPDATEs of the assessment rows and one audit row. Returns how
    many competencies were written.
    """
    if phase not in ASSESSED_PHASES:
        raise ActionRefused(_("Cette phase ne s'évalue pas compétence par compétence."))
    allowed = {str(r) for r in PHASE_RESULTS[Phase(phase)]}
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=evaluation_id)
        if not is_assigned_evaluator(actor, evaluation):
            raise ActionRefused(_("Seul l'évaluateur qui accompagne le candidat évalue ses compétences."))
        if not phase_is_assessable(evaluation, phase):
            raise ActionRefused(_("Cette phase n'est pas ouverte à l'évaluation des compétences."))
        grid = set(Competency.objects.filter(block__cqpt_id=evaluation.dossier.cqpt_id).values_list("pk", flat=True))
        outside = [pk for pk in results if pk not in grid]
        if outside:
            raise ActionRefused(_("Une compétence évaluée n'appartient pas à la grille du CQPT de ce dossier."))
        bad = {
            pk: [_("Résultat non prévu pour cette phase.")] for pk, (r, _c) in results.items() if r and r not in allowed
        }
        if bad:
            raise ActionRefused(fields={f"result_{pk}": msgs for pk, msgs in bad.items()})
        existing = assessments_by_competency(evaluation, phase)
        now = timezone.now()
        written = {}
        for pk, (result, comment) in results.items():
            if not result:
                continue
            row = existing.get(pk)
            comment = (comment or "").strip()
            if row is not None and row.result == result and row.comment == comment:
                continue
            if row is None:
                row = CompetencyAssessment(evaluation=evaluation, phase=phase, competency_id=pk)
            row.result, row.comment, row.assessed_by, row.assessed_at = result, comment, actor, now
            row.save()
            written[pk] = result
        if written:
            audit_record(
                actor=actor,
                target=evaluation,
                action="competencies_assessed",
                extra={"phase": phase, "results": {str(k): v for k, v in written.items()}},
            )
    return len(written)
