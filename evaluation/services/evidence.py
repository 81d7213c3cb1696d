"""Phase 1, the dossier de preuves: the candidate's evidence pieces (added, removed while the phase is theirs).

The phase's state changes (submit, return, close) are in evaluation.workflow;
these functions only write pieces, while the candidate holds the phase.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.models import Competency
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.validation import checked_upload, safe_display_name, space_problem

from ..enums import EvaluationState, EvidenceState
from ..models import Evaluation, EvidencePiece
from ..rules import is_evaluation_candidate

EDITABLE_EVIDENCE_STATES = frozenset({EvidenceState.COLLECTING, EvidenceState.RETURNED})


def evidence_is_editable(evaluation: Evaluation) -> bool:
    return evaluation.state == EvaluationState.IN_PROGRESS and evaluation.evidence_state in EDITABLE_EVIDENCE_STATES


def _lock_editable(evaluation_id: int, actor) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=evaluation_id)
    if not is_evaluation_candidate(actor, evaluation):
        raise ActionRefused(_("Seul le candidat dépose les preuves de son dossier."))
    if not evidence_is_editable(evaluation):
        raise ActionRefused(
            _("Le dossier de preuves est remis : il ne peut plus être modifié (« %(state)s »).")
            % {"state": evaluation.get_evidence_state_display()}
        )
    return evaluation


def evidence_space_problem(evaluation: Evaluation, size: int = 0) -> str:
    """Why one more piece of `size` bytes does not fit in this dossier de preuves, or "" (one query)."""
    return space_problem(
        EvidencePiece.objects.filter(evaluation=evaluation),
        size,
        max_count=settings.EVIDENCE_MAX_PIECES,
        max_bytes=settings.EVIDENCE_MAX_TOTAL_BYTES,
        too_many=_(
            "Votre dossier de preuves compte déjà %(count)s preuves, le maximum : retirez-en une (un doublon, une "
            "preuve qui montre les mêmes compétences qu'une autre) avant d'en ajouter une autre."
        ),
        too_big=_(
            "Ce fichier (%(size)s) dépasse la place restante de votre dossier de preuves (%(left)s sur %(max)s) : "
            "retirez une preuve ou déposez une version plus légère."
        ),
    )


def evidence_add(*, evaluation_id: int, actor, uploaded, description: str, competency_ids: list[int]) -> EvidencePiece:
    """Store an upload, checked here by content and size, under a random name with what it proves.

    Side effects: a file, INSERTs, an audit row. The competencies must belong
    to the grid of the dossier's CQPT; a refused file is an ActionRefused on
    the "file" field, and so is a piece beyond EVIDENCE_MAX_PIECES or EVIDENCE_MAX_TOTAL_BYTES
    (counted under the evaluation's lock).
    """
    detected = checked_upload(uploaded, field="file")
    with transaction.atomic():
        evaluation = _lock_editable(evaluation_id, actor)
        problem = evidence_space_problem(evaluation, uploaded.size)
        if problem:
            raise ActionRefused(fields={"file": [problem]})
        competencies = list(Competency.objects.filter(pk__in=competency_ids, block__cqpt_id=evaluation.dossier.cqpt_id))
        if not competency_ids or len(competencies) != len(set(competency_ids)):
            raise ActionRefused(
                fields={"competencies": [_("Choisissez une ou plusieurs compétences de la grille de votre CQPT.")]}
            )
        if not (description or "").strip():
            raise ActionRefused(fields={"description": [_("Décrivez la situation que cette preuve montre.")]})
        piece = EvidencePiece(
            evaluation=evaluation,
            original_name=safe_display_name(uploaded.name),
            content_type=detected.mime,
            size=uploaded.size,
            description=description.strip(),
            uploaded_by=actor,
        )
        piece.detected_extension = detected.extension
        piece.file.save("upload", uploaded, save=False)
        stored = piece.file
        try:
            piece.save()
        except Exception:
            stored.storage.delete(stored.name)
            raise
        piece.competencies.set(competencies)
        audit_record(
            actor=actor,
            target=evaluation,
            action="evidence_added",
            extra={"piece": piece.pk, "competencies": [c.pk for c in competencies]},
        )
    return piece


def evidence_remove(*, evaluation_id: int, actor, piece_id: int) -> None:
    """Remove a piece before the phase is submitted. Side effects: one DELETE, an audit row; the file after commit."""
    with transaction.atomic():
        evaluation = _lock_editable(evaluation_id, actor)
        piece = EvidencePiece.objects.filter(pk=piece_id, evaluation=evaluation).first()
        if piece is None:
            return
        storage, name = piece.file.storage, piece.file.name
        audit_record(
            actor=actor,
            target=evaluation,
            action="evidence_removed",
            extra={"piece": piece.pk, "name": piece.original_name},
        )
        piece.delete()
        transaction.on_commit(lambda: storage.delete(name))
