"""Playwright fixtures: Debian's headless Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is missing: run `bash .ci/ensure-chromium` (as root) to install it"
                    )
                )


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module: Playwright's event loop must not outlive the browser tests."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip(f"{CHROMIUM} is missing")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an event loop running in this thread, which makes
    # Django refuse ORM calls from the tests and their fixtures unless told otherwise.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, settings):
    """A fresh browser page on the live server."""
    # Fast hashing: the live server checks passwords in the same process.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def current_totp(user) -> str:
    """The code an authenticator app shows now for the user's confirmed TOTP device."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, f"{user} has no confirmed TOTP device"
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_through_ui(page, email: str, password: str) -> None:
    """Log in with the real form, then pass the TOTP step when the account asks for it."""
    from django.urls import reverse

    from cqpt_portal.accounts.models import User

    page.goto(reverse("accounts:login"))
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    if reverse("accounts:otp_verify") in page.url:
        user = User.objects.get(email__iexact=email)
        form = page.locator("main form:has(input[name=token])")
        form.locator("input[name=token]").fill(current_totp(user))
        form.locator("button[type=submit]").first.click()
        page.wait_for_load_state()


@pytest.fixture
def login(page):
    def do(email: str, password: str):
        login_through_ui(page, email, password)
        return page

    return do


__all__ = ["current_totp", "login_through_ui"]
