"""Services of the candidacy, one module per area; the workflow is in candidates.workflow."""

from .dossier import (
    REQUIRED_DOCUMENTS,
    Problem,
    dossier_eligibility,
    dossier_snapshot,
    next_dossier_number,
    period_inputs,
    submission_problems,
    submission_record,
)

__all__ = [
    "REQUIRED_DOCUMENTS",
    "Problem",
    "dossier_eligibility",
    "dossier_snapshot",
    "next_dossier_number",
    "period_inputs",
    "submission_problems",
    "submission_record",
]
