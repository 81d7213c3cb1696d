"""AUVICOM's list of personal-data requests costs the same number of queries for 1 and 3 requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from personal_data.models import NameChangeRequest
from personal_data.services import erasure_apply
from tests.conftest import login
from tests.evaluation.support import reviewer
from tests.factories import DossierFactory, UserFactory

from .support import submit

pytestmark = pytest.mark.django_db


def add_requests(n):
    for _ in range(n):
        erasure_apply(user=submit(DossierFactory(), decided_by=reviewer()).candidate)
        NameChangeRequest.objects.create(user=UserFactory(), first_name="A", last_name="B")


def count(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("personal_data:staff_requests")).status_code == 200
    return len(queries)


def test_staff_list_query_count_does_not_grow(client):
    login(client, UserFactory(role=Role.AUVICOM_REVIEWER))
    add_requests(1)
    one = count(client)
    add_requests(2)
    assert count(client) == one
