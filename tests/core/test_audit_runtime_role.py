"""On PostgreSQL the runtime role may only add to and read the audit trail; nobody may TRUNCATE it."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cqpt_portal.audit.services import audit_record
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers exist on PostgreSQL only"),
]
ROLE = "cqpt_test_runtime"


@pytest.fixture
def event():
    user = UserFactory()
    return audit_record(actor=user, target=user, action="email_confirmed", comment="pourquoi")


@pytest.fixture
def runtime_role(event):
    call_command("audit_runtime_role", ROLE, verbosity=0)  # rolled back with the test's transaction
    return ROLE


def _refused(statement):
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    return str(error.value)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET comment = 'réécrit'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_change",
        "DROP TRIGGER audit_auditevent_no_change ON audit_auditevent",
    ],
)
def test_the_runtime_role_cannot_rewrite_or_empty_the_trail(runtime_role, event, statement):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {runtime_role}")
    try:
        message = _refused(statement)
        assert "permission denied" in message or "must be owner" in message or "append-only" in message
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM audit_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("pourquoi",)


def test_the_runtime_role_adds_to_and_reads_the_trail(runtime_role, event):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {runtime_role}")
        try:
            cursor.execute(
                "INSERT INTO audit_auditevent (created_at, actor_role, content_type_id, object_id, action,"
                " from_state, to_state, comment, extra) SELECT now(), 'system', content_type_id, object_id,"
                " 'email_confirmed', '', '', 'ajout', '{}' FROM audit_auditevent WHERE id = %s",
                [event.pk],
            )
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            assert cursor.fetchone()[0] == 2
        finally:
            cursor.execute("RESET ROLE")


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_even_to_the_owner_outside_the_test_flush():
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL cqpt.audit_truncate_allowed = 'off'")
        cursor.execute("TRUNCATE audit_auditevent")


def test_the_command_refuses_to_make_the_owner_the_runtime_role():
    from django.core.management.base import CommandError

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError):
        call_command("audit_runtime_role", owner)
