"""Two people acting on the same evaluation: the row lock makes one win; the other is told why, on the page."""

import html

import pytest

from evaluation.enums import AssignmentState, EvaluationState
from tests.conftest import login
from tests.evaluation.support import Setup, fast_password_hashing, manager_of  # noqa: F401 - fixture
from tests.evaluation.support_phases import post_action

pytestmark = pytest.mark.django_db


def test_two_managers_answer_the_same_assignment_the_second_is_told_why(client):
    s = Setup()
    s.assign()
    other_manager = manager_of(s.org)
    # Both opened the page while the assignment waited; the first accepts.
    login(client, s.manager)
    post_action(client, s.evaluation, "accept_assignment", {"evaluator": s.evaluator.pk})
    client.logout()
    login(client, other_manager)
    response = post_action(client, s.evaluation, "decline_assignment", {"comment": "Pas disponible"})
    page = html.unescape(response.content.decode()) if response.status_code == 200 else ""
    if response.status_code == 302:
        page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Quelqu'un l'a peut-être traité entre-temps" in page
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.IN_PROGRESS
    assert list(s.evaluation.assignments.values_list("state", flat=True)) == [AssignmentState.ACCEPTED]


def test_the_evaluator_closing_evidence_already_closed_is_told_why(client):
    s = Setup()
    s.complete_phases()
    login(client, s.evaluator)
    response = post_action(client, s.evaluation, "close_evidence", {"result": "failed"})
    page = html.unescape(response.content.decode()) if response.status_code == 200 else ""
    if response.status_code == 302:
        page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Quelqu'un l'a peut-être traité entre-temps" in page
    s.evaluation.refresh_from_db()
    assert s.evaluation.evidence_result == "passed"
