"""The public "Suis-je éligible ?" page: a formset of periods, computed with the same 1607-hour function."""

import html as html_lib
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from candidates.eligibility import compute_eligibility
from candidates.forms.public import MAX_PERIODS
from cqpt_portal.accounts.enums import Role
from tests.conftest import login
from tests.factories import UserFactory

URL = reverse("candidates:eligibility_check")
TODAY = date(2026, 6, 30)  # window: 1 July 2023 – 30 June 2026

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime(2026, 6, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)


def row(start="2024-01-01", end="2024-12-31", hours="800", in_branch="oui", related="oui", employer=""):
    return {
        "start": start,
        "end": end,
        "hours": hours,
        "in_branch": in_branch,
        "related": related,
        "employer": employer,
    }


def form_data(rows, *, total=None, action="calculate"):
    data = {
        "form-TOTAL_FORMS": str(len(rows) if total is None else total),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": str(MAX_PERIODS),
        action: "1",
    }
    for i, values in enumerate(rows):
        for name, value in values.items():
            if value is not None:
                data[f"form-{i}-{name}"] = value
    return data


def text(response):
    return response.content.decode()


def field_error(response, index, name):
    """The error block crispy renders right under a field, or None."""
    match = re.search(rf'<div id="id_form-{index}-{name}_error"[^>]*>(.*?)</div>', text(response), re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


# --- display ----------------------------------------------------------------------------------------------------


def test_anonymous_get(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(URL)
    assert response.status_code == 200
    html = text(response)
    assert html.count("<h1") == 1
    assert "Suis-je éligible ?" in html
    # The rule, in plain French, with today's window.
    assert "1 juillet 2023" in html and "30 juin 2026" in html
    assert "IDCC 2148" in html
    assert "prorata" in html
    assert "48 heures par semaine" in html
    # One row, in a fieldset whose legend numbers it; every field labelled.
    assert re.search(r'<fieldset[^>]*id="periode-1"[^>]*>\s*<legend[^>]*>Période 1</legend>', html)
    for name in ("employer", "start", "end", "hours"):
        assert f'for="id_form-0-{name}"' in html and f'id="id_form-0-{name}"' in html
    for name in ("in_branch", "related"):
        assert f'for="id_form-0-{name}_0"' in html and f'for="id_form-0-{name}_1"' in html
    assert 'name="form-TOTAL_FORMS" value="1"' in html
    assert "Calculer" in html and "Ajouter une période" in html
    # How to apply, and the routes that need no 1607 hours.
    assert reverse("accounts:register") in html
    assert "contrat de professionnalisation" in html
    assert response.context["eligibility"] is None


def test_logged_in_candidate_sees_a_link_to_the_dashboard(client, django_assert_max_num_queries):
    login(client, UserFactory(role=Role.CANDIDATE))
    with django_assert_max_num_queries(4):  # session, user, unread notifications
        response = client.get(URL)
    assert response.status_code == 200
    assert reverse("accounts:dashboard") in text(response)


# --- computation ------------------------------------------------------------------------------------------------


def test_a_computation_that_reaches_1607_hours(client, django_assert_max_num_queries):
    rows = [
        row("2024-01-01", "2024-12-31", "1000", employer="Télécom Horizon"),
        row("2025-01-01", "2025-06-30", "607", employer="Réseaux du Sud"),
    ]
    with django_assert_max_num_queries(0):
        response = client.post(URL, form_data(rows))
    assert response.status_code == 200
    eligibility = response.context["eligibility"]
    assert eligibility.reference_date == TODAY
    assert eligibility.total_hours == Decimal("1607.00")
    assert eligibility.is_eligible
    html = text(response)
    assert "Votre expérience remplit la condition des 1607 heures." in html
    assert "Condition des 1607 heures remplie" in html
    assert "Télécom Horizon" in html and "Réseaux du Sud" in html
    assert re.search(r'<section id="resultat"', html)
    assert html.count("<h1") == 1
    # The form is shown again with what was typed.
    assert 'value="2025-06-30"' in html and 'value="607"' in html


def test_a_computation_that_misses_shows_the_missing_hours(client):
    rows = [
        row("2024-01-01", "2024-12-31", "1000"),
        row("2025-01-01", "2025-06-30", "800", in_branch="non", employer="Hors branche"),
        row("2023-01-01", "2023-12-31", "730"),  # 184 of 365 days in the window: 368 hours
    ]
    response = client.post(URL, form_data(rows))
    eligibility = response.context["eligibility"]
    assert [p.counted_hours for p in eligibility.periods] == [Decimal("1000.00"), 0, Decimal("368.00")]
    assert eligibility.missing_hours == Decimal("239")
    assert not eligibility.is_eligible
    html = text(response)
    assert "Il vous manque 239 heures." in html
    assert "Il manque 239 heures" in html  # in the table's footer too
    assert "IDCC 2148) : non comptée." in html
    assert "184 jours sur 365" in html


def test_result_is_the_same_function_with_today(client):
    rows = [row("2026-06-01", "2026-07-30", "300"), row("2023-06-01", "2023-07-30", "300")]
    response = client.post(URL, form_data(rows))
    eligibility = response.context["eligibility"]
    expected = compute_eligibility([p.period for p in eligibility.periods], TODAY)
    assert eligibility.total_hours == expected.total_hours == Decimal("150.00") + Decimal("150.00")
    assert "postérieurs à la date de référence" in text(response)


def test_rule_errors_of_the_function_are_shown_in_the_table(client):
    rows = [row("2024-01-01", "2024-12-31", "1700"), row("2026-07-01", "2026-08-31", "200")]
    response = client.post(URL, form_data(rows))
    eligibility = response.context["eligibility"]
    assert eligibility.has_errors
    assert eligibility.is_eligible
    html = text(response)
    assert "Erreur : Cette période commence dans le futur" in html
    assert "Certaines périodes comportent une erreur" in html


def test_implausible_hours_are_an_error_in_the_table(client):
    response = client.post(URL, form_data([row("2025-01-01", "2025-01-07", "49")]))
    assert response.context["eligibility"].total_hours == 0
    assert "plus que 48 heures par semaine" in text(response)


def test_blank_rows_are_ignored_and_dropped(client):
    rows = [row("2024-01-01", "2024-12-31", "1607"), row(None, None, None, in_branch=None, related=None)]
    response = client.post(URL, form_data(rows))
    eligibility = response.context["eligibility"]
    assert len(eligibility.periods) == 1
    assert eligibility.is_eligible
    assert 'name="form-TOTAL_FORMS" value="1"' in text(response)
    assert 'id="periode-2"' not in text(response)


# --- bad input --------------------------------------------------------------------------------------------------


def test_errors_are_shown_next_to_the_fields(client):
    rows = [
        row(hours="douze"),
        row("2024-12-31", "2024-01-01", "800"),
        row(None, "", "800"),
        row(in_branch=None, related="peut-être"),
    ]
    response = client.post(URL, form_data(rows))
    assert response.status_code == 200
    assert response.context["eligibility"] is None
    assert field_error(response, 0, "hours") == "Saisissez un nombre entier d'heures, sans lettres."
    assert field_error(response, 1, "end") == "La date de fin précède la date de début."
    assert field_error(response, 1, "start") is None
    assert field_error(response, 2, "start") == "Indiquez la date de début."
    assert field_error(response, 2, "end") == "Indiquez la date de fin."
    assert field_error(response, 3, "in_branch") == "Répondez oui ou non."
    assert field_error(response, 3, "related")  # an unknown choice
    html = text(response)
    assert 'aria-describedby="id_form-0-hours_helptext id_form-0-hours_error"' in html
    assert "Certaines informations sont à corriger" in html
    assert 'id="resultat"' not in html
    assert 'value="douze"' in html  # what was typed is kept


@pytest.mark.parametrize(
    ("field", "value"),
    [("start", "31/02/2024"), ("end", "demain"), ("hours", "-3"), ("hours", "12,5"), ("hours", "1e9")],
)
def test_malformed_values_never_crash(client, field, value):
    response = client.post(URL, form_data([row(**{field: value})]))
    assert response.status_code == 200
    assert field_error(response, 0, field)
    assert response.context["eligibility"] is None


def test_first_row_is_required(client):
    response = client.post(URL, form_data([row(None, None, None, in_branch=None, related=None)]))
    assert response.status_code == 200
    assert field_error(response, 0, "start") == "Indiquez la date de début."
    assert response.context["eligibility"] is None


def test_missing_management_form_is_a_message_not_a_crash(client):
    response = client.post(URL, {"form-0-start": "2024-01-01", "calculate": "1"})
    assert response.status_code == 200
    assert "Le formulaire reçu était incomplet" in text(response)
    assert response.context["eligibility"] is None
    assert len(response.context["formset"].forms) == 1
    assert "errorlist" not in text(response)


def test_twenty_rows_are_accepted(client):
    rows = [
        row(f"{2024 + i // 12}-{i % 12 + 1:02d}-01", f"{2024 + i // 12}-{i % 12 + 1:02d}-20", "80") for i in range(20)
    ]
    response = client.post(URL, form_data(rows))
    eligibility = response.context["eligibility"]
    assert len(eligibility.periods) == MAX_PERIODS
    assert eligibility.total_hours == 1600
    assert "Ajouter une période" not in text(response)
    assert "Vous avez atteint le maximum de 20 périodes." in text(response)


@pytest.mark.parametrize("total", [21, 5000])
def test_too_many_rows_are_refused(client, total, django_assert_max_num_queries):
    rows = [row(f"2024-01-{i % 28 + 1:02d}", f"2024-01-{i % 28 + 1:02d}", "7") for i in range(21)]
    with django_assert_max_num_queries(0):
        response = client.post(URL, form_data(rows, total=total))
    assert response.status_code == 200
    assert response.context["eligibility"] is None
    assert "Vous pouvez déclarer au plus 20 périodes." in text(response)
    assert len(response.context["formset"].forms) <= MAX_PERIODS


# --- adding a row without JavaScript ----------------------------------------------------------------------------


def test_add_a_row_keeps_what_was_typed_without_errors(client):
    rows = [row("2024-01-01", "2024-12-31", "", employer="Télécom Horizon")]  # not finished yet
    response = client.post(URL, form_data(rows, action="add_period"))
    assert response.status_code == 200
    html = text(response)
    assert response.context["eligibility"] is None
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert 'name="form-INITIAL_FORMS" value="0"' in html
    assert re.search(r'id="periode-2"[^>]*>\s*<legend[^>]*>Période 2</legend>', html)
    assert 'value="Télécom Horizon"' in html and 'value="2024-12-31"' in html
    assert re.search(r'name="form-0-in_branch" value="oui"\s+id="id_form-0-in_branch_0" checked', html)
    assert "is-invalid" not in html
    assert f'formaction="{URL}#periode-3"' in html


def test_added_rows_then_compute(client):
    response = client.post(URL, form_data([row("2024-01-01", "2024-12-31", "1000")], action="add_period"))
    assert len(response.context["formset"].forms) == 2
    rows = [row("2024-01-01", "2024-12-31", "1000"), row("2025-01-01", "2025-12-31", "700")]
    response = client.post(URL, form_data(rows))
    assert response.context["eligibility"].total_hours == 1700


def test_add_stops_at_twenty_rows(client):
    rows = [row() for _ in range(MAX_PERIODS)]
    response = client.post(URL, form_data(rows, action="add_period"))
    assert len(response.context["formset"].forms) == MAX_PERIODS
    assert "Ajouter une période" not in text(response)
