"""A double submit of the same invitation on PostgreSQL: the constraint decides, the loser gets the clear message.

Run with DATABASE_URL=postgres://... (skipped on SQLite, which serialises writers).
"""

import os
import threading
import time

import pytest
from django.db import connection, transaction

from candidates.enums import InvitationState
from candidates.models import EmployerInvitation
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_employer_invitations import _invite
from tests.factories import CqptFactory, EmployerFactory

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_double_submit_gets_the_clear_message_not_an_integrity_error():
    employer, cqpt = EmployerFactory(), CqptFactory()
    first_inserted, release_first = threading.Event(), threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = _invite(employer, cqpt)
                first_inserted.set()
                release_first.wait(timeout=10)  # still uncommitted: the second cannot see it
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(timeout=10)
            outcomes["second"] = _invite(employer, cqpt)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # the second passed the service's check and waits on the unique index
    release_first.set()
    for thread in threads:
        thread.join(timeout=30)

    assert isinstance(outcomes["second"], ActionRefused), outcomes["second"]
    assert "déjà en attente" in str(outcomes["second"])
    assert EmployerInvitation.objects.filter(state=InvitationState.PENDING).count() == 1
