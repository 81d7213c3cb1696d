"""Read-side queries of the evaluation, mirroring evaluation.rules for lists; each a bounded number of queries."""

from django.conf import settings
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import DossierState
from candidates.models import Dossier
from catalogue.models import CompetencyBlock, EvaluatorOrganisation, OrganisationCompanyLink
from cqpt_portal.accounts.enums import Role

from .enums import (
    OPEN_EVALUATION_STATES,
    AppointmentState,
    AssignmentState,
    EvaluationState,
    EvidenceState,
    Phase,
    QuizState,
    WorkplaceState,
)
from .models import AccompanimentNote, Appointment, Assignment, Evaluation, EvidencePiece, WorkplaceVisit


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


def organisation_managers(organisation_id: int) -> list:
    """The active managers of one organisation (who answer its assignments and hear of them)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model().objects.filter(
            role=Role.EVALUATOR_MANAGER, evaluator_organisation_id=organisation_id, is_active=True
        )
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


# --- assignment pages and dashboards ---------------------------------------------------------


def assignment_page_dossiers() -> QuerySet[Dossier]:
    """The dossiers AUVICOM's assignment page reads (permission is checked on the object it returns)."""
    return Dossier.objects.select_related("cqpt", "company", "candidate")


def cqpt_has_accredited_organisation(cqpt_id: int) -> bool:
    """Whether any active organisation is accredited for this CQPT (to say why none is offered)."""
    return EvaluatorOrganisation.objects.filter(is_active=True, cqpts=cqpt_id).exists()


def pending_assignments_of_organisation(organisation_id: int) -> QuerySet[Assignment]:
    """Mirrors manages_evaluation: the assignments this organisation has still to answer, oldest first."""
    return (
        Assignment.objects.filter(organisation_id=organisation_id, state=AssignmentState.PENDING)
        .select_related("evaluation", "evaluation__dossier", "evaluation__dossier__cqpt", "assigned_by")
        .order_by("assigned_at", "pk")
    )


def _phase_counts() -> dict:
    """Count aggregates over evaluations: each evaluation state, and each phase's state among those in progress."""
    in_progress = Q(state=EvaluationState.IN_PROGRESS)
    counts = {
        "awaiting": Count("pk", filter=Q(state=EvaluationState.AWAITING_ORGANISATION)),
        "to_reassign": Count("pk", filter=Q(state=EvaluationState.TO_REASSIGN)),
        "in_progress": Count("pk", filter=in_progress),
        "transmitted": Count("pk", filter=Q(state=EvaluationState.TRANSMITTED)),
        "abandoned": Count("pk", filter=Q(state=EvaluationState.ABANDONED)),
        "synthesis": Count(
            "pk",
            filter=in_progress
            & ~Q(evidence_result="")
            & ~Q(quiz_result="")
            & ~Q(workplace_result="")
            & Q(transmitted_at__isnull=True),
        ),
    }
    for state in EvidenceState:
        counts[f"evidence_{state.value}"] = Count("pk", filter=in_progress & Q(evidence_state=state))
    for state in QuizState:
        counts[f"quiz_{state.value}"] = Count("pk", filter=in_progress & Q(quiz_state=state))
    for state in WorkplaceState:
        counts[f"workplace_{state.value}"] = Count("pk", filter=in_progress & Q(workplace_state=state))
    return counts


def phase_counts(evaluations: QuerySet[Evaluation]) -> dict:
    """Evaluations by state and by phase state, in one aggregate query.

    Returns {"states": {...}, "phases": [(phase label, [(state label, count)])]}.
    """
    totals = evaluations.order_by().aggregate(**_phase_counts())
    phases = [
        (Phase.EVIDENCE.label, [(s.label, totals[f"evidence_{s.value}"]) for s in EvidenceState]),
        (Phase.QUIZ.label, [(s.label, totals[f"quiz_{s.value}"]) for s in QuizState]),
        (Phase.WORKPLACE.label, [(s.label, totals[f"workplace_{s.value}"]) for s in WorkplaceState]),
    ]
    return {"states": totals, "phases": phases}


def phase_counts_by_organisation() -> list[dict]:
    """AUVICOM's table: per organisation, evaluations by state and phase (one GROUP BY query)."""
    return list(
        Evaluation.objects.filter(organisation__isnull=False)
        .values("organisation_id", "organisation__name")
        .annotate(**_phase_counts())
        .order_by("organisation__name", "organisation_id")
    )


def organisation_evaluations(organisation_id: int) -> QuerySet[Evaluation]:
    """Mirrors manages_evaluation: the organisation's open evaluations (and those transmitted), latest changes first."""
    return (
        evaluations_of_organisation(organisation_id)
        .exclude(state__in=[EvaluationState.TO_REASSIGN])
        .order_by("-state_changed_at", "-pk")
    )


