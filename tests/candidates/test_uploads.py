"""Supporting documents: checked by content, refused with the reason, the rest of the form kept."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.enums import DocumentKind, DossierState
from candidates.models import DossierDocument
from tests.conftest import login
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_pdf(extra: bytes = b"") -> bytes:
    """A minimal, valid one-page PDF (pypdf writes it), optionally with extra catalogue entries."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + extra


@pytest.fixture(autouse=True)
def private_storage_in_tmp(settings):
    """Point the documents' storage at the test's folder.

    The FileField's callable storage is built at import time, so the
    conftest's PRIVATE_MEDIA_ROOT override does not reach it (see report).
    """
    storage = DossierDocument._meta.get_field("file").storage
    saved = storage._location

    def reset():
        for cached in ("base_location", "location"):
            storage.__dict__.pop(cached, None)

    storage._location = str(settings.PRIVATE_MEDIA_ROOT)
    reset()
    yield
    storage._location = saved
    reset()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture
def dossier(client):
    user = UserFactory()
    login(client, user)
    return DossierFactory(candidate=user)


def upload(client, dossier, name, content, kind=DocumentKind.CONTRACT):
    return client.post(
        reverse("candidates:step_documents", args=[dossier.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def assert_refused_and_kind_kept(response, reason, kind=DocumentKind.CONTRACT):
    assert response.status_code == 200
    body = response.content.decode()
    assert reason in body
    assert "is-invalid" in body  # the reason sits next to the file field
    assert f'<option value="{kind}" selected>' in body
    assert not DossierDocument.objects.exists()


def test_a_pdf_is_stored_under_a_random_name_and_listed(client, dossier):
    response = upload(client, dossier, "contrat.pdf", make_pdf())
    assert response.status_code == 302
    document = DossierDocument.objects.get(dossier=dossier)
    assert document.kind == DocumentKind.CONTRACT
    assert document.original_name == "contrat.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(make_pdf())
    assert document.file.name.endswith(".pdf")
    assert "contrat" not in document.file.name
    body = client.get(reverse("candidates:step_documents", args=[dossier.pk])).content.decode()
    assert "contrat.pdf" in body
    assert reverse("candidates:document", args=[document.pk]) in body
    response = client.get(reverse("candidates:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_extension_comes_from_the_content_not_the_name(client, dossier):
    upload(client, dossier, "photo.pdf", PNG, kind=DocumentKind.IDENTITY)
    document = DossierDocument.objects.get()
    assert document.file.name.endswith(".png")
    assert document.content_type == "image/png"


def test_a_renamed_executable_is_refused(client, dossier):
    response = upload(client, dossier, "contrat.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    assert_refused_and_kind_kept(response, "ni un PDF, ni une image JPEG ou PNG")


def test_an_html_file_named_pdf_is_refused(client, dossier):
    response = upload(client, dossier, "contrat.pdf", b"<html><script>alert(1)</script></html>")
    assert_refused_and_kind_kept(response, "ni un PDF, ni une image JPEG ou PNG")


def test_a_pdf_with_javascript_is_refused(client, dossier):
    hostile = make_pdf(b"\n1 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj\n")
    response = upload(client, dossier, "attestation.pdf", hostile, kind=DocumentKind.EXPERIENCE_ATTESTATION)
    assert_refused_and_kind_kept(response, "contient du JavaScript", kind=DocumentKind.EXPERIENCE_ATTESTATION)


def test_an_11_mb_file_is_refused(client, dossier):
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    response = upload(client, dossier, "scan.pdf", big, kind=DocumentKind.OTHER)
    assert_refused_and_kind_kept(response, "la taille maximale est de 10", kind=DocumentKind.OTHER)


def test_a_path_in_the_name_is_neutralised(client, dossier, settings):
    response = upload(client, dossier, "../../etc/passwd.pdf", make_pdf())
    assert response.status_code == 302
    document = DossierDocument.objects.get()
    assert document.original_name == "passwd.pdf"
    assert ".." not in document.file.name
    assert "passwd" not in document.file.name
    assert document.file.name.startswith("dossiers/")
    assert (settings.PRIVATE_MEDIA_ROOT / document.file.name).exists()
    body = client.get(reverse("candidates:step_documents", args=[dossier.pk])).content.decode()
    assert "../../etc" not in body
    response = client.get(reverse("candidates:document", args=[document.pk]))
    assert 'filename="passwd.pdf"' in response["Content-Disposition"]


def test_a_missing_kind_keeps_the_error_next_to_the_field(client, dossier):
    response = client.post(
        reverse("candidates:step_documents", args=[dossier.pk]),
        {"kind": "", "file": SimpleUploadedFile("a.pdf", make_pdf())},
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not DossierDocument.objects.exists()


def test_a_document_is_deleted_while_editable_only(client, dossier, settings):
    upload(client, dossier, "contrat.pdf", make_pdf())
    document = DossierDocument.objects.get()
    Dossier = type(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED)
    client.post(reverse("candidates:document_delete", args=[dossier.pk, document.pk]))
    assert DossierDocument.objects.filter(pk=document.pk).exists()
    assert upload(client, dossier, "autre.pdf", make_pdf()).status_code == 302
    assert DossierDocument.objects.count() == 1

    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.DRAFT)
    client.post(reverse("candidates:document_delete", args=[dossier.pk, document.pk]))
    assert not DossierDocument.objects.filter(pk=document.pk).exists()


def test_the_file_is_removed_from_storage_after_commit(client, dossier, settings, django_capture_on_commit_callbacks):
    upload(client, dossier, "contrat.pdf", make_pdf())
    document = DossierDocument.objects.get()
    path = settings.PRIVATE_MEDIA_ROOT / document.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:document_delete", args=[dossier.pk, document.pk]))
    assert not path.exists()


def test_another_candidates_document_is_forbidden(client, dossier):
    other = DossierFactory()
    document = DossierDocument.objects.create(
        dossier=other,
        kind=DocumentKind.IDENTITY,
        file=SimpleUploadedFile("x.pdf", make_pdf()),
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
    )
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code == 403
    response = client.post(reverse("candidates:document_delete", args=[other.pk, document.pk]))
    assert response.status_code == 403
    response = client.post(reverse("candidates:document_delete", args=[dossier.pk, document.pk]))
    assert DossierDocument.objects.filter(pk=document.pk).exists()


def test_deleting_a_document_not_in_my_dossier_is_a_404_and_deletes_nothing(client, dossier):
    other = DossierFactory()
    document = DossierDocument.objects.create(
        dossier=other,
        kind=DocumentKind.IDENTITY,
        file=SimpleUploadedFile("x.pdf", make_pdf()),
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
    )
    for missing in (document.pk, document.pk + 1000):
        response = client.post(reverse("candidates:document_delete", args=[dossier.pk, missing]), follow=True)
        assert response.status_code == 404
        assert "Le document est supprimé" not in response.content.decode()
    assert DossierDocument.objects.filter(pk=document.pk).exists()
