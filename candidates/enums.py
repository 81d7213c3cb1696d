from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé, en attente d'examen")
    UNDER_REVIEW = "under_review", _("En cours d'examen par AUVICOM")
    INCOMPLETE = "incomplete", _("Incomplet, à compléter")
    ADMISSIBLE = "admissible", _("Recevable")
    INADMISSIBLE = "inadmissible", _("Irrecevable")
    EVALUATOR_ASSIGNED = "evaluator_assigned", _("Organisme évaluateur désigné")
    IN_EVALUATION = "in_evaluation", _("En évaluation")
    EVALUATION_COMPLETE = "evaluation_complete", _("Évaluation terminée")
    TRANSMITTED_TO_CPNE = "transmitted_to_cpne", _("Transmis à la CPNE")
    AWARDED = "awarded", _("CQPT délivré")
    NOT_AWARDED = "not_awarded", _("CQPT non délivré")
    WITHDRAWN = "withdrawn", _("Retiré par le candidat")
    EVALUATION_ABANDONED = "evaluation_abandoned", _("Évaluation abandonnée")


class ExportState(models.TextChoices):
    """An AUVICOM CSV export too long to stream, prepared by a task."""

    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


# States in which the candidate may edit the dossier.
EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.INCOMPLETE})
# States from which the candidate may withdraw (any time before the CPNE decision).
WITHDRAWABLE_STATES = frozenset(
    {
        DossierState.DRAFT,
        DossierState.SUBMITTED,
        DossierState.UNDER_REVIEW,
        DossierState.INCOMPLETE,
        DossierState.ADMISSIBLE,
        DossierState.EVALUATOR_ASSIGNED,
        DossierState.IN_EVALUATION,
        DossierState.EVALUATION_COMPLETE,
        DossierState.TRANSMITTED_TO_CPNE,
    }
)
# States in AUVICOM's admissibility queue.
QUEUE_STATES = frozenset({DossierState.SUBMITTED, DossierState.UNDER_REVIEW})
FINAL_STATES = frozenset(
    {
        DossierState.INADMISSIBLE,
        DossierState.AWARDED,
        DossierState.NOT_AWARDED,
        DossierState.WITHDRAWN,
        DossierState.EVALUATION_ABANDONED,
    }
)


class AccessRoute(models.TextChoices):
    CONTRAT_PRO = "contrat_pro", _("Contrat de professionnalisation")
    PERIODE_PRO = "periode_pro", _("Période de professionnalisation")
    ACCES_LIBRE = "acces_libre", _("Accès libre (salarié de la Branche)")


class ContractType(models.TextChoices):
    CDD = "cdd", _("CDD")
    CDI = "cdi", _("CDI")
    CONTRAT_PRO = "contrat_pro", _("Contrat de professionnalisation")
    PERIODE_PRO = "periode_pro", _("Période de professionnalisation")


class WorkingTime(models.TextChoices):
    DURING = "during", _("Pendant le temps de travail")
    OUTSIDE = "outside", _("Hors temps de travail")


class Initiative(models.TextChoices):
    EMPLOYEE = "employee", _("À mon initiative")
    EMPLOYER = "employer", _("Proposée par mon employeur")


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Pièce d'identité")
    CONTRACT = "contract", _("Contrat de travail")
    EXPERIENCE_ATTESTATION = "experience_attestation", _("Attestation d'expérience de l'employeur")
    OTHER = "other", _("Autre justificatif")


class EmployerConfirmation(models.TextChoices):
    DECLARED = "declared", _("Déclarée par le candidat")
    CONFIRMED = "confirmed", _("Confirmée par l'employeur")
    DISPUTED = "disputed", _("Contestée par l'employeur")


class AdmissibilityOutcome(models.TextChoices):
    ADMISSIBLE = "admissible", _("Recevable")
    INCOMPLETE = "incomplete", _("Incomplet")
    INADMISSIBLE = "inadmissible", _("Irrecevable")


class InadmissibilityReason(models.TextChoices):
    NOT_IN_BRANCH = "not_in_branch", _("Le candidat n'est pas salarié d'une entreprise de la Branche")
    INSUFFICIENT_EXPERIENCE = "insufficient_experience", _("Expérience inférieure à 1607 heures sur 3 ans")
    EXPERIENCE_NOT_RELATED = "experience_not_related", _("Expérience sans rapport direct avec le CQPT visé")
    CONTRACT_NOT_TARGETING = "contract_not_targeting", _("Le contrat ne vise pas ce CQPT")
    CIF = "cif", _("Relève du CIF (Fongecif)")
    DUPLICATE = "duplicate", _("Candidature en double")
    OTHER = "other", _("Autre motif")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    REVOKED = "revoked", _("Annulée par l'employeur")
    # Set when a newer proposal to the same address replaces a pending one past its date.
    EXPIRED = "expired", _("Expirée")


class MissingItem(models.TextChoices):
    """What AUVICOM most often finds missing; each points at the step of the dossier where it is fixed."""

    CONTACT = "contact", _("Coordonnées incomplètes ou erronées")
    IDENTITY = "identity", _("Pièce d'identité lisible et en cours de validité")
    EMPLOYMENT = "employment", _("Employeur ou contrat de travail à préciser")
    CONTRACT = "contract", _("Copie du contrat de travail (toutes les pages)")
    ATTESTATION = "attestation", _("Attestation d'expérience de l'employeur indiquant les heures de travail effectif")
    PERIODS = "periods", _("Dates ou heures des périodes d'expérience à préciser")
    CONTRACT_CQPT = "contract_cqpt", _("Mention du CQPT visé dans le contrat de professionnalisation")
    FUNDING = "funding", _("Accord de l'employeur sur le financement de l'évaluation")


# The step of the candidate's dossier where each missing item is fixed (keys of candidates.steps).
MISSING_ITEM_STEPS = {
    MissingItem.CONTACT: "identity",
    MissingItem.IDENTITY: "documents",
    MissingItem.EMPLOYMENT: "employment",
    MissingItem.CONTRACT: "documents",
    MissingItem.ATTESTATION: "documents",
    MissingItem.PERIODS: "experience",
    MissingItem.CONTRACT_CQPT: "documents",
    MissingItem.FUNDING: "funding",
}


def missing_item_label(item) -> str:
    """How one stored missing item reads: {"code": ...} by its label, {"text": ...} as written."""
    if isinstance(item, dict):
        if item.get("code") in MissingItem.values:
            return str(MissingItem(item["code"]).label)
        return str(item.get("text", ""))
    return str(item)  # rows written before items had codes
