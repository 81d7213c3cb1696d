"""PostgreSQL restarted under kept connections: the next request reconnects instead of answering 500.

A restart ends every server process; `pg_terminate_backend` on the web side's own connection
does the same to it without disturbing anyone else on the server.
"""

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from tests.conftest import login
from tests.factories import UserFactory
from tests.notifications.test_worker_integration import DATABASE_URL, _test_database_url

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs a real PostgreSQL: set DATABASE_URL=postgres://...",
    ),
]


@pytest.fixture
def kept_connections():
    """Production's persistent connections (CONN_MAX_AGE=60, as settings give with DEBUG off)."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    yield
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = saved


def _server_closes_the_connection() -> None:
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    with psycopg2.connect(_test_database_url()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_a_database_restart_reconnects(client, kept_connections):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    user = UserFactory()
    login(client, user)
    assert client.get(reverse("notifications:list")).status_code == 200

    _server_closes_the_connection()
    close_old_connections()  # what Django does when a request starts (the test client skips it)
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 200
    assert client.get("/readyz").status_code == 200
