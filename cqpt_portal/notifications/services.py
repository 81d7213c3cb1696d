import logging
from contextlib import contextmanager
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection, mail_admins
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cqpt_portal.broker import publish_bounded

from .enums import NotificationKind, NotificationState
from .models import Notification
from .selectors import forget_unread_count

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
    recipient=None,
    email: str = "",
    language: str = "",
    kind: NotificationKind | str,
    context: dict | None = None,
    link: str = "",
    attachment: tuple[str, str, str] | None = None,
    reference: str = "",
) -> Notification:
    """Write a notification in the caller's transaction; queue its e-mail after commit.

    Side effects: one INSERT now; one bounded publish to the broker after the
    transaction commits (none if it rolls back). The recipient is a user or,
    for someone without an account, an `email` address (then `language`, by
    default the portal's). `link` is the recipient's own page for it (the
    caller builds it for that recipient); `attachment` is (file name, content
    type, text), e.g. an .ics calendar file; `reference` names what it is about
    for whoever shows its delivery state (e.g. the employer's invitations).
    """
    if recipient is None and not email:
        raise ValueError("A notification needs a recipient user or an e-mail address.")
    kind = NotificationKind(kind).value  # an unknown kind is a programming error, not a silent template miss
    context = context or {}
    language = (recipient.language if recipient is not None else language) or settings.LANGUAGE_CODE
    if kind in _LIVE_LINK_BUILDERS:
        link = ""
        with translation.override(language):
            context = {**context, _LIVE_LINK_MARKER_KEY: str(_("[lien personnel : il n'est envoyé que par e-mail]"))}
    subject, body = render_notification(kind=kind, context=context, language=language, link=link)
    name, content_type, content = attachment or ("", "", "")
    notification = Notification.objects.create(
        recipient=recipient,
        recipient_email="" if recipient is not None else email,
        reference=reference,
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
    if recipient is not None:
        forget_unread_count(recipient.pk)
    transaction.on_commit(lambda: _after_commit(notification.pk, recipient.pk if recipient is not None else None))
    return notification


def _after_commit(notification_id: int, recipient_id: int | None) -> None:
    if recipient_id is not None:
        forget_unread_count(recipient_id)  # a page shown before the commit may have cached the old count
    _enqueue(notification_id)


def _enqueue(notification_id: int) -> None:
    """Hint the worker that a notification is ready, within a bounded time; the outbox sweep covers a miss."""
    from .tasks import send_notification

    if not publish_bounded(send_notification, notification_id):
        logger.info("Notification %s left for the outbox sweep", notification_id)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0)))


def _deliverable(now) -> Q:
    """Pending and due, or taken by a worker whose lease ran out (it died or hung mid-send)."""
    return Q(state=NotificationState.PENDING, next_attempt_at__lte=now) | Q(
        state=NotificationState.SENDING, lease_until__lt=now
    )


def message_id(notification: Notification) -> str:
    """The same Message-ID at every attempt, so that a duplicate can be recognised and merged."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "cqpt.invalid"
    return f"<notification.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def _email(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=_body_to_send(notification),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email_address],
        headers={"X-CQPT-Notification": str(notification.pk), "Message-ID": message_id(notification)},
    )
    if notification.attachment_name:
        message.attach(notification.attachment_name, notification.attachment, notification.attachment_type)
    return message


def _one_send_may_take() -> timedelta:
    """How long one message may hold the mail server: a few round trips of EMAIL_TIMEOUT each."""
    return timedelta(seconds=4 * (settings.EMAIL_TIMEOUT or 15))


def _claim(*, first_id: int | None, among: list[int] | None, limit: int) -> list[Notification]:
    """Take up to `limit` deliverable notifications under one lease, committed (see `notifications_deliver`)."""
    now = timezone.now()
    if first_id is not None and not Notification.objects.filter(_deliverable(now), pk=first_id).exists():
        return []  # the common case in a burst (another task's batch took it): no transaction, no lock
    # of=("self",): lock the notifications only; locking the recipients too would
    # make a second notification of the same user "locked" and skip it.
    deliverable = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(_deliverable(now))
    )
    with transaction.atomic():
        batch = []
        if first_id is not None:
            batch = list(deliverable.filter(pk=first_id))
            if not batch:
                return []
        if limit > len(batch):
            if among is not None:
                others = deliverable.filter(pk__in=among)
            else:
                # Pending and due only, found by the partial index; rows left "sending" past their lease are the sweep's.
                others = deliverable.filter(state=NotificationState.PENDING)
            if first_id is not None:
                others = others.exclude(pk=first_id)
            batch += others.order_by("next_attempt_at", "pk")[: limit - len(batch)]
        if not batch:
            return []
        lease_until = now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(
            state=NotificationState.SENDING, attempts=F("attempts") + 1, lease_until=lease_until
        )
    for notification in batch:
        notification.state = NotificationState.SENDING
        notification.attempts += 1
        notification.lease_until = lease_until
    return batch


def _release(notifications: list[Notification]) -> None:
    """Give back rows taken but not tried (their lease ran short): pending, due, the attempt not counted."""
    Notification.objects.filter(
        pk__in=[n.pk for n in notifications],
        state=NotificationState.SENDING,
        lease_until=notifications[0].lease_until,  # still this batch's: nobody took them since
    ).update(state=NotificationState.PENDING, attempts=F("attempts") - 1, lease_until=None)


@contextmanager
def _commits_without_waiting_for_the_disk():
    """Within: PostgreSQL answers each commit before its WAL is on disk (synchronous_commit off, this session).

    Flushing it was most of the time of an e-mail sent (one commit per row).
    Only a crash of the database server (not of the worker) in the fraction of
    a second after a commit can lose it: a "sent" lost leaves the row "sending",
    and the message goes once more after its lease with the same Message-ID,
    the case the lease already allows for when the worker dies before writing
    "sent"; a lost lease or retry only makes the row deliverable again.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # a lost connection: the next one starts with the default
            connection.close()


