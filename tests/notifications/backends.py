"""E-mail backends for tests."""

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("451 Temporary local problem - please try later")
