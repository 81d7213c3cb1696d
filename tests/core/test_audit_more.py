"""What the audit trail records beyond state changes: field edits, CSV exports, refused attempts on an object."""

import pytest
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from cqpt_portal.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_edit_of_the_dossiers_fields_names_the_fields_not_their_values(client):
    user = UserFactory()
    dossier = DossierFactory(candidate=user, phone="")
    login(client, user)
    data = {
        "last_name": dossier.last_name,
        "first_name": dossier.first_name,
        "birth_date": "1990-05-04",
        "phone": "0612345678",
        "address": "1 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
    }
    response = client.post(reverse("candidates:step_identity", args=[dossier.pk]), data)
    assert response.status_code == 302
    event = AuditEvent.objects.for_object(dossier).get(action="dossier_fields_changed")
    assert event.actor == user and event.extra["step"] == "identity"
    assert "phone" in event.extra["fields"] and "0612345678" not in str(event.extra)
    # Saving the same values again records nothing new.
    client.post(reverse("candidates:step_identity", args=[dossier.pk]), data)
    assert AuditEvent.objects.for_object(dossier).filter(action="dossier_fields_changed").count() == 1


def test_a_csv_export_is_audited_with_its_filters(client):
    reviewer = UserFactory(role=Role.AUVICOM_REVIEWER)
    login(client, reviewer)
    response = client.get(reverse("candidates:admissibility_export") + "?state=submitted")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="admissibility_exported")
    assert event.actor == reviewer and event.extra == {"state": "submitted"}


def test_a_refused_attempt_on_an_object_is_audited(client):
    owner = UserFactory()
    dossier = DossierFactory(candidate=owner)
    intruder = UserFactory()
    login(client, intruder)
    assert client.get(reverse("candidates:step_identity", args=[dossier.pk])).status_code == 403
    event = AuditEvent.objects.for_object(dossier).get(action="access_refused")
    assert event.actor == intruder
    assert event.extra["permission"] == "candidates.edit_dossier"
    assert event.extra["path"] == reverse("candidates:step_identity", args=[dossier.pk])
