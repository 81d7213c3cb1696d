"""50 certificates issued at once on PostgreSQL: numbers 1..50, no gap, no duplicate (the counter row is locked).

Skips on SQLite, which serialises writers anyway and has no row lock to prove.
"""

import threading

import pytest
from django.db import connection, connections

from cpne.enums import DecisionOutcome, DecisionState
from cpne.models import AgendaItem, Certificate, CertificateCounter, Decision
from cpne.services import certificate_issue
from tests.cpne.support import planned_meeting, secretary
from tests.factories import DossierFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

COUNT = 50


@pytest.fixture
def fifty_awards():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    sec = secretary()
    meeting = planned_meeting(sec)
    decisions = []
    for position in range(1, COUNT + 1):
        dossier = DossierFactory(number=f"CQPT-2026-{700000 + position:06d}")
        item = AgendaItem.objects.create(meeting=meeting, dossier=dossier, position=position)
        decisions.append(
            Decision.objects.create(
                item=item,
                meeting=meeting,
                dossier=dossier,
                outcome=DecisionOutcome.AWARDED,
                state=DecisionState.RELEASED,
                recorded_by=sec,
            )
        )
    return decisions


def test_fifty_concurrent_issuances_leave_no_gap_and_no_duplicate(fifty_awards):
    barrier = threading.Barrier(COUNT)
    errors = []

    def issue(decision, twice):
        try:
            barrier.wait(timeout=30)
            certificate_issue(decision=Decision.objects.select_related("dossier__cqpt", "meeting").get(pk=decision.pk))
            if twice:  # the same award issued again (a redelivered task): the same certificate
                certificate_issue(decision=Decision.objects.select_related("dossier", "meeting").get(pk=decision.pk))
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d, i % 5 == 0)) for i, d in enumerate(fifty_awards)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, COUNT + 1))
    assert Certificate.objects.values("code").distinct().count() == COUNT
    assert CertificateCounter.objects.get().last == COUNT
