"""The evaluation page's phase sections for each role at each step (they render, and show only what each may do)."""

import html

import pytest
from django.urls import reverse

from evaluation.workflow import EVALUATION_WORKFLOW
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    Setup,
    fast_password_hashing,
)
from tests.evaluation.support_phases import (  # noqa: F401 - the fixture applies to this module
    as_user,
    grid_storage_in_tmp,
    pdf_upload,
    schedule,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _body(client, user, evaluation):
    as_user(client, user)
    response = client.get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert body.count("<h1") == 1
    return body


@pytest.mark.parametrize("step", ["started", "scheduled", "complete", "transmitted", "abandoned"])
def test_each_role_sees_the_sections_at_each_step(client, step):
    s = Setup()
    if step in ("complete", "transmitted"):
        s.complete_phases()
    else:
        s.accept()
    if step == "scheduled":
        schedule(s)
    if step == "transmitted":
        s.write_synthesis()
        EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="transmit", actor=s.manager)
    if step == "abandoned":
        EVALUATION_WORKFLOW.apply(
            pk=s.evaluation.pk, name="abandon", actor=s.manager, data={"reason": "candidate_stopped"}
        )

    evaluator = _body(client, s.evaluator, s.evaluation)
    manager = _body(client, s.manager, s.evaluation)
    candidate = _body(client, s.dossier.candidate, s.evaluation)
    for body in (evaluator, manager, candidate):
        assert "Phase 2 – Quiz" in body and "Phase 3 – Mise en situation" in body and "Synthèse et transmission" in body
    assert "Enregistrer le résultat du quiz" not in candidate
    assert "Planifier la mise en situation" not in candidate and "Planifier la mise en situation" not in manager
    assert "Grille d'observation signée" not in candidate
    if step == "started":
        assert "Planifier la mise en situation" in evaluator
        assert "Enregistrer l'abandon" in evaluator and "Enregistrer l'abandon" in manager
        assert "Enregistrer l'abandon" not in candidate
    if step == "scheduled":
        assert "Déposer la grille signée" in evaluator and "Déposer la grille signée" not in manager
        assert "Reporter la mise en situation" in evaluator
    if step == "complete":
        assert "Transmettre la synthèse à la CPNE" in manager
        assert "Transmettre la synthèse à la CPNE" not in evaluator
        assert "Rédiger la synthèse" in evaluator
        assert reverse("evaluation:workplace_grid_file", args=[s.evaluation.pk]) in evaluator
    if step == "transmitted":
        assert "Voir la synthèse transmise à la CPNE" in candidate
    if step == "abandoned":
        assert "Évaluation abandonnée" in candidate
        assert "Enregistrer l'abandon" not in evaluator


def test_grid_pages_refuse_outsiders_and_anonymous(client):
    s = Setup()
    s.accept()
    schedule(s)
    upload = reverse("evaluation:workplace_grid_upload", args=[s.evaluation.pk])
    file_url = reverse("evaluation:workplace_grid_file", args=[s.evaluation.pk])
    assert client.post(upload, {"grid": pdf_upload()}).status_code == 302  # to the login page
    for outsider in (UserFactory(role="evaluator", evaluator_organisation=Setup().org), s.dossier.candidate):
        as_user(client, outsider)
        assert client.post(upload, {"grid": pdf_upload()}).status_code in (403, 404)
        assert client.get(file_url).status_code in (403, 404)
    as_user(client, s.evaluator)
    response = client.get(upload)
    assert response.status_code == 200 and response.content.decode().count("<h1") == 1
    assert client.get(file_url).status_code == 404  # no grid yet
