"""The accessibility statement: public, linked from every page's footer, with what French public sites state."""

import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_footer_links_the_rgaa_mention_to_the_statement(client):
    html = client.get(reverse("home")).content.decode()
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    assert re.search(rf'<a href="{reverse("accessibility")}">Accessibilité : partiellement conforme', footer)


def test_the_statement_is_public_and_complete(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@cqpt.example.org"
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert html.count("<h1") == 1 and "<h1>Déclaration d'accessibilité</h1>" in html
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in html
    for statement in (
        "partiellement conforme",
        "RGAA), version 4.1",
        "État de conformité",
        "Contenus non accessibles",
        "Retour d'information et contact",
        'href="mailto:a11y@cqpt.example.org"',
        "Voies de recours",
        "Défenseur des droits",
        "Libre réponse 71120",
    ):
        assert statement in html, statement