def _record(notification: Notification, error: str | None) -> str:
    """Write the outcome of one attempt on its row; return "sent", "retry" or "failed"."""
    if error is None:
        notification.state = NotificationState.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        outcome = "sent"
    else:
        notification.last_error = error[:2000]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.state = NotificationState.FAILED
            outcome = "failed"
        else:
            notification.state = NotificationState.PENDING
            notification.next_attempt_at = timezone.now() + _backoff(notification.attempts)
            outcome = "retry"
    notification.lease_until = None
    mine = Notification.objects.filter(pk=notification.pk)
    if outcome != "sent":
        # Only while the lease is still this attempt's: never undo a later attempt's "sent".
        mine = mine.filter(state=NotificationState.SENDING, attempts=notification.attempts)
    mine.update(
        state=notification.state,
        last_error=notification.last_error,
        next_attempt_at=notification.next_attempt_at,
        sent_at=notification.sent_at,
        lease_until=None,
    )
    if outcome == "failed":
        _alert_failed(notification)
    return outcome


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - a connection that cannot even say goodbye is dropped all the same
        logger.info("Mail server connection closed uncleanly", exc_info=True)


def notifications_deliver(
    *, first_id: int | None = None, among: list[int] | None = None, limit: int = 1
) -> dict[int, str]:
    """E-mail up to `limit` deliverable notifications over one mail-server connection; return each one's outcome.

    With `first_id`, that notification is taken first, and nothing at all is done
    ({}) if it is not deliverable: already sent, failed, not due, or being sent by
    another worker. The others are those of `among` still deliverable (the sweep's
    list) or, without it, any pending and due, oldest first.

    Side effects: the rows taken are marked "sending" under one lease (committed)
    before the mail server is contacted; then, one message at a time, each row is
    marked "sent" right after the server accepted it, or back to pending with a
    delay, or "failed" after its last attempt (an ERROR log and a mail to ADMINS):
    a message refused touches its own row only, and the next message goes over a
    new connection. If the server cannot be reached, each remaining row counts a
    failed attempt. Rows the lease no longer leaves time for are given back
    ("released": pending and due, the attempt not counted). Another worker, or the
    sweep, takes a row only after its lease, so a message is sent twice only if
    this worker died (or its connection was lost) after the server accepted it
    and before the row said so.
    """
    batch = _claim(first_id=first_id, among=among, limit=limit)
    outcomes: dict[int, str] = {}
    if not batch:
        return outcomes
    mail = get_connection(fail_silently=False)
    unreachable = None  # the server's error when it could not be reached: the rest of the batch is not tried
    try:
        with _commits_without_waiting_for_the_disk():
            for position, notification in enumerate(batch):
                if position and timezone.now() + _one_send_may_take() > notification.lease_until:
                    _release(batch[position:])
                    outcomes.update((n.pk, "released") for n in batch[position:])
                    break
                error = unreachable
                if error is None:
                    try:
                        mail.open()  # a no-op while open; a new connection after a refused message
                    except Exception as exc:  # noqa: BLE001 - any mail-server error is retried, then recorded
                        error = unreachable = _error(exc)
                if error is None:
                    try:
                        mail.send_messages([_email(notification)])
                    except Exception as exc:  # noqa: BLE001 - any mail-server error is retried, then recorded
                        error = _error(exc)
                        _close_quietly(mail)
                outcomes[notification.pk] = _record(notification, error)
    finally:
        _close_quietly(mail)
    return outcomes


def notification_deliver(*, notification_id: int) -> str:
    """Send one deliverable notification by e-mail (only it); return "sent", "retry", "failed" or "skipped".

    Side effects: those of `notifications_deliver`, for this one row.
    """
    return notifications_deliver(first_id=notification_id, limit=1).get(notification_id, "skipped")


def _alert_failed(notification: Notification) -> None:
    """A notification will not be e-mailed: an ERROR log for monitoring, and a mail to ADMINS if set."""
    summary = (
        f"Notification {notification.pk} ({notification.kind}) failed after {notification.attempts} attempts: "
        f"{notification.last_error}"
    )
    logger.error(summary)
    if settings.ADMINS:
        try:
            mail_admins(
                f"Notification {notification.pk} non envoyée",
                f"{summary}\n\nElle est listée dans l'administration (Notifications, filtre « Échec »), "
                "d'où elle peut être renvoyée.",
            )
        except Exception:  # noqa: BLE001 - the mail server may be what is failing; the ERROR log stands
            logger.exception("Could not mail the administrators about notification %s", notification.pk)


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark some (or all) of a user's notifications read. Side effect: one UPDATE."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    updated = qs.update(read_at=timezone.now())
    forget_unread_count(user.pk)
    transaction.on_commit(lambda: forget_unread_count(user.pk))
    return updated


def pending_due_ids(limit: int = 500) -> list[int]:
    """Notifications the sweep should try now: pending and due, or left "sending" past their lease."""
    return list(
        Notification.objects.filter(_deliverable(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_flush(*, limit: int = 500) -> dict[str, int]:
    """The sweep: e-mail the deliverable notifications, NOTIFICATION_BATCH_SIZE per connection; count the outcomes.

    Side effects: those of `notifications_deliver`, for each batch of the (at
    most `limit`) rows found deliverable when it starts; each is tried once.
    """
    ids = pending_due_ids(limit)
    size = settings.NOTIFICATION_BATCH_SIZE
    counts: dict[str, int] = {}
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        for outcome in notifications_deliver(among=chunk, limit=len(chunk)).values():
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


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
