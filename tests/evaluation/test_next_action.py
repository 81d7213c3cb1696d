"""The candidate's "what next" follows the evaluation's own next step, and their pages link to the evaluation."""

import html

import pytest
from django.urls import reverse

from evaluation.workflow import EVIDENCE_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import Setup, fast_password_hashing  # noqa: F401 - the fixture applies to this module

pytestmark = pytest.mark.django_db


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_candidate_dashboard_says_the_evaluations_next_step(client):
    s = Setup()
    s.assign()
    login(client, s.dossier.candidate)
    dashboard = reverse("candidates:dashboard")
    page = _page(client, dashboard)
    assert "L'organisme évaluateur doit accepter l'évaluation et nommer un évaluateur." in page
    assert reverse("evaluation:detail", args=[s.evaluation.pk]) in page  # the way to the evaluation page
    s.accept()
    page = _page(client, dashboard)
    assert "Ajoutez vos preuves pour les compétences de la grille, puis remettez votre dossier de preuves." in page
    assert "constituez votre dossier de preuves, passez le quiz" not in page  # the generic sentence is replaced
    s.add_evidence()
    EVIDENCE_WORKFLOW.apply(pk=s.evaluation.pk, name="submit_evidence", actor=s.dossier.candidate)
    assert "L'évaluateur doit évaluer le dossier de preuves." in _page(client, dashboard)
    detail = _page(client, reverse("candidates:dossier_detail", args=[s.dossier.pk]))
    assert "L'évaluateur doit évaluer le dossier de preuves." in detail
    assert reverse("evaluation:detail", args=[s.evaluation.pk]) in detail


def test_an_admissible_dossier_keeps_the_generic_sentence(client):
    s = Setup()
    login(client, s.dossier.candidate)
    page = _page(client, reverse("candidates:dashboard"))
    assert "AUVICOM va vous orienter vers un organisme évaluateur" in page
    assert "Ouvrir mon évaluation" not in page
