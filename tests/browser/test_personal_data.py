"""A candidate downloads the archive of their data from their profile, in Chromium (Celery runs eagerly)."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, DossierFactory, UserFactory
from tests.personal_data.support import add_document

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect


def test_candidate_downloads_their_archive(page, login, django_db_blocker):
    candidate = UserFactory(email="camille@example.org", first_name="Camille", last_name="Roux")
    dossier = DossierFactory(candidate=candidate)
    add_document(dossier, name="piece-identite.pdf")
    other = DossierFactory(candidate=UserFactory(email="autre@example.org"))
    add_document(other, name="autre.pdf")

    login("camille@example.org", PASSWORD)
    page.goto(reverse("accounts:profile"))
    page.get_by_role("link", name="Mes données personnelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données personnelles")
    page.get_by_role("button", name="Demander l'archive de mes données").click()
    expect(page.get_by_text("Votre archive est en préparation")).to_be_visible()
    page.reload()  # the eager task built it during the request's commit
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l'archive").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zipped:
        names = zipped.namelist()
        document = json.loads(zipped.read("data.json"))
    assert "data.json" in names
    assert [n.rsplit("-", 1)[-1] for n in names if n.startswith("files/")] == ["identite.pdf"]
    assert document["person"]["email"] == "camille@example.org"
    assert "autre@example.org" not in json.dumps(document)
