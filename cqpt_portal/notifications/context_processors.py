from .models import Notification


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications_count": count}
