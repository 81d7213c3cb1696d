"""A saved dossier's eligibility counts only the periods in the branch (IDCC 2148), whatever the pure function does."""

from decimal import Decimal

import pytest
from django.utils import timezone

from candidates.services import dossier_eligibility
from candidates.services.dossier import dossier_snapshot, submission_problems
from tests.factories import CompanyFactory, DossierFactory, ExperiencePeriodFactory

pytestmark = pytest.mark.django_db

OUTSIDE_IDCC = "1486"  # Syntec: not the telecommunications branch


def _hours_by_employer(result):
    return {r.period.employer: r.counted_hours for r in result.periods}


def test_a_period_declared_with_an_idcc_outside_the_branch_does_not_count():
    dossier = DossierFactory()
    ExperiencePeriodFactory(dossier=dossier, employer_name="Télécom", hours=1000)
    outside = CompanyFactory(idcc=OUTSIDE_IDCC)
    ExperiencePeriodFactory(
        dossier=dossier,
        employer_name="Bureau d'études",
        siret=outside.siret,
        company=outside,
        idcc=OUTSIDE_IDCC,
        hours=3000,
    )

    result = dossier_eligibility(dossier, reference_date=timezone.localdate())

    assert _hours_by_employer(result) == {"Télécom": Decimal(1000), "Bureau d'études": Decimal(0)}
    assert result.total_hours == 1000
    assert not result.is_eligible


def test_a_period_without_idcc_takes_its_companys_and_does_not_count_outside_the_branch():
    dossier = DossierFactory()
    outside = CompanyFactory(idcc=OUTSIDE_IDCC)
    ExperiencePeriodFactory(
        dossier=dossier, employer_name="Hors branche", siret=outside.siret, idcc="", company=outside, hours=3000
    )

    result = dossier_eligibility(dossier, reference_date=timezone.localdate())

    assert result.total_hours == 0
    assert not result.is_eligible


def test_the_submission_checklist_and_auvicoms_snapshot_leave_the_outside_period_out():
    dossier = DossierFactory()
    ExperiencePeriodFactory(dossier=dossier, idcc=OUTSIDE_IDCC, hours=3000)
    today = timezone.localdate()

    problems = submission_problems(dossier, reference_date=today)
    snapshot = dossier_snapshot(dossier, reference_date=today)

    assert any("Il manque 1607 heures" in p.message for p in problems), problems
    assert snapshot["eligibility"]["total_hours"] == 0
    assert snapshot["eligibility"]["is_eligible"] is False
