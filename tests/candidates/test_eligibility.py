"""The 1607-hour rule (candidates.eligibility): pure function, no database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from candidates.eligibility import (
    REQUIRED_HOURS,
    EligibilityResult,
    PeriodInput,
    compute_eligibility,
    max_plausible_hours,
    window_for,
)

REF = date(2026, 6, 30)  # window: 1 July 2023 – 30 June 2026
WINDOW_START = date(2023, 7, 1)


def period(start, end, hours, *, in_branch=True, related=True, siret="", employer="", key=""):
    return PeriodInput(
        start=start,
        end=end,
        hours=hours,
        in_branch=in_branch,
        related=related,
        siret=siret,
        employer=employer,
        key=key,
    )


def one(p, reference_date=REF):
    result = compute_eligibility([p], reference_date)
    assert len(result.periods) == 1
    return result, result.periods[0]


def notes(row):
    return " ".join(row.notes)


def errors(row):
    return " ".join(row.errors)


# --- the window -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "start"),
    [
        (date(2026, 6, 30), date(2023, 7, 1)),
        (date(2025, 1, 1), date(2022, 1, 2)),
        (date(2026, 12, 31), date(2024, 1, 1)),
        # 29 February 2028: three years before is 28 February 2025, so the window starts on 1 March 2025.
        (date(2028, 2, 29), date(2025, 3, 1)),
        # 1 March 2027: the window starts on 2 March 2024, so 29 February 2024 is outside.
        (date(2027, 3, 1), date(2024, 3, 2)),
        # 28 February 2027: the window starts on 29 February 2024.
        (date(2027, 2, 28), date(2024, 2, 29)),
    ],
)
def test_window_is_three_years_ending_on_the_reference_day(reference, start):
    assert window_for(reference) == (start, reference)
    result = compute_eligibility([], reference)
    assert (result.window_start, result.window_end, result.reference_date) == (start, reference, reference)


@pytest.mark.parametrize(
    ("reference", "days"),
    [(date(2026, 6, 30), 1096), (date(2023, 6, 30), 1095), (date(2028, 2, 29), 1096), (date(2027, 3, 1), 1095)],
)
def test_window_length_in_days(reference, days):
    start, end = window_for(reference)
    assert (end - start).days + 1 == days


def test_window_bounds_are_inclusive():
    result = compute_eligibility(
        [
            period(WINDOW_START, WINDOW_START, 7),  # first day of the window
            period(REF, REF, 7),  # the reference day itself
            period(WINDOW_START - timedelta(days=1), WINDOW_START - timedelta(days=1), 7),  # the day before
        ],
        REF,
    )
    first, last, before = result.periods
    assert first.counted_hours == Decimal("7.00")
    assert last.counted_hours == Decimal("7.00")
    assert before.counted_hours == 0
    assert "En dehors des 3 dernières années" in notes(before)
    assert result.total_hours == Decimal("14.00")


def test_a_period_covering_exactly_the_window_counts_in_full():
    result, row = one(period(WINDOW_START, REF, REQUIRED_HOURS))
    assert row.total_days == row.days_in_window == 1096
    assert row.counted_hours == Decimal("1607.00")
    assert (row.counted_from, row.counted_to) == (WINDOW_START, REF)
    assert row.notes == []
    assert result.is_eligible


# --- the threshold ----------------------------------------------------------------------------------------------


def test_exactly_1607_hours_is_eligible():
    result, _row = one(period(date(2025, 1, 1), date(2025, 12, 31), 1607))
    assert result.total_hours == Decimal("1607.00")
    assert result.is_eligible
    assert result.missing_hours == 0
    assert not result.has_errors


def test_1607_hours_over_two_periods_is_eligible():
    result = compute_eligibility(
        [period(date(2024, 1, 1), date(2024, 12, 31), 1000), period(date(2025, 1, 1), date(2025, 6, 30), 607)], REF
    )
    assert result.total_hours == Decimal("1607.00")
    assert result.is_eligible


def test_1606_99_hours_after_pro_rata_is_not_eligible():
    # 1611 hours over 402 days, one of them before the window: 1611 × 401 / 402 = 1606.9925… → 1606.99.
    start = WINDOW_START - timedelta(days=1)
    result, row = one(period(start, start + timedelta(days=401), 1611))
    assert (row.days_in_window, row.total_days) == (401, 402)
    assert row.counted_hours == Decimal("1606.99")
    assert not result.is_eligible
    assert result.missing_hours == Decimal("0.01")


def test_1606_99_declared_hours_is_not_eligible():
    result, _row = one(period(date(2024, 1, 1), date(2025, 12, 31), Decimal("1606.99")))
    assert result.total_hours == Decimal("1606.99")
    assert not result.is_eligible
    assert result.missing_hours == Decimal("0.01")


@pytest.mark.parametrize(
    ("total", "eligible", "missing"),
    [
        ("0", False, "1607"),
        ("1606.99", False, "0.01"),
        ("1607", True, "0"),
        ("1607.00", True, "0"),
        ("2500", True, "0"),
    ],
)
def test_result_threshold_and_missing_hours(total, eligible, missing):
    result = EligibilityResult(
        reference_date=REF, window_start=WINDOW_START, window_end=REF, periods=[], total_hours=Decimal(total)
    )
    assert result.is_eligible is eligible
    assert result.missing_hours == Decimal(missing)


def test_empty_list():
    result = compute_eligibility([], REF)
    assert result.periods == []
    assert result.total_hours == 0
    assert result.missing_hours == REQUIRED_HOURS
    assert not result.is_eligible
    assert not result.has_errors


# --- pro rata ---------------------------------------------------------------------------------------------------


def test_period_partly_before_the_window_counts_pro_rata_of_its_days():
    # 2023 has 365 days; 184 of them (1 July – 31 December) are inside the window.
    result, row = one(period(date(2023, 1, 1), date(2023, 12, 31), 1000))
    assert (row.days_in_window, row.total_days) == (184, 365)
    assert row.counted_hours == Decimal("504.11")  # 1000 × 184 / 365 = 504.109…
    assert (row.counted_from, row.counted_to) == (WINDOW_START, date(2023, 12, 31))
    assert "184 jours sur 365" in notes(row)
    assert result.total_hours == Decimal("504.11")


def test_pro_rata_rounds_half_up_to_the_cent():
    # 1 hour over 200 days, one of them inside: 0.005 → 0.01 (not banker's 0.00).
    start = WINDOW_START - timedelta(days=199)
    _result, row = one(period(start, WINDOW_START, 1))
    assert (row.days_in_window, row.total_days) == (1, 200)
    assert row.counted_hours == Decimal("0.01")


def test_pro_rata_keeps_two_decimals():
    start = WINDOW_START - timedelta(days=2)
    _result, row = one(period(start, WINDOW_START, 10))  # 10 × 1 / 3 = 3.333…
    assert row.counted_hours == Decimal("3.33")
    assert row.counted_hours.as_tuple().exponent == -2


def test_period_crossing_the_reference_day_does_not_count_future_days():
    # 1 June – 30 July 2026: 60 days, 30 of them up to the reference day.
    result, row = one(period(date(2026, 6, 1), date(2026, 7, 30), 300))
    assert (row.days_in_window, row.total_days) == (30, 60)
    assert row.counted_hours == Decimal("150.00")
    assert row.counted_to == REF
    assert "postérieurs à la date de référence" in notes(row)
    assert not result.has_errors


def test_period_ending_on_the_reference_day_counts_in_full():
    _result, row = one(period(date(2026, 6, 1), REF, 150))
    assert row.counted_hours == Decimal("150.00")
    assert row.notes == []


def test_period_starting_on_the_reference_day_counts_one_day():
    _result, row = one(period(REF, REF + timedelta(days=6), 35))
    assert (row.days_in_window, row.total_days) == (1, 7)
    assert row.counted_hours == Decimal("5.00")


def test_period_entirely_before_the_window_counts_nothing():
    result, row = one(period(date(2020, 1, 1), WINDOW_START - timedelta(days=1), 1607))
    assert row.counted_hours == 0
    assert row.days_in_window == 0
    assert row.counted_from is None
    assert "En dehors des 3 dernières années" in notes(row)
    assert row.errors == []
    assert result.total_hours == 0


def test_period_entirely_in_the_future_is_an_error():
    result, row = one(period(REF + timedelta(days=1), REF + timedelta(days=60), 200))
    assert row.counted_hours == 0
    assert "futur" in errors(row)
    assert result.has_errors
    assert result.total_hours == 0


# --- leap years -------------------------------------------------------------------------------------------------


def test_leap_year_period_has_366_days():
    _result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 1600), reference_date=date(2025, 12, 31))
    assert row.total_days == row.days_in_window == 366
    assert row.counted_hours == Decimal("1600.00")


def test_pro_rata_over_a_leap_year_uses_366_days():
    # Reference 30 June 2027: window from 1 July 2024; 184 of the 366 days of 2024 are inside.
    _result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 1464), reference_date=date(2027, 6, 30))
    assert (row.days_in_window, row.total_days) == (184, 366)
    assert row.counted_hours == Decimal("736.00")


def test_reference_1_march_2027_leaves_29_february_2024_outside():
    # 1 February – 31 March 2024 is 29 + 31 = 60 days; the window starts on 2 March 2024: 30 days inside.
    _result, row = one(period(date(2024, 2, 1), date(2024, 3, 31), 300), reference_date=date(2027, 3, 1))
    assert (row.days_in_window, row.total_days) == (30, 60)
    assert row.counted_hours == Decimal("150.00")
    _result, leap_day = one(period(date(2024, 2, 29), date(2024, 2, 29), 7), reference_date=date(2027, 3, 1))
    assert leap_day.counted_hours == 0
    assert "En dehors" in notes(leap_day)


def test_reference_28_february_2027_keeps_29_february_2024_inside():
    _result, row = one(period(date(2024, 2, 29), date(2024, 2, 29), 7), reference_date=date(2027, 2, 28))
    assert row.counted_hours == Decimal("7.00")


def test_reference_29_february_2028_window_starts_1_march_2025():
    # 28 February – 1 March 2025: 2 days, only 1 March inside.
    _result, row = one(period(date(2025, 2, 28), date(2025, 3, 1), 14), reference_date=date(2028, 2, 29))
    assert (row.days_in_window, row.total_days) == (1, 2)
    assert row.counted_hours == Decimal("7.00")


# --- branch and relatedness -------------------------------------------------------------------------------------


def test_employer_outside_the_branch_is_not_counted():
    result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 1607, in_branch=False))
    assert row.counted_hours == 0
    assert "IDCC 2148" in notes(row)
    assert row.errors == []
    assert not result.has_errors
    assert not result.is_eligible


def test_unrelated_work_is_not_counted():
    _result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 1607, related=False))
    assert row.counted_hours == 0
    assert "sans rapport direct" in notes(row)
    assert row.errors == []


def test_outside_the_branch_and_unrelated_gives_both_reasons():
    _result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 1607, in_branch=False, related=False))
    assert row.counted_hours == 0
    assert len(row.notes) == 2


def test_only_branch_and_related_periods_add_up():
    result = compute_eligibility(
        [
            period(date(2023, 7, 1), date(2023, 12, 31), 800),
            period(date(2024, 1, 1), date(2024, 6, 30), 800, in_branch=False),
            period(date(2024, 7, 1), date(2024, 12, 31), 800, related=False),
            period(date(2025, 1, 1), date(2025, 6, 30), 806),
        ],
        REF,
    )
    assert [r.counted_hours for r in result.periods] == [800, 0, 0, 806]
    assert result.total_hours == Decimal("1606.00")
    assert result.missing_hours == Decimal("1")


# --- overlaps and duplicates ------------------------------------------------------------------------------------


def test_two_overlapping_periods_both_count_with_a_note():
    result = compute_eligibility(
        [
            period(date(2024, 1, 1), date(2024, 12, 31), 800, siret="73282932000074"),
            period(date(2024, 6, 1), date(2025, 5, 31), 807, siret="35600000000048"),
        ],
        REF,
    )
    first, second = result.periods
    assert first.counted_hours == 800
    assert second.counted_hours == 807
    assert result.total_hours == Decimal("1607.00")
    assert result.is_eligible
    assert "Chevauche" in notes(first)
    assert "Chevauche" in notes(second)
    assert not result.has_errors


def test_periods_sharing_one_day_overlap():
    result = compute_eligibility(
        [period(date(2024, 1, 1), date(2024, 6, 30), 500), period(date(2024, 6, 30), date(2024, 12, 31), 500)], REF
    )
    assert all("Chevauche" in notes(r) for r in result.periods)


def test_consecutive_periods_do_not_overlap():
    result = compute_eligibility(
        [period(date(2024, 1, 1), date(2024, 6, 30), 500), period(date(2024, 7, 1), date(2024, 12, 31), 500)], REF
    )
    assert all(r.notes == [] for r in result.periods)


def test_overlap_with_a_period_that_does_not_count_is_not_noted():
    result = compute_eligibility(
        [
            period(date(2024, 1, 1), date(2024, 12, 31), 800),
            period(date(2024, 6, 1), date(2024, 12, 31), 500, in_branch=False),
        ],
        REF,
    )
    assert not any("Chevauche" in notes(r) for r in result.periods)


def test_exact_duplicate_is_counted_once_with_an_error_on_the_copy():
    siret = "73282932000074"
    result = compute_eligibility(
        [
            period(date(2024, 1, 1), date(2024, 12, 31), 1000, siret=siret),
            period(date(2024, 1, 1), date(2024, 12, 31), 1000, siret="732 829 320 00074"),
            period(date(2024, 1, 1), date(2024, 12, 31), 900, siret=siret),
        ],
        REF,
    )
    original, copy, third = result.periods
    assert original.counted_hours == 1000
    assert original.errors == []
    assert "Chevauche" not in notes(original)  # the copies do not count, so nothing overlaps
    for row in (copy, third):
        assert row.counted_hours == 0
        assert "Doublon de la période n°1" in errors(row)
    assert result.total_hours == Decimal("1000.00")
    assert result.has_errors


def test_same_dates_at_another_employer_is_not_a_duplicate():
    result = compute_eligibility(
        [
            period(date(2024, 1, 1), date(2024, 12, 31), 800, siret="73282932000074"),
            period(date(2024, 1, 1), date(2024, 12, 31), 800, siret="35600000000048"),
        ],
        REF,
    )
    assert not result.has_errors
    assert result.total_hours == 1600


def test_duplicate_by_employer_name_when_no_siret():
    result = compute_eligibility(
        [
            period(date(2024, 1, 1), date(2024, 12, 31), 800, employer="Télécom Horizon"),
            period(date(2024, 1, 1), date(2024, 12, 31), 800, employer="  télécom  horizon "),
        ],
        REF,
    )
    assert "Doublon" in errors(result.periods[1])
    assert result.total_hours == 800


def test_anonymous_periods_with_the_same_dates_are_two_part_time_jobs():
    result = compute_eligibility(
        [period(date(2024, 1, 1), date(2024, 12, 31), 800), period(date(2024, 1, 1), date(2024, 12, 31), 800)], REF
    )
    assert not result.has_errors
    assert result.total_hours == 1600
    assert all("Chevauche" in notes(r) for r in result.periods)


# --- impossible data --------------------------------------------------------------------------------------------


def test_end_before_start_is_an_error_and_counts_nothing():
    result, row = one(period(date(2024, 12, 31), date(2024, 1, 1), 800))
    assert "La date de fin précède la date de début" in errors(row)
    assert row.counted_hours == 0
    assert result.total_hours == 0
    assert result.has_errors


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (None, date(2024, 12, 31), 800),
        (date(2024, 1, 1), None, 800),
        (date(2024, 1, 1), date(2024, 12, 31), None),
        (None, None, None),
    ],
)
def test_missing_dates_or_hours_is_an_error(start, end, hours):
    result, row = one(period(start, end, hours))
    assert "manquantes" in errors(row)
    assert row.counted_hours == 0
    assert result.has_errors


def test_negative_hours_is_an_error():
    _result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), -5))
    assert "négatif" in errors(row)
    assert row.counted_hours == 0


@pytest.mark.parametrize(
    ("days", "accepted", "refused"),
    [
        (7, 48, 49),  # exactly 48 h a week
        (14, 96, 97),
        (365, 2502, 2503),  # 48 × 365 / 7 = 2502.86
        (1, 12, 13),  # a short period is held to 12 h a day...
        (3, 36, 37),
        (5, 48, 49),  # ...and to one week's 48 h
    ],
)
def test_implausible_hours(days, accepted, refused):
    start = date(2025, 1, 1)
    end = start + timedelta(days=days - 1)
    _result, ok = one(period(start, end, accepted))
    assert ok.errors == []
    assert ok.counted_hours == accepted
    result, bad = one(period(start, end, refused))
    assert "48 heures par semaine" in errors(bad)
    assert bad.counted_hours == 0
    assert result.has_errors


@pytest.mark.parametrize(("days", "maximum"), [(1, "12"), (4, "48"), (6, "48"), (7, "48"), (70, "480")])
def test_max_plausible_hours(days, maximum):
    assert max_plausible_hours(days) == Decimal(maximum)


def test_implausibility_is_judged_on_the_whole_period_not_the_window():
    # 400 hours over 70 days (40 h a week) is plausible even if only 1 day lies in the window.
    start = WINDOW_START - timedelta(days=69)
    _result, row = one(period(start, WINDOW_START, 400))
    assert row.errors == []
    assert row.counted_hours == Decimal("5.71")


def test_zero_hours_counts_nothing_with_a_note():
    result, row = one(period(date(2024, 1, 1), date(2024, 12, 31), 0))
    assert row.counted_hours == 0
    assert not row.counts
    assert row.errors == []
    assert "Aucune heure" in notes(row)
    assert not result.has_errors


def test_one_day_period():
    _result, row = one(period(date(2025, 3, 3), date(2025, 3, 3), 7))
    assert row.total_days == row.days_in_window == 1
    assert row.counted_hours == Decimal("7.00")
    assert row.errors == []


def test_an_error_on_one_period_does_not_stop_the_others():
    result = compute_eligibility(
        [
            period(date(2024, 12, 31), date(2024, 1, 1), 800, key="a"),
            period(date(2024, 1, 1), date(2025, 6, 30), 1700, key="b"),
        ],
        REF,
    )
    assert [r.period.key for r in result.periods] == ["a", "b"]
    assert result.periods[0].errors
    assert result.periods[1].counted_hours == 1700
    assert result.is_eligible
    assert result.has_errors
