"""What error reports and logs may say: no personal data, no live tokens.

A 500 mailed to ADMINS (and Django's debug page) shows each frame's local
variables: a model row there would print someone's address, phone or a live
invitation token. The filter keeps only the type of every local variable and
hides every POST value; the logging filter masks e-mail addresses and tokens
in every log line (the access log of the portal's own loggers included).
"""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Tokens of links and sessions: long runs of URL-safe characters (hashes, signed values, random keys).
# A digit is required so that long identifiers of a traceback (function and exception names) stay readable.
_TOKEN = re.compile(r"(?<![\w-])(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{24,}(?:[:.][A-Za-z0-9_-]{6,})*(?![\w-])")
_SAFE_TYPES = (bool, int, float, type(None))


def redact(text: str) -> str:
    """`text` with e-mail addresses and token-like strings masked."""
    return _TOKEN.sub("[jeton]", _EMAIL.sub("[e-mail]", text))


class PortalExceptionReporterFilter(SafeExceptionReporterFilter):
    """DEFAULT_EXCEPTION_REPORTER_FILTER: frame variables reduced to their type, POST values hidden."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|BROKER|EMAIL_HOST_USER", flags=re.I
    )

    def is_active(self, request):
        return True  # in DEBUG too: a developer's debug page is often pasted in a ticket

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, value if isinstance(value, _SAFE_TYPES) else f"<{type(value).__name__}>")
            for name, value in tb_frame.f_locals.items()
        ]


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks e-mail addresses and tokens in the message and the traceback."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the log line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
