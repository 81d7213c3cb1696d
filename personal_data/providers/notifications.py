"""Notifications are messages to the person: exported in full, deleted with the account and after their period."""

from cqpt_portal.notifications.models import Notification

from ..registry import Erasure, ErasureContext, Export, RetentionContext, row


def export(user) -> Export:
    fields = ["id", "kind", "subject", "body", "link", "created_at", "sent_at", "read_at", "attachment_name"]
    return Export(rows={"notifications": [row(n, fields) for n in Notification.objects.filter(recipient=user)]})


def erase(user, context: ErasureContext) -> Erasure:
    return Erasure(deleted={"notifications": Notification.objects.filter(recipient=user).delete()[0]})


def retention(context: RetentionContext) -> dict[str, int]:
    queryset = Notification.objects.filter(created_at__lt=context.months_ago("notifications_months"))
    return {"notifications": queryset.count() if context.dry_run else queryset.delete()[0]}
