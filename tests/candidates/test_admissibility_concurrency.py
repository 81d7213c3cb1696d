"""Races on PostgreSQL: two reviewers claiming one dossier, two candidates taking dossier numbers.

Run with DATABASE_URL=postgres://... (skipped on SQLite, which has no row locks).
"""

import os
import threading

import pytest
from django.db import connection
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier, DossierNumberCounter
from candidates.workflow import apply_transition
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_admissibility_support import (  # noqa: F401 - fast_password_hashing is an autouse fixture
    fast_password_hashing,
    ready_dossier,
    reviewer,
    submitted_dossier,
)

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(*calls):
    """Run the calls in threads released at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_two_reviewers_claiming_at_the_same_instant_one_wins(round_):
    dossier = submitted_dossier()
    first, second = reviewer(), reviewer()

    outcomes = _race(
        lambda: apply_transition(dossier_id=dossier.pk, name="claim", actor=first),
        lambda: apply_transition(dossier_id=dossier.pk, name="claim", actor=second),
    )

    winners = [o for o in outcomes if isinstance(o, Dossier)]
    losers = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "Quelqu'un l'a peut-être traité entre-temps" in losers[0].messages[0]
    assert "En cours d'examen par AUVICOM" in losers[0].messages[0]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW
    assert dossier.reviewer_id == winners[0].reviewer_id
    assert dossier.reviewer_id in (first.pk, second.pk)


@pytest.mark.parametrize("counter_exists", [False, True])
def test_two_submissions_at_the_same_instant_get_distinct_consecutive_numbers(counter_exists):
    year = timezone.localdate().year
    if counter_exists:
        DossierNumberCounter.objects.create(year=year, last_value=41)
    a, b = ready_dossier(), ready_dossier()

    outcomes = _race(
        lambda: apply_transition(dossier_id=a.pk, name="submit", actor=a.candidate),
        lambda: apply_transition(dossier_id=b.pk, name="submit", actor=b.candidate),
    )

    assert all(isinstance(o, Dossier) for o in outcomes), outcomes
    numbers = sorted(Dossier.objects.filter(pk__in=[a.pk, b.pk]).values_list("number", flat=True))
    start = 42 if counter_exists else 1
    assert numbers == [f"CQPT-{year}-{start:06d}", f"CQPT-{year}-{start + 1:06d}"]
    assert DossierNumberCounter.objects.get(year=year).last_value == start + 1
