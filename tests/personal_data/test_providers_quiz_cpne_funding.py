"""The providers of quiz, cpne and funding: export, erasure and retention of what these apps hold about a person."""

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone

from cpne.enums import DecisionOutcome
from cpne.models import Attendance, Certificate, Decision
from cpne.services import decision_record
from cpne.workflow import MEETING_WORKFLOW
from personal_data.registry import months_after, providers
from personal_data.services import erasure_apply, retention_apply
from quiz.enums import AttemptState, QuizPurpose
from quiz.models import Attempt
from quiz.services import answer_save, attempt_open
from quiz.workflow import ATTEMPT_WORKFLOW
from tests.cpne.support import commission, meeting_in_session, secretary, transmitted_dossier
from tests.quiz.support import bank, definition

from .support import read_archive
from .test_export import build

pytestmark = pytest.mark.django_db


def closed_prediagnostic(setup):
    """A prédiagnostic on the setup's dossier, answered (first choice everywhere) and finished by the candidate."""
    bank(setup.cqpt)
    quiz = definition(setup.cqpt, purpose=QuizPurpose.PREDIAGNOSTIC)
    candidate = setup.dossier.candidate
    now = timezone.now()
    attempt = attempt_open(
        definition=quiz,
        candidate=candidate,
        dossier=setup.dossier,
        actor=setup.reviewer,
        window_opens_at=now - datetime.timedelta(minutes=1),
        window_closes_at=now + datetime.timedelta(days=7),
    )
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="start_attempt", actor=candidate)
    for item in attempt.questions.all():
        answer_save(attempt_id=attempt.pk, position=item.position, keys=[item.choices[0]["key"]], actor=candidate)
    ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=candidate)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.CLOSED
    return attempt


def held_meeting(setups, capture, *, close=True):
    """One meeting deciding every setup's dossier (awarded), closed unless told otherwise."""
    sec = secretary()
    members = commission()
    meeting = meeting_in_session(sec, members)
    for item in meeting.items.filter(dossier__in=[s.dossier for s in setups]):
        decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    if close:
        with capture(execute=True):
            MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    return meeting, members


@pytest.fixture
def awarded_pair(django_capture_on_commit_callbacks):
    """Alice and Bruno, each with a closed quiz attempt and an awarded CQPT whose certificate PDF is made."""
    alice = transmitted_dossier(last_name="Aubert", candidate__last_name="Aubert", candidate__email="alice@example.org")
    bruno = transmitted_dossier(last_name="Besson", candidate__last_name="Besson", candidate__email="bruno@example.org")
    for setup in (alice, bruno):
        setup.attempt = closed_prediagnostic(setup)
    meeting, members = held_meeting([alice, bruno], django_capture_on_commit_callbacks)
    for setup in (alice, bruno):
        setup.dossier.refresh_from_db()
        setup.certificate = Certificate.objects.get(decision__dossier=setup.dossier)
        assert setup.certificate.pdf
    return alice, bruno, meeting, members


def test_the_three_providers_are_registered_in_their_order():
    orders = {p.name: p.order for p in providers()}
    assert (orders["funding"], orders["quiz"], orders["cpne"]) == (25, 35, 45)
    assert all(p.export and p.erase and p.retention for p in providers() if p.name in ("funding", "quiz", "cpne"))


