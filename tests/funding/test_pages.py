"""Every funding page: who may open it (and who may not), what it shows, and its query count whatever the data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.accounts.enums import Role
from funding.enums import FeeState, Payer, StatementState
from funding.models import Fee
from funding.services import statements_create
from tests.conftest import login
from tests.evaluation.support import cqpt_with_grid, evaluator_of, manager_of, organisation
from tests.factories import VALID_SIRETS, CompanyFactory, EmployerFactory, UserFactory

from .support import Setup, bulk_fees, covered_scheme, due_fee, employer_scheme, funding_officer, transmit

pytestmark = pytest.mark.django_db


def verified_employer(company):
    return EmployerFactory(company=company, company_verified_at=timezone.now())


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A due AUVICOM fee on a statement, and an employer-paid evaluation followed in full, with every audience."""
    setup, fee = due_fee()
    officer = funding_officer()
    with django_capture_on_commit_callbacks(execute=True):
        [statement] = statements_create(actor=officer)
    employer_setup = Setup(funding_scheme=employer_scheme())
    setup.org.cqpts.add(employer_setup.cqpt)
    employer_setup.org = setup.org
    with django_capture_on_commit_callbacks(execute=True):
        employer_setup.evaluator = setup.evaluator
        employer_setup.manager = setup.manager
        transmit(employer_setup)
    employer_fee = Fee.objects.get(evaluation=employer_setup.evaluation)
    stranger_org = organisation(setup.cqpt, siret=VALID_SIRETS[3], name="Autre organisme")
    return {
        "setup": setup,
        "fee": fee,
        "statement": statement,
        "employer_fee": employer_fee,
        "officer": officer,
        "admin": UserFactory(role=Role.ADMIN),
        "manager": setup.manager,
        "evaluator": setup.evaluator,
        "reviewer": setup.reviewer,
        "candidate": setup.dossier.candidate,
        "employer": verified_employer(employer_setup.dossier.company),
        "other_employer": verified_employer(CompanyFactory()),
        "other_manager": manager_of(stranger_org),
        "other_evaluator": evaluator_of(stranger_org),
    }


def pages(w):
    return {
        "dashboard": reverse("funding:dashboard"),
        "fees": reverse("funding:fees"),
        "fee": reverse("funding:fee", args=[w["fee"].pk]),
        "employer_fee": reverse("funding:fee", args=[w["employer_fee"].pk]),
        "attestation": reverse("funding:attestation", args=[w["employer_fee"].pk]),
        "statements": reverse("funding:statements"),
        "statement": reverse("funding:statement", args=[w["statement"].pk]),
        "statement_pdf": reverse("funding:statement_pdf", args=[w["statement"].pk]),
        "statement_csv": reverse("funding:statement_csv", args=[w["statement"].pk]),
        "organisation": reverse("funding:organisation"),
        "employer": reverse("funding:employer"),
    }


# Who may open each page (the others get 403).
ALLOWED = {
    "dashboard": {"officer", "admin"},
    "fees": {"officer", "admin"},
    "fee": {"officer", "admin", "manager"},
    "employer_fee": {"officer", "admin", "manager", "employer"},
    "attestation": {"officer", "admin", "manager", "employer"},
    "statements": {"officer", "admin"},
    "statement": {"officer", "admin", "manager"},
    "statement_pdf": {"officer", "admin", "manager"},
    "statement_csv": {"officer", "admin", "manager"},
    "organisation": {"manager", "other_manager"},
    "employer": {"employer", "other_employer"},
}
USERS = [
    "officer",
    "admin",
    "manager",
    "evaluator",
    "reviewer",
    "candidate",
    "employer",
    "other_employer",
    "other_manager",
    "other_evaluator",
]


def test_page_permissions(client, world):
    """One world for every page (it takes PDFs to build): anonymous → login, allowed → 200, the others → 403."""
    problems = []
    for page, url in pages(world).items():
        response = client.get(url)
        if response.status_code != 302 or reverse("accounts:login") not in response["Location"]:
            problems.append(f"{page} for anonymous: {response.status_code}")
        for who in USERS:
            login(client, world[who])
            status = client.get(url).status_code
            expected = 200 if who in ALLOWED[page] else 403
            if status != expected:
                problems.append(f"{page} for {who}: {status}, expected {expected}")
            client.logout()
    assert not problems, problems
    assert set(pages(world)) == set(ALLOWED)


