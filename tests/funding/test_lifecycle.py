"""The fee's life through the real evaluation: recorded at assignment, due when followed in full, not due when the
dossier ends before; one record per evaluation; the scheme's correction."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from candidates.workflow import DOSSIER_WORKFLOW
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from evaluation.workflow import EVALUATION_WORKFLOW
from funding.enums import FeeState, NotDueReason, Payer
from funding.models import Fee
from funding.services import dossier_scheme_change, statements_create
from funding.workflow import FEE_WORKFLOW
from tests.evaluation.support import manager_of, organisation
from tests.factories import VALID_SIRETS

from .support import Setup, abandon, cif_scheme, covered_scheme, due_fee, employer_scheme, funding_officer, transmit

pytestmark = pytest.mark.django_db


def test_assignment_records_the_fee_auvicom_pays_the_flat_fee_to_the_organisation():
    setup = Setup(funding_scheme=covered_scheme())
    evaluation = setup.assign()
    fee = Fee.objects.get(evaluation=evaluation)
    assert fee.payer == Payer.AUVICOM
    assert fee.amount == Decimal("300.00") and isinstance(fee.amount, Decimal)
    assert fee.organisation == setup.org
    assert fee.state == FeeState.COMMITTED
    assert fee.company_id == setup.dossier.company_id
    assert AuditEvent.objects.for_object(fee).filter(action="create").exists()


def test_plan_de_formation_the_employer_pays():
    setup = Setup(funding_scheme=employer_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    assert fee.payer == Payer.EMPLOYER
    assert fee.amount == Decimal("0.00")


def test_cif_records_nothing():
    setup = Setup(funding_scheme=cif_scheme())
    setup.assign()
    assert not Fee.objects.exists()


def test_followed_in_full_makes_the_fee_due(django_capture_on_commit_callbacks):
    setup = Setup(funding_scheme=covered_scheme())
    with django_capture_on_commit_callbacks(execute=True):
        transmit(setup)
    fee = Fee.objects.get(evaluation=setup.evaluation)
    assert fee.state == FeeState.DUE
    assert fee.due_at == setup.evaluation.followed_in_full_at
    assert list(AuditEvent.objects.for_object(fee).values_list("action", flat=True)) == ["create", "become_due"]
    assert not fee.attestation  # AUVICOM pays: no employer's attestation


def test_employer_paid_fee_gets_its_attestation_when_followed_in_full(django_capture_on_commit_callbacks):
    setup = Setup(funding_scheme=employer_scheme())
    with django_capture_on_commit_callbacks(execute=True):
        transmit(setup)
    fee = Fee.objects.get(evaluation=setup.evaluation)
    assert fee.state == FeeState.DUE
    assert fee.attestation
    with fee.attestation.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_abandoned_evaluation_fee_is_not_due_with_the_reason():
    setup = Setup(funding_scheme=covered_scheme())
    setup.accept()
    abandon(setup)
    fee = Fee.objects.get(evaluation=setup.evaluation)
    assert fee.state == FeeState.NOT_DUE
    assert fee.not_due_reason == NotDueReason.ABANDONED


def test_abandoned_after_the_three_phases_but_before_transmission_is_not_due():
    setup = Setup(funding_scheme=covered_scheme())
    setup.complete_phases()
    abandon(setup)
    assert Fee.objects.get(evaluation=setup.evaluation).state == FeeState.NOT_DUE


def test_withdrawn_dossier_fee_is_not_due():
    setup = Setup(funding_scheme=covered_scheme())
    setup.accept()
    DOSSIER_WORKFLOW.apply(pk=setup.dossier.pk, name="withdraw", actor=setup.dossier.candidate, comment="Je pars.")
    fee = Fee.objects.get(evaluation=setup.evaluation)
    assert fee.state == FeeState.NOT_DUE
    assert fee.not_due_reason == NotDueReason.WITHDRAWN
    event = AuditEvent.objects.for_object(fee).get(action="not_due")
    assert event.comment == "Je pars."


def test_withdrawn_after_transmission_stays_due():
    setup, fee = due_fee()
    DOSSIER_WORKFLOW.apply(pk=setup.dossier.pk, name="withdraw", actor=setup.dossier.candidate, comment="Fin.")
    fee.refresh_from_db()
    assert fee.state == FeeState.DUE


def test_reassignment_after_a_decline_keeps_one_record_that_follows_the_organisation():
    setup = Setup(funding_scheme=covered_scheme())
    evaluation = setup.assign()
    EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="decline_assignment", actor=setup.manager, comment="Complet.")
    other = organisation(setup.cqpt, siret=VALID_SIRETS[3], name="Autre organisme")
    manager_of(other)
    from evaluation.services.assignment import evaluation_assign

    evaluation_assign(dossier_id=setup.dossier.pk, organisation_id=other.pk, actor=setup.reviewer)
    assert Fee.objects.filter(evaluation=evaluation).count() == 1
    fee = Fee.objects.get(evaluation=evaluation)
    assert fee.organisation == other
    change = AuditEvent.objects.for_object(fee).get(action="change_payee")
    assert change.extra["from_organisation"] == setup.org.pk
    assert change.extra["organisation"] == other.pk


def test_one_record_per_evaluation_is_a_database_constraint():
    setup = Setup(funding_scheme=covered_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    with pytest.raises(IntegrityError), transaction.atomic():
        Fee.objects.create(evaluation=fee.evaluation, payer=Payer.AUVICOM, amount=Decimal("1"), organisation=setup.org)


def test_system_transitions_refuse_a_fee_in_the_wrong_state():
    setup, fee = due_fee()
    with pytest.raises(ActionRefused):
        FEE_WORKFLOW.apply(pk=fee.pk, name="not_due", actor=setup.manager, data={"reason": NotDueReason.ABANDONED})


def test_scheme_changed_by_the_funding_officer_recomputes_who_pays():
    setup = Setup(funding_scheme=employer_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    officer = funding_officer()
    scheme = covered_scheme()
    dossier_scheme_change(dossier_id=setup.dossier.pk, scheme_id=scheme.pk, comment="Contrat pro signé.", actor=officer)
    fee.refresh_from_db()
    setup.dossier.refresh_from_db()
    assert setup.dossier.funding_scheme == scheme
    assert (fee.payer, fee.amount, fee.state) == (Payer.AUVICOM, Decimal("300.00"), FeeState.COMMITTED)
    event = AuditEvent.objects.for_object(fee).get(action="recompute")
    assert event.comment == "Contrat pro signé."
    assert event.extra["from_payer"] == Payer.EMPLOYER
    assert AuditEvent.objects.for_object(setup.dossier).filter(action="funding_scheme_changed").exists()


def test_scheme_change_needs_a_reason_and_the_officer():
    setup = Setup(funding_scheme=employer_scheme())
    setup.assign()
    scheme = covered_scheme()
    with pytest.raises(ActionRefused):
        dossier_scheme_change(dossier_id=setup.dossier.pk, scheme_id=scheme.pk, comment=" ", actor=funding_officer())
    with pytest.raises(ActionRefused):
        dossier_scheme_change(dossier_id=setup.dossier.pk, scheme_id=scheme.pk, comment="x", actor=setup.reviewer)


def test_scheme_change_to_cif_makes_the_fee_not_due_and_back_revives_it():
    setup = Setup(funding_scheme=covered_scheme())
    fee = Fee.objects.get(evaluation=setup.assign())
    officer = funding_officer()
    cif = cif_scheme()
    dossier_scheme_change(dossier_id=setup.dossier.pk, scheme_id=cif.pk, comment="CIF en fait.", actor=officer)
    fee.refresh_from_db()
    assert (fee.state, fee.not_due_reason) == (FeeState.NOT_DUE, NotDueReason.HANDLED_ELSEWHERE)
    dossier_scheme_change(
        dossier_id=setup.dossier.pk, scheme_id=covered_scheme().pk, comment="Erreur corrigée.", actor=officer
    )
    fee.refresh_from_db()
    assert (fee.state, fee.payer) == (FeeState.COMMITTED, Payer.AUVICOM)


def test_scheme_change_from_cif_creates_the_missing_fee():
    setup = Setup(funding_scheme=cif_scheme())
    setup.assign()
    assert not Fee.objects.exists()
    dossier_scheme_change(
        dossier_id=setup.dossier.pk, scheme_id=covered_scheme().pk, comment="Pas un CIF.", actor=funding_officer()
    )
    fee = Fee.objects.get(evaluation=setup.evaluation)
    assert (fee.state, fee.payer, fee.organisation) == (FeeState.COMMITTED, Payer.AUVICOM, setup.org)


def test_nothing_already_paid_changes_and_a_fee_on_a_statement_must_be_freed_first(django_capture_on_commit_callbacks):
    from funding.workflow import STATEMENT_WORKFLOW

    setup, fee = due_fee()
    officer = funding_officer()
    with django_capture_on_commit_callbacks(execute=True):
        [statement] = statements_create(actor=officer)
    with pytest.raises(ActionRefused):
        dossier_scheme_change(
            dossier_id=setup.dossier.pk, scheme_id=employer_scheme().pk, comment="Plan.", actor=officer
        )
    import datetime

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        STATEMENT_WORKFLOW.apply(
            pk=statement.pk,
            name="mark_statement_paid",
            actor=officer,
            data={"paid_on": timezone.localdate(), "reference": "VIR-1"},
        )
    dossier_scheme_change(dossier_id=setup.dossier.pk, scheme_id=employer_scheme().pk, comment="Plan.", actor=officer)
    fee.refresh_from_db()
    assert (fee.state, fee.payer, fee.amount) == (FeeState.PAID, Payer.AUVICOM, Decimal("300.00"))
    assert datetime.date.today() >= fee.paid_on


def test_the_scheme_correction_is_named_in_the_audit_trail():
    from cqpt_portal.audit.labels import action_label

    assert action_label("candidates.dossier", "funding_scheme_changed") == "Dispositif de financement corrigé"
