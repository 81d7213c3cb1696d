"""Helpers for the funding tests (no tests here): schemes, and evaluations brought to each stage through the real
services and workflow (tests/evaluation/support.py's Setup)."""

import itertools
from datetime import date
from decimal import Decimal

from cqpt_portal.accounts.enums import Role
from evaluation.enums import AbandonReason
from evaluation.workflow import EVALUATION_WORKFLOW
from funding.enums import FeeState, Payer
from tests.evaluation.support import Setup
from tests.factories import FundingSchemeFactory, UserFactory

_numbers = itertools.count(700000)


def covered_scheme(**kwargs):
    return FundingSchemeFactory(
        code=kwargs.pop("code", "contrat_pro"),
        label=kwargs.pop("label", "Contrat de professionnalisation"),
        covered_by_auvicom=True,
        flat_fee=kwargs.pop("flat_fee", Decimal("300")),
        valid_from=kwargs.pop("valid_from", date(2004, 5, 4)),
        **kwargs,
    )


def employer_scheme():
    return FundingSchemeFactory(code="plan_formation", label="Plan de formation de l'entreprise")


def cif_scheme():
    return FundingSchemeFactory(code="cif", label="CIF (Fongecif)", handled_elsewhere=True)


def funding_officer(**kwargs):
    return UserFactory(role=Role.AUVICOM_FUNDING, **kwargs)


def transmit(setup: Setup):
    """The three phases closed, the synthesis written and transmitted: the evaluation is followed in full."""
    setup.complete_phases()
    setup.write_synthesis()
    setup.evaluation = EVALUATION_WORKFLOW.apply(pk=setup.evaluation.pk, name="transmit", actor=setup.manager)
    return setup.evaluation


def abandon(setup: Setup):
    setup.evaluation = EVALUATION_WORKFLOW.apply(
        pk=setup.evaluation.pk,
        name="abandon",
        actor=setup.evaluator,
        data={"reason": AbandonReason.CANDIDATE_STOPPED},
    )
    return setup.evaluation


def due_fee(scheme=None, **setup_kwargs):
    """A setup whose evaluation is followed in full, and its fee (due)."""
    setup = Setup(funding_scheme=scheme or covered_scheme(), **setup_kwargs)
    transmit(setup)
    return setup, setup.evaluation.fee


def bulk_fees(count, *, org, scheme, state=FeeState.DUE, payer=Payer.AUVICOM, company=None):
    """Many fees at once for the query-count tests (rows only: the lifecycle tests go through the services)."""
    from django.utils import timezone

    from evaluation.models import Evaluation
    from funding.models import Fee
    from tests.factories import DossierFactory

    fees = []
    for _i in range(count):
        dossier = DossierFactory(
            funding_scheme=scheme,
            number=f"CQPT-2026-{next(_numbers):06d}",
            **({"company": company} if company else {}),
        )
        evaluation = Evaluation.objects.create(dossier=dossier, organisation=org)
        fees.append(
            Fee.objects.create(
                evaluation=evaluation,
                payer=payer,
                company=dossier.company,
                scheme=scheme,
                amount=Decimal("300.00"),
                organisation=org,
                state=state,
                due_at=timezone.now() if state != FeeState.COMMITTED else None,
            )
        )
    return fees
