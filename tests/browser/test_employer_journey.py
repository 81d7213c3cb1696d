"""The employer's main journey, through the UI in Chromium.

A verified employer proposes the CQPT to an employee; the employee (an existing
candidate account with the invited e-mail) opens the link, accepts and lands on
a prefilled dossier, then declares a period worked at that company; the employer
confirms the hours on their dashboard; the candidate sees the period confirmed.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidates.enums import InvitationState
from candidates.models import Dossier, EmployerInvitation
from tests.browser.conftest import login_through_ui
from tests.browser.test_candidacy_journey import assert_accessible_structure
from tests.factories import PASSWORD, EmployerFactory, UserFactory

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT = 10_000  # ms, for every expectation
CQPT_TITLE = "Conseiller clientèle en point de distribution"
ACCES_LIBRE = "Accès libre (salarié de la Branche)"


@pytest.fixture
def candidate_page(browser, live_server):
    """A second, separate browser context (its own cookies) for the employee."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_employer_proposes_the_cqpt_and_confirms_the_declared_hours(page, candidate_page):
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_funding_schemes", verbosity=0)
    employer = EmployerFactory(first_name="Étienne", last_name="Bernard")
    company = employer.company
    employee = UserFactory(email="salariee@example.org", first_name="Inès", last_name="Garnier")
    today = timezone.localdate()
    period_end = today.replace(day=1) - datetime.timedelta(days=1)
    period_start = period_end.replace(day=1).replace(year=period_end.year - 1)

    # --- the employer proposes the CQPT ---------------------------------------------------
    login_through_ui(page, employer.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("candidates:employer_dashboard")) + "$"), timeout=WAIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace employeur")
    page.get_by_role("link", name="Proposer le CQPT à un salarié").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer le CQPT à un salarié", timeout=WAIT)
    assert_accessible_structure(page)
    page.get_by_label("E-mail du salarié").fill("Salariee@Example.org")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill("Garnier")
    page.get_by_label("CQPT proposé").select_option(label=CQPT_TITLE)
    page.get_by_label("Voie d'accès").select_option(label=ACCES_LIBRE)
    page.get_by_label("Type de contrat").select_option(label="CDI")
    page.get_by_label("Début du contrat").fill("2019-09-02")
    page.get_by_label("Message au salarié").fill("Votre expérience en boutique vous qualifie.")
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(
        page.get_by_role("status").filter(has_text="Votre proposition est envoyée à salariee@example.org")
    ).to_be_visible(timeout=WAIT)
    invitations = page.get_by_role("table", name="Propositions de candidature envoyées à vos salariés")
    expect(invitations.get_by_role("row").filter(has_text="salariee@example.org")).to_contain_text(
        "En attente de réponse"
    )
    invitation = EmployerInvitation.objects.get(company=company, email="salariee@example.org")
    assert invitation.state == InvitationState.PENDING

    # --- the employee opens the link, logs in, accepts ----------------------------------------
    login_through_ui(candidate_page, employee.email, PASSWORD)
    candidate_page.goto(reverse("candidates:invitation", args=[invitation.token]))
    expect(candidate_page.get_by_role("heading", level=1)).to_have_text(
        "Proposition de candidature au CQPT", timeout=WAIT
    )
    assert_accessible_structure(candidate_page)
    expect(candidate_page.get_by_text(f"{company.name} vous propose de vous présenter au CQPT")).to_be_visible()
    candidate_page.get_by_role("button", name="Accepter et créer mon dossier").click()
    expect(candidate_page.get_by_role("status").filter(has_text="prérempli")).to_be_visible(timeout=WAIT)
    dossier = Dossier.objects.get(candidate=employee)
    expect(candidate_page).to_have_url(re.compile(re.escape(reverse("candidates:dossier_detail", args=[dossier.pk]))))
    summary = candidate_page.get_by_role("region", name="Contenu du dossier")
    expect(summary).to_contain_text(company.name)
    expect(summary).to_contain_text(CQPT_TITLE)
    expect(summary).to_contain_text(ACCES_LIBRE)
    expect(summary).to_contain_text("Proposée par mon employeur")

    # --- the employee declares a period at that company ---------------------------------------
    candidate_page.goto(reverse("candidates:step_experience", args=[dossier.pk]))
    expect(candidate_page.get_by_role("heading", level=1)).to_have_text("Expérience professionnelle", timeout=WAIT)
    candidate_page.get_by_role("textbox", name=re.compile(r"^Employeur")).fill(company.name)
    candidate_page.get_by_label("SIRET de l'employeur").fill(company.siret)
    candidate_page.get_by_label("IDCC de l'employeur").fill("2148")
    candidate_page.get_by_label("Date de début").fill(period_start.isoformat())
    candidate_page.get_by_label("Date de fin").fill(period_end.isoformat())
    candidate_page.get_by_label("Heures de travail effectif").fill("1650")
    candidate_page.get_by_role("button", name="Ajouter la période").click()
    expect(candidate_page.get_by_role("status").filter(has_text="Période enregistrée")).to_be_visible(timeout=WAIT)
    declared = candidate_page.get_by_role("region", name="Périodes déclarées").get_by_role("article")
    expect(declared).to_have_count(1)
    expect(declared).to_contain_text("Déclarée par le candidat")

    # --- the employer sees the proposal accepted and confirms the hours -------------------------
    page.goto(reverse("candidates:employer_dashboard"))
    expect(invitations.get_by_role("row").filter(has_text="salariee@example.org")).to_contain_text(
        "Acceptée", timeout=WAIT
    )
    hours = page.get_by_role("table", name="Périodes d'expérience déclarées dans votre entreprise")
    row = hours.get_by_role("row").filter(has_text="Inès Garnier")
    expect(row).to_contain_text("1650")
    expect(row).to_contain_text("Déclarée par le candidat")
    row.get_by_role("link", name=re.compile(r"^Confirmer ou contester")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer ou contester des heures", timeout=WAIT)
    assert_accessible_structure(page)
    page.get_by_label("Je confirme ces heures").check()
    page.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(page.get_by_role("status").filter(has_text="Votre réponse est enregistrée")).to_be_visible(timeout=WAIT)
    answered = page.get_by_role("table", name="Périodes d'expérience auxquelles vous avez répondu")
    expect(answered.get_by_role("row").filter(has_text="Inès Garnier")).to_contain_text("Confirmée par l'employeur")
    expect(hours).to_have_count(0)  # nothing left to answer

    # --- the employee sees the period confirmed ---------------------------------------------------
    candidate_page.reload()
    expect(declared).to_contain_text("Confirmée par l'employeur", timeout=WAIT)
    expect(declared).not_to_contain_text("Déclarée par le candidat")
