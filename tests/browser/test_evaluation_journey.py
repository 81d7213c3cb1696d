"""Issue 7's acceptance test, through the UI in Chromium: the evaluation from assignment to the CPNE.

AUVICOM assigns the admissible dossier of the demo candidate; the demo
organisation's manager accepts and names the demo evaluator; the candidate
uploads evidence for two competencies and submits it; the evaluator assesses
the competencies and closes phase 1, records the quiz result, schedules the
mise en situation, fills its grid, uploads the signed grid and closes it,
writes the synthesis; the manager transmits it. The candidate's timeline shows
each step; the pages visited have one h1, landmarks and labelled fields.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidates.demo import demo_dossier_submit
from candidates.enums import DossierState
from candidates.models import Dossier
from candidates.workflow import apply_transition
from catalogue.models import Competency
from cqpt_portal.accounts.demo import DEMO_PASSWORD
from cqpt_portal.accounts.models import User
from demo.services import demo_accounts_seed
from evaluation.enums import EvaluationState
from tests.browser.conftest import login_through_ui
from tests.browser.test_candidacy_journey import assert_accessible_structure, make_pdf

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT = 10_000
ORGANISATION = "Institut de Certification Télécom"


@pytest.fixture
def people(browser, live_server, settings, tmp_path):
    """One logged-in browser context per person (own cookies), on the demo accounts and catalogue."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.DEMO_MODE = True
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_funding_schemes", verbosity=0)
    demo_accounts_seed()
    contexts, pages = [], {}
    for who, email in (
        ("candidate", "candidat@demo.cqpt.fr"),
        ("auvicom", "auvicom@demo.cqpt.fr"),
        ("manager", "responsable-oe@demo.cqpt.fr"),
        ("evaluator", "evaluateur@demo.cqpt.fr"),
    ):
        context = browser.new_context(locale="fr-FR", base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        login_through_ui(page, email, DEMO_PASSWORD)
        pages[who] = page
    yield pages
    for context in contexts:
        context.close()


def _form(page, transition: str):
    return page.locator("form", has=page.locator(f"input[name=transition][value={transition}]"))


def _success(page, text: str) -> None:
    expect(page.locator("main").get_by_text(text, exact=False).first).to_be_visible(timeout=WAIT)


def _timeline_shows(page, *texts: str) -> None:
    page.goto(reverse("candidates:dashboard"))
    assert_accessible_structure(page)
    for text in texts:
        expect(page.locator("main").get_by_text(text, exact=False).first).to_be_visible(timeout=WAIT)


def _assess_all(page, evaluation_pk: int, phase: str, result_label: str) -> None:
    page.goto(reverse("evaluation:assess", args=[evaluation_pk, phase]))
    assert_accessible_structure(page)
    selects = page.locator("main select")
    for index in range(selects.count()):
        selects.nth(index).select_option(label=result_label)
    page.get_by_role("button", name="Enregistrer les résultats").click()
    page.wait_for_load_state()


def test_evaluation_from_assignment_to_the_cpne_through_the_ui(people, tmp_path):
    candidate_user = User.objects.get(email="candidat@demo.cqpt.fr")
    reviewer = User.objects.get(email="auvicom@demo.cqpt.fr")
    dossier = demo_dossier_submit(user=candidate_user, cqpt_code="ccad", siret="73282932000074", hours=2400)
    apply_transition(dossier_id=dossier.pk, name="claim", actor=reviewer)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=reviewer)
    candidate, auvicom, manager, evaluator = (people[k] for k in ("candidate", "auvicom", "manager", "evaluator"))

    # AUVICOM assigns the organisation.
    auvicom.goto(reverse("evaluation:assignment", args=[dossier.pk]))
    assert_accessible_structure(auvicom)
    auvicom.get_by_label(re.compile(ORGANISATION)).check()
    auvicom.get_by_role("button", name="Désigner cet organisme").click()
    auvicom.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATOR_ASSIGNED
    evaluation = dossier.evaluation
    _timeline_shows(candidate, "Organisme désigné, en attente de sa réponse")

    # The manager accepts and names the demo evaluator, from the dashboard.
    manager.goto(reverse("evaluation:manager_dashboard"))
    assert_accessible_structure(manager)
    accept = _form(manager, "accept_assignment")
    named = User.objects.get(email="evaluateur@demo.cqpt.fr")
    accept.get_by_label("Évaluateur qui accompagnera le candidat").select_option(value=str(named.pk))
    accept.get_by_role("button", name="Accepter et nommer l'évaluateur").click()
    _success(manager, "L'évaluation est acceptée")
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.IN_PROGRESS and evaluation.evaluator.email == "evaluateur@demo.cqpt.fr"
    _timeline_shows(candidate, f"{ORGANISATION} – Élodie Robert", "À vous : déposez vos preuves")

    # The candidate uploads evidence for two competencies and submits the dossier de preuves.
    competencies = list(Competency.objects.filter(block__cqpt=dossier.cqpt).order_by("block__position", "position"))
    detail = reverse("evaluation:detail", args=[evaluation.pk])
    candidate.get_by_role("link", name=re.compile("^Ouvrir mon évaluation")).click()  # from the dashboard
    expect(candidate).to_have_url(re.compile(re.escape(detail) + "$"), timeout=WAIT)
    assert_accessible_structure(candidate)
    for number, competency in enumerate(competencies[:2], start=1):
        proof = tmp_path / f"preuve-{number}.pdf"
        proof.write_bytes(make_pdf())
        form = candidate.locator("form", has=candidate.get_by_role("button", name="Ajouter la preuve"))
        form.get_by_label("Fichier (PDF, JPEG ou PNG").set_input_files(str(proof))
        form.get_by_label("Situation prouvée").fill(f"Situation n° {number} : un client accompagné jusqu'au bout.")
        form.get_by_label(re.compile(re.escape(competency.title))).check()
        form.get_by_role("button", name="Ajouter la preuve").click()
        expect(candidate.locator("main").get_by_text(proof.name).first).to_be_visible(timeout=WAIT)
    _form(candidate, "submit_evidence").get_by_role("button", name="Remettre mon dossier de preuves").click()
    _success(candidate, "Votre dossier de preuves est remis")
    _timeline_shows(candidate, "Votre évaluateur examine vos preuves.")

    # The evaluator assesses the competencies and closes phase 1.
    _assess_all(evaluator, evaluation.pk, "evidence", "Acquise")
    evaluator.goto(detail)
    assert_accessible_structure(evaluator)
    close = _form(evaluator, "close_evidence")
    close.get_by_label("Résultat de la phase").select_option(label="Réussie")
    close.get_by_role("button", name="Clôturer le dossier de preuves").click()
    _success(evaluator, "Le dossier de preuves est clôturé")

    # The quiz's result.
    quiz = _form(evaluator, "record_quiz_result")
    quiz.get_by_label("Réussie", exact=True).check()
    quiz.get_by_label("Score (en %)").fill("78")
    quiz.get_by_role("button", name="Enregistrer le résultat du quiz").click()
    _success(evaluator, "Le résultat du quiz est enregistré")
    _timeline_shows(candidate, "Votre évaluateur va planifier la mise en situation")

    # The mise en situation: scheduled, grid filled, signed grid uploaded, closed.
    when = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=9, minute=30)
    schedule = _form(evaluator, "schedule_workplace")
    schedule.get_by_label("Date et heure").fill(when.strftime("%Y-%m-%dT%H:%M"))
    schedule.get_by_label("Adresse du site de l'entreprise").fill("Télécom Horizon\n12 avenue de la République, Paris")
    schedule.get_by_label("Pendant le temps de travail").check()
    schedule.get_by_role("button", name="Planifier la mise en situation").click()
    _success(evaluator, "La mise en situation est planifiée")
    _timeline_shows(candidate, "Mise en situation sur le site de l'entreprise", "Présentez-vous sur le site")

    _assess_all(evaluator, evaluation.pk, "workplace", "Acquise")
    grid = tmp_path / "grille-signee.pdf"
    grid.write_bytes(make_pdf())
    evaluator.goto(detail)
    evaluator.locator("#id_grid").set_input_files(str(grid))
    evaluator.get_by_role("button", name="Déposer la grille").click()
    evaluator.wait_for_load_state()
    evaluator.goto(detail)
    expect(evaluator.locator("#workplace").get_by_role("link", name="grille-signee.pdf")).to_be_visible(timeout=WAIT)
    close = _form(evaluator, "close_workplace")
    close.get_by_label("Réussie", exact=True).check()
    close.get_by_role("button", name="Clôturer la mise en situation").click()
    _success(evaluator, "La mise en situation est clôturée")
    _timeline_shows(candidate, "Votre évaluateur rédige la synthèse")

    # The synthesis, written by the evaluator and transmitted by the manager.
    synthesis = reverse("evaluation:synthesis", args=[evaluation.pk])
    evaluator.goto(synthesis)
    assert_accessible_structure(evaluator)
    for block in dossier.cqpt.blocks.order_by("position"):
        evaluator.locator(f"input[name=block_{block.pk}][value=acquired]").check()
    evaluator.get_by_label("Favorable", exact=True).check()
    evaluator.get_by_label("Justification de l'avis").fill("Chaque compétence est acquise en preuves et sur site.")
    evaluator.get_by_role("button", name="Enregistrer la synthèse").click()
    evaluator.wait_for_load_state()

    manager.goto(synthesis)
    assert_accessible_structure(manager)
    transmit = _form(manager, "transmit")
    transmit.get_by_label("Je confirme la transmission").check()
    transmit.get_by_role("button", name="Transmettre la synthèse à la CPNE").click()
    _success(manager, "La synthèse est transmise à la CPNE")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.state == DossierState.TRANSMITTED_TO_CPNE
    assert dossier.evaluation.followed_in_full_at is not None
    _timeline_shows(candidate, "Résultats transmis le", "Vos résultats sont entre les mains de la CPNE")
