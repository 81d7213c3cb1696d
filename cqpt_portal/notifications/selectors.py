from django.db.models import QuerySet

from .enums import NotificationState
from .models import Notification


def notifications_recent(*, recipient, limit: int) -> list[Notification]:
    """The recipient's latest notifications, newest first."""
    return list(Notification.objects.filter(recipient=recipient)[:limit])


def notifications_failed() -> QuerySet[Notification]:
    """Notifications whose e-mail failed for good (the administrator requeues them)."""
    return Notification.objects.filter(state=NotificationState.FAILED)
