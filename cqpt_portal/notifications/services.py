import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .enums import NotificationKind, NotificationState
from .models import Notification

logger = logging.getLogger(__name__)


# Kinds whose link carries a live secret (password reset, e-mail confirmation). The notification kept in the
# database and shown in the portal's list never holds it: its body has a marker in its place, and the link is
# made (by the builder the owning app registers) only when the e-mail leaves, into the message sent.
_LIVE_LINK_BUILDERS: dict = {}
_LIVE_LINK_MARKER_KEY = "live_link_marker"


def register_live_link(kind: str, builder) -> None:
    """`builder(notification)` returns the path of the secret link, made at sending time."""
    _LIVE_LINK_BUILDERS[kind] = builder


def _body_to_send(notification: Notification) -> str:
    builder = _LIVE_LINK_BUILDERS.get(notification.kind)
    marker = (notification.context or {}).get(_LIVE_LINK_MARKER_KEY)
    if builder is None or not marker:
        return notification.body
    return notification.body.replace(marker, f"{settings.SITE_URL}{builder(notification)}")


def render_notification(*, kind: str, context: dict, language: str, link: str = "") -> tuple[str, str]:
    """Render subject and body from templates/notifications/<kind>_subject.txt and _body.txt."""
    full_context = {**context, "link": f"{settings.SITE_URL}{link}" if link else "", "site_url": settings.SITE_URL}
    if kind in _LIVE_LINK_BUILDERS:
        full_context["link"] = context.get(_LIVE_LINK_MARKER_KEY, "")
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{kind}_subject.txt", full_context)
        body = render_to_string(f"notifications/email/{kind}_body.txt", full_context)
    return " ".join(subject.split()), body.strip() + "\n"


def notification_create(
    *,
    recipient,
    kind: NotificationKind | str,
    context: dict | None = None,
    link: str = "",
    attachment: tuple[str, str, str] | None = None,
) -> Notification:
    """Write a notification in the caller's transaction; queue its e-mail after commit.

    Side effects: one INSERT now; a Celery task after the transaction commits
    (none if it rolls back). `link` is the recipient's own page for it (the
    caller builds it for that recipient); `attachment` is (file name, content
    type, text), e.g. an .ics calendar file.
    """
    kind = NotificationKind(kind).value  # an unknown kind is a programming error, not a silent template miss
    context = context or {}
    language = recipient.language or settings.LANGUAGE_CODE
    if kind in _LIVE_LINK_BUILDERS:
        link = ""
        with translation.override(language):
            context = {**context, _LIVE_LINK_MARKER_KEY: str(_("[lien personnel : il n'est envoyé que par e-mail]"))}
    subject, body = render_notification(kind=kind, context=context, language=language, link=link)
    name, content_type, content = attachment or ("", "", "")
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        context=context,
        link=link,
        language=language,
        subject=subject,
        body=body,
        attachment_name=name,
        attachment_type=content_type,
        attachment=content,
    )
    transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _enqueue(notification_id: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: the outbox sweep will send it
        logger.warning("Broker unavailable (%s); notification %s left for the outbox sweep", exc, notification_id)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0)))


def notification_deliver(*, notification_id: int) -> str:
    """Send one pending, due notification by e-mail; return "sent", "retry", "failed" or "skipped".

    Side effects: sends one e-mail and updates the row. The row is locked while
    sending so that two workers (or the task and the sweep) never send it twice.
    """
    with transaction.atomic():
        notification = (
            # of=("self",): lock the notification only; locking the recipient too would
            # make a second notification of the same user "locked" and skip it.
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, state=NotificationState.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if notification is None:
            return "skipped"
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=_body_to_send(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
            headers={"X-CQPT-Notification": str(notification.pk)},
        )
        if notification.attachment_name:
            message.attach(notification.attachment_name, notification.attachment, notification.attachment_type)
        notification.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any mail-server error is retried, then recorded
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.state = NotificationState.FAILED
                outcome = "failed"
                logger.error("Notification %s failed after %s attempts", notification.pk, notification.attempts)
            else:
                notification.next_attempt_at = timezone.now() + _backoff(notification.attempts)
                outcome = "retry"
        else:
            notification.state = NotificationState.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            outcome = "sent"
        notification.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "sent_at"])
        return outcome


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark some (or all) of a user's notifications read. Side effect: one UPDATE."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def pending_due_ids(limit: int = 500) -> list[int]:
    return list(
        Notification.objects.filter(state=NotificationState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def notification_requeue_failed(*, notification_ids) -> int:
    """Give failed notifications a new round of tries (after a mail outage was fixed).

    Side effects: one UPDATE back to pending with attempts reset; the tasks are
    queued after commit (and the outbox sweep would find them anyway).
    """
    ids = list(
        Notification.objects.filter(pk__in=notification_ids, state=NotificationState.FAILED).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=ids).update(
        state=NotificationState.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    for notification_id in ids:
        transaction.on_commit(lambda notification_id=notification_id: _enqueue(notification_id))
    return len(ids)
