"""The CPNE's meeting through the UI in Chromium.

The secretary opens the demo's upcoming meeting, records who is present,
records three decisions (awarded, not awarded, deferred) and closes the
meeting; the awarded candidate downloads the certificate from their dashboard;
an anonymous visitor verifies its code on the public page.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidates.enums import DossierState
from candidates.models import Dossier
from cpne.models import Certificate, Meeting
from cpne.services import item_postpone
from cqpt_portal.accounts.demo import DEMO_PASSWORD
from cqpt_portal.accounts.models import User
from tests.browser.conftest import login_through_ui
from tests.browser.test_candidacy_journey import assert_accessible_structure
from tests.cpne.support import transmitted_dossier

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT = 15_000
SECRETARY = "secretaire-cpne@demo.cqpt.fr"


@pytest.fixture
def other_page(browser, live_server):
    """A separate browser context (its own cookies): the candidate, then an anonymous visitor."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_secretary_holds_a_meeting_and_the_awarded_candidate_gets_a_verifiable_certificate(page, other_page, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)  # a past meeting, and an upcoming one with two dossiers
    transmitted_dossier()  # a third dossier for the upcoming meeting's agenda
    upcoming = Meeting.objects.get(state="planned")

    login_through_ui(page, SECRETARY, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("cpne:dashboard")) + "$"), timeout=WAIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace de la CPNE")
    assert_accessible_structure(page)
    page.get_by_role("region", name="Séances à venir").get_by_role("link", name=str(upcoming)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(upcoming), timeout=WAIT)
    assert_accessible_structure(page)
    page.get_by_role("button", name="Ouvrir la séance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("En séance", timeout=WAIT)
    assert_accessible_structure(page)

    # The other demos (evaluation, funding) transmit dossiers too: the secretary postpones all but three.
    secretary = User.objects.get(email=SECRETARY)
    for extra in list(upcoming.items.filter(postponed_at__isnull=True).order_by("position"))[3:]:
        item_postpone(item_id=extra.pk, actor=secretary, reason="Examiné à la séance suivante.")
    page.reload()

    presences = page.locator("#presences").locator("..")
    for checkbox in presences.get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("Les présences sont enregistrées.")).to_be_visible(timeout=WAIT)

    items = list(
        upcoming.items.filter(postponed_at__isnull=True).order_by("position").select_related("dossier__candidate")
    )
    assert len(items) == 3
    awarded, refused, deferred = items

    def decide(item, outcome, **fields):
        article = page.locator(f"#item-{item.pk}")
        article.get_by_label("Décision de la commission").select_option(label=outcome)
        for label, value in fields.items():
            if value is True:
                article.get_by_label(label, exact=True).check()
            else:
                article.get_by_label(label).fill(value)
        article.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_text("elle sera publiée à la clôture")).to_be_visible(timeout=WAIT)

    decide(awarded, "CQPT délivré")
    decide(refused, "CQPT non délivré", **{"Motif communiqué au candidat (non-délivrance)": "Bloc 2 non acquis."})
    decide(
        deferred,
        "Ajourné (compléments demandés)",
        **{"Compléments demandés à l'évaluateur (ajournement)": "Refaire le quiz.", "Quiz": True},
    )
    assert Dossier.objects.get(pk=awarded.dossier_id).state == DossierState.TRANSMITTED_TO_CPNE  # still pending

    page.get_by_role("button", name="Clore la séance et publier les décisions").click()
    expect(page.get_by_text("La séance est close")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("1 certificat(s) établi(s) sur 1.")).to_be_visible(timeout=WAIT)
    assert_accessible_structure(page)
    states = [Dossier.objects.get(pk=i.dossier_id).state for i in items]
    assert states == [DossierState.AWARDED, DossierState.NOT_AWARDED, DossierState.IN_EVALUATION]

    # --- the awarded candidate downloads the certificate ---------------------------------------
    certificate = Certificate.objects.get(decision__item=awarded)
    login_through_ui(other_page, awarded.dossier.candidate.email, DEMO_PASSWORD)
    expect(other_page).to_have_url(re.compile(re.escape(reverse("candidates:dashboard")) + "$"), timeout=WAIT)
    section = other_page.get_by_role("region", name="Mes certificats")
    expect(section).to_contain_text(certificate.number)
    with other_page.expect_download() as download_info:
        section.get_by_role("link", name="Télécharger le certificat (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    code = re.search(r"Code de vérification : (\w{8})", section.inner_text()).group(1)
    assert code == certificate.code

    # --- anyone verifies the code, without an account -----------------------------------------
    other_page.context.clear_cookies()
    other_page.goto(reverse("cpne:verify"))
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Vérifier un certificat de CQPT")
    assert_accessible_structure(other_page)
    other_page.get_by_label("Code de vérification (8 caractères)").fill(code.lower())
    other_page.get_by_role("button", name="Vérifier").click()
    expect(other_page.get_by_text("Certificat valide")).to_be_visible(timeout=WAIT)
    expect(other_page.locator("main")).to_contain_text(certificate.cqpt_title)
    expect(other_page.locator("main")).not_to_contain_text(awarded.dossier.last_name)
