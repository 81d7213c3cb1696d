"""Each of the nine demo accounts logs in through the real form (and TOTP for staff) and sees its dashboard."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from cqpt_portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cqpt_portal.accounts.enums import Role
from tests.conftest import login as login_with_client

pytestmark = pytest.mark.browser

DASHBOARDS = {
    Role.CANDIDATE: "candidates:dashboard",
    Role.EMPLOYER: "candidates:employer_dashboard",
    Role.AUVICOM_REVIEWER: "candidates:auvicom_dashboard",
    Role.AUVICOM_FUNDING: "funding:dashboard",
    Role.EVALUATOR: "evaluation:evaluator_dashboard",
    Role.EVALUATOR_MANAGER: "evaluation:manager_dashboard",
    Role.CPNE_MEMBER: "cpne:dashboard",
    Role.CPNE_SECRETARY: "cpne:dashboard",
    Role.ADMIN: "accounts:admin_dashboard",
}
ACCOUNTS = {role: email for email, role, *_rest in DEMO_ACCOUNTS}


def test_every_role_has_a_demo_account():
    assert set(ACCOUNTS) == set(Role) == set(DASHBOARDS)


def _server_h1(client, email: str, path: str) -> str:
    """The dashboard's h1 as Django renders it for that user (the browser must show the same)."""
    from cqpt_portal.accounts.models import User

    login_with_client(client, User.objects.get(email=email))
    html = client.get(path).content.decode()
    client.logout()
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, f"no h1 on {path}"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


@pytest.mark.parametrize("role", list(DASHBOARDS), ids=[str(role) for role in DASHBOARDS])
def test_role_logs_in_through_the_ui_and_sees_its_dashboard(page, login, client, role, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)
    email = ACCOUNTS[role]
    dashboard = reverse(DASHBOARDS[role])

    login(email, DEMO_PASSWORD)

    assert page.url.endswith(dashboard), f"{role} landed on {page.url}"
    h1 = page.locator("h1")
    assert h1.count() == 1
    assert h1.inner_text().strip() == _server_h1(client, email, dashboard)
    assert page.locator("header").get_by_text(email).count() == 1, "the header shows who is logged in"
    assert page.title().endswith("Portail CQPT")
