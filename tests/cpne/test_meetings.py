"""Meetings: the agenda, quorum, conflicts of interest, pending decisions released at closing, deferral, revocation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier
from cpne.enums import College, ConflictSource, DecisionOutcome, DecisionState, MeetingState
from cpne.models import Certificate, ConflictOfInterest, Decision
from cpne.services import conflict_declare, decision_record, item_postpone
from cpne.workflow import DECISION_WORKFLOW, MEETING_WORKFLOW
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from evaluation.enums import EvaluationState, EvidenceState, Phase, QuizState
from evaluation.models import Evaluation
from tests.conftest import login
from tests.cpne.support import commission, meeting_in_session, member, planned_meeting, secretary, transmitted_dossier
from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _three_dossiers():
    return [transmitted_dossier(share_with_employer=True) for _i in range(3)]


def test_agenda_lists_transmitted_dossiers_before_the_cutoff_in_order():
    first, second = transmitted_dossier(), transmitted_dossier()
    sec = secretary()
    meeting = planned_meeting(sec)
    late = transmitted_dossier()  # transmitted after... the cutoff is in a minute: move it after
    Evaluation.objects.filter(pk=late.evaluation.pk).update(transmitted_at=timezone.now() + datetime.timedelta(days=1))
    from cpne.services import agenda_refresh

    agenda_refresh(meeting=meeting)
    assert [i.dossier_id for i in meeting.items.order_by("position")] == [first.dossier.pk, second.dossier.pk]
    # A dossier on an open agenda is on no other; postponed, it waits for the next meeting.
    other = planned_meeting(sec, days=30)
    assert other.items.count() == 0
    item_postpone(item_id=meeting.items.get(dossier=first.dossier).pk, actor=sec, reason="Pièce manquante")
    agenda_refresh(meeting=other)
    assert list(other.items.values_list("dossier_id", flat=True)) == [first.dossier.pk]
    agenda_refresh(meeting=meeting)
    assert meeting.items.filter(dossier=first.dossier).count() == 1  # not added back where it was postponed


def test_quorum_is_required_to_decide_and_to_close(settings):
    dossier = transmitted_dossier()
    sec = secretary()
    members = commission()
    one_short = members[College.EMPLOYERS][:1] + members[College.UNIONS]
    meeting = meeting_in_session(sec, members, present=one_short)
    item = meeting.items.get()
    with pytest.raises(ActionRefused) as refused:
        decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    assert "Quorum non atteint" in refused.value.messages[0]
    settings.CPNE_QUORUM_PER_COLLEGE = 1
    decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    settings.CPNE_QUORUM_PER_COLLEGE = 2
    with pytest.raises(ActionRefused):
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    dossier.dossier.refresh_from_db()
    assert dossier.dossier.state == DossierState.TRANSMITTED_TO_CPNE


def test_decisions_are_pending_and_invisible_until_closing_then_released_through_the_workflow(
    client, django_capture_on_commit_callbacks
):
    setups = _three_dossiers()
    employer = EmployerFactory(company=setups[0].dossier.company)
    sec = secretary()
    meeting = meeting_in_session(sec, commission())
    items = list(meeting.items.order_by("position"))
    decision_record(item_id=items[0].pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    decision_record(item_id=items[1].pk, actor=sec, outcome=DecisionOutcome.NOT_AWARDED, reason="Bloc 2 non acquis.")
    decision_record(
        item_id=items[2].pk,
        actor=sec,
        outcome=DecisionOutcome.DEFERRED,
        request="Refaire le quiz et compléter les preuves.",
        redo_phases=[Phase.QUIZ, Phase.EVIDENCE],
    )
    # Pending: nothing has moved, nobody outside the CPNE heard of it.
    for setup in setups:
        assert Dossier.objects.get(pk=setup.dossier.pk).state == DossierState.TRANSMITTED_TO_CPNE
    assert not Notification.objects.filter(kind__startswith="cpne_").exists()
    assert not Certificate.objects.exists()
    login(client, setups[0].dossier.candidate)
    page = client.get(reverse("candidates:dashboard")).content.decode()
    assert "CQPT délivré" not in page
    login(client, employer)
    assert "CQPT délivré" not in client.get(reverse("candidates:employer_dashboard")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)

    states = [Dossier.objects.get(pk=s.dossier.pk).state for s in setups]
    assert states == [DossierState.AWARDED, DossierState.NOT_AWARDED, DossierState.IN_EVALUATION]
    assert set(Decision.objects.values_list("state", flat=True)) == {DecisionState.RELEASED}
    for setup, action in zip(setups, ["cpne_award", "cpne_not_award", "cpne_defer"], strict=True):
        assert AuditEvent.objects.for_object(setup.dossier).filter(action=action).count() == 1
    # The candidate, the sharing employer, the organisation and AUVICOM hear of it.
    assert Notification.objects.filter(recipient=setups[0].dossier.candidate, kind="cpne_awarded").exists()
    assert Notification.objects.filter(recipient=employer, kind="cpne_awarded").exists()
    assert Notification.objects.filter(recipient=setups[0].manager, kind="cpne_decision_staff").exists()
    assert Notification.objects.filter(recipient=setups[0].reviewer, kind="cpne_decision_staff").exists()
    assert Notification.objects.filter(recipient=setups[1].dossier.candidate, kind="cpne_not_awarded").exists()
    # The award has its certificate (eager Celery in tests): PDF, minutes.
    certificate = Certificate.objects.get()
    assert certificate.decision.dossier_id == setups[0].dossier.pk and certificate.pdf
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED and meeting.minutes
    login(client, employer)
    assert "CQPT délivré" in client.get(reverse("candidates:employer_dashboard")).content.decode()
    # The deferred evaluation is in progress again, the phases asked reset, the synthesis to give again.
    evaluation = Evaluation.objects.get(pk=setups[2].evaluation.pk)
    assert evaluation.state == EvaluationState.IN_PROGRESS
    assert evaluation.quiz_state == QuizState.PENDING and evaluation.quiz_result == ""
    assert evaluation.evidence_state == EvidenceState.RETURNED and evaluation.evidence_result == ""
    assert evaluation.workplace_result  # not asked: kept
    assert evaluation.opinion == "" and evaluation.transmitted_at is None
    assert "Refaire le quiz" in evaluation.evidence_return_note


def test_close_requires_a_decision_or_a_postponement_for_each_dossier():
    _three_dossiers()
    sec = secretary()
    meeting = meeting_in_session(sec, commission())
    items = list(meeting.items.order_by("position"))
    decision_record(item_id=items[0].pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    with pytest.raises(ActionRefused) as refused:
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    assert "Chaque dossier" in refused.value.messages[0]
    item_postpone(item_id=items[1].pk, actor=sec, reason="Synthèse illisible")
    item_postpone(item_id=items[2].pk, actor=sec, reason="Synthèse illisible")
    MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    assert Dossier.objects.get(pk=items[1].dossier_id).state == DossierState.TRANSMITTED_TO_CPNE


def test_a_member_employed_by_the_candidates_company_is_excluded_and_so_is_a_declared_conflict():
    setup = transmitted_dossier()
    sec = secretary()
    members = commission()
    insider = members[College.EMPLOYERS][0]
    insider.company = setup.dossier.company
    insider.save()
    meeting = meeting_in_session(sec, members)
    item = meeting.items.get()
    conflict = ConflictOfInterest.objects.get(item=item)
    assert conflict.member == insider and conflict.source == ConflictSource.EMPLOYER
    # Without the insider, the employers' college has one member left: no quorum for this dossier.
    with pytest.raises(ActionRefused) as refused:
        decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    assert setup.dossier.number in refused.value.messages[0]
    extra = member(College.EMPLOYERS)
    from cpne.services import attendance_prepare, attendance_record

    attendance_prepare(meeting=meeting)
    attendance_record(
        meeting_id=meeting.pk, actor=sec, present_ids=set(meeting.attendances.values_list("pk", flat=True))
    )
    decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    # A unions member declares a conflict: the unions' college falls to one, the decision cannot stand.
    conflict_declare(item_id=item.pk, member=members[College.UNIONS][0], note="Ancien collègue")
    assert ConflictOfInterest.objects.filter(item=item, source=ConflictSource.DECLARED).exists()
    with pytest.raises(ActionRefused):
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    assert extra


def test_revocation_by_an_administrator_on_a_later_meeting():
    from tests.candidates.test_admissibility_support import administrator

    setup = transmitted_dossier()
    sec = secretary()
    members = commission()
    meeting = meeting_in_session(sec, members)
    decision = decision_record(item_id=meeting.items.get().pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    admin = administrator()
    with pytest.raises(ActionRefused) as refused:
        DECISION_WORKFLOW.apply(pk=decision.pk, name="revoke", actor=admin, data={"meeting": meeting})
    assert set(refused.value.fields) == {"comment", "meeting"}
    with pytest.raises(ActionRefused):
        DECISION_WORKFLOW.apply(pk=decision.pk, name="revoke", actor=sec, data={"meeting": meeting, "comment": "x"})
    later = planned_meeting(sec, days=60)
    later.state = MeetingState.CLOSED
    later.save()
    DECISION_WORKFLOW.apply(
        pk=decision.pk, name="revoke", actor=admin, data={"meeting": later, "comment": "Fraude aux preuves."}
    )
    decision.refresh_from_db()
    assert decision.state == DecisionState.REVOKED and decision.revoked_in == later
    assert Dossier.objects.get(pk=setup.dossier.pk).state == DossierState.NOT_AWARDED
    assert Certificate.objects.get().revoked_at is not None
    actions = list(AuditEvent.objects.for_object(setup.dossier).values_list("action", flat=True))
    assert "cpne_award" in actions and "revoke_award" in actions
    assert Notification.objects.filter(recipient=setup.dossier.candidate, kind="cpne_award_revoked").exists()
    assert UserFactory  # noqa: B018 - keeps the import for readers of the factories
