"""Dossier numbers CQPT-YYYY-NNNNNN: one counter per year, restarting at 000001 on the first submission of a year."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from candidates.services import next_dossier_number
from tests.candidates.test_admissibility_support import (  # noqa: F401 - fast_password_hashing is an autouse fixture
    fast_password_hashing,
    submitted_dossier,
)
from tests.candidates.test_uploads import private_storage_in_tmp  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_next_dossier_number_counts_each_year_separately():
    assert [next_dossier_number(year=2026) for _ in range(3)][-1] == "CQPT-2026-000003"
    assert next_dossier_number(year=2027) == "CQPT-2027-000001"
    assert next_dossier_number(year=2026) == "CQPT-2026-000004"
    assert next_dossier_number(year=2027) == "CQPT-2027-000002"


def test_first_dossier_submitted_in_2027_gets_number_one_after_the_dossiers_of_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=PARIS), tick=False):
        late_2026 = [submitted_dossier().number for _ in range(2)]
    # 00:30 in Paris on 1 January is still 31 December in UTC: the year is the local one.
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=PARIS), tick=False):
        first_2027 = submitted_dossier().number
        second_2027 = submitted_dossier().number

    assert late_2026 == ["CQPT-2026-000001", "CQPT-2026-000002"]
    assert (first_2027, second_2027) == ("CQPT-2027-000001", "CQPT-2027-000002")
