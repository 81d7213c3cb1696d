"""Helpers shared by the CPNE tests (no tests here): dossiers brought to the CPNE through the real services,
members seated in each college, a meeting held up to its decisions."""

import datetime

import pytest
from django.utils import timezone

from cpne.enums import College
from cpne.models import CpneMembership
from cpne.services import attendance_record, meeting_create
from cpne.workflow import MEETING_WORKFLOW
from cqpt_portal.accounts.enums import Role
from evaluation.workflow import EVALUATION_WORKFLOW
from tests.evaluation.support import Setup
from tests.factories import UserFactory


def transmitted_dossier(**dossier_kwargs):
    """A dossier whose evaluation is complete and transmitted to the CPNE (Setup: phases, synthesis, transmit)."""
    setup = Setup(**dossier_kwargs)
    setup.complete_phases()
    setup.write_synthesis()
    EVALUATION_WORKFLOW.apply(pk=setup.evaluation.pk, name="transmit", actor=setup.manager)
    setup.dossier.refresh_from_db()
    setup.evaluation.refresh_from_db()
    return setup


def member(college=College.EMPLOYERS, **kwargs):
    user = UserFactory(role=Role.CPNE_MEMBER, **kwargs)
    CpneMembership.objects.create(user=user, college=college)
    return user


def secretary():
    return UserFactory(role=Role.CPNE_SECRETARY)


def commission(per_college=2):
    """Seated members: `per_college` in each college."""
    return {college: [member(college) for _i in range(per_college)] for college in College.values}


def planned_meeting(secretary_user, *, days=1):
    now = timezone.now()
    return meeting_create(
        actor=secretary_user,
        starts_at=now + datetime.timedelta(days=days),
        agenda_cutoff=now + datetime.timedelta(minutes=1),
        place="Paris, siège de la Branche",
    )


def meeting_in_session(secretary_user, members, *, present=None):
    """A meeting opened with everyone (or `present`) ticked present."""
    meeting = planned_meeting(secretary_user)
    MEETING_WORKFLOW.apply(pk=meeting.pk, name="open", actor=secretary_user)
    chosen = present if present is not None else [u for users in members.values() for u in users]
    ids = set(meeting.attendances.filter(member__in=chosen).values_list("pk", flat=True))
    attendance_record(meeting_id=meeting.pk, actor=secretary_user, present_ids=ids)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
