"""Uploaded documents: checked by content, stored under random names where no URL reaches, served with care."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.urls import Resolver404, resolve
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from cqpt_portal.files.responses import private_file_response
from cqpt_portal.files.storage import PrivateStorage, dossier_document_path, private_storage
from cqpt_portal.files.validation import JPEG, PDF, PNG, safe_display_name, validate_document_upload
from tests.core.pdfs import pdf_with_object_stream, plain_pdf


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused_code(uploaded) -> str:
    with pytest.raises(ValidationError) as info:
        validate_document_upload(uploaded)
    return info.value.code


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format=fmt)
    return out.getvalue()


# -- accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("attestation.pdf", real_pdf(), PDF),
        ("photo.jpg", image("JPEG"), JPEG),
        ("capture.png", image("PNG"), PNG),
        # The name does not matter, the content does.
        ("scan.jpeg.pdf", image("JPEG"), JPEG),
        ("fiche de paie", plain_pdf(), PDF),
        ("objets.pdf", pdf_with_object_stream(b"<< /Producer (scanner) >>", reference=b"/Extra 5 0 R"), PDF),
    ],
)
def test_valid_documents_are_accepted(name, data, expected):
    uploaded = upload(name, data)
    assert validate_document_upload(uploaded) is expected
    assert uploaded.tell() == 0, "the file is rewound for saving"


# -- refused -------------------------------------------------------------------------------------


def test_renamed_executable_is_refused():
    assert refused_code(upload("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)) == "bad_type"
    assert refused_code(upload("cv.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200)) == "bad_type"


def test_html_renamed_pdf_is_refused():
    html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script>%PDF-1.4</html>"
    assert refused_code(upload("attestation.pdf", html, "application/pdf")) == "bad_type"


def test_pdf_with_javascript_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('bonjour');"))
    out = io.BytesIO()
    writer.write(out)
    assert refused_code(upload("js.pdf", out.getvalue())) == "active_pdf"


@pytest.mark.parametrize(
    "data",
    [
        plain_pdf(b"/OpenAction 4 0 R", (b"<< /S /JavaScript /JS (app.alert(1)) >>",)),
        # #-escaped names ("#53" is "S") are the same names for a PDF reader.
        plain_pdf(b"/OpenAction 4 0 R", (b"<< /S /Java#53cript /J#53 (app.alert(1)) >>",)),
        # Hidden in a compressed object stream: not visible in the raw bytes.
        pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        pdf_with_object_stream(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    ],
    ids=["plain", "escaped-name", "object-stream", "object-stream-escaped"],
)
def test_pdf_with_hidden_javascript_is_refused(data):
    assert refused_code(upload("js.pdf", data)) == "active_pdf"


@pytest.mark.parametrize(
    "data",
    [
        plain_pdf(b"/OpenAction 4 0 R", (b"<< /S /Launch /F (cmd.exe) >>",)),
        pdf_with_object_stream(b"<< /S /Launch /F (cmd.exe) >>"),
    ],
    ids=["plain", "object-stream"],
)
def test_pdf_with_launch_action_is_refused(data):
    assert refused_code(upload("launch.pdf", data)) == "active_pdf"


def test_pdf_with_embedded_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    assert refused_code(upload("attached.pdf", out.getvalue())) == "active_pdf"


def test_encrypted_pdf_is_refused_with_its_own_reason():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    assert refused_code(upload("locked.pdf", out.getvalue())) == "encrypted"


def test_too_large_file_is_refused_with_sizes_in_french():
    big = upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        validate_document_upload(big)
    assert info.value.code == "too_large"
    assert "taille maximale" in info.value.messages[0]
    assert "10,0" in info.value.messages[0] or "10.0" in info.value.messages[0]


def test_a_file_just_over_the_limit_shows_sizes_that_differ(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError) as info:
        validate_document_upload(upload("juste.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)))
    message = info.value.messages[0]
    assert info.value.code == "too_large"
    size, maximum = message.removeprefix("Le fichier pèse ").removesuffix(".").split(" ; la taille maximale est de ")
    assert size != maximum, message
    assert size.replace("\xa0", " ") == "10 485 769 octets" and maximum.replace("\xa0", " ") == "10 485 760 octets"


def test_empty_file_is_refused():
    assert refused_code(upload("vide.pdf", b"")) == "empty"


def test_refusals_are_explained_in_french():
    with pytest.raises(ValidationError) as info:
        validate_document_upload(upload("cv.pdf", b"MZ" + b"\x00" * 100))
    assert "ni un PDF, ni une image JPEG ou PNG" in info.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\moi\\attestation.pdf", "attestation.pdf"),
        ("<script>x</script>.pdf", "script.pdf"),
        ("fiche\x00\x1b[31m.pdf", "fiche[31m.pdf"),
        ("", "document"),
        ("...", "document"),
    ],
)
def test_display_name_is_made_harmless(raw, shown):
    assert safe_display_name(raw) == shown


def test_a_long_display_name_is_cut_in_the_middle_and_keeps_its_extension():
    raw = "attestation-" + "x" * 288 + ".pdf"
    assert len(raw) == 304
    shown = safe_display_name(raw)
    assert len(shown) <= 150
    assert shown.startswith("attestation-xxx") and shown.endswith("x….pdf")
    no_extension = safe_display_name("y" * 304)
    assert len(no_extension) <= 150 and no_extension.endswith("…")


# -- storage -------------------------------------------------------------------------------------


def test_stored_names_are_random_and_never_the_client_name():
    instance = SimpleNamespace(detected_extension="pdf")
    first = dossier_document_path(instance, "Mon CV confidentiel.pdf")
    second = dossier_document_path(instance, "Mon CV confidentiel.pdf")
    assert first != second
    assert first.startswith("dossiers/") and first.endswith(".pdf")
    assert "Mon CV" not in first and "confidentiel" not in first  # a random token may hold "CV", never both words
    assert dossier_document_path(SimpleNamespace(detected_extension="../x"), "a.exe").endswith(".x")


def test_private_storage_is_outside_static_and_has_no_url():
    storage = private_storage()
    name = storage.save(dossier_document_path(SimpleNamespace(detected_extension="pdf"), "a.pdf"), ContentFile(b"%PDF"))
    path = Path(storage.path(name)).resolve()
    assert path.is_file()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.parents
    static_dirs = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    assert not any(d.resolve() in path.parents for d in static_dirs)
    with pytest.raises(NotImplementedError):
        storage.url(name)
    for url in (f"{settings.MEDIA_URL}{name}", f"{settings.MEDIA_URL}private/{name}", f"{settings.STATIC_URL}{name}"):
        with pytest.raises(Resolver404):
            resolve(url)


def test_the_model_field_storage_follows_the_setting(settings, tmp_path):
    from candidates.models import DossierDocument

    storage = DossierDocument._meta.get_field("file").storage
    assert isinstance(storage, PrivateStorage)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "ailleurs"
    assert Path(storage.location) == (tmp_path / "ailleurs").resolve()


# -- serving -------------------------------------------------------------------------------------


def _stored_field_file(data: bytes = b"%PDF-1.4 test") -> FieldFile:
    field = models.FileField(storage=private_storage, upload_to=dossier_document_path)
    storage = field.storage
    name = storage.save(dossier_document_path(SimpleNamespace(detected_extension="pdf"), "x.pdf"), ContentFile(data))
    return FieldFile(None, field, name)


def _assert_protective_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_private_file_response_streams_with_protective_headers():
    field_file = _stored_field_file(b"%PDF-1.4 contenu")
    response = private_file_response(field_file, content_type="application/pdf", download_name="Attestation été.pdf")
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 contenu"
    response.file_to_stream.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''Attestation%20%C3%A9t%C3%A9.pdf" in response["Content-Disposition"]
    _assert_protective_headers(response)
    assert "X-Accel-Redirect" not in response


def test_private_file_response_as_attachment():
    response = private_file_response(
        _stored_field_file(), content_type="application/pdf", download_name="a.pdf", inline=False
    )
    assert response["Content-Disposition"].startswith("attachment;")
    response.file_to_stream.close()


def test_private_file_response_hands_over_to_nginx_when_configured(settings):
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_prive/"
    field_file = _stored_field_file()
    response = private_file_response(field_file, content_type="image/png", download_name="photo.png")
    assert response["X-Accel-Redirect"] == f"/_prive/{field_file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    _assert_protective_headers(response)


def test_missing_file_is_a_404():
    field = models.FileField(storage=private_storage, upload_to=dossier_document_path)
    with pytest.raises(Http404):
        private_file_response(
            FieldFile(None, field, "dossiers/2026/01/absent.pdf"), content_type="application/pdf", download_name="a"
        )
    with pytest.raises(Http404):
        private_file_response(FieldFile(None, field, ""), content_type="application/pdf", download_name="a")
