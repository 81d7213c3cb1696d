"""Helpers of the phases, synthesis and timeline tests (no tests here)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation.workflow import WORKPLACE_WORKFLOW
from tests.conftest import login

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def in_days(days, hour=10):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def schedule(s, days=7, address="Entreprise\n1 rue du Site, Paris"):
    return WORKPLACE_WORKFLOW.apply(
        pk=s.evaluation.pk,
        name="schedule_workplace",
        actor=s.evaluator,
        data={"scheduled_at": in_days(days), "address": address, "working_time": "during"},
    )


def post_action(client, evaluation, name, data=None, files=None):
    """POST one transition to the evaluation page's endpoint, its fields under the transition's prefix."""
    payload = {"transition": name}
    for key, value in (data or {}).items():
        payload[f"{name}-{key}"] = value
    for key, value in (files or {}).items():
        payload[f"{name}-{key}"] = value
    return client.post(reverse("evaluation:transition", args=[evaluation.pk]), payload)


def pdf_upload(name="grille.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else make_pdf(), content_type="application/pdf")


def as_user(client, user):
    client.logout()
    return login(client, user)


def make_pdf() -> bytes:
    """A minimal, valid one-page PDF (pypdf writes it)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def grid_storage_in_tmp(settings):
    """Point the signed grid's storage at the test's folder (the callable storage is built at import time)."""
    from evaluation.models import Evaluation

    storage = Evaluation._meta.get_field("workplace_grid").storage
    saved = storage._location

    def reset():
        for cached in ("base_location", "location"):
            storage.__dict__.pop(cached, None)

    storage._location = str(settings.PRIVATE_MEDIA_ROOT)
    reset()
    yield
    storage._location = saved
    reset()
