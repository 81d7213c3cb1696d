"""The candidate's timeline at each step of the evaluation, computed on the server and shown on the dashboard."""

import datetime
import html

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from candidates.steps import dossier_timeline
from evaluation.enums import Phase, PhaseResult
from evaluation.models import Appointment
from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    PDF_BYTES,
    Setup,
    fast_password_hashing,
)
from tests.evaluation.support_phases import (  # noqa: F401 - the fixture applies to this module
    as_user,
    grid_storage_in_tmp,
    schedule,
)

pytestmark = pytest.mark.django_db


def _timeline(s):
    s.dossier.refresh_from_db()
    return {stage.key: stage for stage in dossier_timeline(s.dossier)}


def _statuses(timeline, *keys):
    return tuple(timeline[k].status for k in keys)


PHASES = ("evaluator", "evidence", "quiz", "workplace", "cpne")


def test_timeline_at_each_evaluation_step(django_assert_max_num_queries):
    s = Setup()
    s.assign()
    t = _timeline(s)
    assert _statuses(t, *PHASES) == ("current", "todo", "todo", "todo", "todo")
    assert "attente" in t["evaluator"].detail

    s.accept()
    t = _timeline(s)
    assert _statuses(t, *PHASES) == ("done", "current", "current", "current", "todo")
    assert s.org.name in t["evaluator"].detail
    assert "déposez vos preuves" in t["evidence"].hint
    assert "planifier" in t["workplace"].hint

    Appointment.objects.create(
        evaluation=s.evaluation,
        title="Point d'étape",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence",
        working_time="during",
        created_by=s.evaluator,
    )
    s.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    schedule(s, address="ACME, Lyon")
    s.dossier.refresh_from_db()
    with django_assert_max_num_queries(3):
        t = {stage.key: stage for stage in dossier_timeline(s.dossier)}
    assert [e.label for e in t["evaluator"].events] == ["Rendez-vous : Point d'étape"]
    assert "examine vos preuves" in t["evidence"].hint
    (visit,) = t["workplace"].events
    assert visit.place == "ACME, Lyon"

    s.assess_all(Phase.EVIDENCE)
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="close_evidence", actor=s.evaluator, data={"result": "passed"})
    QUIZ_WORKFLOW.apply(
        pk=s.evaluation.pk, name="record_quiz_result", actor=s.evaluator, data={"result": PhaseResult.FAILED}
    )
    t = _timeline(s)
    assert _statuses(t, "evidence", "quiz", "workplace") == ("done", "done", "current")
    assert (t["evidence"].detail, t["quiz"].detail) == ("Réussie", "Non réussie")

    s.assess_all(Phase.WORKPLACE)
    s.evaluation.refresh_from_db()
    s.evaluation.workplace_grid.save("g.pdf", ContentFile(PDF_BYTES))
    WORKPLACE_WORKFLOW.apply(pk=s.evaluation.pk, name="close_workplace", actor=s.evaluator, data={"result": "passed"})
    t = _timeline(s)
    assert _statuses(t, "evidence", "quiz", "workplace", "cpne") == ("done", "done", "done", "current")
    assert "synthèse" in t["cpne"].hint

    s.write_synthesis()
    EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="transmit", actor=s.manager)
    t = _timeline(s)
    assert _statuses(t, "workplace", "cpne", "certificate") == ("done", "current", "todo")
    assert "transmis" in t["cpne"].detail


def test_an_abandoned_evaluation_stops_the_open_phases():
    s = Setup()
    s.accept()
    QUIZ_WORKFLOW.apply(pk=s.evaluation.pk, name="record_quiz_result", actor=s.evaluator, data={"result": "passed"})
    EVALUATION_WORKFLOW.apply(
        pk=s.evaluation.pk, name="abandon", actor=s.evaluator, data={"reason": "candidate_stopped"}
    )
    t = _timeline(s)
    assert _statuses(t, "evaluator", "evidence", "quiz", "workplace") == ("done", "stopped", "done", "stopped")


def test_the_dashboard_shows_the_evaluation_in_the_timeline(client):
    s = Setup()
    s.accept()
    schedule(s, address="ACME\n3 rue du Four, Lyon")
    as_user(client, s.dossier.candidate)
    response = client.get(reverse("candidates:dashboard"))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    timeline = body[body.index('class="timeline') :]
    assert "Mise en situation sur le site de l'entreprise" in timeline
    assert "3 rue du Four, Lyon" in timeline
    assert s.org.name in timeline
    assert "déposez vos preuves" in timeline
