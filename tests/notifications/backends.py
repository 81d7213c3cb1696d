"""E-mail backends for tests."""

from smtplib import SMTPException

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("451 Temporary local problem - please try later")


class ObservingEmailBackend(BaseEmailBackend):
    """A mail server that accepts everything and records, for each message, the outbox row as it was then."""

    seen: list = []

    def send_messages(self, email_messages):
        from cqpt_portal.notifications.models import Notification

        for message in email_messages:
            row = Notification.objects.get(pk=message.extra_headers["X-CQPT-Notification"])
            type(self).seen.append((row.state, row.lease_until, message.extra_headers["Message-ID"]))
        return len(email_messages)


class RefusingNotificationsBackend(locmem.EmailBackend):
    """Refuses the notifications' e-mails, delivers the rest (the administrators' alert) to mail.outbox."""

    def send_messages(self, email_messages):
        if any("X-CQPT-Notification" in m.extra_headers for m in email_messages):
            raise SMTPException("550 Mailbox unavailable")
        return super().send_messages(email_messages)