def test_export_holds_her_quiz_attempt_and_certificate_and_nobody_elses(
    awarded_pair, django_capture_on_commit_callbacks
):
    alice, bruno, meeting, members = awarded_pair
    document, files = read_archive(build(alice.dossier.candidate, django_capture_on_commit_callbacks))
    data = document["data"]
    text = json.dumps(document)

    quiz = data["quiz"]
    assert [a["id"] for a in quiz["attempts"]] == [alice.attempt.pk]
    (attempt,) = quiz["attempts"]
    assert attempt["state"] == AttemptState.CLOSED and attempt["score"] is not None and attempt["band"]
    assert "opened_by_id" not in attempt
    assert len(quiz["questions"]) == alice.attempt.questions.count()
    assert all(q["selected"] and q["text"] and q["choices"] for q in quiz["questions"])
    assert all("correct" in c for q in quiz["questions"] for c in q["choices"])  # shown once the attempt is over
    assert quiz["block_results"]

    cpne = data["cpne"]
    (certificate,) = cpne["certificates"]
    assert certificate["number"] == alice.certificate.number and certificate["state"] == "valid"
    assert certificate["candidate_name"] == alice.certificate.candidate_name
    assert files[f"files/{certificate['pdf']}"].startswith(b"%PDF")
    assert [(d["dossier_id"], d["outcome"], d["state"]) for d in cpne["decisions"]] == [
        (alice.dossier.pk, DecisionOutcome.AWARDED, "released")
    ]
    assert "recorded_by_id" not in cpne["decisions"][0]
    assert cpne["attendance"] == [] and cpne["membership"] == []

    assert [f["evaluation_id"] for f in data["funding"]["fees"]] == [alice.evaluation.pk]
    for foreign in ("Besson", "bruno@example.org", bruno.certificate.number, bruno.certificate.code):
        assert foreign not in text, foreign
    for person in (*[u for users in members.values() for u in users], alice.evaluator, alice.reviewer):
        assert person.email not in text


def test_the_attestation_names_the_candidate_it_is_in_her_export_not_in_the_employer_users(
    awarded_pair, django_capture_on_commit_callbacks
):
    from funding.models import Fee
    from funding.services import attestation_pdf_build
    from tests.factories import EmployerFactory

    alice, _bruno, _meeting, _members = awarded_pair
    fee = Fee.objects.get(evaluation=alice.evaluation)
    attestation_pdf_build(fee_id=fee.pk)
    employer = EmployerFactory(company=alice.dossier.company, email="patron@example.org")

    document, files = read_archive(build(alice.dossier.candidate, django_capture_on_commit_callbacks))
    (row,) = document["data"]["funding"]["fees"]
    assert files[f"files/{row['attestation']}"].startswith(b"%PDF")

    document, files = read_archive(build(employer, django_capture_on_commit_callbacks))
    assert document["data"]["funding"]["fees"] == []
    assert files == {}
    assert "Aubert" not in json.dumps(document)

    request = erasure_apply(user=alice.dossier.candidate)
    (item,) = [i for i in request.kept if "forfait" in i["what"]]
    assert "attestation" in item["what"] and "rien n'y est à effacer" in item["reason"]
    assert Fee.objects.get(pk=fee.pk).attestation


def test_a_pending_decision_and_a_live_attempts_answers_are_not_exported(django_capture_on_commit_callbacks):
    setup = transmitted_dossier()
    bank(setup.cqpt)
    quiz = definition(setup.cqpt, purpose=QuizPurpose.PREDIAGNOSTIC)
    now = timezone.now()
    attempt = attempt_open(
        definition=quiz,
        candidate=setup.dossier.candidate,
        dossier=setup.dossier,
        actor=setup.reviewer,
        window_opens_at=now - datetime.timedelta(minutes=1),
        window_closes_at=now + datetime.timedelta(days=7),
    )
    held_meeting([setup], django_capture_on_commit_callbacks, close=False)
    assert Decision.objects.filter(dossier=setup.dossier).exists()
    document, files = read_archive(build(setup.dossier.candidate, django_capture_on_commit_callbacks))
    data = document["data"]
    assert data["cpne"]["decisions"] == [] and data["cpne"]["certificates"] == []
    assert [a["id"] for a in data["quiz"]["attempts"]] == [attempt.pk]
    assert not any("correct" in c for q in data["quiz"]["questions"] for c in q["choices"])
    assert not any(name.startswith("files/cpne/") for name in files)


