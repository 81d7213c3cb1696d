from celery import shared_task

from .services import notification_deliver, pending_due_ids


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_notification(self, notification_id: int):
    """E-mail one notification; retried with exponential backoff on mail errors."""
    from django.conf import settings

    outcome = notification_deliver(notification_id=notification_id)
    if outcome == "retry" and not self.request.is_eager:
        from .models import Notification

        attempts = Notification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first() or 1
        countdown = settings.NOTIFICATION_RETRY_BASE_SECONDS * (2 ** (attempts - 1))
        raise self.retry(countdown=countdown)
    return outcome


@shared_task
def flush_outbox():
    """Periodic sweep (beat): send every pending notification that is due."""
    results = {}
    for notification_id in pending_due_ids():
        outcome = notification_deliver(notification_id=notification_id)
        results[outcome] = results.get(outcome, 0) + 1
    return results
