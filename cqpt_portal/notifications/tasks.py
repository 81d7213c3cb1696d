from celery import shared_task

from .services import notifications_deliver, notifications_flush

# Notifications this worker process has sent. In a burst most tasks find theirs sent by a batch of their own
# process: they need not ask the database. Safe as a cache: a row that says "sent" is never sent again, and
# PostgreSQL never hands an id out twice. Bounded; emptied when full.
_sent_here: set[int] = set()
_SENT_HERE_MAX = 100_000


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_notification(self, notification_id: int):
    """E-mail one notification and, over the same connection, up to NOTIFICATION_BATCH_SIZE - 1 others due.

    Does nothing if the notification is no longer deliverable (another task took
    it in its batch). Each message refused is retried with exponential backoff:
    this one by retrying the task, the others by a task of their own. In-process
    (eager, no worker) it sends its own notification only: a request never waits
    for other people's e-mails.
    """
    from django.conf import settings

    if self.request.is_eager:
        return notifications_deliver(first_id=notification_id, limit=1).get(notification_id, "skipped")
    if notification_id in _sent_here:
        return "skipped"
    outcomes = notifications_deliver(first_id=notification_id, limit=settings.NOTIFICATION_BATCH_SIZE)
    if len(_sent_here) > _SENT_HERE_MAX:
        _sent_here.clear()
    _sent_here.update(pk for pk, outcome in outcomes.items() if outcome == "sent")
    released = [pk for pk, outcome in outcomes.items() if outcome == "released"]
    if released:  # the lease ran short: one task takes them again, as a batch
        send_notification.apply_async((released[0],))
    retries = [pk for pk, outcome in outcomes.items() if outcome == "retry"]
    if retries:
        countdowns = _countdowns(retries)
        for pk, countdown in countdowns.items():
            if pk != notification_id:
                send_notification.apply_async((pk,), countdown=countdown)
        if notification_id in countdowns:
            raise self.retry(countdown=countdowns[notification_id])
    return outcomes.get(notification_id, "skipped")


def _countdowns(notification_ids: list[int]) -> dict[int, float]:
    """Seconds until each notification is due again (its backoff)."""
    from django.utils import timezone

    from .models import Notification

    now = timezone.now()
    return {
        pk: max((next_attempt_at - now).total_seconds(), 0)
        for pk, next_attempt_at in Notification.objects.filter(pk__in=notification_ids).values_list(
            "pk", "next_attempt_at"
        )
    }


@shared_task
def flush_outbox():
    """Periodic sweep (beat): send every pending notification that is due, in batches."""
    return notifications_flush()
