"""The candidate's funding step and dashboard say plainly who pays and that nothing is asked of them."""

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import DossierFactory

from .support import cif_scheme, covered_scheme, employer_scheme

pytestmark = pytest.mark.django_db

NOTHING_ASKED = "Rien ne vous est demandé"


@pytest.mark.parametrize(
    ("make_scheme", "who"),
    [(covered_scheme, "AUVICOM, sur les fonds de la professionnalisation"), (employer_scheme, "Votre employeur")],
)
def test_step_and_dashboard_say_who_pays(client, make_scheme, who):
    dossier = DossierFactory(funding_scheme=make_scheme())
    login(client, dossier.candidate)
    for url in (reverse("candidates:step_funding", args=[dossier.pk]), reverse("candidates:dashboard")):
        body = client.get(url).content.decode()
        assert "Qui paie l&#x27;évaluation ?" in body or "Qui paie l'évaluation ?" in body, url
        assert who in body, url
        assert NOTHING_ASKED in body, url


def test_covered_scheme_names_the_flat_fee(client):
    dossier = DossierFactory(funding_scheme=covered_scheme())
    login(client, dossier.candidate)
    assert "300 €" in client.get(reverse("candidates:step_funding", args=[dossier.pk])).content.decode()


def test_cif_keeps_its_explanation_and_claims_nothing(client):
    dossier = DossierFactory(funding_scheme=cif_scheme())
    login(client, dossier.candidate)
    body = client.get(reverse("candidates:step_funding", args=[dossier.pk])).content.decode()
    assert "Fongecif" in body
    assert NOTHING_ASKED not in body
