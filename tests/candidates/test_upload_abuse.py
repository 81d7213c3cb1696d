"""Hostile uploads: image bombs and polyglots, PDFs with hidden actions, viruses, and too many documents."""

import io
import os
import socket
import struct
import tempfile
import threading
import zlib

import pytest
from django.urls import reverse
from PIL import Image

from candidates.enums import DocumentKind
from candidates.models import DossierDocument
from cqpt_portal.audit.models import AuditEvent
from tests.candidates.test_uploads import (  # noqa: F401 - private_storage_in_tmp is an autouse fixture
    make_pdf,
    private_storage_in_tmp,
    upload,
)
from tests.conftest import login
from tests.core.pdfs import plain_pdf
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(client):
    user = UserFactory()
    login(client, user)
    return DossierFactory(candidate=user)


def _image(fmt, size=(16, 16)):
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, format=fmt)
    return out.getvalue()


def _png_header_only(width, height):
    """A PNG whose header claims width x height (valid CRCs), with a tiny body: refused before any decoding."""

    def chunk(kind, data):
        return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack("!IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def _stored_bytes(document):
    with document.file.open("rb") as handle:
        return handle.read()


def test_a_20000_by_20000_png_is_refused_with_a_clear_message(client, dossier):
    response = upload(client, dossier, "bombe.png", _png_header_only(20000, 20000))
    assert response.status_code == 200
    assert "trop grande" in response.content.decode()
    assert not DossierDocument.objects.exists()


def test_a_jpeg_that_is_also_an_html_page_is_stored_as_a_clean_reencoded_copy(client, dossier):
    polyglot = _image("JPEG") + b"<html><script>alert(document.cookie)</script></html>"
    response = upload(client, dossier, "photo.jpg", polyglot, kind=DocumentKind.IDENTITY)
    assert response.status_code == 302
    document = DossierDocument.objects.get()
    stored = _stored_bytes(document)
    assert stored.startswith(b"\xff\xd8\xff") and b"<script" not in stored and b"<html" not in stored
    assert document.size == len(stored)


def test_a_truncated_image_is_refused(client, dossier):
    response = upload(client, dossier, "coupee.png", _image("PNG", (64, 64))[:60])
    assert "illisible" in response.content.decode()
    assert not DossierDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "embedded-files-name-tree",
            plain_pdf(
                b"/Names << /EmbeddedFiles 4 0 R >>",
                (b"<< /Names [(a.exe) << /Type /Filespec /F (a.exe) >>] >>",),
            ),
        ),
        ("open-action-uri", plain_pdf(b"/OpenAction << /S /URI /URI (http://evil.example) >>")),
        ("additional-actions", plain_pdf(b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>")),
        ("escaped-embedded-files", plain_pdf(b"/Names << /Embedded#46iles 4 0 R >>", (b"<< /Names [] >>",))),
    ],
)
def test_pdfs_with_attachments_or_automatic_actions_are_refused(client, dossier, name, data):
    response = upload(client, dossier, f"{name}.pdf", data)
    assert "contient du JavaScript, une action de lancement ou un fichier joint" in response.content.decode()
    assert not DossierDocument.objects.exists()


def test_a_pdf_opening_on_its_first_page_is_accepted(client, dossier):
    response = upload(client, dossier, "ok.pdf", plain_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"))
    assert response.status_code == 302


# --- antivirus ------------------------------------------------------------------------------


class FakeClamd:
    """A tiny clamd speaking INSTREAM on a Unix socket: FOUND when the stream holds the EICAR marker."""

    def __init__(self, path):
        self.path, self.received = path, []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    (length,) = struct.unpack("!L", self._read(conn, 4))
                    if not length:
                        break
                    data += self._read(conn, length)
                self.received.append(data)
                found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data
                conn.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _read(conn, n):
        buffer = b""
        while len(buffer) < n:
            buffer += conn.recv(n - len(buffer))
        return buffer

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "clamd.sock")
    server = FakeClamd(path)
    settings.CLAMD_SOCKET = path
    yield server
    server.close()


def test_clamd_scans_every_upload_and_a_clean_file_passes(client, dossier, clamd):
    pdf = make_pdf()
    assert upload(client, dossier, "ok.pdf", pdf).status_code == 302
    assert clamd.received == [pdf]


def test_clamd_refuses_a_virus(client, dossier, clamd):
    infected = make_pdf() + b"\n% X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n"
    response = upload(client, dossier, "virus.pdf", infected)
    assert "contient un virus" in response.content.decode()
    assert not DossierDocument.objects.exists()


def test_clamd_down_refuses_the_upload_by_default(client, dossier, settings):
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    response = upload(client, dossier, "ok.pdf", make_pdf())
    assert "antivirus est momentanément indisponible" in response.content.decode()
    assert not DossierDocument.objects.exists()


def test_clamd_down_accepts_unscanned_when_the_setting_says_so(client, dossier, settings, caplog):
    settings.CLAMD_SOCKET = "127.0.0.1:1"
    settings.CLAMD_UNAVAILABLE = "accept"
    assert upload(client, dossier, "ok.pdf", make_pdf()).status_code == 302
    assert "clamd unavailable" in caplog.text


# --- per dossier ---------------------------------------------------------------------------


def test_the_number_of_documents_per_dossier_is_capped_with_a_message_next_to_the_field(client, dossier, settings):
    settings.DOSSIER_MAX_DOCUMENTS = 3
    for n in range(3):
        assert upload(client, dossier, f"p{n}.pdf", make_pdf()).status_code == 302
    response = upload(client, dossier, "p4.pdf", make_pdf())
    assert response.status_code == 200
    assert "déjà 3 documents, le maximum" in response.content.decode()
    assert DossierDocument.objects.count() == 3


def test_the_total_size_per_dossier_is_capped(client, dossier, settings):
    pdf = make_pdf()
    settings.DOSSIER_MAX_TOTAL_BYTES = len(pdf) * 2 + 10
    assert upload(client, dossier, "a.pdf", pdf).status_code == 302
    assert upload(client, dossier, "b.pdf", pdf).status_code == 302
    response = upload(client, dossier, "c.pdf", pdf)
    assert "dépasse la place restante" in response.content.decode()
    assert DossierDocument.objects.count() == 2


# --- the audit trail -----------------------------------------------------------------------


def test_uploads_deletions_and_staff_readings_are_audited(client, dossier):
    from cqpt_portal.accounts.enums import Role
    from tests.candidates.test_admissibility_support import submitted_dossier

    upload(client, dossier, "a.pdf", make_pdf())
    document = DossierDocument.objects.get()
    client.post(reverse("candidates:document_delete", args=[dossier.pk, document.pk]))
    actions = list(AuditEvent.objects.for_object(dossier).values_list("action", flat=True))
    assert "document_uploaded" in actions and "document_deleted" in actions

    submitted = submitted_dossier()
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    login(client, reviewer)
    first = submitted.documents.first()
    client.get(reverse("candidates:document", args=[first.pk]))
    client.get(reverse("candidates:document", args=[first.pk]) + "?dl=1")
    events = AuditEvent.objects.for_object(submitted).filter(actor=reviewer)
    assert set(events.values_list("action", flat=True)) == {"document_viewed", "document_downloaded"}
