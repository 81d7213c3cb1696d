"""The evaluation's state machines through their services: assignment, answers, phases, synthesis, abandonment."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from candidates.enums import DossierState
from catalogue.models import OrganisationCompanyLink
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from evaluation.enums import AssignmentState, EvaluationState, EvidenceState, Phase, PhaseResult, WorkplaceState
from evaluation.models import Assignment
from evaluation.selectors import eligible_organisations
from evaluation.services.assignment import assignments_remind, evaluation_assign
from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    Setup,
    evaluator_of,
    fast_password_hashing,
    manager_of,
    organisation,
)
from tests.factories import VALID_SIRETS, UserFactory

pytestmark = pytest.mark.django_db


def _dossier_state(s):
    s.dossier.refresh_from_db()
    return s.dossier.state


# --- assignment -----------------------------------------------------------------------------------


def test_assignment_designates_the_organisation_and_tells_its_managers():
    s = Setup()
    evaluation = s.assign()
    assert evaluation.state == EvaluationState.AWAITING_ORGANISATION
    assert _dossier_state(s) == DossierState.EVALUATOR_ASSIGNED
    assignment = Assignment.objects.get(evaluation=evaluation)
    assert (assignment.organisation, assignment.state, assignment.assigned_by) == (
        s.org,
        AssignmentState.PENDING,
        s.reviewer,
    )
    assert Notification.objects.filter(recipient=s.manager, kind="assignment_received").count() == 1
    assert AuditEvent.objects.for_object(s.dossier).filter(action="assign_organisation").count() == 1


def test_only_accredited_active_organisations_without_conflict_are_offered():
    s = Setup()
    other_cqpt_org = organisation(s.cqpt.__class__.objects.create(code="autre", title="Autre"))
    inactive = organisation(s.cqpt, is_active=False)
    same_siren = organisation(s.cqpt, siret=s.dossier.company.siret)
    declared = organisation(s.cqpt)
    OrganisationCompanyLink.objects.create(organisation=declared, company=s.dossier.company, reason="Filiale")
    offered = set(eligible_organisations(s.dossier))
    assert offered == {s.org}
    for refused in (other_cqpt_org, inactive, same_siren, declared):
        with pytest.raises(ActionRefused) as error:
            evaluation_assign(dossier_id=s.dossier.pk, organisation_id=refused.pk, actor=s.reviewer)
        assert "organisation" in error.value.fields
    assert _dossier_state(s) == DossierState.ADMISSIBLE
    assert not Assignment.objects.exists()


def test_load_counts_open_evaluations_and_pending_assignments():
    s = Setup()
    s.assign()
    other = Setup()
    other.org = s.org
    other.dossier.cqpt = s.cqpt
    other.dossier.save()
    other.manager = s.manager
    other.evaluator = s.evaluator
    other.accept()
    row = eligible_organisations(Setup(company=None).dossier).filter(pk=s.org.pk).first()
    assert row is None  # another CQPT
    row = eligible_organisations(s.dossier).get(pk=s.org.pk)
    assert (row.open_evaluations, row.pending_assignments) == (1, 1)


def test_only_reviewers_assign_and_only_once():
    s = Setup()
    with pytest.raises(ActionRefused):
        evaluation_assign(dossier_id=s.dossier.pk, organisation_id=s.org.pk, actor=s.manager)
    s.assign()
    with pytest.raises(ActionRefused) as error:
        evaluation_assign(dossier_id=s.dossier.pk, organisation_id=s.org.pk, actor=s.reviewer)
    assert "déjà désigné" in error.value.message


def test_accept_names_an_evaluator_of_the_organisation_only():
    s = Setup()
    s.assign()
    stranger = evaluator_of(organisation(s.cqpt))
    with pytest.raises(ActionRefused) as error:
        EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="accept_assignment", actor=s.manager, data={"evaluator": stranger}
        )
    assert "evaluator" in error.value.fields
    other_manager = manager_of(organisation(s.cqpt))
    with pytest.raises(ActionRefused):
        EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="accept_assignment", actor=other_manager, data={"evaluator": s.evaluator}
        )
    evaluation = s.accept()
    assert evaluation.state == EvaluationState.IN_PROGRESS and evaluation.evaluator == s.evaluator
    assert _dossier_state(s) == DossierState.IN_EVALUATION
    assignment = Assignment.objects.get(evaluation=evaluation)
    assert (assignment.state, assignment.answered_by, assignment.evaluator) == (
        AssignmentState.ACCEPTED,
        s.manager,
        s.evaluator,
    )
    assert Notification.objects.filter(recipient=s.evaluator, kind="evaluator_named").count() == 1
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="evaluation_started").count() == 1


def test_decline_returns_the_dossier_to_auvicom_and_a_new_assignment_keeps_the_history():
    s = Setup()
    s.assign()
    with pytest.raises(ActionRefused) as error:
        EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="decline_assignment", actor=s.manager)
    assert "comment" in error.value.fields
    EVALUATION_WORKFLOW.apply(
        pk=s.evaluation.pk, name="decline_assignment", actor=s.manager, comment="Plus de disponibilité ce trimestre."
    )
    assert _dossier_state(s) == DossierState.ADMISSIBLE
    assert Notification.objects.filter(recipient=s.reviewer, kind="assignment_declined").count() == 1
    second = organisation(s.cqpt)
    manager_of(second)
    evaluation = evaluation_assign(dossier_id=s.dossier.pk, organisation_id=second.pk, actor=s.reviewer)
    assert evaluation.state == EvaluationState.AWAITING_ORGANISATION and evaluation.organisation == second
    assert _dossier_state(s) == DossierState.EVALUATOR_ASSIGNED
    history = list(Assignment.objects.filter(evaluation=evaluation).order_by("assigned_at", "pk"))
    assert [(a.organisation, a.state) for a in history] == [
        (s.org, AssignmentState.DECLINED),
        (second, AssignmentState.PENDING),
    ]
    assert history[0].decline_reason == "Plus de disponibilité ce trimestre."


def test_unanswered_assignments_are_reminded_once_per_delay(settings):
    settings.ASSIGNMENT_ANSWER_DAYS = 5
    s = Setup()
    s.assign()
    Assignment.objects.update(assigned_at=timezone.now() - datetime.timedelta(days=3))
    assert assignments_remind() == 0
    Assignment.objects.update(assigned_at=timezone.now() - datetime.timedelta(days=10))
    assert assignments_remind() == 1
    assert assignments_remind() == 0  # not twice in the same delay
    assert Notification.objects.filter(recipient=s.manager, kind="assignment_reminder").count() == 1
    later = timezone.now() + datetime.timedelta(days=10)
    assert assignments_remind(now=later) == 1
    assert Assignment.objects.get().reminder_count == 2


# --- phases ---------------------------------------------------------------------------------------


def test_evidence_is_submitted_by_the_candidate_returned_once_and_closed_when_every_competency_is_assessed():
    s = Setup()
    s.accept()
    with pytest.raises(ActionRefused) as error:
        EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    assert "au moins une preuve" in error.value.message
    s.add_evidence()
    with pytest.raises(ActionRefused):
        EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.evaluator)
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    EVIDENCE_WORKFLOW.apply(
        pk=s.evaluation.pk, name="return_evidence", actor=s.evaluator, comment="Une preuve pour le bloc 2."
    )
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="evidence_returned").count() == 1
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    with pytest.raises(ActionRefused) as error:
        EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="return_evidence", actor=s.evaluator, comment="Encore")
    assert "une fois" in error.value.message
    with pytest.raises(ActionRefused) as error:
        EVIDENCE_WORKFLOW.apply(
            pk=s.evaluation.pk, name="close_evidence", actor=s.evaluator, data={"result": PhaseResult.PASSED}
        )
    assert "chaque compétence" in error.value.message
    s.assess_all(Phase.EVIDENCE)
    evaluation = EVIDENCE_WORKFLOW.apply(
        pk=s.evaluation.pk, name="close_evidence", actor=s.evaluator, data={"result": PhaseResult.PASSED}
    )
    assert evaluation.evidence_state == EvidenceState.CLOSED and evaluation.evidence_result == PhaseResult.PASSED


def test_workplace_visit_is_scheduled_in_the_future_rescheduled_with_a_reason_and_closed_with_the_signed_grid():
    s = Setup()
    s.accept()
    data = {"scheduled_at": timezone.now() - datetime.timedelta(hours=1), "address": "", "working_time": "x"}
    with pytest.raises(ActionRefused) as error:
        WORKPLACE_WORKFLOW.apply(pk=s.evaluation.pk, name="schedule_workplace", actor=s.evaluator, data=data)
    assert set(error.value.fields) == {"scheduled_at", "address", "working_time"}
    data = {"scheduled_at": timezone.now() + datetime.timedelta(days=3), "address": "Site", "working_time": "outside"}
    WORKPLACE_WORKFLOW.apply(pk=s.evaluation.pk, name="schedule_workplace", actor=s.evaluator, data=dict(data))
    with pytest.raises(ActionRefused) as error:
        WORKPLACE_WORKFLOW.apply(pk=s.evaluation.pk, name="reschedule_workplace", actor=s.evaluator, data=dict(data))
    assert "comment" in error.value.fields
    WORKPLACE_WORKFLOW.apply(
        pk=s.evaluation.pk, name="reschedule_workplace", actor=s.evaluator, data={**data, "comment": "Site fermé"}
    )
    visits = list(s.evaluation.visits.order_by("created_at", "pk"))
    assert [v.is_current for v in visits] == [False, True] and visits[1].change_reason == "Site fermé"
    s.assess_all(Phase.WORKPLACE)
    with pytest.raises(ActionRefused) as error:
        WORKPLACE_WORKFLOW.apply(
            pk=s.evaluation.pk, name="close_workplace", actor=s.evaluator, data={"result": PhaseResult.PASSED}
        )
    assert "grid" in error.value.fields
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="workplace_scheduled").count() == 2


def test_the_third_result_completes_the_evaluation_and_transmission_needs_the_synthesis():
    s = Setup()
    evaluation = s.complete_phases()
    assert evaluation.workplace_state == WorkplaceState.CLOSED
    assert _dossier_state(s) == DossierState.EVALUATION_COMPLETE
    with pytest.raises(ActionRefused) as error:
        EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=s.manager)
    assert "chaque bloc" in error.value.message and "avis" in error.value.message
    s.write_synthesis()
    with pytest.raises(ActionRefused):  # the organisation did not let its evaluators transmit
        EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=s.evaluator)
    evaluation = EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=s.manager)
    assert evaluation.state == EvaluationState.TRANSMITTED
    assert evaluation.followed_in_full_at is not None and evaluation.transmitted_by == s.manager
    assert _dossier_state(s) == DossierState.TRANSMITTED_TO_CPNE
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="evaluation_transmitted").count() == 1


def test_an_organisation_may_let_its_evaluators_transmit():
    s = Setup()
    s.org.evaluator_transmits = True
    s.org.save()
    s.complete_phases()
    s.write_synthesis()
    evaluation = EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="transmit", actor=s.evaluator)
    assert evaluation.state == EvaluationState.TRANSMITTED


def test_abandonment_needs_a_reason_and_closes_the_dossier():
    s = Setup()
    s.accept()
    with pytest.raises(ActionRefused) as error:
        EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="abandon", actor=s.evaluator, data={"reason": "other"})
    assert "comment" in error.value.fields
    EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="abandon", actor=s.evaluator, data={"reason": "no_show_twice"})
    assert _dossier_state(s) == DossierState.EVALUATION_ABANDONED
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="evaluation_abandoned").count() == 1
    assert Notification.objects.filter(recipient=s.reviewer, kind="evaluation_abandoned").count() == 1
    with pytest.raises(ActionRefused):
        QUIZ_WORKFLOW.apply(
            pk=s.evaluation.pk, name="record_quiz_result", actor=s.evaluator, data={"result": PhaseResult.PASSED}
        )


def test_a_withdrawn_dossier_stops_its_evaluation():
    s = Setup()
    s.accept()
    from candidates.workflow import apply_transition

    apply_transition(dossier_id=s.dossier.pk, name="withdraw", actor=s.dossier.candidate, comment="Je pars.")
    with pytest.raises(ActionRefused) as error:
        QUIZ_WORKFLOW.apply(
            pk=s.evaluation.pk, name="record_quiz_result", actor=s.evaluator, data={"result": PhaseResult.PASSED}
        )
    assert "clos" in error.value.message


def test_someone_else_is_refused_every_evaluation_transition():
    s = Setup()
    s.accept()
    stranger = UserFactory()
    for workflow in (EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW):
        assert workflow.available(stranger, s.evaluation) == []
    assert mail.outbox is not None
    assert VALID_SIRETS
