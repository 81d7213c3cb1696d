"""CSV export of the filtered review queue."""

import csv
import io

import pytest
from django.urls import reverse

from candidates.enums import DossierState
from cqpt_portal.accounts.enums import Role
from tests.candidates.test_admissibility_support import fast_password_hashing, queue_dossier, reviewer  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import CqptFactory, UserFactory

pytestmark = pytest.mark.django_db
EXPORT = reverse("candidates:admissibility_export")


def _csv(response) -> tuple[bytes, list[list[str]]]:
    assert response.status_code == 200
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_export_has_bom_semicolons_and_the_filtered_rows(client):
    cqpt = CqptFactory(title="Conseiller clientèle à distance")
    user = reviewer(first_name="Rémi", last_name="Instructeur")
    a = queue_dossier(cqpt=cqpt, last_name="Éloïse", first_name="Zoé", days_ago=7)
    b = queue_dossier(cqpt=cqpt, state=DossierState.UNDER_REVIEW, reviewer=user, days_ago=2)
    queue_dossier(days_ago=3)  # another CQPT
    queue_dossier(cqpt=cqpt, state=DossierState.ADMISSIBLE)  # not in the queue states
    login(client, user)

    response = client.get(EXPORT, {"cqpt": cqpt.pk})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="dossiers-auvicom-')
    raw, rows = _csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *body = rows
    assert header[0] == "Numéro" and header[-1] == "Ancienneté (jours)"
    assert [r[0] for r in body] == [a.number, b.number]  # oldest first, like the page
    first = dict(zip(header, body[0], strict=True))
    assert first["Nom"] == "Éloïse" and first["Prénom"] == "Zoé"
    assert first["CQPT"] == "Conseiller clientèle à distance"
    assert first["État"] == "Déposé, en attente d'examen"
    assert first["Ancienneté (jours)"] == "7"
    assert first["SIRET"] == a.company.siret
    assert dict(zip(header, body[1], strict=True))["Instructeur"] == "Rémi Instructeur"


def test_export_follows_search_and_sort(client):
    queue_dossier(number="CQPT-2025-000010", last_name="Durand")
    queue_dossier(number="CQPT-2025-000011", last_name="Dubois")
    queue_dossier(number="CQPT-2025-000020", last_name="Martin")
    login(client, reviewer())
    _raw, rows = _csv(client.get(EXPORT, {"q": "CQPT-2025-00001", "sort": "-number"}))
    assert [r[0] for r in rows[1:]] == ["CQPT-2025-000011", "CQPT-2025-000010"]


def test_export_neutralises_spreadsheet_formulas(client):
    queue_dossier(last_name='=HYPERLINK("http://evil")', first_name="+33")
    login(client, reviewer())
    _raw, rows = _csv(client.get(EXPORT))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][2] == "'+33"


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EMPLOYER, Role.EVALUATOR, Role.CPNE_SECRETARY])
def test_export_is_refused_to_other_roles(client, role):
    queue_dossier()
    login(client, UserFactory(role=role))
    assert client.get(EXPORT).status_code == 403


def test_export_sends_anonymous_users_to_login(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_funding_officer_and_administrator_may_export(client):
    queue_dossier()
    for role in (Role.AUVICOM_FUNDING, Role.ADMIN):
        login(client, UserFactory(role=role))
        _raw, rows = _csv(client.get(EXPORT))
        assert len(rows) == 2
