"""The demo data of the first command: one account per role, a filled queue, idempotent."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from candidates.enums import DossierState
from candidates.models import Dossier, DossierSubmission
from catalogue.models import Company, Cqpt
from cpne.demo import DEMO_CPNE_CANDIDATES
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_fills_the_queue_through_the_workflow(capsys, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    assert set(Role) <= set(User.objects.values_list("role", flat=True))
    for role in Role:
        assert User.objects.filter(email__endswith="@demo.cqpt.fr", role=role).exists()
    submitted = Dossier.objects.filter(state=DossierState.SUBMITTED)
    assert submitted.count() == 3
    assert sorted(submitted.values_list("number", flat=True)) == [
        f"{prefix}{n:06d}" for prefix in {d.number[:10] for d in submitted} for n in (1, 2, 3)
    ]
    # The queue's three, the seven of the demo evaluations (evaluation/demo.py), and the CPNE demo's own
    # dossiers (cpne/demo.py), taken past the queue to the CPNE.
    assert DossierSubmission.objects.count() == 10 + len(DEMO_CPNE_CANDIDATES)
    assert AuditEvent.objects.filter(action="submit").count() == 10 + len(DEMO_CPNE_CANDIDATES)
    assert all(d.documents.count() == 3 for d in submitted)
    assert first.rstrip().splitlines()[-1].startswith("Staff accounts log in with a second factor")
    assert "candidat@demo.cqpt.fr" in first and "cqpt-demo-2026!" in first


def test_seed_demo_refuses_outside_demo_mode_and_creates_nothing(settings):
    """The admin account with the README's password and the public TOTP key must never reach production."""
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE must be on"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert not Company.objects.exists() and not Cqpt.objects.exists()
    assert not Dossier.objects.exists()


def test_seed_demo_dossiers_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE must be on"):
        call_command("seed_demo_dossiers")
    assert not User.objects.exists()
