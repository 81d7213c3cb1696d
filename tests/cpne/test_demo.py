"""The CPNE's demo: a past meeting with released decisions and one certificate, an upcoming one with its agenda."""

import pytest
from django.core.management import call_command

from candidates.enums import DossierState
from cpne.enums import DecisionState, MeetingState
from cpne.models import Certificate, CpneMembership, Decision, Meeting

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_cpne_a_past_and_an_upcoming_meeting(settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    past, upcoming = Meeting.objects.order_by("starts_at")
    assert past.state == MeetingState.CLOSED and past.minutes
    assert set(Decision.objects.values_list("state", flat=True)) == {DecisionState.RELEASED}
    assert {d.dossier.state for d in Decision.objects.all()} == {DossierState.AWARDED, DossierState.NOT_AWARDED}
    certificate = Certificate.objects.get()
    assert certificate.pdf and certificate.decided_on == past.starts_at.date()
    assert upcoming.state == MeetingState.PLANNED
    assert upcoming.items.count() >= 2  # with any dossier another demo transmitted
    assert {i.dossier.state for i in upcoming.items.all()} == {DossierState.TRANSMITTED_TO_CPNE}
    assert CpneMembership.objects.filter(user__email="cpne@demo.cqpt.fr").exists()
    assert CpneMembership.objects.count() == 4
