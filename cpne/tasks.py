"""The CPNE's Celery tasks: take ids, idempotent (keyed by the award or the meeting), acknowledged late.

A worker killed mid-batch leaves its task unacknowledged: the broker hands it
again and the task finds what is already done. Numbers are drawn when the
decision is released (in the meeting's closing transaction), so a batch only
renders PDFs and can never leave a gap. The beat sweep re-queues what a broker
outage left undone.
"""

import datetime

from celery import shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from .enums import DecisionOutcome, DecisionState, MeetingState
from .models import Decision, Meeting


@worker_process_init.connect
def _warm_fonts(**kwargs):
    """Configure WeasyPrint's fonts once per worker process, before the first certificate."""
    from .pdf import font_config

    font_config()


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def certificate_make(decision_id: int) -> None:
    """The award's certificate (issued if missing) and its PDF; nothing to do if both exist."""
    from .models import Certificate
    from .services import certificate_issue, certificate_pdf_make

    certificate_id = Certificate.objects.filter(decision_id=decision_id).values_list("pk", flat=True).first()
    if certificate_id is None:  # normally issued when the meeting closed; issued here if it was not
        decision = Decision.objects.select_related("dossier__cqpt", "meeting").get(pk=decision_id)
        if decision.outcome != DecisionOutcome.AWARDED or decision.state == DecisionState.PENDING:
            return
        certificate_id = certificate_issue(decision=decision).pk
    certificate_pdf_make(certificate_id=certificate_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def meeting_certificates(meeting_id: int) -> None:
    """One task per award of the meeting whose certificate has no PDF yet."""
    pending = (
        Decision.objects.filter(meeting_id=meeting_id, outcome=DecisionOutcome.AWARDED, state=DecisionState.RELEASED)
        .exclude(certificate__pdf__gt="")
        .exclude(certificate__candidate_name="")
    )
    for decision_id in pending.values_list("pk", flat=True):
        certificate_make.delay(decision_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def minutes_make(meeting_id: int) -> None:
    from .services import minutes_pdf_make

    minutes_pdf_make(meeting_id=meeting_id)


@shared_task
def sweep_certificates_and_minutes(grace_seconds: int = 120) -> int:
    """Re-queue the certificates and minutes still missing some time after their meeting closed."""
    before = timezone.now() - datetime.timedelta(seconds=grace_seconds)
    queued = 0
    awards = (
        Decision.objects.filter(outcome=DecisionOutcome.AWARDED, state=DecisionState.RELEASED, released_at__lte=before)
        .exclude(certificate__pdf__gt="")
        .exclude(certificate__candidate_name="")
    )  # pseudonymised: past retention
    for decision_id in awards.values_list("pk", flat=True):
        certificate_make.delay(decision_id)
        queued += 1
    for meeting_id in Meeting.objects.filter(state=MeetingState.CLOSED, minutes="", closed_at__lte=before).values_list(
        "pk", flat=True
    ):
        minutes_make.delay(meeting_id)
        queued += 1
    return queued
