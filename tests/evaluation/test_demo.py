"""seed_demo's evaluations: one at each step for the demo organisation, made through the workflows, idempotent."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidates.enums import DossierState
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent
from evaluation.enums import EvaluationState, EvidenceState, QuizState, WorkplaceState
from evaluation.models import Evaluation
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115 - twice: idempotent


def _steps():
    return {
        e.dossier.candidate.email: (e.state, e.evidence_state, e.quiz_state, e.workplace_state, e.dossier.state)
        for e in Evaluation.objects.select_related("dossier__candidate")
    }


def test_seed_demo_gives_the_demo_organisation_an_evaluation_at_each_step(seeded):
    steps = _steps()
    named = {
        "nora.lambert@demo.cqpt.fr",
        "candidat@demo.cqpt.fr",
        "yanis.roux@demo.cqpt.fr",
        "chloe.fontaine@demo.cqpt.fr",
        "mehdi.blanc@demo.cqpt.fr",
        "sarah.chevalier@demo.cqpt.fr",
        "lucas.garnier@demo.cqpt.fr",
    }
    # The funding demo adds its own evaluations (fees in each state) beside these seven.
    assert named <= set(steps)
    evaluator = User.objects.get(email="evaluateur@demo.cqpt.fr")
    assert set(Evaluation.objects.exclude(evaluator=None).values_list("evaluator", flat=True)) == {evaluator.pk}
    assert steps["nora.lambert@demo.cqpt.fr"][0] == EvaluationState.AWAITING_ORGANISATION
    assert steps["candidat@demo.cqpt.fr"][:2] == (EvaluationState.IN_PROGRESS, EvidenceState.COLLECTING)
    assert steps["yanis.roux@demo.cqpt.fr"][1] == EvidenceState.SUBMITTED
    assert steps["chloe.fontaine@demo.cqpt.fr"][1:3] == (EvidenceState.CLOSED, QuizState.PENDING)
    assert steps["mehdi.blanc@demo.cqpt.fr"][3] == WorkplaceState.SCHEDULED
    assert steps["sarah.chevalier@demo.cqpt.fr"][4] == DossierState.EVALUATION_COMPLETE
    assert steps["lucas.garnier@demo.cqpt.fr"][0] == EvaluationState.TRANSMITTED
    assert steps["lucas.garnier@demo.cqpt.fr"][4] == DossierState.TRANSMITTED_TO_CPNE
    # Through the workflows: each transition left its audit row.
    for action in ("accept_assignment", "submit_evidence", "close_evidence", "record_quiz_result", "transmit"):
        assert AuditEvent.objects.filter(action=action).exists(), action


def test_the_demo_accounts_see_their_evaluations(seeded, client):
    candidate = User.objects.get(email="candidat@demo.cqpt.fr")
    evaluation = Evaluation.objects.get(dossier__candidate=candidate)
    assert evaluation.appointments.count() == 1 and evaluation.evidence.count() == 2
    login(client, candidate)
    page = client.get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert page.status_code == 200
    assert "Point d&#x27;étape sur le dossier de preuves" in page.content.decode()
    for email, url in (
        ("evaluateur@demo.cqpt.fr", "evaluation:evaluator_dashboard"),
        ("responsable-oe@demo.cqpt.fr", "evaluation:manager_dashboard"),
    ):
        client.logout()
        login(client, User.objects.get(email=email))
        html = client.get(reverse(url)).content.decode()
        assert "Mehdi Blanc" in html or "BLANC" in html.upper(), email
