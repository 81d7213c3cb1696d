"""A slow mail server for the worker subprocess of the fault tests (selected by EMAIL_BACKEND)."""

import os
import time
from pathlib import Path

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    """Writes a marker when a send starts, answers after FAULT_MAIL_DELAY seconds, then files the message."""

    def send_messages(self, email_messages):
        markers = Path(os.environ["FAULT_MARKERS"])
        for message in email_messages:
            (markers / f"sending-{message.extra_headers['X-CQPT-Notification']}").touch()
        time.sleep(float(os.environ.get("FAULT_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)
