"""Certificates: numbers, codes, frozen data, the PDF read back (pypdf) and its QR decoded (zxing-cpp)."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse

from cpne.enums import DecisionOutcome
from cpne.models import Certificate, CertificateCounter
from cpne.services import CODE_ALPHABET, certificate_issue, certificate_pdf_make, decision_record, verification_code
from cpne.tasks import certificate_make, sweep_certificates_and_minutes
from cpne.workflow import MEETING_WORKFLOW
from tests.cpne.support import commission, meeting_in_session, secretary, transmitted_dossier

pytestmark = pytest.mark.django_db


def awarded(count=1, *, capture=None, **dossier_kwargs):
    setups = [transmitted_dossier(**dossier_kwargs) for _i in range(count)]
    sec = secretary()
    meeting = meeting_in_session(sec, commission())
    for item in meeting.items.all():
        decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    if capture is not None:
        with capture(execute=True):
            MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    else:
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    return setups, meeting


def _pdf_text_and_qr(data: bytes):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    texts = []
    for image in page.images:
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
        texts += [d.text for d in decoded]
    return page.extract_text(), texts


def test_the_pdf_says_who_what_when_and_its_qr_gives_the_verification_address(django_capture_on_commit_callbacks):
    (setup,), meeting = awarded(capture=django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    assert re.fullmatch(r"CQPT-C-\d{4}-00001", certificate.number)
    with certificate.pdf.open("rb") as handle:
        text, qr = _pdf_text_and_qr(handle.read())
    flat = " ".join(text.split())
    assert setup.dossier.display_name in flat
    assert str(setup.cqpt) in flat
    assert certificate.number in flat and certificate.code in flat
    assert certificate.decided_on.strftime("%d/%m/%Y") in flat
    assert "Commission Paritaire Nationale de l'Emploi des télécommunications" in flat
    assert qr == [settings.SITE_URL + reverse("cpne:verify_code", args=[certificate.code])]


def test_codes_use_the_alphabet_without_look_alikes():
    codes = {verification_code() for _i in range(300)}
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01258BILOSZ") & set(CODE_ALPHABET)
    assert len(codes) == 300


def test_data_is_frozen_and_remaking_gives_the_same_number_and_code(django_capture_on_commit_callbacks):
    (setup,), meeting = awarded(capture=django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    number, code, name = certificate.number, certificate.code, certificate.candidate_name
    setup.dossier.last_name = "Autrenom"
    setup.dossier.save()
    again = certificate_issue(decision=certificate.decision)
    assert (again.pk, again.number, again.code) == (certificate.pk, number, code)
    remade = certificate_pdf_make(certificate_id=certificate.pk, force=True)
    with remade.pdf.open("rb") as handle:
        text, qr = _pdf_text_and_qr(handle.read())
    assert name in " ".join(text.split()) and "Autrenom" not in text
    assert number in text and code in text
    certificate_make(certificate.decision_id)  # idempotent: nothing new
    assert Certificate.objects.count() == 1 and CertificateCounter.objects.get().last == 1


def test_numbers_follow_each_other_per_year_without_gap(django_capture_on_commit_callbacks):
    awarded(3, capture=django_capture_on_commit_callbacks)
    assert list(Certificate.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]


def test_the_sweep_makes_what_was_left_undone():
    awarded(2)  # no on_commit: the batch never ran, as after a broker outage
    assert Certificate.objects.filter(pdf="").count() == 2
    assert sweep_certificates_and_minutes(grace_seconds=0) == 3  # two certificates and the minutes
    assert Certificate.objects.filter(pdf="").count() == 0