def test_manager_sees_the_fees_and_statements_of_the_organisation(client, world):
    login(client, world["manager"])
    text = client.get(reverse("funding:organisation")).content.decode()
    assert world["statement"].number in text
    assert world["setup"].dossier.number in text
    login(client, world["other_manager"])
    text = client.get(reverse("funding:organisation")).content.decode()
    assert world["statement"].number not in text
    assert world["setup"].dossier.number not in text


def test_employer_sees_what_it_pays_for_and_gets_the_attestation(client, world):
    login(client, world["employer"])
    text = client.get(reverse("funding:employer")).content.decode()
    assert world["employer_fee"].evaluation.dossier.number in text
    assert world["setup"].dossier.number not in text  # AUVICOM pays that one
    response = client.get(reverse("funding:attestation", args=[world["employer_fee"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")


def test_attestation_text_names_the_three_phases(world):
    from pypdf import PdfReader

    fee = world["employer_fee"]
    with fee.attestation.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "Dossier de preuves" in text and "Quiz" in text and "Mise en situation" in text
    assert fee.evaluation.dossier.number in text


def test_no_attestation_before_the_evaluation_is_followed_in_full(client):
    setup = Setup(funding_scheme=employer_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    employer = verified_employer(setup.dossier.company)
    login(client, employer)
    assert client.get(reverse("funding:attestation", args=[fee.pk])).status_code == 403


def test_statement_page_pays_through_its_form(client, world):
    login(client, world["officer"])
    url = reverse("funding:statement_transition", args=[world["statement"].pk])
    bad = client.post(
        url,
        {"transition": "mark_statement_paid", "mark_statement_paid-paid_on": "", "mark_statement_paid-reference": "X"},
    )
    assert bad.status_code == 400
    assert "Date du virement" in bad.content.decode()
    response = client.post(
        url,
        {
            "transition": "mark_statement_paid",
            "mark_statement_paid-paid_on": timezone.localdate().isoformat(),
            "mark_statement_paid-reference": "VIR-77",
        },
    )
    assert response.status_code == 302
    world["statement"].refresh_from_db()
    assert world["statement"].state == StatementState.PAID
    world["fee"].refresh_from_db()
    assert world["fee"].state == FeeState.PAID


def test_the_manager_cannot_pay_or_cancel_a_statement(client, world):
    login(client, world["manager"])
    url = reverse("funding:statement_transition", args=[world["statement"].pk])
    response = client.post(url, {"transition": "cancel_statement", "cancel_statement-reason": "Non."}, follow=True)
    assert "Votre rôle ne permet pas cette action" in response.content.decode()
    world["statement"].refresh_from_db()
    assert world["statement"].state == StatementState.ISSUED


def test_cancel_needs_a_reason_shown_next_to_the_field(client, world):
    login(client, world["officer"])
    url = reverse("funding:statement_transition", args=[world["statement"].pk])
    response = client.post(url, {"transition": "cancel_statement", "cancel_statement-reason": ""})
    assert response.status_code == 400
    assert (
        'id="error_1_id_cancel_statement-reason"' in response.content.decode()
        or "obligatoire" in response.content.decode()
    )


def test_statement_list_creates_a_statement(client):
    setup, fee = due_fee()
    officer = funding_officer()
    login(client, officer)
    response = client.post(reverse("funding:statements"), {"new-organisation": setup.org.pk, "new-due_until": ""})
    assert response.status_code == 302
    fee.refresh_from_db()
    assert fee.state == FeeState.IN_STATEMENT
    again = client.post(reverse("funding:statements"), {"new-organisation": "", "new-due_until": ""})
    assert again.status_code == 400
    assert "Aucun forfait dû" in again.content.decode()


def test_scheme_change_page(client):
    setup = Setup(funding_scheme=employer_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    officer = funding_officer()
    scheme = covered_scheme()
    login(client, officer)
    url = reverse("funding:fee_scheme", args=[fee.pk])
    missing = client.post(url, {"scheme-scheme": scheme.pk, "scheme-reason": ""})
    assert missing.status_code == 400
    response = client.post(url, {"scheme-scheme": scheme.pk, "scheme-reason": "Contrat pro."})
    assert response.status_code == 302
    fee.refresh_from_db()
    assert (fee.payer, fee.amount) == (Payer.AUVICOM, Decimal("300.00"))
    login(client, setup.manager)
    assert client.post(url, {"scheme-scheme": scheme.pk, "scheme-reason": "x"}).status_code == 403


def test_dashboard_figures(client):
    setup, fee = due_fee()
    bulk_fees(2, org=setup.org, scheme=fee.scheme, state=FeeState.PAID)
    bulk_fees(1, org=setup.org, scheme=fee.scheme, state=FeeState.COMMITTED)
    login(client, funding_officer())
    response = client.get(reverse("funding:dashboard"))
    totals = response.context["figures"]["totals"]
    assert (totals["owed_count"], totals["owed_amount"]) == (1, Decimal("300.00"))
    assert (totals["paid_count"], totals["paid_amount"]) == (2, Decimal("600.00"))
    assert totals["committed_count"] == 1
    [org_row] = response.context["figures"]["by_organisation"]
    assert org_row["paid_amount"] == Decimal("600.00")


# --- query counts: the same whatever the number of rows ---------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["dashboard", "fees", "organisation", "employer", "statements", "statement"])
def test_query_count_is_constant(client, page):
    cqpt_org = organisation(cqpt_with_grid(), siret=VALID_SIRETS[4])
    scheme = covered_scheme()
    company = CompanyFactory()
    officer = funding_officer()
    manager = manager_of(cqpt_org)
    employer = verified_employer(company)
    user = {"organisation": manager, "employer": employer}.get(page, officer)
    payer = Payer.EMPLOYER if page == "employer" else Payer.AUVICOM

    def url():
        if page == "statement":
            from funding.models import Statement

            return reverse("funding:statement", args=[Statement.objects.latest("pk").pk])
        return reverse(f"funding:{page}")

    def grow(n):
        for state in (FeeState.DUE, FeeState.PAID, FeeState.COMMITTED):
            bulk_fees(n, org=cqpt_org, scheme=scheme, state=state, payer=payer, company=company)
        if page in ("statements", "statement"):
            Fee.objects.filter(state=FeeState.PAID).update(state=FeeState.DUE)
            statements_create(actor=officer, organisation_id=cqpt_org.pk)

    login(client, user)
    grow(1)
    small = _count(client, url())
    grow(17)
    large = _count(client, url())
    assert Fee.objects.count() >= 50
    assert small == large


def test_an_evaluation_without_fee_is_listed_and_its_scheme_corrected(client):
    from .support import cif_scheme

    setup = Setup(funding_scheme=cif_scheme())
    evaluation = setup.assign()
    officer = funding_officer()
    url = reverse("funding:evaluation_scheme", args=[evaluation.pk])
    for who in (setup.manager, setup.reviewer, setup.dossier.candidate):
        login(client, who)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    login(client, officer)
    assert url in client.get(reverse("funding:dashboard")).content.decode()
    assert client.get(url).status_code == 200
    missing = client.post(url, {"scheme-scheme": covered_scheme().pk, "scheme-reason": ""})
    assert missing.status_code == 400
    response = client.post(url, {"scheme-scheme": covered_scheme().pk, "scheme-reason": "Contrat pro, pas CIF."})
    fee = Fee.objects.get(evaluation=evaluation)
    assert response["Location"] == reverse("funding:fee", args=[fee.pk])
    assert (fee.payer, fee.amount, fee.organisation) == (Payer.AUVICOM, Decimal("300.00"), setup.org)
    assert client.get(url)["Location"] == reverse("funding:fee", args=[fee.pk])  # it has a fee now
