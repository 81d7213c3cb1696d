from celery import shared_task

from .services import notifications_deliver, notifications_flush


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
    from django.utils import timezone

    from .models import Notification

    limit = 1 if self.request.is_eager else settings.NOTIFICATION_BATCH_SIZE
    outcomes = notifications_deliver(first_id=notification_id, limit=limit)
    outcome = outcomes.get(notification_id, "skipped")
    if self.request.is_eager:
        return outcome
    released = [pk for pk, other in outcomes.items() if other == "released"]
    if released:  # the lease ran short: one task takes them again, as a batch
        send_notification.apply_async((released[0],))
    retries = [pk for pk, other in outcomes.items() if other == "retry"]
    now = timezone.now()
    countdowns = {
        pk: max((next_attempt_at - now).total_seconds(), 0)
        for pk, next_attempt_at in Notification.objects.filter(pk__in=retries).values_list("pk", "next_attempt_at")
    }
    for pk, countdown in countdowns.items():
        if pk != notification_id:
            send_notification.apply_async((pk,), countdown=countdown)
    if outcome == "retry":
        raise self.retry(countdown=countdowns.get(notification_id, settings.NOTIFICATION_RETRY_BASE_SECONDS))
    return outcome


@shared_task
def flush_outbox():
    """Periodic sweep (beat): send every pending notification that is due, in batches."""
    return notifications_flush()
