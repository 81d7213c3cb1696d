"""Batches: a worker's task sends its notification and others due over one mail connection, each recorded on its own.

The task's worker path is run in this process with `send_notification.run()` (not eager); the
end-to-end version, with a real worker on Redis and PostgreSQL, is in test_worker_integration.py.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cqpt_portal.celery import app
from cqpt_portal.notifications import tasks
from cqpt_portal.notifications.enums import NotificationState
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import message_id, notification_create, notifications_deliver
from cqpt_portal.notifications.tasks import flush_outbox, send_notification
from tests.notifications.backends import CountingEmailBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counting_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingEmailBackend"
    CountingEmailBackend.connections = []
    tasks._sent_here.clear()  # ids come back between tests on SQLite; never in a worker on PostgreSQL
    yield CountingEmailBackend
    tasks._sent_here.clear()


def _notify(address: str) -> Notification:
    return notification_create(email=address, kind="test", context={"message": "bonjour"})


def _states(*notifications) -> list[tuple[str, int]]:
    return [(n.state, n.attempts) for n in Notification.objects.filter(pk__in=[n.pk for n in notifications])]


def test_a_task_sends_its_notification_and_the_others_due_over_one_connection(counting_mail_server, settings):
    settings.NOTIFICATION_BATCH_SIZE = 50
    first, second, third = (_notify(f"salarie{i}@example.org") for i in range(3))
    later = _notify("plus-tard@example.org")
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    assert send_notification.run(second.pk) == "sent"

    # Its own first, then the others due, oldest first; the one not due yet is left alone.
    assert counting_mail_server.connections == [
        ["salarie1@example.org", "salarie0@example.org", "salarie2@example.org"]
    ]
    assert _states(first, second, third) == [(NotificationState.SENT, 1)] * 3
    assert Notification.objects.get(pk=later.pk).state == NotificationState.PENDING
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        message_id(n) for n in (first, second, third)
    )


def test_the_batch_is_at_most_notification_batch_size(counting_mail_server, settings):
    settings.NOTIFICATION_BATCH_SIZE = 2
    notifications = [_notify(f"salarie{i}@example.org") for i in range(3)]
    assert send_notification.run(notifications[0].pk) == "sent"
    assert [len(sent) for sent in counting_mail_server.connections] == [2]
    assert Notification.objects.filter(state=NotificationState.PENDING).count() == 1


def test_a_refused_message_is_retried_alone_and_the_others_of_the_batch_are_sent(counting_mail_server, settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    first = _notify("salarie0@example.org")
    refused = _notify("refuse@example.org")
    third = _notify("salarie2@example.org")
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        outcomes = notifications_deliver(first_id=first.pk, limit=10)

    assert outcomes == {first.pk: "sent", refused.pk: "retry", third.pk: "sent"}
    # The refusal closed that connection: the next message went over a new one.
    assert counting_mail_server.connections == [["salarie0@example.org"], ["salarie2@example.org"]]
    refused.refresh_from_db()
    assert (refused.state, refused.attempts, refused.lease_until) == (NotificationState.PENDING, 1, None)
    assert refused.next_attempt_at == start + timedelta(seconds=30)
    assert "550 Mailbox unavailable" in refused.last_error
    assert _states(first, third) == [(NotificationState.SENT, 1)] * 2

    # Its retry, once due, sends it alone; the others are not sent again.
    Notification.objects.filter(pk=refused.pk).update(recipient_email="accepte@example.org")
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert send_notification.run(refused.pk) == "sent"
    assert _states(refused) == [(NotificationState.SENT, 2)]
    assert [m.to for m in mail.outbox] == [["salarie0@example.org"], ["salarie2@example.org"], ["accepte@example.org"]]


def test_a_mail_server_out_of_reach_costs_each_message_of_the_batch_one_attempt(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens there
    notifications = [_notify(f"salarie{i}@example.org") for i in range(3)]

    outcomes = notifications_deliver(first_id=notifications[0].pk, limit=10)

    assert list(outcomes.values()) == ["retry"] * 3
    assert _states(*notifications) == [(NotificationState.PENDING, 1)] * 3
    assert all("ConnectionRefusedError" in n.last_error for n in Notification.objects.all())


def test_a_notification_sent_by_one_task_is_not_sent_again_by_the_next(counting_mail_server):
    first, second = _notify("salarie0@example.org"), _notify("salarie1@example.org")

    assert send_notification.run(first.pk) == "sent"
    assert send_notification.run(second.pk) == "skipped"  # its own process sent it in the batch
    tasks._sent_here.clear()  # as in another worker process: the database says so
    assert send_notification.run(second.pk) == "skipped"
    assert flush_outbox() == {}

    assert len(mail.outbox) == 2
    assert _states(first, second) == [(NotificationState.SENT, 1)] * 2


def test_a_task_whose_notification_is_gone_does_nothing_at_all(counting_mail_server):
    """Idempotent: a second task for a sent notification does not start a batch of others."""
    sent, pending = _notify("salarie0@example.org"), _notify("salarie1@example.org")
    Notification.objects.filter(pk=sent.pk).update(state=NotificationState.SENT, attempts=1)

    assert send_notification.run(sent.pk) == "skipped"

    assert counting_mail_server.connections == []
    assert _states(pending) == [(NotificationState.PENDING, 0)]


def test_a_task_leaves_a_row_being_sent_under_a_live_lease_to_its_owner(counting_mail_server, settings):
    owned, own = _notify("salarie0@example.org"), _notify("salarie1@example.org")
    Notification.objects.filter(pk=owned.pk).update(
        state=NotificationState.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert send_notification.run(own.pk) == "sent"
    assert counting_mail_server.connections == [["salarie1@example.org"]]
    assert _states(owned) == [(NotificationState.SENDING, 1)]


def test_rows_the_lease_leaves_no_time_for_are_given_back_untried(counting_mail_server, settings):
    # One message may take 4 × EMAIL_TIMEOUT: 400 s, more than the lease. The first goes; the others wait.
    settings.EMAIL_TIMEOUT, settings.NOTIFICATION_LEASE_SECONDS = 100, 300
    first, second, third = (_notify(f"salarie{i}@example.org") for i in range(3))

    outcomes = notifications_deliver(first_id=first.pk, limit=10)

    assert outcomes == {first.pk: "sent", second.pk: "released", third.pk: "released"}
    assert _states(second, third) == [(NotificationState.PENDING, 0)] * 2
    assert not Notification.objects.filter(pk__in=[second.pk, third.pk], lease_until__isnull=False).exists()
    assert counting_mail_server.connections == [["salarie0@example.org"]]
    assert notifications_deliver(first_id=second.pk, limit=1) == {second.pk: "sent"}


def test_in_process_a_task_sends_its_own_notification_only(counting_mail_server):
    """Eager (no worker): a request never waits for other people's e-mails."""
    assert app.conf.task_always_eager
    mine, someone_elses = _notify("salarie0@example.org"), _notify("salarie1@example.org")
    assert send_notification.delay(mine.pk).get() == "sent"
    assert counting_mail_server.connections == [["salarie0@example.org"]]
    assert _states(someone_elses) == [(NotificationState.PENDING, 0)]


def test_the_sweep_sends_in_batches_including_rows_past_their_lease(counting_mail_server, settings):
    settings.NOTIFICATION_BATCH_SIZE = 2
    notifications = [_notify(f"salarie{i}@example.org") for i in range(4)]
    Notification.objects.filter(pk=notifications[0].pk).update(
        state=NotificationState.SENDING, attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )

    assert flush_outbox() == {"sent": 4}

    assert [len(sent) for sent in counting_mail_server.connections] == [2, 2]
    assert Notification.objects.get(pk=notifications[0].pk).attempts == 2
    assert flush_outbox() == {}
    assert len(mail.outbox) == 4


def test_the_worker_keeps_its_database_connection_between_tasks(settings):
    """Celery's fixup closes the connection around every task unless CELERY_DB_REUSE_MAX is set (read under that
    name, not through the CELERY_ namespace); ours closes it only when old or broken (see the worker test)."""
    from celery.fixups.django import DjangoWorkerFixup

    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX >= 100
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.WORKER_CONN_MAX_AGE > 0
