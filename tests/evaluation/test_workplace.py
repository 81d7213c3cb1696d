"""Phase 3, the mise en situation at the company site: scheduling (.ics), report, signed grid, closing."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from candidates.enums import DossierState
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from evaluation.enums import Phase, PhaseResult, WorkplaceState
from evaluation.models import WorkplaceVisit
from evaluation.services.phases import evaluation_record_quiz_result
from evaluation.workflow import EVIDENCE_WORKFLOW, WORKPLACE_WORKFLOW
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    PDF_BYTES,
    Setup,
    fast_password_hashing,
)
from tests.evaluation.support_phases import (  # noqa: F401 - the fixture applies to this module
    DATETIME_LOCAL,
    as_user,
    grid_storage_in_tmp,
    in_days,
    make_pdf,
    pdf_upload,
    post_action,
    schedule,
)
from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _started(**kwargs):
    s = Setup(**kwargs)
    s.accept()
    return s


def test_the_schedule_form_is_prefilled_with_the_company(client):
    s = _started()
    as_user(client, s.evaluator)
    body = client.get(reverse("evaluation:detail", args=[s.evaluation.pk])).content.decode()
    assert "Planifier la mise en situation" in body
    assert s.dossier.company.name in body
    assert 'type="datetime-local"' in body


def test_scheduling_notifies_the_candidate_and_the_sharing_employer_with_a_calendar_file(client):
    s = _started(share_with_employer=True)
    employer = EmployerFactory(company=s.dossier.company)
    as_user(client, s.evaluator)
    when = in_days(9, hour=14)
    response = post_action(
        client,
        s.evaluation,
        "schedule_workplace",
        {
            "scheduled_at": when.strftime(DATETIME_LOCAL),
            "address": "ACME\n3 rue du Four, Lyon",
            "working_time": "outside",
        },
    )
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.workplace_state == WorkplaceState.SCHEDULED
    visit = WorkplaceVisit.objects.get(evaluation=s.evaluation)
    assert (visit.scheduled_at, visit.address, visit.working_time, visit.is_current) == (
        when,
        "ACME\n3 rue du Four, Lyon",
        "outside",
        True,
    )
    for recipient in (s.dossier.candidate, employer):
        notification = Notification.objects.get(recipient=recipient, kind="workplace_scheduled")
        assert notification.attachment_name.endswith(".ics")
        assert notification.attachment_type == "text/calendar"
        ics = notification.attachment
        assert "BEGIN:VEVENT" in ics
        assert f"DTSTART:{when.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in ics
        assert "LOCATION:ACME\\n3 rue du Four\\, Lyon" in ics
        assert "Hors temps de travail" in ics


def test_the_employer_is_not_told_when_the_dossier_is_not_shared():
    s = _started(share_with_employer=False)
    employer = EmployerFactory(company=s.dossier.company)
    schedule(s)
    assert not Notification.objects.filter(recipient=employer).exists()
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="workplace_scheduled").count() == 1


def test_schedule_errors_are_next_to_their_fields(client):
    s = _started()
    as_user(client, s.evaluator)
    response = post_action(
        client,
        s.evaluation,
        "schedule_workplace",
        {"scheduled_at": in_days(-2).strftime(DATETIME_LOCAL), "address": "  ", "working_time": ""},
    )
    assert response.status_code == 200
    form = response.context["actions"]["workplace"][0]["form"]
    assert "dans le futur" in str(form.errors["scheduled_at"])
    assert "adresse" in str(form.errors["address"])
    assert "temps de travail" in str(form.errors["working_time"])
    body = response.content.decode()
    assert 'aria-invalid="true"' in body or "is-invalid" in body
    response = post_action(client, s.evaluation, "schedule_workplace", {"scheduled_at": "pas une date"})
    assert "scheduled_at" in response.context["actions"]["workplace"][0]["form"].errors
    s.evaluation.refresh_from_db()
    assert s.evaluation.workplace_state == WorkplaceState.TO_SCHEDULE


def test_report_needs_a_reason_and_keeps_the_history(client):
    s = _started()
    schedule(s)
    as_user(client, s.evaluator)
    later = in_days(20)
    response = post_action(
        client,
        s.evaluation,
        "reschedule_workplace",
        {"scheduled_at": later.strftime(DATETIME_LOCAL), "address": "Site", "working_time": "during", "comment": ""},
    )
    form = next(a for a in response.context["actions"]["workplace"] if a["transition"].name == "reschedule_workplace")[
        "form"
    ]
    assert "motif" in str(form.errors["comment"])
    response = post_action(
        client,
        s.evaluation,
        "reschedule_workplace",
        {
            "scheduled_at": later.strftime(DATETIME_LOCAL),
            "address": "Site",
            "working_time": "during",
            "comment": "Entreprise fermée",
        },
    )
    assert response.status_code == 302
    visits = list(WorkplaceVisit.objects.filter(evaluation=s.evaluation).order_by("created_at", "id"))
    assert [v.is_current for v in visits] == [False, True]
    assert visits[1].change_reason == "Entreprise fermée"
    body = client.get(reverse("evaluation:detail", args=[s.evaluation.pk])).content.decode()
    assert "Historique des planifications" in body and "Entreprise fermée" in body
    assert Notification.objects.filter(recipient=s.dossier.candidate, kind="workplace_scheduled").count() == 2


def test_signed_grid_upload_checks_the_content_and_is_served_only_to_staff(client):
    s = _started()
    schedule(s)
    url = reverse("evaluation:workplace_grid_upload", args=[s.evaluation.pk])
    as_user(client, s.evaluator)
    response = client.post(url, {"grid": pdf_upload("grille.pdf", b"not a pdf at all")})
    assert response.status_code == 400
    assert "ni un PDF" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode() or "is-invalid" in response.content.decode()
    s.evaluation.refresh_from_db()
    assert not s.evaluation.workplace_grid
    response = client.post(url, {"grid": pdf_upload("Grille signée.pdf")})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.workplace_grid_name == "Grille signée.pdf"
    assert s.evaluation.workplace_grid_content_type == "application/pdf"
    assert AuditEvent.objects.for_object(s.evaluation).filter(action="workplace_grid_uploaded").count() == 1

    file_url = reverse("evaluation:workplace_grid_file", args=[s.evaluation.pk])
    for allowed in (s.evaluator, s.manager):
        as_user(client, allowed)
        response = client.get(file_url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for refused in (s.dossier.candidate, UserFactory(role="evaluator", evaluator_organisation=s.org)):
        as_user(client, refused)
        assert client.get(file_url).status_code in (403, 404)
    # only the assigned evaluator uploads
    as_user(client, s.manager)
    assert client.post(url, {"grid": pdf_upload()}).status_code == 403
    client.logout()
    assert client.get(file_url).status_code == 302


def test_closing_is_refused_without_the_signed_grid_or_with_unassessed_competencies(client):
    s = _started()
    schedule(s)
    as_user(client, s.evaluator)
    response = post_action(client, s.evaluation, "close_workplace", {"result": PhaseResult.PASSED})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("grille d'observation signée" in m for m in messages)
    assert any("Évaluez chaque compétence" in m for m in messages)
    s.evaluation.refresh_from_db()
    assert s.evaluation.workplace_state == WorkplaceState.SCHEDULED

    response = post_action(client, s.evaluation, "close_workplace", {})
    assert "result" in response.context["actions"]["workplace"][-1]["form"].errors

    client.post(reverse("evaluation:workplace_grid_upload", args=[s.evaluation.pk]), {"grid": pdf_upload()})
    s.assess_all(Phase.WORKPLACE)
    response = post_action(client, s.evaluation, "close_workplace", {"result": PhaseResult.FAILED, "comment": "Geste"})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert (s.evaluation.workplace_state, s.evaluation.workplace_result, s.evaluation.workplace_comment) == (
        WorkplaceState.CLOSED,
        PhaseResult.FAILED,
        "Geste",
    )


def test_the_quiz_result_recorded_by_the_evaluator(client):
    s = _started()
    as_user(client, s.evaluator)
    response = post_action(client, s.evaluation, "record_quiz_result", {"result": "", "score": "140"})
    form = response.context["actions"]["quiz"][0]["form"]
    assert "score" in form.errors and "result" in form.errors
    response = post_action(client, s.evaluation, "record_quiz_result", {"result": "passed", "score": "82.5"})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert (s.evaluation.quiz_state, s.evaluation.quiz_result, str(s.evaluation.quiz_score)) == (
        "quiz_closed",
        "passed",
        "82.50",
    )
    as_user(client, s.dossier.candidate)
    body = client.get(reverse("evaluation:detail", args=[s.evaluation.pk])).content.decode()
    assert "Réussie" in body and "82,5" in body
    assert "Enregistrer le résultat du quiz" not in body


def test_the_quiz_service_applies_the_same_transition_and_completes_the_evaluation():
    s = _started()
    s.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    s.assess_all(Phase.EVIDENCE)
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="close_evidence", actor=s.evaluator, data={"result": "passed"})
    schedule(s)
    s.assess_all(Phase.WORKPLACE)
    s.evaluation.refresh_from_db()
    s.evaluation.workplace_grid.save("g.pdf", ContentFile(PDF_BYTES))
    WORKPLACE_WORKFLOW.apply(pk=s.evaluation.pk, name="close_workplace", actor=s.evaluator, data={"result": "passed"})
    evaluation = evaluation_record_quiz_result(
        evaluation_id=s.evaluation.pk, result="passed", score=75, actor=s.evaluator
    )
    assert str(evaluation.quiz_score) == "75"
    s.dossier.refresh_from_db()
    assert s.dossier.state == DossierState.EVALUATION_COMPLETE


@pytest.mark.parametrize("who", ["candidate", "manager", "other_evaluator", "reviewer"])
def test_only_the_assigned_evaluator_may_apply_phase_transitions(client, who):
    s = _started()
    user = {
        "candidate": s.dossier.candidate,
        "manager": s.manager,
        "other_evaluator": UserFactory(role="evaluator", evaluator_organisation=s.org),
        "reviewer": s.reviewer,
    }[who]
    as_user(client, user)
    response = post_action(
        client,
        s.evaluation,
        "schedule_workplace",
        {"scheduled_at": in_days(5).strftime(DATETIME_LOCAL), "address": "Site", "working_time": "during"},
    )
    assert response.status_code in (302, 403, 404)
    s.evaluation.refresh_from_db()
    assert s.evaluation.workplace_state == WorkplaceState.TO_SCHEDULE
