"""The workflow entry point: state table, roles, audit and notifications of each transition."""

import pytest

from candidates.enums import DossierState
from candidates.workflow import TRANSITIONS, apply_transition, available_transitions
from cqpt_portal.accounts.enums import Role
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from tests.factories import DossierFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_transition_writes_state_audit_and_is_refused_from_a_wrong_state():
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    dossier = DossierFactory(state=DossierState.SUBMITTED, number="CQPT-2026-000001")
    apply_transition(dossier_id=dossier.pk, name="claim", actor=reviewer)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW
    assert dossier.reviewer == reviewer
    event = AuditEvent.objects.for_object(dossier).get()
    assert (event.action, event.from_state, event.to_state, event.actor_role) == (
        "claim",
        "submitted",
        "under_review",
        Role.AUVICOM_REVIEWER,
    )
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="claim", actor=UserFactory(role=Role.AUVICOM_REVIEWER))
    assert "En cours d'examen" in refused.value.messages[0]
    assert AuditEvent.objects.for_object(dossier).count() == 1


def test_wrong_role_is_refused_and_nothing_is_written():
    candidate = UserFactory()
    dossier = DossierFactory(state=DossierState.SUBMITTED, number="CQPT-2026-000002")
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="claim", actor=candidate)
    assert "rôle" in refused.value.messages[0]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert not AuditEvent.objects.for_object(dossier).exists()


def test_buttons_follow_the_table():
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    dossier = DossierFactory(state=DossierState.UNDER_REVIEW, number="CQPT-2026-000003", reviewer=reviewer)
    names = {t.name for t in available_transitions(reviewer, dossier)}
    assert names == {"release", "declare_admissible", "declare_incomplete", "declare_inadmissible"}
    other = UserFactory(role=Role.AUVICOM_REVIEWER)
    assert {t.name for t in available_transitions(other, dossier)} == set()
    assert {t.name for t in available_transitions(dossier.candidate, dossier)} == {"withdraw"}
    for transition in available_transitions(reviewer, dossier):
        assert dossier.state in TRANSITIONS[transition.name].sources


def test_only_verified_employers_of_a_sharing_dossier_are_told():
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    dossier = DossierFactory(
        state=DossierState.UNDER_REVIEW, number="CQPT-2026-000004", reviewer=reviewer, share_with_employer=True
    )
    verified = EmployerFactory(company=dossier.company)
    unverified = EmployerFactory(company=dossier.company, company_verified_at=None)
    other_company = EmployerFactory()
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=reviewer)
    told = set(Notification.objects.filter(kind="dossier_admissible").values_list("recipient_id", flat=True))
    assert told == {dossier.candidate_id, verified.pk}
    assert unverified.pk not in told and other_company.pk not in told


def test_not_shared_dossier_tells_no_employer():
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    dossier = DossierFactory(state=DossierState.UNDER_REVIEW, number="CQPT-2026-000005", reviewer=reviewer)
    EmployerFactory(company=dossier.company)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=reviewer)
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {dossier.candidate_id}


def test_refused_guard_rolls_back_everything():
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    dossier = DossierFactory(state=DossierState.UNDER_REVIEW, number="CQPT-2026-000006", reviewer=reviewer)
    with pytest.raises(ActionRefused):
        apply_transition(dossier_id=dossier.pk, name="declare_incomplete", actor=reviewer, data={"missing_items": []})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW
    assert not Notification.objects.exists()
    assert not dossier.decisions.exists()