def test_erasure_keeps_the_certificate_and_the_quiz_results_and_lists_them(awarded_pair):
    alice, _bruno, _meeting, _members = awarded_pair
    certificate = alice.certificate
    request = erasure_apply(user=alice.dossier.candidate)

    kept = Certificate.objects.get(pk=certificate.pk)
    assert (kept.candidate_name, kept.pdf.name) == (certificate.candidate_name, certificate.pdf.name)
    assert Attempt.objects.filter(pk=alice.attempt.pk).exists()
    periods = settings.PERSONAL_DATA_RETENTION
    (item,) = [i for i in request.kept if certificate.number in i["what"]]
    assert "vérifiable" in item["reason"]
    assert item["until"] == months_after(certificate.decided_on, periods["award_record_months"])
    (decisions,) = [i for i in request.kept if "décisions de la CPNE" in i["what"]]
    assert "vérifiable" in decisions["reason"] and decisions["until"] is not None
    assert any("tentatives de quiz" in i["what"] and i["until"] for i in request.kept)


def test_erasure_deletes_an_attempt_tied_to_no_submitted_dossier():
    from tests.quiz.support import QuizSetup

    s = QuizSetup()
    quiz = definition(s.cqpt, purpose=QuizPurpose.PREDIAGNOSTIC)
    now = timezone.now()
    loose = attempt_open(
        definition=quiz,
        candidate=s.candidate,
        actor=s.reviewer,
        window_opens_at=now - datetime.timedelta(minutes=1),
        window_closes_at=now + datetime.timedelta(days=7),
    )
    on_dossier = s.open()
    request = erasure_apply(user=s.candidate)
    assert not Attempt.objects.filter(pk=loose.pk).exists()
    assert Attempt.objects.filter(pk=on_dossier.pk).exists()
    assert request.deleted["quiz.attempts_without_submitted_dossier"] == 1


def test_a_members_erasure_keeps_the_attendance_of_held_meetings_and_lists_it(awarded_pair):
    _alice, _bruno, meeting, members = awarded_pair
    member = members["employers"][0]
    request = erasure_apply(user=member)
    assert Attendance.objects.filter(meeting=meeting, member=member).exists()
    (item,) = [i for i in request.kept if "Présences" in i["what"]]
    assert "procès-verbal" in item["reason"]
    assert not member.cpne_membership.__class__.objects.get(user=member).active


def test_retention_runs_the_three_providers(awarded_pair):
    run = retention_apply(dry_run=True)
    report = json.dumps(run.report)
    for key in ("attempts_pseudonymised", "certificates_pseudonymised", "attestations_after_accounting_period"):
        assert key in report


def test_retention_clears_old_attempts_free_texts_and_an_expired_certificates_holder(awarded_pair):
    import time_machine

    from cpne.tasks import sweep_certificates_and_minutes
    from quiz.models import Incident

    alice, _bruno, _meeting, _members = awarded_pair
    Attempt.objects.filter(pk=alice.attempt.pk).update(extra_time_reason="Tiers temps (motif médical)")
    Incident.objects.create(attempt=alice.attempt, kind="other", description="Coupure", reported_by=alice.reviewer)
    periods = settings.PERSONAL_DATA_RETENTION
    later = timezone.now() + datetime.timedelta(days=31 * (periods["dossier_after_decision_months"] + 1))
    with time_machine.travel(later, tick=False):
        retention_apply()
    attempt = Attempt.objects.get(pk=alice.attempt.pk)
    assert attempt.extra_time_reason == "" and attempt.score is not None
    assert not Incident.objects.filter(attempt=attempt).exists()
    assert Certificate.objects.get(pk=alice.certificate.pk).candidate_name  # an award stays verifiable

    much_later = timezone.now() + datetime.timedelta(days=31 * (periods["award_record_months"] + 1))
    with time_machine.travel(much_later, tick=False):
        retention_apply()
        certificate = Certificate.objects.get(pk=alice.certificate.pk)
        assert (certificate.candidate_name, certificate.pdf.name) == ("", "")
        assert sweep_certificates_and_minutes() == 0  # not re-made with no holder
