"""Read-side queries of the evaluation, mirroring evaluation.rules for lists; each a bounded number of queries."""

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier
from catalogue.models import CompetencyBlock, EvaluatorOrganisation, OrganisationCompanyLink
from cqpt_portal.accounts.enums import Role

from .enums import OPEN_EVALUATION_STATES, AssignmentState, EvaluationState
from .models import AccompanimentNote, Appointment, Assignment, Evaluation, EvidencePiece


def eligible_organisations(dossier: Dossier) -> QuerySet[EvaluatorOrganisation]:
    """Organisations that may evaluate this dossier, with their load, in one query.

    Accredited for the dossier's CQPT and active; never one tied to the
    candidate's employer (same SIREN, or a link an administrator declared).
    Each row carries `open_evaluations` and `pending_assignments`.
    """
    organisations = EvaluatorOrganisation.objects.filter(is_active=True, cqpts=dossier.cqpt_id)
    company = dossier.company
    if company is not None:
        organisations = organisations.annotate(siren=Substr("siret", 1, 9)).exclude(siren=company.siret[:9])
        organisations = organisations.exclude(
            Exists(OrganisationCompanyLink.objects.filter(organisation=OuterRef("pk"), company_id=company.pk))
        )
    return organisations.annotate(
        open_evaluations=Count("evaluations", filter=Q(evaluations__state=EvaluationState.IN_PROGRESS), distinct=True),
        pending_assignments=Count("assignments", filter=Q(assignments__state=AssignmentState.PENDING), distinct=True),
    ).order_by("name")


def evaluation_of_dossier(dossier_id: int) -> Evaluation | None:
    return (
        Evaluation.objects.select_related("organisation", "evaluator", "dossier").filter(dossier_id=dossier_id).first()
    )


def assignment_history(evaluation: Evaluation) -> list[Assignment]:
    return list(evaluation.assignments.select_related("organisation", "assigned_by", "answered_by", "evaluator"))


def evaluations_for_page():
    """The queryset an evaluation page reads (permission is checked on the object it returns)."""
    return Evaluation.objects.select_related(
        "dossier", "dossier__candidate", "dossier__company", "dossier__cqpt", "organisation", "evaluator"
    )


def competency_grid(evaluation: Evaluation) -> list[CompetencyBlock]:
    """The CQPT's blocks with their competencies (two queries)."""
    if not evaluation.dossier.cqpt_id:
        return []
    return list(
        CompetencyBlock.objects.filter(cqpt_id=evaluation.dossier.cqpt_id)
        .order_by("position", "code")
        .prefetch_related("competencies")
    )


def notes_for(evaluation: Evaluation, *, include_private: bool) -> list[AccompanimentNote]:
    notes = evaluation.notes.select_related("author")
    if not include_private:
        notes = notes.filter(visible_to_candidate=True)
    return list(notes)


def appointments_for(evaluation: Evaluation) -> list[Appointment]:
    return list(evaluation.appointments.select_related("replaced_by"))


def evidence_for(evaluation: Evaluation) -> list[EvidencePiece]:
    return list(evaluation.evidence.select_related("uploaded_by").prefetch_related("competencies"))


def evaluations_of_evaluator(user) -> QuerySet[Evaluation]:
    """Mirrors is_assigned_evaluator: the evaluations assigned to this evaluator in their organisation."""
    return evaluations_for_page().filter(evaluator=user, organisation_id=user.evaluator_organisation_id)


def evaluations_of_organisation(organisation_id: int) -> QuerySet[Evaluation]:
    """Mirrors manages_evaluation: every evaluation of one organisation."""
    return evaluations_for_page().filter(organisation_id=organisation_id)


def late_assignment_cutoff(now=None):
    """Pending assignments older than this are late (ASSIGNMENT_ANSWER_DAYS working days)."""
    return subtract_working_days(now or timezone.now(), settings.ASSIGNMENT_ANSWER_DAYS)


def subtract_working_days(moment, days: int):
    """`days` working days (Monday to Friday) before `moment`."""
    result = moment
    remaining = days
    while remaining > 0:
        result -= timezone.timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result


def admissible_to_assign() -> QuerySet[Dossier]:
    """Admissible dossiers with no organisation waiting or at work: AUVICOM's "to assign" list."""
    return (
        Dossier.objects.filter(state=DossierState.ADMISSIBLE)
        .select_related("cqpt", "company", "candidate")
        .order_by("state_changed_at", "pk")
    )


def late_assignments(now=None) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(state=AssignmentState.PENDING, assigned_at__lt=late_assignment_cutoff(now))
        .select_related("organisation", "evaluation__dossier", "evaluation__dossier__cqpt")
        .order_by("assigned_at", "pk")
    )


def organisation_evaluators(organisation_id: int):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            evaluator_organisation_id=organisation_id,
            role__in=[Role.EVALUATOR, Role.EVALUATOR_MANAGER],
            is_active=True,
        )
        .annotate(open_evaluations=Count("evaluations", filter=Q(evaluations__state__in=OPEN_EVALUATION_STATES)))
        .order_by("last_name", "first_name", "pk")
    )
