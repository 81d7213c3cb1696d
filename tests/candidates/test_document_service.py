"""document_add checks the file itself: a caller that skips the form cannot store a bad file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.enums import DocumentKind
from candidates.models import DossierDocument
from candidates.services.candidate import document_add
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_uploads import PNG, make_pdf, private_storage_in_tmp  # noqa: F401 - autouse fixture
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def _add(dossier, name, content):
    return document_add(
        dossier_id=dossier.pk,
        actor=dossier.candidate,
        kind=DocumentKind.CONTRACT,
        uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


def test_service_refuses_an_executable_renamed_pdf():
    dossier = DossierFactory()
    with pytest.raises(ActionRefused) as refused:
        _add(dossier, "contrat.pdf", EXECUTABLE)
    assert "ni un PDF, ni une image JPEG ou PNG" in refused.value.message
    assert isinstance(refused.value, ActionRefused)  # the module's error: callers catching it still do
    assert not DossierDocument.objects.exists()


def test_service_refuses_a_file_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ActionRefused) as refused:
        _add(DossierFactory(), "scan.pdf", make_pdf(b"\n%" + b"0" * 2048))
    assert "la taille maximale" in refused.value.message
    assert not DossierDocument.objects.exists()


def test_service_refuses_a_pdf_with_javascript():
    hostile = make_pdf(b"\n1 0 obj << /Type /Action /S /JavaScript /JS (app.alert(1)) >> endobj\n")
    with pytest.raises(ActionRefused, match="JavaScript"):
        _add(DossierFactory(), "attestation.pdf", hostile)


@pytest.mark.parametrize(
    ("name", "content", "mime", "extension"),
    [("contrat.pdf", make_pdf(), "application/pdf", "pdf"), ("scan.pdf", PNG, "image/png", "png")],
    ids=["pdf", "png-named-pdf"],
)
def test_service_takes_the_type_and_extension_from_the_content(name, content, mime, extension):
    document = _add(DossierFactory(), name, content)
    assert document.content_type == mime
    assert document.file.name.endswith(f".{extension}")