def dossiers_to_assign() -> QuerySet[Dossier]:
    """AUVICOM's "to assign": admissible dossiers never assigned, and those whose organisation declined (to_reassign).

    A decline returns the dossier to "admissible", so admissible_to_assign holds both; each row carries
    `evaluation_state` (None when never assigned).
    """
    return admissible_to_assign().annotate(
        evaluation_state=Subquery(Evaluation.objects.filter(dossier_id=OuterRef("pk")).values("state")[:1])
    )


# What an evaluator has to do, by kind: (key, label); the dashboard lists them oldest first.
DUE_EVIDENCE = "evidence"
DUE_APPOINTMENT = "appointment"
DUE_SCHEDULE = "schedule"
DUE_GRID = "grid"
DUE_QUIZ = "quiz"
DUE_SYNTHESIS = "synthesis"
DUE_KINDS = {
    DUE_EVIDENCE: _("Dossier de preuves à évaluer"),
    DUE_APPOINTMENT: _("Rendez-vous d'accompagnement à fixer"),
    DUE_SCHEDULE: _("Mise en situation à planifier"),
    DUE_GRID: _("Grille de la mise en situation à remplir"),
    DUE_QUIZ: _("Résultat du quiz à enregistrer"),
    DUE_SYNTHESIS: _("Synthèse à rédiger"),
}


def _current_visit_at():
    return Subquery(
        WorkplaceVisit.objects.filter(evaluation_id=OuterRef("pk"), is_current=True).values("scheduled_at")[:1]
    )


def _upcoming_appointment(now):
    """An appointment still planned and not yet past: without one, the evaluator has an appointment to set."""
    return Exists(
        Appointment.objects.filter(evaluation_id=OuterRef("pk"), state=AppointmentState.PLANNED, starts_at__gte=now)
    )


def _due_querysets(user, now) -> dict:
    """For each kind of task, the evaluator's evaluations that have it, with the date it is due since."""
    mine = Evaluation.objects.filter(
        evaluator=user, organisation_id=user.evaluator_organisation_id, state=EvaluationState.IN_PROGRESS
    ).order_by()
    return {
        DUE_EVIDENCE: mine.filter(evidence_state=EvidenceState.SUBMITTED).annotate(since=F("evidence_submitted_at")),
        DUE_APPOINTMENT: mine.filter(~_upcoming_appointment(now)).annotate(since=F("state_changed_at")),
        DUE_SCHEDULE: mine.filter(workplace_state=WorkplaceState.TO_SCHEDULE).annotate(since=F("state_changed_at")),
        DUE_GRID: mine.filter(workplace_state=WorkplaceState.SCHEDULED)
        .annotate(since=_current_visit_at())
        .filter(since__lte=now),
        DUE_QUIZ: mine.filter(quiz_state=QuizState.PENDING).annotate(since=F("state_changed_at")),
        DUE_SYNTHESIS: mine.exclude(evidence_result="")
        .exclude(quiz_result="")
        .exclude(workplace_result="")
        .filter(transmitted_at__isnull=True)
        .annotate(since=F("dossier__state_changed_at")),
    }


def evaluator_due(user, *, kind: str | None = None, now=None):
    """The evaluator's tasks, oldest first, as one UNION of rows (pk, kind, since); mirrors is_assigned_evaluator."""
    now = now or timezone.now()
    querysets = _due_querysets(user, now)
    kinds = [kind] if kind in querysets else list(querysets)
    parts = [
        querysets[k].annotate(kind=Value(k, output_field=CharField())).values_list("pk", "kind", "since") for k in kinds
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("since", "pk")


def evaluator_due_counts(user, *, now=None) -> dict[str, int]:
    """How many tasks of each kind (one aggregate query); the same conditions as _due_querysets."""
    now = now or timezone.now()
    mine = Evaluation.objects.filter(
        evaluator=user, organisation_id=user.evaluator_organisation_id, state=EvaluationState.IN_PROGRESS
    )
    return mine.annotate(visit_at=_current_visit_at(), upcoming=_upcoming_appointment(now)).aggregate(
        **{
            DUE_EVIDENCE: Count("pk", filter=Q(evidence_state=EvidenceState.SUBMITTED)),
            DUE_APPOINTMENT: Count("pk", filter=Q(upcoming=False)),
            DUE_SCHEDULE: Count("pk", filter=Q(workplace_state=WorkplaceState.TO_SCHEDULE)),
            DUE_GRID: Count("pk", filter=Q(workplace_state=WorkplaceState.SCHEDULED, visit_at__lte=now)),
            DUE_QUIZ: Count("pk", filter=Q(quiz_state=QuizState.PENDING)),
            DUE_SYNTHESIS: Count(
                "pk",
                filter=~Q(evidence_result="")
                & ~Q(quiz_result="")
                & ~Q(workplace_result="")
                & Q(transmitted_at__isnull=True),
            ),
        }
    )
