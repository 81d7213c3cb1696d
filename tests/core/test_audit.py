"""The audit trail is append-only: through the ORM everywhere, and in the database on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from cqpt_portal.audit.models import AppendOnlyError, AuditEvent
from cqpt_portal.audit.selectors import audit_events_for
from cqpt_portal.audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    actor = UserFactory()
    target = UserFactory()
    return audit_record(actor=actor, target=target, action="test", from_state="a", to_state="b", comment="pourquoi")


def test_record_names_the_actor_role_and_the_target(event):
    assert event.actor_role == event.actor.role
    assert event.target is not None
    assert [e.pk for e in audit_events_for(event.target)] == [event.pk]


def test_system_actions_have_no_actor():
    target = UserFactory()
    event = audit_record(actor=None, target=target, action="expired")
    assert event.actor is None
    assert event.actor_role == "system"


def test_saving_an_existing_event_is_refused(event):
    event.comment = "réécrit"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).comment == "pourquoi"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="réécrit")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).for_object(event.target).delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == "pourquoi"


def test_bulk_update_is_refused(event):
    event.comment = "réécrit"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["comment"])
    assert AuditEvent.objects.get(pk=event.pk).comment == "pourquoi"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET comment = 'réécrit'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_raw_sql_cannot_rewrite_history_on_postgresql(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).comment == "pourquoi"


def test_every_recorded_action_has_a_label():
    """Each action string the code records is named for staff (the trail never shows a raw code)."""
    import re
    from pathlib import Path

    from django.conf import settings

    from cqpt_portal.audit.labels import _ACTIONS, _COMMON_ACTIONS

    known = {action for _model, action in _ACTIONS} | set(_COMMON_ACTIONS)
    recorded = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text()
        if "audit_record(" in text:
            recorded |= set(re.findall(r'action="([a-z_]+)"', text))
    recorded.add("period_confirmed")
    recorded.add("period_disputed")
    assert recorded - known == set()
