"""Helpers of the accompaniment, evidence and assessment tests (no tests here)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cqpt_portal.accounts.enums import Role
from evaluation.enums import WorkingTime
from tests.conftest import login
from tests.evaluation.support import Setup, evaluator_of, manager_of, organisation
from tests.factories import EmployerFactory, UserFactory


def started(**dossier_kwargs) -> Setup:
    """A Setup whose evaluation is in progress with its evaluator named."""
    setup = Setup(**dossier_kwargs)
    setup.accept()
    return setup


def page(pk):
    return reverse("evaluation:detail", args=[pk])


def in_days(days=3, hour=10):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def appointment_post(starts_at, **extra):
    data = {
        "title": "Point d'étape",
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "place": "12 rue des Lilas, Lyon",
        "remote_link": "",
        "working_time": WorkingTime.DURING,
    }
    data.update(extra)
    return data


def make_pdf() -> bytes:
    """A minimal valid one-page PDF (pypdf writes it), which the upload checks accept."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="preuve.pdf"):
    return SimpleUploadedFile(name, make_pdf(), content_type="application/pdf")


def outsiders(setup: Setup) -> dict:
    """Users who must not see this evaluation: another organisation's staff, another candidate, the employer."""
    other_org = organisation(setup.cqpt)
    return {
        "other_evaluator": evaluator_of(other_org),
        "other_manager": manager_of(other_org),
        "colleague_evaluator": evaluator_of(setup.org),  # same organisation, not assigned
        "other_candidate": UserFactory(role=Role.CANDIDATE),
        "employer": EmployerFactory(company=setup.dossier.company),
    }


def as_user(client, user):
    client.logout()
    login(client, user)
    return client
