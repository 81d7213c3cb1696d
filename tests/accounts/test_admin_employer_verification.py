"""Verifying an employer from the admin's user pages goes through employer_verify: one audit row, one notification."""

import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from tests.accounts.helpers import emails_to
from tests.accounts.test_employer_verification import admin_client, pending_employer  # noqa: F401 - fixtures
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _change_form_data(client, user, **changes):
    """What the admin's change form posts back unchanged, with `changes` applied."""
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "on" if value is True else str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _verifications(user):
    return (
        AuditEvent.objects.filter(object_id=str(user.pk), action="employer_verified").count(),
        Notification.objects.filter(recipient=user, kind="employer_verified").count(),
    )


def test_ticking_the_box_in_the_change_form_verifies_through_the_service(
    admin_client,  # noqa: F811 - fixture
    pending_employer,  # noqa: F811 - fixture
    django_capture_on_commit_callbacks,
):
    url = reverse("admin:accounts_user_change", args=[pending_employer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, _change_form_data(admin_client, pending_employer, verify_company="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    pending_employer.refresh_from_db()
    assert pending_employer.company_verified_at is not None
    assert _verifications(pending_employer) == (1, 1)
    event = AuditEvent.objects.get(object_id=str(pending_employer.pk), action="employer_verified")
    assert event.actor.email == "admin@example.org"
    assert len(emails_to("rh@example.org")) == 1

    # Saved again: the box is now read-only, nothing is written twice.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, _change_form_data(admin_client, pending_employer, verify_company="on"))
    assert response.status_code == 302
    assert _verifications(pending_employer) == (1, 1)
    assert len(emails_to("rh@example.org")) == 1


def test_saving_the_change_form_without_the_box_does_not_verify(
    admin_client,  # noqa: F811 - fixture
    pending_employer,  # noqa: F811 - fixture
):
    url = reverse("admin:accounts_user_change", args=[pending_employer.pk])
    response = admin_client.post(url, _change_form_data(admin_client, pending_employer, first_name="Rose"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    pending_employer.refresh_from_db()
    assert pending_employer.first_name == "Rose"
    assert pending_employer.company_verified_at is None
    assert _verifications(pending_employer) == (0, 0)


def test_the_box_is_refused_for_an_account_that_is_not_an_employer(admin_client):  # noqa: F811 - fixture
    candidate = UserFactory(role=Role.CANDIDATE)
    url = reverse("admin:accounts_user_change", args=[candidate.pk])
    response = admin_client.post(url, _change_form_data(admin_client, candidate, verify_company="on"))
    assert response.status_code == 200
    assert "Seul un employeur" in str(response.context["adminform"].form.errors["verify_company"])
    assert _verifications(candidate) == (0, 0)


def test_an_employer_created_in_the_admin_is_verified_through_the_service(
    admin_client,  # noqa: F811 - fixture
    django_capture_on_commit_callbacks,
):
    company = CompanyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_user_add"),
            {"email": "rh3@example.org", "role": Role.EMPLOYER, "company": company.pk, "usable_password": "false"},
        )
    assert response.status_code == 302
    employer = User.objects.get(email="rh3@example.org")
    assert employer.company_verified_at is not None
    assert _verifications(employer) == (1, 1)
