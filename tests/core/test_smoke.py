import re

import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from tests.conftest import login
from tests.factories import UserFactory


@pytest.mark.django_db
def test_home_page_is_public_and_french(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Qui peut se présenter" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.CANDIDATE, "candidates:dashboard"),
        (Role.AUVICOM_REVIEWER, "candidates:auvicom_dashboard"),
        (Role.EVALUATOR, "evaluation:evaluator_dashboard"),
        (Role.CPNE_MEMBER, "cpne:dashboard"),
        (Role.AUVICOM_FUNDING, "funding:dashboard"),
        (Role.ADMIN, "accounts:admin_dashboard"),
    ],
)
def test_each_role_lands_on_its_dashboard(client, role, target):
    login(client, UserFactory(role=role))
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_the_favicon_is_served_from_the_portal(client):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon and icon.group(1).startswith("/static/")
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon.group(1)
    served = client.get(icon.group(1))
    assert served.status_code == 200 and served["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(served.streaming_content if served.streaming else [served.content])
