"""Error reports and logs carry neither personal data nor live tokens."""

import logging
import sys

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils.log import AdminEmailHandler

from cqpt_portal.reporting import PersonalDataFilter, redact
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "Zk3v9QmL0pXr7sT2uW5yB8cD1eF4gH6jK"


def _crash_with_a_row_in_locals(user):
    invitation_token = TOKEN  # noqa: F841 - read by the error report's frame variables
    row = {"email": user.email, "token": TOKEN}  # noqa: F841 - same
    raise RuntimeError("boom")


def test_the_error_mail_to_admins_shows_no_address_no_token_no_post_value(settings):
    settings.ADMINS = [("ops", "ops@example.org")]
    user = UserFactory(email="camille.secret@example.org")
    request = RequestFactory().post("/x/", {"email": "camille.secret@example.org", "message": "mon adresse"})
    request.user = user
    try:
        _crash_with_a_row_in_locals(user)
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
        record.exc_info = sys.exc_info()
        record.request = request
        record.status_code = 500
        AdminEmailHandler(include_html=True).emit(record)
    (message,) = mail.outbox
    html = message.alternatives[0][0] if message.alternatives else ""
    for text in (message.body, html):
        assert "camille.secret@example.org" not in text
        assert TOKEN not in text
        assert "mon adresse" not in text
    assert "RuntimeError" in message.body


def test_log_lines_mask_addresses_and_tokens(caplog):
    logger = logging.getLogger("cqpt.test")
    handler = logging.Handler()
    handler.addFilter(PersonalDataFilter())
    records = []
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning("Invitation %s sent to %s", TOKEN, "someone@example.org")
    finally:
        logger.removeHandler(handler)
    (record,) = records
    assert TOKEN not in record.getMessage() and "someone@example.org" not in record.getMessage()
    assert "[jeton]" in record.getMessage() and "[e-mail]" in record.getMessage()


def test_redact_keeps_ordinary_words_and_numbers():
    assert redact("Dossier CQPT-2026-000123 soumis") == "Dossier CQPT-2026-000123 soumis"


def test_long_names_in_a_traceback_stay_readable():
    assert redact("TransactionManagementError in period_confirmation_view") == (
        "TransactionManagementError in period_confirmation_view"
    )
