"""The issue's acceptance test, entirely through the UI in Chromium.

A candidate files a complete accès-libre dossier and submits it; an AUVICOM
reviewer (password and TOTP) finds it, claims it, opens a document inline and
declares it incomplete; the candidate completes and resubmits it (same number);
the reviewer declares it admissible and the candidate's path shows it. On the
way, key pages are checked for their landmarks, one h1 and labelled fields.
"""

import datetime
import io
import re
import struct
import zlib

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.accounts.demo import DEMO_PASSWORD
from demo.services import demo_accounts_seed
from tests.browser.conftest import login_through_ui

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT = 20_000  # ms, for every expectation (a loaded 2-core CI machine: the whole suite, a Celery worker)
CANDIDATE = "candidat@demo.cqpt.fr"
REVIEWER = "auvicom@demo.cqpt.fr"
BRANCH_COMPANY = ("Télécom Horizon", "73282932000074")
NUMBER_RE = re.compile(r"CQPT-\d{4}-\d{6}")

# Structure and labelling of a page, evaluated in the browser; returns the list of problems found.
A11Y_CHECK = """() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== "hidden";
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} <h1> instead of one`);
  for (const tag of ["main", "header", "footer"]) {
    const n = document.querySelectorAll(tag).length;
    if (n !== 1) problems.push(`${n} <${tag}> instead of one`);
  }
  const main = document.querySelector("main");
  const firstLink = document.querySelector("body a[href]");
  const skipTarget = firstLink && firstLink.getAttribute("href").startsWith("#")
    ? document.getElementById(firstLink.getAttribute("href").slice(1)) : null;
  if (!skipTarget || skipTarget !== main) problems.push("no skip link to <main> as the first link");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    const byFor = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    const byAria = (el.getAttribute("aria-label") || "").trim();
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const byIds = ids.length && ids.every((id) => document.getElementById(id));
    const wrapped = el.closest("label");
    if (!(byFor || byAria || byIds || wrapped)) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
  }
  return problems;
}"""


def assert_accessible_structure(page) -> None:
    problems = page.evaluate(A11Y_CHECK)
    assert problems == [], f"{page.url}: {problems}"


def make_pdf() -> bytes:
    """A minimal valid one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_png() -> bytes:
    """A valid 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def unread_count(page) -> int:
    """The unread notifications count shown in the header (0 when no badge)."""
    link = page.locator("header").get_by_role("link", name=re.compile(r"^Notifications"))
    expect(link).to_be_visible(timeout=WAIT)
    badge = link.locator(".badge")
    if badge.count() == 0:
        return 0
    return int(re.search(r"\d+", badge.inner_text()).group())


def save_step(page, next_heading: str) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(next_heading, timeout=WAIT)


def upload(page, kind: str, path) -> None:
    page.get_by_label("Type de document").select_option(label=kind)
    page.get_by_label("Fichier (PDF, JPEG ou PNG").set_input_files(str(path))
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.get_by_role("status").filter(has_text=f"« {path.name} » est ajouté")).to_be_visible(timeout=WAIT)


def open_in_queue(page, number: str) -> None:
    """From the review queue: search by number, open the dossier."""
    page.goto(reverse("candidates:auvicom_dashboard"))
    page.get_by_label("Rechercher").fill(number)
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("status").filter(has_text="1 dossier correspond")).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number, timeout=WAIT)


