"""The synthesis of the evaluation: per block acquired or not, and the overall opinion (before the transmission).

The transmission itself is the `transmit` transition of evaluation.workflow,
whose guard refuses an incomplete synthesis.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.audit.labels import register_action_labels
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused

from ..enums import EvaluationState, Opinion, Phase
from ..models import CompetencyAssessment, Evaluation, SynthesisBlock
from ..rules import is_evaluation_staff


@dataclass(frozen=True)
class BlockVerdict:
    block_id: int
    acquired: bool | None  # None: not decided yet (the row is removed)
    comment: str = ""


def synthesis_save(
    *, evaluation_id: int, actor, blocks: list[BlockVerdict], opinion: str, justification: str
) -> Evaluation:
    """Save the synthesis as it stands (it may be incomplete until the transmission).

    Side effects, in one transaction: the evaluation row locked, one
    SynthesisBlock row per decided block (undecided ones removed), the opinion
    and its justification, synthesis_updated_at, one audit row. Raises
    ActionRefused once transmitted or abandoned, or for someone other than the
    organisation's staff of this evaluation.
    """
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("dossier", "organisation")
            .get(pk=evaluation_id)
        )
        if not is_evaluation_staff(actor, evaluation):
            raise ActionRefused(_("Votre rôle ne permet pas de rédiger cette synthèse."))
        if evaluation.state != EvaluationState.IN_PROGRESS:
            raise ActionRefused(
                _("La synthèse ne peut plus être modifiée : l'évaluation est « %(state)s ».")
                % {"state": evaluation.get_state_display()}
            )
        valid_blocks = (
            set(evaluation.dossier.cqpt.blocks.values_list("pk", flat=True)) if evaluation.dossier.cqpt_id else set()
        )
        decided = {v.block_id: v for v in blocks if v.block_id in valid_blocks and v.acquired is not None}
        existing = {row.block_id: row for row in evaluation.synthesis_blocks.all()}
        for block_id, row in existing.items():
            if block_id not in decided:
                row.delete()
        for block_id, verdict in decided.items():
            row = existing.get(block_id)
            if row is None:
                SynthesisBlock.objects.create(
                    evaluation=evaluation, block_id=block_id, acquired=verdict.acquired, comment=verdict.comment
                )
            elif (row.acquired, row.comment) != (verdict.acquired, verdict.comment):
                row.acquired, row.comment = verdict.acquired, verdict.comment
                row.save(update_fields=["acquired", "comment"])
        evaluation.opinion = opinion if opinion in Opinion.values else ""
        evaluation.opinion_justification = (justification or "").strip()
        evaluation.synthesis_updated_at = timezone.now()
        evaluation.save(update_fields=["opinion", "opinion_justification", "synthesis_updated_at"])
        audit_record(
            actor=actor,
            target=evaluation,
            action="synthesis_saved",
            extra={
                "blocks": {str(k): v.acquired for k, v in sorted(decided.items())},
                "opinion": evaluation.opinion,
            },
        )
    return evaluation


@dataclass
class CompetencyEvidence:
    competency: object
    evidence: CompetencyAssessment | None
    workplace: CompetencyAssessment | None


@dataclass
class BlockSynthesis:
    block: object
    competencies: list[CompetencyEvidence]
    row: SynthesisBlock | None


def synthesis_table(evaluation: Evaluation, grid) -> list[BlockSynthesis]:
    """Each block of the grid with its competencies' results in phases 1 and 3, and its synthesis row (2 queries)."""
    assessments = {
        (a.phase, a.competency_id): a
        for a in CompetencyAssessment.objects.filter(evaluation=evaluation).only(
            "phase", "competency_id", "result", "comment"
        )
    }
    rows = {row.block_id: row for row in SynthesisBlock.objects.filter(evaluation=evaluation)}
    return [
        BlockSynthesis(
            block=block,
            competencies=[
                CompetencyEvidence(
                    competency=c,
                    evidence=assessments.get((Phase.EVIDENCE, c.pk)),
                    workplace=assessments.get((Phase.WORKPLACE, c.pk)),
                )
                for c in block.competencies.all()
            ],
            row=rows.get(block.pk),
        )
        for block in grid
    ]


register_action_labels("evaluation.evaluation", {"synthesis_saved": gettext_lazy("Synthèse enregistrée")})
