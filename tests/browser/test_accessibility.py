"""axe-core (bundled by axe-playwright-python) on the pages whose colours were below WCAG 2.1 AA.

Fails on any "serious" or "critical" color-contrast violation; the other rules are left to their own tests.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.enums import DocumentKind
from candidates.models import DossierDocument
from cqpt_portal.notifications.services import notification_create
from tests.browser.conftest import login_through_ui
from tests.factories import PASSWORD, DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def contrast_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": ["color-contrast"], "resultTypes": ["violations"]})
    return [
        f"{node['target']} {node['any'][0]['message'] if node['any'] else ''}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


@pytest.fixture
def candidate(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    dossier = DossierFactory()
    for number in range(3):
        notification_create(
            recipient=dossier.candidate, kind="test", context={"message": f"Message numéro {number}"}, link=""
        )
    return dossier


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize(
    "url_name",
    [
        "notifications:list",
        "candidates:step_identity",
        "candidates:step_documents",
        "candidates:step_submit",
        "candidates:dashboard",
    ],
)
def test_notifications_and_step_menu_have_aa_contrast(page, candidate, viewport, url_name):
    page.set_viewport_size(viewport)
    login_through_ui(page, candidate.candidate.email, PASSWORD)
    args = [] if url_name in ("notifications:list", "candidates:dashboard") else [candidate.pk]
    page.goto(reverse(url_name, args=args))
    page.wait_for_load_state()
    for summary in page.locator("main details:not([open]) > summary").all():
        if summary.is_visible():
            summary.click()  # the step menu folds into a <details> on small screens: check it open
    assert contrast_violations(page) == []


@pytest.mark.parametrize(
    "url_name", ["home", "accounts:register", "accounts:register_employer", "accessibility", "accounts:login"]
)
def test_public_pages_have_aa_contrast(page, url_name):
    page.set_viewport_size(MOBILE)
    page.goto(reverse(url_name))
    assert contrast_violations(page) == []


def test_a_long_file_name_wraps_inside_its_card(page, candidate):
    """A 304-character name is stored cut to 150 with its extension, and wraps instead of overflowing at 390 px."""
    from cqpt_portal.files.validation import safe_display_name

    DossierDocument.objects.create(
        dossier=candidate,
        kind=DocumentKind.CONTRACT,
        file=SimpleUploadedFile("x.pdf", b"%PDF-1.4"),
        original_name=safe_display_name("contrat-" + "x" * 292 + ".pdf"),
        content_type="application/pdf",
        size=8,
    )
    page.set_viewport_size(MOBILE)
    login_through_ui(page, candidate.candidate.email, PASSWORD)
    page.goto(reverse("candidates:step_documents", args=[candidate.pk]))
    link = page.locator("a.file-name")
    assert link.inner_text().endswith("….pdf")
    card = page.locator(".card", has=link)
    overflow = card.evaluate("card => card.scrollWidth - card.clientWidth")
    assert overflow <= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
