"""Who sees which quiz page: the candidate their own, the evaluator their candidates', AUVICOM the prédiagnostics
it proposes; the others 403, anonymous users go to the login page. Lists have a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.accounts.enums import Role
from quiz.enums import QuizPurpose
from quiz.services import attempt_open
from tests.conftest import login
from tests.evaluation.support import cqpt_with_grid, evaluator_of, manager_of, reviewer
from tests.factories import UserFactory

from .support import QuizSetup, bank, definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    s = QuizSetup()
    s.attempt = s.start(s.open())
    return s


def status(client, user, url, method="get", data=None):
    client.logout()
    if user is not None:
        login(client, user)
    return getattr(client, method)(url, data or {})


def test_attempt_page_allowed_and_refused(client, setup):
    s = setup
    url = reverse("quiz:attempt", args=[s.attempt.pk])
    assert status(client, s.candidate, url).status_code == 302  # resumes at its question
    assert status(client, s.evaluator, url).status_code == 200
    assert status(client, UserFactory(role=Role.ADMIN, is_superuser=True), url).status_code == 200
    manager = status(client, manager_of(s.org), url)  # reads, never acts
    assert manager.status_code == 200 and "Accorder une nouvelle tentative" not in manager.content.decode()
    other_org = QuizSetup()
    for user in (UserFactory(), evaluator_of(s.org), manager_of(other_org.org), reviewer()):
        assert status(client, user, url).status_code == 403, user.role
    anonymous = status(client, None, url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous.url


def test_question_page_only_for_its_candidate(client, setup):
    s = setup
    url = reverse("quiz:question", args=[s.attempt.pk, 1])
    assert status(client, s.candidate, url).status_code == 200
    assert status(client, s.evaluator, url).status_code == 403
    assert status(client, UserFactory(), url).status_code == 403
    assert status(client, s.candidate, reverse("quiz:question", args=[s.attempt.pk, 99])).status_code == 404
    assert reverse("accounts:login") in status(client, None, url).url


def test_staff_actions_are_refused_to_the_candidate_and_other_evaluators(client, setup):
    s = setup
    for name, data in [
        ("quiz:extra_time", {"minutes": 10, "reason": "x"}),
        ("quiz:neutralise", {"position": 1, "reason": "x"}),
        ("quiz:new_attempt", {"comment": "x"}),
    ]:
        url = reverse(name, args=[s.attempt.pk])
        assert status(client, s.candidate, url, "post", data).status_code == 403
        assert status(client, evaluator_of(s.org), url, "post", data).status_code == 403
        assert reverse("accounts:login") in status(client, None, url, "post", data).url
    s.attempt.refresh_from_db()
    assert s.attempt.extra_seconds == 0


def test_dossier_quiz_page_for_the_evaluator_and_auvicom_only(client, setup):
    s = setup
    url = reverse("quiz:dossier", args=[s.dossier.pk])
    assert status(client, s.evaluator, url).status_code == 200
    assert status(client, reviewer(), url).status_code == 200
    for user in (s.candidate, evaluator_of(s.org), UserFactory(role=Role.CPNE_MEMBER)):
        assert status(client, user, url).status_code == 403
    assert reverse("accounts:login") in status(client, None, url).url


def prediagnostic_for(candidate, opener):
    """A prédiagnostic on a CQPT of its own (one live attempt per quiz and candidate)."""
    cqpt = cqpt_with_grid()
    bank(cqpt, per_block=2)
    quiz = definition(cqpt, purpose=QuizPurpose.PREDIAGNOSTIC)
    now = timezone.now()
    return attempt_open(
        definition=quiz,
        candidate=candidate,
        actor=opener,
        window_opens_at=now,
        window_closes_at=now + datetime.timedelta(days=7),
    )


def test_my_quizzes_for_candidates_only_and_with_a_constant_number_of_queries(client):
    s = QuizSetup()
    url = reverse("quiz:my_attempts")
    assert status(client, s.evaluator, url).status_code == 403
    assert reverse("accounts:login") in status(client, None, url).url
    counts = []
    for rows in (2, 25):
        while s.candidate.quiz_attempts.count() < rows:
            prediagnostic_for(s.candidate, s.reviewer)
        login(client, s.candidate)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("Voir et commencer") == min(rows, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_dossier_quiz_page_has_a_constant_number_of_queries(client):
    s = QuizSetup()
    login(client, s.reviewer)
    url = reverse("quiz:dossier", args=[s.dossier.pk])
    counts = []
    for rows in (2, 25):
        while s.candidate.quiz_attempts.count() < rows:
            prediagnostic_for(s.candidate, s.reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_candidate_dashboard_include_and_the_evaluation_include_render(setup):
    from django.template import Context, Template

    s = setup
    html = Template("{% load quiz %}{% candidate_quizzes user %}").render(Context({"user": s.candidate}))
    assert reverse("quiz:attempt", args=[s.attempt.pk]) in html and "Reprendre" in html
    include = Template("{% load quiz %}{% evaluation_quizzes evaluation %}")
    html = include.render(Context({"evaluation": s.evaluation, "user": s.evaluator}))
    assert reverse("quiz:dossier", args=[s.dossier.pk]) in html
    assert reverse("quiz:attempt", args=[s.attempt.pk]) in html
    html = include.render(Context({"evaluation": s.evaluation, "user": s.candidate}))
    assert reverse("quiz:dossier", args=[s.dossier.pk]) not in html
    assert reverse("quiz:attempt", args=[s.attempt.pk]) in html


def test_seed_demo_loads_a_bank_per_cqpt_and_opens_a_prediagnostic_for_the_demo_candidate(settings, client):
    from django.core.management import call_command

    from catalogue.models import Cqpt
    from quiz.models import Attempt, Question

    settings.DEMO_MODE = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    for cqpt in Cqpt.objects.all():
        assert Question.objects.filter(cqpt=cqpt).count() >= 9
    attempt = Attempt.objects.get(candidate__email="candidat@demo.cqpt.fr")
    assert attempt.purpose == QuizPurpose.PREDIAGNOSTIC and attempt.state == "open"
    assert attempt.questions.count() >= 6
    login(client, attempt.candidate)
    assert client.get(reverse("quiz:my_attempts")).content.decode().count("Voir et commencer") == 1


def test_the_candidate_dashboard_lists_the_open_quiz(client):
    s = QuizSetup()
    attempt = s.open()
    login(client, s.candidate)
    page = client.get(reverse("candidates:dashboard")).content.decode()
    assert reverse("quiz:attempt", args=[attempt.pk]) in page and "Mes quiz" in page
