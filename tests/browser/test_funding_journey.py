"""The funding officer's journey, through the UI in Chromium.

Two evaluations are followed in full (through the real services); AUVICOM's
funding officer gathers the due fees into a statement, downloads its PDF and
its CSV, and marks it paid; the organisation's manager then sees it paid.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from funding.enums import FeeState
from funding.models import Fee, Statement
from tests.browser.conftest import login_through_ui
from tests.browser.test_candidacy_journey import assert_accessible_structure
from tests.factories import PASSWORD
from tests.funding.support import Setup, covered_scheme, funding_officer, transmit

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT = 15_000  # ms; the PDF is made by WeasyPrint when the statement's transaction commits


def with_totp(user):
    TOTPDevice.objects.create(user=user, name="test", key="141ef31a4a31ce8c14f1e11918a1a2b6c64e5e9d", confirmed=True)
    return user


@pytest.fixture
def manager_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_officer_builds_downloads_and_pays_a_statement(page, manager_page, tmp_path):
    scheme = covered_scheme()
    first = Setup(funding_scheme=scheme)
    transmit(first)
    second = Setup(funding_scheme=scheme)
    second.org, second.manager, second.evaluator = first.org, first.manager, first.evaluator
    first.org.cqpts.add(second.cqpt)
    transmit(second)
    assert Fee.objects.filter(state=FeeState.DUE, organisation=first.org).count() == 2
    officer = with_totp(funding_officer(email="financement@example.org"))
    manager = with_totp(first.manager)

    # --- the officer sees the due fees on the dashboard and builds the statement --------------
    login_through_ui(page, officer.email, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("funding:dashboard")) + "$"), timeout=WAIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi du financement")
    expect(page.locator("#totals-title + dl")).to_contain_text("600,00 €")
    assert_accessible_structure(page)
    page.get_by_role("link", name="Préparer un relevé de paiement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relevés de paiement", timeout=WAIT)
    assert_accessible_structure(page)
    page.get_by_label("Organisme évaluateur").select_option(label=first.org.name)
    page.get_by_role("button", name="Créer le relevé").click()
    statement = Statement.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relevé de paiement {statement.number}", timeout=WAIT)
    assert_accessible_structure(page)
    expect(page.get_by_role("table")).to_contain_text(first.dossier.number)
    expect(page.get_by_role("table")).to_contain_text(second.dossier.number)

    # --- its PDF and its CSV ------------------------------------------------------------------
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf_path = tmp_path / "releve.pdf"
    pdf_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    with page.expect_download() as csv_info:
        page.get_by_role("link", name="Télécharger le CSV (comptabilité)").click()
    csv_path = tmp_path / "releve.csv"
    csv_info.value.save_as(csv_path)
    text = csv_path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff") and statement.number in text and "600,00" in text

    # --- marked paid --------------------------------------------------------------------------
    form = page.locator("form:has(input[value=mark_statement_paid])")
    form.get_by_label("Date du virement").fill(timezone.localdate().isoformat())
    form.get_by_label("Référence du virement").fill("VIR-2026-0042")
    form.get_by_role("button", name="Marquer le relevé payé").click()
    expect(page.get_by_role("status").first).to_contain_text("payés", timeout=WAIT)
    expect(page.locator("#statement-state")).to_contain_text("Payé")
    expect(page.locator("#statement-state")).to_contain_text("VIR-2026-0042")
    assert set(Fee.objects.values_list("state", flat=True)) == {FeeState.PAID}

    # --- the organisation's manager sees it paid -------------------------------------------------
    login_through_ui(manager_page, manager.email, PASSWORD)
    manager_page.goto(reverse("funding:organisation"))
    expect(manager_page.get_by_role("heading", level=1)).to_have_text("Forfaits et relevés de paiement", timeout=WAIT)
    assert_accessible_structure(manager_page)
    row = manager_page.get_by_role("row").filter(has_text=statement.number)
    expect(row).to_contain_text("Payé")
    expect(row).to_contain_text("600,00 €")
    row.get_by_role("link", name=statement.number).click()
    expect(manager_page.locator("#statement-state")).to_contain_text("VIR-2026-0042", timeout=WAIT)
    expect(manager_page.get_by_role("button", name="Marquer le relevé payé")).to_have_count(0)
