"""Payment statements: numbered, a fee in one only, PDF by Celery and CSV, paid marks the fees paid, cancelled frees them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from funding.enums import FeeState, StatementState
from funding.models import Fee, Statement, StatementLine
from funding.services import statements_create
from funding.workflow import STATEMENT_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import manager_of, organisation
from tests.factories import VALID_SIRETS

from .support import Setup, bulk_fees, covered_scheme, due_fee, funding_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return funding_officer()


def pay(statement, officer, *, paid_on=None, reference="VIR-2026-001"):
    return STATEMENT_WORKFLOW.apply(
        pk=statement.pk,
        name="mark_statement_paid",
        actor=officer,
        data={"paid_on": paid_on or timezone.localdate(), "reference": reference},
    )


def test_statement_gathers_the_due_auvicom_fees_of_one_organisation(officer, django_capture_on_commit_callbacks):
    setup, fee = due_fee()
    other_org = organisation(setup.cqpt, siret=VALID_SIRETS[3], name="Autre")
    [other_fee] = bulk_fees(1, org=other_org, scheme=fee.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        [statement] = statements_create(actor=officer, organisation_id=setup.org.pk)
    year = timezone.localdate().year
    assert statement.number == f"RP-{year}-00001"
    assert (statement.organisation, statement.total, statement.fee_count) == (setup.org, Decimal("300.00"), 1)
    fee.refresh_from_db()
    other_fee.refresh_from_db()
    assert fee.state == FeeState.IN_STATEMENT
    assert other_fee.state == FeeState.DUE
    statement.refresh_from_db()
    with statement.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert AuditEvent.objects.for_object(statement).filter(action="create").exists()
    assert AuditEvent.objects.for_object(fee).filter(action="include_in_statement").exists()


def test_all_organisations_make_one_numbered_statement_each(officer):
    setup, fee = due_fee()
    other_org = organisation(setup.cqpt, siret=VALID_SIRETS[3], name="Autre")
    bulk_fees(2, org=other_org, scheme=fee.scheme)
    statements = statements_create(actor=officer)
    assert sorted(s.fee_count for s in statements) == [1, 2]
    assert len({s.number for s in statements}) == 2
    assert not Fee.objects.filter(state=FeeState.DUE).exists()
    with pytest.raises(ActionRefused):
        statements_create(actor=officer)  # nothing left to gather


def test_employer_paid_and_committed_fees_are_never_on_a_statement(officer):
    setup = Setup(funding_scheme=covered_scheme())
    setup.assign()
    from funding.enums import Payer

    bulk_fees(1, org=setup.org, scheme=None, payer=Payer.EMPLOYER)
    with pytest.raises(ActionRefused):
        statements_create(actor=officer)


def test_only_the_funding_officer_makes_statements():
    setup, fee = due_fee()
    with pytest.raises(ActionRefused):
        statements_create(actor=setup.manager)


def test_a_fee_is_in_one_statement_only(officer):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)
    other = Statement.objects.create(
        number="RP-X", organisation=setup.org, total=Decimal("0"), fee_count=0, created_by=officer
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementLine.objects.create(statement=other, fee=fee, amount=fee.amount)


def test_paying_the_statement_pays_its_fees(officer, django_capture_on_commit_callbacks):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        pay(statement, officer, reference="VIR-42")
    statement.refresh_from_db()
    fee.refresh_from_db()
    assert statement.state == StatementState.PAID
    assert (fee.state, fee.paid_on, fee.payment_reference) == (FeeState.PAID, timezone.localdate(), "VIR-42")
    assert statement.pdf


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"paid_on": None, "reference": "V"}, "paid_on"),
        ({"paid_on": datetime.date(2100, 1, 1), "reference": "V"}, "paid_on"),
        ({"paid_on": datetime.date(2000, 1, 1), "reference": "V"}, "paid_on"),
        ({"paid_on": "today", "reference": "  "}, "reference"),
    ],
)
def test_paying_needs_a_plausible_date_and_a_reference(officer, data, field):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)
    if data["paid_on"] == "today":
        data["paid_on"] = timezone.localdate()
    with pytest.raises(ActionRefused) as refused:
        STATEMENT_WORKFLOW.apply(pk=statement.pk, name="mark_statement_paid", actor=officer, data=data)
    assert field in refused.value.fields
    fee.refresh_from_db()
    assert fee.state == FeeState.IN_STATEMENT


def test_cancelling_frees_the_fees_for_another_statement(officer):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)
    STATEMENT_WORKFLOW.apply(pk=statement.pk, name="cancel_statement", actor=officer, comment="Erreur de période.")
    fee.refresh_from_db()
    statement.refresh_from_db()
    assert fee.state == FeeState.DUE
    assert statement.state == StatementState.CANCELLED
    assert statement.lines.count() == 1 and not statement.lines.filter(is_active=True).exists()
    [again] = statements_create(actor=officer)
    assert again.number != statement.number
    fee.refresh_from_db()
    assert fee.state == FeeState.IN_STATEMENT


def test_a_paid_statement_cannot_be_cancelled(officer):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)
    pay(statement, officer)
    with pytest.raises(ActionRefused):
        STATEMENT_WORKFLOW.apply(pk=statement.pk, name="cancel_statement", actor=officer, comment="Trop tard.")


def test_csv_for_the_accounting_software(client, officer):
    setup, fee = due_fee()
    dossier = setup.dossier
    dossier.last_name = "=HYPERLINK(1)"
    dossier.save(update_fields=["last_name"])
    [statement] = statements_create(actor=officer)
    login(client, officer)
    response = client.get(reverse("funding:statement_csv", args=[statement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Relevé"
    assert rows[1][0] == statement.number
    assert rows[1][3] == dossier.number
    assert rows[1][4].startswith("'")  # formula neutralised
    assert rows[1][9] == "300,00"
    assert rows[-1][0] == "Total" and rows[-1][9] == "300,00"


def test_pdf_download_is_the_stored_file(client, officer, django_capture_on_commit_callbacks):
    setup, fee = due_fee()
    with django_capture_on_commit_callbacks(execute=True):
        [statement] = statements_create(actor=officer)
    login(client, officer)
    response = client.get(reverse("funding:statement_pdf", args=[statement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    manager = setup.manager
    login(client, manager)
    assert client.get(reverse("funding:statement_pdf", args=[statement.pk])).status_code == 200
    stranger = manager_of(organisation(setup.cqpt, siret=VALID_SIRETS[3], name="Autre"))
    login(client, stranger)
    assert client.get(reverse("funding:statement_pdf", args=[statement.pk])).status_code == 403


def test_pdf_not_built_yet_says_so(client, officer):
    setup, fee = due_fee()
    [statement] = statements_create(actor=officer)  # on_commit never runs here: no PDF yet
    login(client, officer)
    response = client.get(reverse("funding:statement_pdf", args=[statement.pk]), follow=True)
    assert "en préparation" in response.content.decode()
