from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from .enums import NotificationState
from .models import Notification


def notifications_recent(*, recipient, limit: int) -> list[Notification]:
    """The recipient's latest notifications, newest first."""
    return list(Notification.objects.filter(recipient=recipient)[:limit])


def notifications_failed() -> QuerySet[Notification]:
    """Notifications whose e-mail failed for good (the administrator requeues them)."""
    return Notification.objects.filter(state=NotificationState.FAILED)


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """How many of the user's notifications are unread: the header's badge on every page.

    Kept in the cache (Redis in production) rather than counted on each page: a query less per page. Every
    change of the count forgets it (forget_unread_count: a new notification once committed, a notification
    read); anything else (the retention task, the admin) is caught up within
    settings.NOTIFICATION_UNREAD_COUNT_SECONDS (0: counted on each page).
    """
    seconds = settings.NOTIFICATION_UNREAD_COUNT_SECONDS
    key = _unread_key(user.pk)
    count = cache.get(key) if seconds else None
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        if seconds:
            cache.set(key, count, seconds)
    return count


def forget_unread_count(user_id: int) -> None:
    cache.delete(_unread_key(user_id))
