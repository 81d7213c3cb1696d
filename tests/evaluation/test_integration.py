"""Seams between the evaluation's parts, found when they were put together."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.notifications.models import Notification
from evaluation.workflow import WORKPLACE_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import Setup, fast_password_hashing  # noqa: F401 - the fixture applies here

pytestmark = pytest.mark.django_db


def test_the_site_visit_e_mail_says_when_and_where():
    s = Setup()
    s.accept()
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=4)).replace(hour=9, minute=30, second=0)
    WORKPLACE_WORKFLOW.apply(
        pk=s.evaluation.pk,
        name="schedule_workplace",
        actor=s.evaluator,
        data={"scheduled_at": when, "address": "12 rue du Central, Lyon", "working_time": "during"},
    )
    body = Notification.objects.get(recipient=s.dossier.candidate, kind="workplace_scheduled").body
    assert when.strftime("%d/%m/%Y 09:30") in body and "12 rue du Central, Lyon" in body


def test_the_manager_answers_from_the_dashboard_and_comes_back_to_it(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    dashboard = reverse("evaluation:manager_dashboard")
    response = client.post(
        reverse("evaluation:transition", args=[s.evaluation.pk]),
        {
            "transition": "accept_assignment",
            "accept_assignment-evaluator": s.evaluator.pk,
            "next": dashboard,
        },
    )
    assert response.status_code == 302 and response.url == dashboard
    s.evaluation.refresh_from_db()
    assert s.evaluation.evaluator == s.evaluator
    # Another site is never a destination.
    response = client.post(
        reverse("evaluation:transition", args=[s.evaluation.pk]),
        {
            "transition": "abandon",
            "abandon-reason": "no_show_twice",
            "abandon-confirm": "on",
            "next": "https://x.test/",
        },
    )
    assert response.status_code == 302 and response.url == reverse("evaluation:detail", args=[s.evaluation.pk])
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == "abandoned"
