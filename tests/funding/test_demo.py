"""seed_demo gives the demo funding officer fees in each state and one paid statement, idempotently."""

import pytest
from django.core.management import call_command

from funding.enums import FeeState, Payer, StatementState
from funding.models import Fee, Statement

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_fees_in_each_state_and_one_paid_statement(settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert set(Fee.objects.values_list("state", flat=True)) == set(FeeState.values)
    assert Statement.objects.filter(state=StatementState.PAID).count() == 1
    assert Statement.objects.filter(state=StatementState.ISSUED).count() == 1
    # One fee per demo evaluation (the evaluation, funding and CPNE demos each make theirs), none twice.
    from evaluation.models import Evaluation

    assert Fee.objects.count() == Evaluation.objects.count()
    assert Fee.objects.values("evaluation").distinct().count() == Fee.objects.count() >= 14
    paid = Statement.objects.get(state=StatementState.PAID)
    assert paid.pdf
    employer_fees = Fee.objects.filter(payer=Payer.EMPLOYER, company__siret="73282932000074").exclude(attestation="")
    assert employer_fees.exists()
