"""A full disk or a read-only media folder during an upload: a clear message, no half file, no row."""

import errno
import os

import pytest

from candidates.models import DossierDocument
from tests.candidates.test_uploads import (  # noqa: F401 - pytest fixtures used by name
    assert_refused_and_kind_kept,
    dossier,
    make_pdf,
    private_storage_in_tmp,
    upload,
)

pytestmark = pytest.mark.django_db

UNAVAILABLE = "espace de stockage du portail est indisponible"


def _files_under(root) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names]


def test_a_disk_that_fills_up_mid_write_leaves_no_file_and_no_row(client, dossier, settings, monkeypatch):  # noqa: F811
    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("cqpt_portal.files.storage.os.fsync", disk_full)
    response = upload(client, dossier, "contrat.pdf", make_pdf())

    assert_refused_and_kind_kept(response, UNAVAILABLE)
    assert _files_under(settings.PRIVATE_MEDIA_ROOT) == []
    assert not DossierDocument.objects.exists()


def test_a_read_only_media_folder_is_refused_with_the_same_message(client, dossier, settings, monkeypatch):  # noqa: F811
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("cqpt_portal.files.storage.tempfile.mkstemp", read_only)
    response = upload(client, dossier, "contrat.pdf", make_pdf())

    assert_refused_and_kind_kept(response, UNAVAILABLE)
    assert _files_under(settings.PRIVATE_MEDIA_ROOT) == []
    assert not DossierDocument.objects.exists()


def test_a_stored_file_is_whole_and_no_temporary_file_remains(client, dossier, settings):  # noqa: F811
    content = make_pdf()
    assert upload(client, dossier, "contrat.pdf", content).status_code == 302
    document = DossierDocument.objects.get()
    [path] = _files_under(settings.PRIVATE_MEDIA_ROOT)
    assert path == document.file.path
    with open(path, "rb") as stored:
        assert stored.read() == content
    assert oct(os.stat(path).st_mode & 0o777) == oct(settings.FILE_UPLOAD_PERMISSIONS)
