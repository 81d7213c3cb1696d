"""The candidate's dashboard: start, the path, what next, the latest notifications; and every page renders."""

import pytest
from django.urls import reverse

from candidates.enums import DossierState
from candidates.steps import NEXT_ACTION
from cqpt_portal.notifications.models import Notification
from tests.conftest import login
from tests.factories import DossierFactory, ExperiencePeriodFactory, FundingSchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_state_has_a_next_action_sentence():
    assert set(NEXT_ACTION) == set(DossierState)


def test_dashboard_with_a_draft_offers_to_continue(client):
    dossier = DossierFactory()
    login(client, dossier.candidate)
    body = client.get(reverse("candidates:dashboard")).content.decode()
    assert "Continuer mon dossier" in body
    assert reverse("candidates:step_experience", args=[dossier.pk]) in body
    assert "Commencer mon dossier" not in body
    assert "Dépôt du dossier" in body and "Décision de la CPNE" in body and "Certificat" in body
    assert 'aria-current="step"' in body


def test_dashboard_shows_the_path_and_what_next(client):
    dossier = DossierFactory(state=DossierState.UNDER_REVIEW, number="CQPT-2025-000042")
    login(client, dossier.candidate)
    body = client.get(reverse("candidates:dashboard")).content.decode()
    assert "CQPT-2025-000042" in body
    assert "AUVICOM examine votre dossier" in body
    assert "Dossier de preuves" in body and "Quiz" in body and "Mise en situation de travail réelle" in body
    assert "Continuer mon dossier" not in body


def test_dashboard_shows_the_five_latest_notifications(client):
    user = UserFactory()
    for i in range(7):
        Notification.objects.create(recipient=user, kind="test", subject=f"Message numéro {i}")
    Notification.objects.create(recipient=UserFactory(), kind="test", subject="Pas pour moi")
    login(client, user)
    body = client.get(reverse("candidates:dashboard")).content.decode()
    assert body.count("Message numéro") == 5
    assert "Pas pour moi" not in body
    assert reverse("notifications:list") in body


@pytest.mark.parametrize("state", list(DossierState))
def test_every_candidate_page_renders_in_every_state(client, state):
    FundingSchemeFactory(code="cif", label="CIF", handled_elsewhere=True)
    dossier = DossierFactory(
        state=state, number=None if state == DossierState.DRAFT else f"CQPT-2025-{list(DossierState).index(state):06d}"
    )
    period = ExperiencePeriodFactory(dossier=dossier)
    login(client, dossier.candidate)
    assert client.get(reverse("candidates:dashboard")).status_code == 200
    for name in [
        "step_identity",
        "step_employment",
        "step_candidacy",
        "step_funding",
        "step_experience",
        "step_documents",
        "step_submit",
        "dossier_detail",
    ]:
        response = client.get(reverse(f"candidates:{name}", args=[dossier.pk]))
        assert response.status_code == 200, name
        assert response.content.decode().count("<h1") == 1, name
    assert client.get(reverse("candidates:period_edit", args=[dossier.pk, period.pk])).status_code == 200
    assert client.get(reverse("candidates:dossier_withdraw", args=[dossier.pk]), follow=True).status_code == 200


@pytest.mark.parametrize(
    ("state", "shown", "absent"),
    [(DossierState.ADMISSIBLE, "Recevable", "Irrecevable"), (DossierState.INADMISSIBLE, "Irrecevable", "Recevable<")],
)
def test_timeline_names_the_admissibility_outcome(client, state, shown, absent):
    dossier = DossierFactory(state=state, number="CQPT-2025-000043")
    login(client, dossier.candidate)
    body = client.get(reverse("candidates:dashboard")).content.decode()
    timeline = body[body.index('class="timeline') :]
    assert shown in timeline
    assert absent not in timeline
