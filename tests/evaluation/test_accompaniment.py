"""Appointments (planned with an .ics, rescheduled with history, cancelled) and notes (private ones hidden)."""

import datetime
from datetime import UTC

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from evaluation.enums import AppointmentState
from evaluation.models import AccompanimentNote, Appointment
from evaluation.services.accompaniment import appointment_plan, appointment_reschedule
from tests.evaluation.support_accomp import appointment_post, as_user, in_days, outsiders, page, started
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def _create(client, setup, **extra):
    return client.post(reverse("evaluation:appointment_create", args=[setup.evaluation.pk]), appointment_post(**extra))


def _ics_of(message):
    names = [a[0] if isinstance(a, tuple) else a.get_filename() for a in message.attachments]
    assert "rendez-vous.ics" in names
    attachment = message.attachments[names.index("rendez-vous.ics")]
    content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload(decode=True)
    return content.decode() if isinstance(content, bytes) else content


def test_evaluator_plans_an_appointment_candidate_gets_ics(client, django_capture_on_commit_callbacks):
    setup = started()
    when = in_days(4, hour=14)
    mail.outbox.clear()
    as_user(client, setup.evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(client, setup, starts_at=when)
    assert response.status_code == 302
    appointment = Appointment.objects.get(evaluation=setup.evaluation)
    assert appointment.state == AppointmentState.PLANNED and appointment.place == "12 rue des Lilas, Lyon"
    to_candidate = [m for m in mail.outbox if setup.dossier.candidate.email in m.to]
    assert len(to_candidate) == 1
    ics = _ics_of(to_candidate[0])
    assert f"DTSTART:{when.astimezone(UTC):%Y%m%dT%H%M%SZ}" in ics
    assert AuditEvent.objects.filter(action="appointment_planned").count() == 1
    body = as_user(client, setup.dossier.candidate).get(page(setup.evaluation.pk)).content.decode()
    assert "Point d&#x27;étape" in body


def test_sharing_employer_hears_of_appointment_not_otherwise(client, django_capture_on_commit_callbacks):
    setup = started(share_with_employer=True)
    employer = EmployerFactory(company=setup.dossier.company)
    mail.outbox.clear()
    as_user(client, setup.evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        _create(client, setup, starts_at=in_days(2))
    message = next(m for m in mail.outbox if employer.email in m.to)
    assert _ics_of(message)

    quiet = started(share_with_employer=False)
    employer2 = EmployerFactory(company=quiet.dossier.company)
    mail.outbox.clear()
    as_user(client, quiet.evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        _create(client, quiet, starts_at=in_days(2))
    assert not any(employer2.email in m.to for m in mail.outbox)


def test_past_date_refused_next_to_the_field_and_form_kept(client):
    setup = started()
    as_user(client, setup.evaluator)
    past = timezone.localtime() - datetime.timedelta(hours=2)
    response = _create(client, setup, starts_at=past, title="Bilan intermédiaire")
    assert response.status_code == 200
    form = response.context["appointment_form"]
    assert "starts_at" in form.errors
    assert "Bilan intermédiaire" in response.content.decode()
    assert not Appointment.objects.exists()


def test_place_or_link_required(client):
    setup = started()
    as_user(client, setup.evaluator)
    response = _create(client, setup, starts_at=in_days(2), place="")
    assert "place" in response.context["appointment_form"].errors


def test_only_the_assigned_evaluator_plans(client):
    setup = started()
    url = reverse("evaluation:appointment_create", args=[setup.evaluation.pk])
    for user in [setup.dossier.candidate, setup.manager, *outsiders(setup).values()]:
        assert as_user(client, user).post(url, appointment_post(in_days(2))).status_code == 403
    assert not Appointment.objects.exists()
    client.logout()
    assert client.post(url, appointment_post(in_days(2))).status_code == 302
    assert not Appointment.objects.exists()


def test_reschedule_keeps_history_and_sends_new_ics(client, django_capture_on_commit_callbacks):
    setup = started()
    old = appointment_plan(evaluation_id=setup.evaluation.pk, actor=setup.evaluator, data=_data(in_days(2)))
    new_when = in_days(6, hour=9)
    mail.outbox.clear()
    as_user(client, setup.evaluator)
    url = reverse("evaluation:appointment_change", args=[setup.evaluation.pk, old.pk])
    assert client.get(url).status_code == 200
    post = {f"reschedule-{k}": v for k, v in appointment_post(new_when).items()}
    post.update({"action": "reschedule", "reschedule-reason": "Le candidat est en formation"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, post).status_code == 302
    old.refresh_from_db()
    assert old.state == AppointmentState.RESCHEDULED
    assert old.change_reason == "Le candidat est en formation"
    assert old.replaced_by.starts_at == new_when
    message = next(m for m in mail.outbox if setup.dossier.candidate.email in m.to)
    assert f"DTSTART:{new_when.astimezone(UTC):%Y%m%dT%H%M%SZ}" in _ics_of(message)
    assert "reporté" in message.subject.lower() or "modifié" in message.subject.lower()
    assert AuditEvent.objects.filter(action="appointment_rescheduled").exists()


def test_reschedule_without_reason_refused_and_cancel(client):
    setup = started()
    appointment = appointment_plan(evaluation_id=setup.evaluation.pk, actor=setup.evaluator, data=_data(in_days(2)))
    as_user(client, setup.evaluator)
    url = reverse("evaluation:appointment_change", args=[setup.evaluation.pk, appointment.pk])
    post = {f"reschedule-{k}": v for k, v in appointment_post(in_days(5)).items()}
    post["action"] = "reschedule"
    response = client.post(url, post)
    assert response.status_code == 200 and "reason" in response.context["reschedule_form"].errors
    response = client.post(url, {"action": "cancel", "cancel-reason": "Annulé par le candidat"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED
    assert Appointment.objects.count() == 1


def test_appointment_change_page_refused_to_others(client):
    setup = started()
    appointment = appointment_plan(evaluation_id=setup.evaluation.pk, actor=setup.evaluator, data=_data(in_days(2)))
    url = reverse("evaluation:appointment_change", args=[setup.evaluation.pk, appointment.pk])
    for user in [setup.dossier.candidate, *outsiders(setup).values()]:
        assert as_user(client, user).get(url).status_code == 403
    other = started()
    as_user(client, other.evaluator)
    url = reverse("evaluation:appointment_change", args=[other.evaluation.pk, appointment.pk])
    assert client.get(url).status_code == 404


def test_service_refuses_past_date():
    setup = started()
    with pytest.raises(ActionRefused) as refused:
        appointment_plan(
            evaluation_id=setup.evaluation.pk,
            actor=setup.evaluator,
            data=_data(timezone.now() - datetime.timedelta(minutes=1)),
        )
    assert "starts_at" in refused.value.fields


def _data(when):
    return {"title": "RDV", "starts_at": when, "duration_minutes": 45, "place": "Lyon", "working_time": "during"}


def test_private_notes_hidden_from_candidate(client):
    setup = started()
    as_user(client, setup.evaluator)
    url = reverse("evaluation:note_create", args=[setup.evaluation.pk])
    client.post(url, {"text": "Note visible ABC", "visible_to_candidate": "on"})
    as_user(client, setup.manager)
    client.post(url, {"text": "Note privée XYZ"})
    assert AccompanimentNote.objects.count() == 2
    body = as_user(client, setup.dossier.candidate).get(page(setup.evaluation.pk)).content.decode()
    assert "Note visible ABC" in body
    assert "Note privée XYZ" not in body
    body = as_user(client, setup.evaluator).get(page(setup.evaluation.pk)).content.decode()
    assert "Note privée XYZ" in body and "Note visible ABC" in body


def test_notes_written_only_by_staff(client):
    setup = started()
    url = reverse("evaluation:note_create", args=[setup.evaluation.pk])
    for user in [setup.dossier.candidate, *outsiders(setup).values()]:
        assert as_user(client, user).post(url, {"text": "x", "visible_to_candidate": "on"}).status_code == 403
    assert not AccompanimentNote.objects.exists()
    as_user(client, setup.evaluator)
    response = client.post(url, {"text": ""})
    assert response.status_code == 200 and "text" in response.context["note_form"].errors


def test_an_appointment_already_rescheduled_cannot_be_rescheduled_again():
    setup = started()
    old = appointment_plan(evaluation_id=setup.evaluation.pk, actor=setup.evaluator, data=_data(in_days(2)))
    appointment_reschedule(
        evaluation_id=setup.evaluation.pk,
        appointment_id=old.pk,
        actor=setup.evaluator,
        data=_data(in_days(3)),
        reason="A",
    )
    with pytest.raises(ActionRefused) as refused:
        appointment_reschedule(
            evaluation_id=setup.evaluation.pk,
            appointment_id=old.pk,
            actor=setup.evaluator,
            data=_data(in_days(4)),
            reason="B",
        )
    assert "plus prévu" in refused.value.message
    assert Appointment.objects.count() == 2
