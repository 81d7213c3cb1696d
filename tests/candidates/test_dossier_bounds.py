"""Per-dossier bounds: the cap on experience periods, the folded audit trail with its full paginated page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Dossier, ExperiencePeriod
from candidates.services.candidate import period_save
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_admissibility_support import (  # noqa: F401 - autouse fixture
    fast_password_hashing,
    reviewer,
    submitted_dossier,
)
from tests.conftest import login
from tests.factories import VALID_SIRETS, DossierFactory, EmployerFactory, ExperiencePeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


def _period(**extra):
    today = timezone.localdate()
    return {
        "employer_name": "Bouygues Télécom",
        "siret": VALID_SIRETS[2],
        "idcc": "2148",
        "start_date": (today - datetime.timedelta(days=400)).isoformat(),
        "end_date": (today - datetime.timedelta(days=30)).isoformat(),
        "hours": "700",
        "related_to_cqpt": "on",
        "description": "Hotline fibre, niveau 2",
        **extra,
    }


@pytest.fixture
def draft(client):
    candidate = UserFactory()
    login(client, candidate)
    return Dossier.objects.create(candidate=candidate, first_name="Léa", last_name="Martin")


# --- the cap on experience periods -----------------------------------------------------------


def test_the_step_counts_down_then_refuses_the_period_beyond_the_cap_next_to_the_form(client, draft, settings):
    settings.DOSSIER_MAX_PERIODS = 3
    settings.DOSSIER_PERIODS_WARNING = 1
    step = reverse("candidates:step_experience", args=[draft.pk])
    ExperiencePeriodFactory(dossier=draft)
    assert "Vous pouvez encore ajouter" not in client.get(step).content.decode()  # 2 left: not close yet
    ExperiencePeriodFactory(dossier=draft)
    page = client.get(step).content.decode()
    assert "Vous pouvez encore ajouter 1 période (au plus 3 par dossier)" in page

    assert client.post(step, _period()).status_code == 302
    assert draft.periods.count() == 3
    page = client.get(step)
    assert page.context["form"] is None  # no form that would be refused
    body = page.content.decode()
    assert "compte déjà 3 périodes" in body and "Ajouter la période" not in body

    # Posted anyway (another tab): refused next to the form, what was typed is still there.
    response = client.post(step, _period(employer_name="SFR Business", description="Support entreprises"))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("compte déjà 3 périodes" in e for e in errors)
    body = response.content.decode()
    assert 'value="SFR Business"' in body and "Support entreprises" in body
    assert draft.periods.count() == 3

    # A period already there can still be corrected.
    period = draft.periods.first()
    edit = reverse("candidates:period_edit", args=[draft.pk, period.pk])
    assert client.post(edit, _period(hours="1234")).status_code == 302
    period.refresh_from_db()
    assert period.hours == 1234


def test_the_service_refuses_the_period_beyond_the_cap(draft, settings):
    settings.DOSSIER_MAX_PERIODS = 1
    values = {
        "employer_name": "Orange",
        "siret": VALID_SIRETS[2],
        "idcc": "2148",
        "start_date": datetime.date(2024, 1, 1),
        "end_date": datetime.date(2024, 12, 31),
        "hours": 1600,
        "related_to_cqpt": True,
    }
    period_save(dossier_id=draft.pk, actor=draft.candidate, values=values)
    with pytest.raises(ActionRefused, match="maximum"):
        period_save(dossier_id=draft.pk, actor=draft.candidate, values=values)
    assert ExperiencePeriod.objects.filter(dossier=draft).count() == 1


# --- the folded audit trail and the full history ------------------------------------------------


def _events(dossier, count, actor):
    for n in range(count):
        audit_record(actor=actor, target=dossier, action="dossier_fields_changed", comment=f"note-{n:03d}")


def _detail(dossier):
    return reverse("candidates:admissibility_detail", args=[dossier.pk])


def _history(dossier):
    return reverse("candidates:admissibility_history", args=[dossier.pk])


def test_review_page_shows_the_latest_events_and_links_to_the_whole_history(client):
    dossier = submitted_dossier()
    _events(dossier, 60, dossier.candidate)  # 61 with the submission: two pages of the full history
    login(client, reviewer())
    response = client.get(_detail(dossier))
    assert response.status_code == 200
    shown = response.context["audit_events"]
    total = AuditEvent.objects.for_object(dossier).count()
    assert len(shown) == 20 and response.context["audit_total"] == total
    assert [e.comment for e in shown] == [f"note-{n:03d}" for n in range(40, 60)]  # the latest, oldest first
    body = response.content.decode()
    assert f"Les 20 derniers événements sur {total}" in body and _history(dossier) in body
    assert "note-039" not in body

    first = client.get(_history(dossier))
    second = client.get(_history(dossier), {"page": 2})
    assert first.status_code == second.status_code == 200
    comments = [e.comment for e in first.context["audit_events"]] + [e.comment for e in second.context["audit_events"]]
    assert len(comments) == total
    assert [c for c in comments if c.startswith("note-")] == [f"note-{n:03d}" for n in range(60)]
    assert "?page=2" in first.content.decode()


def test_a_short_history_is_shown_whole_without_a_link(client):
    dossier = submitted_dossier()
    login(client, reviewer())
    response = client.get(_detail(dossier))
    assert response.context["audit_total"] == len(response.context["audit_events"]) <= 20
    assert _history(dossier) not in response.content.decode()


def test_review_page_queries_do_not_grow_with_the_history(client):
    dossier = submitted_dossier()
    _events(dossier, 21, dossier.candidate)
    login(client, reviewer())
    client.get(_detail(dossier))  # warm caches

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_detail(dossier)).status_code == 200
        return len(ctx.captured_queries)

    with_21 = count()
    _events(dossier, 200, dossier.candidate)
    assert count() == with_21


def test_the_full_history_is_checked_like_the_review_page(client):
    dossier = submitted_dossier()
    for user in (dossier.candidate, EmployerFactory(company=dossier.company), UserFactory()):
        login(client, user)
        assert client.get(_history(dossier)).status_code == 403
        assert client.get(_detail(dossier)).status_code == 403
    client.logout()
    assert client.get(_history(dossier)).status_code == 302  # to the login page
    login(client, reviewer())
    assert client.get(reverse("candidates:admissibility_history", args=[999999])).status_code == 404
    draft = DossierFactory()
    assert client.get(_history(draft)).status_code == 404  # a draft has not reached AUVICOM


def test_the_full_history_page_runs_the_same_queries_whatever_its_length(client):
    dossier = submitted_dossier()
    _events(dossier, 60, dossier.candidate)
    login(client, reviewer())
    client.get(_history(dossier))  # warm caches

    def count(page=1):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_history(dossier), {"page": page}).status_code == 200
        return len(ctx.captured_queries)

    with_60 = count()
    _events(dossier, 300, dossier.candidate)
    assert count() == with_60
    assert count(page=7) == with_60
