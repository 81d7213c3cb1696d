"""E-mail backends for tests."""

from smtplib import SMTPException

from django.core.mail.backends import filebased, locmem
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


class CountingEmailBackend(locmem.EmailBackend):
    """Delivers to mail.outbox and records, per connection opened, the recipients of the messages sent over it."""

    connections: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self):
        if self.is_open:
            return False
        self.is_open = True
        type(self).connections.append([])
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, email_messages):
        opened = self.open()
        try:
            if any(address.startswith("refuse") for m in email_messages for address in m.to):
                raise SMTPException("550 Mailbox unavailable")
            type(self).connections[-1].extend(address for m in email_messages for address in m.to)
            return super().send_messages(email_messages)
        finally:
            if opened:
                self.close()


class RefusingOnceFileBackend(filebased.EmailBackend):
    """For a worker subprocess: files every message, except that the first attempt of each message to an address
    starting with "refuse" is refused (the worker process remembers which Message-IDs it refused)."""

    refused: set = set()

    def send_messages(self, email_messages):
        for message in email_messages:
            message_id = message.extra_headers["Message-ID"]
            if message.to[0].startswith("refuse") and message_id not in self.refused:
                type(self).refused.add(message_id)
                raise SMTPException("451 Temporary local problem - please try later")
        return super().send_messages(email_messages)