@pytest.fixture
def reviewer_page(browser, live_server):
    """A second, separate browser context (its own cookies) for the AUVICOM reviewer."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_candidacy_from_draft_to_admissible_through_the_ui(page, reviewer_page, tmp_path, settings):
    settings.DEMO_MODE = True
    # The catalogue, funding schemes and demo accounts, not seed_demo's evaluations (the demo candidate has one).
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_funding_schemes", verbosity=0)
    demo_accounts_seed()
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    two_years_before = last_month_end.replace(day=1).replace(year=last_month_end.year - 2)
    identity_pdf = tmp_path / "piece-identite.pdf"
    contract_pdf = tmp_path / "contrat-cdi.pdf"
    attestation_png = tmp_path / "attestation-employeur.png"
    payslip_pdf = tmp_path / "bulletin-de-salaire.pdf"
    for path in (identity_pdf, contract_pdf, payslip_pdf):
        path.write_bytes(make_pdf())
    attestation_png.write_bytes(make_png())

    # --- the candidate files the dossier -------------------------------------------------
    login_through_ui(page, CANDIDATE, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("candidates:dashboard")) + "$"), timeout=WAIT)
    assert_accessible_structure(page)
    unread_at_start = unread_count(page)
    page.get_by_role("button", name="Commencer mon dossier").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Identité et coordonnées", timeout=WAIT)
    assert_accessible_structure(page)
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Martin")
    expect(page.get_by_label("Prénom", exact=True)).to_have_value("Camille")
    page.get_by_label("Date de naissance").fill("1990-05-17")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Adresse", exact=True).fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("75011")
    page.get_by_label("Ville").fill("Paris")
    save_step(page, "Employeur et contrat")

    name, siret = BRANCH_COMPANY
    page.get_by_label("Rechercher votre employeur").fill(siret)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=f"Choisir {name}").click()
    expect(page.get_by_label("SIRET de votre employeur")).to_have_value(siret, timeout=WAIT)
    assert_accessible_structure(page)
    page.get_by_label("Emploi occupé").fill("Conseillère clientèle")
    page.get_by_label("Type de contrat").select_option(label="CDI")
    page.get_by_label("Début du contrat").fill("2020-01-06")
    save_step(page, "Voie d'accès et CQPT visé")

    page.get_by_label("Accès libre (salarié de la Branche)").check()
    page.get_by_label("CQPT visé").select_option(label="Conseiller clientèle à distance")
    save_step(page, "Financement")

    page.get_by_label("Plan de formation de l'entreprise").check()
    page.get_by_label("Pendant le temps de travail").check()
    save_step(page, "Expérience professionnelle")

    page.get_by_role("textbox", name=re.compile(r"^Employeur")).fill(name)
    page.get_by_label("SIRET de l'employeur").fill(siret)
    page.get_by_label("IDCC de l'employeur").fill("2148")
    page.get_by_label("Date de début").fill(two_years_before.isoformat())
    page.get_by_label("Date de fin").fill(last_month_end.isoformat())
    page.get_by_label("Heures de travail effectif").fill("3000")
    expect(page.get_by_label("En rapport direct avec le CQPT visé")).to_be_checked()
    page.get_by_role("button", name="Ajouter la période").click()
    expect(page.get_by_role("status").filter(has_text="Période enregistrée")).to_be_visible(timeout=WAIT)
    assert_accessible_structure(page)
    eligibility = page.locator("table.eligibility-table")
    expect(eligibility.locator("tfoot tr").first).to_contain_text("3000")
    expect(eligibility).to_contain_text("Condition des 1607 heures remplie")
    page.get_by_role("link", name="Pièces justificatives →").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pièces justificatives", timeout=WAIT)
    assert_accessible_structure(page)
    upload(page, "Pièce d'identité", identity_pdf)
    upload(page, "Contrat de travail", contract_pdf)
    upload(page, "Attestation d'expérience de l'employeur", attestation_png)
    page.get_by_role("link", name="Vérifier et déposer →").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier et déposer", timeout=WAIT)
    assert_accessible_structure(page)
    expect(page.get_by_text("Votre dossier est complet")).to_be_visible()
    expect(page.get_by_text("Il reste des éléments à compléter")).to_have_count(0)
    review_table = page.locator("table.eligibility-table")
    expect(review_table.locator("tfoot tr").first).to_contain_text("3000")
    expect(review_table).to_contain_text("Condition des 1607 heures remplie")
    page.get_by_role("button", name="Déposer mon dossier auprès d'AUVICOM").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NUMBER_RE, timeout=WAIT)
    number = NUMBER_RE.search(page.get_by_role("heading", level=1).inner_text()).group()
    assert number.startswith(f"CQPT-{today.year}-")
    expect(page.get_by_role("status").filter(has_text=f"sous le numéro {number}")).to_be_visible()
    assert_accessible_structure(page)

    # --- the reviewer claims it, opens a document, declares it incomplete ----------------
    login_through_ui(reviewer_page, REVIEWER, DEMO_PASSWORD)
    expect(reviewer_page).to_have_url(re.compile(re.escape(reverse("candidates:auvicom_dashboard"))), timeout=WAIT)
    open_in_queue(reviewer_page, number)
    reviewer_page.get_by_role("button", name="Prendre en charge").click()
    expect(reviewer_page.get_by_role("status").filter(has_text="Vous avez pris en charge")).to_be_visible(timeout=WAIT)

    preview = reviewer_page.get_by_role("link", name=f"Pièce d'identité – {identity_pdf.name}")
    with reviewer_page.expect_response(re.compile(r"/document/\d+/$")) as shown:
        preview.click()
    expect(reviewer_page.locator("iframe[title*='Pièce d']")).to_be_visible(timeout=WAIT)
    response = shown.value
    assert response.status == 200
    assert response.header_value("content-type") == "application/pdf"
    assert response.header_value("content-disposition").startswith("inline")
    # The same document, fetched with the reviewer's session: the PDF itself.
    href = reviewer_page.locator("#apercu iframe").get_attribute("src")
    fetched = reviewer_page.context.request.get(href)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.body() == identity_pdf.read_bytes()

    incomplete = reviewer_page.locator("form").filter(
        has=reviewer_page.get_by_role("heading", name="Déclarer incomplet")
    )
    missing = "Bulletin de salaire du dernier mois"
    incomplete.get_by_label("Autres éléments manquants").fill(missing)
    incomplete.get_by_role("button", name="Déclarer incomplet").click()
    expect(reviewer_page.get_by_role("status").filter(has_text="déclaré incomplet")).to_be_visible(timeout=WAIT)

    # --- the candidate sees what is missing, completes and resubmits --------------------
    page.goto(reverse("candidates:dashboard"))
    expect(page.get_by_text("Incomplet, à compléter").first).to_be_visible(timeout=WAIT)
    assert unread_count(page) > unread_at_start, "the header counts the new notifications"
    page.get_by_role("link", name="Compléter mon dossier").click()
    requested = page.get_by_role("region", name="Éléments demandés par AUVICOM")
    expect(requested).to_contain_text(missing, timeout=WAIT)
    page.get_by_role("navigation", name="Étapes du dossier").get_by_role("link", name="Pièces justificatives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pièces justificatives", timeout=WAIT)
    upload(page, "Autre justificatif", payslip_pdf)
    page.get_by_role("link", name="Vérifier et déposer →").click()
    page.get_by_role("button", name="Déposer mon dossier auprès d'AUVICOM").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {number}", timeout=WAIT)
    expect(page.get_by_text("Déposé, en attente d'examen").first).to_be_visible()

    # --- the reviewer claims it again and declares it admissible ------------------------
    open_in_queue(reviewer_page, number)
    expect(reviewer_page.get_by_text("dépôt n°2").first).to_be_visible()
    reviewer_page.get_by_role("button", name="Prendre en charge").click()
    expect(reviewer_page.get_by_role("status").filter(has_text="Vous avez pris en charge")).to_be_visible(timeout=WAIT)
    admissible = reviewer_page.locator("form").filter(
        has=reviewer_page.get_by_role("heading", name="Déclarer recevable")
    )
    admissible.get_by_role("button", name="Déclarer recevable").click()
    expect(reviewer_page.get_by_role("status").filter(has_text="déclaré recevable")).to_be_visible(timeout=WAIT)

    # --- the candidate's path shows the dossier admissible ------------------------------
    unread_before = unread_count(page)
    page.goto(reverse("candidates:dashboard"))
    assert unread_count(page) > unread_before
    expect(page.locator("main .badge").filter(has_text="Recevable")).to_be_visible(timeout=WAIT)
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li.done").filter(has_text="Recevabilité (AUVICOM)")).to_contain_text("Recevable")
    expect(timeline.locator("li[aria-current=step]")).to_contain_text("Organisme évaluateur")
