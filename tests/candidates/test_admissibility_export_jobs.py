"""The CSV export of the queue: byte for byte what it was, streamed when short, prepared by a task when long."""

import csv
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DossierState, ExportState
from candidates.models import AdmissibilityExport
from candidates.services.admissibility_export import export_build, exports_sweep
from candidates.tasks import build_admissibility_export
from cqpt_portal.accounts.enums import Role
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from tests.candidates.test_admissibility_support import fast_password_hashing, queue_dossier, reviewer  # noqa: F401 - autouse fixture
from tests.conftest import login
from tests.factories import CompanyFactory, CqptFactory, UserFactory

pytestmark = pytest.mark.django_db
EXPORT = reverse("candidates:admissibility_export")
EXPORTS = reverse("candidates:admissibility_exports")


def _files_under(root) -> list[str]:
    return sorted(os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names)


def _streamed(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def long_export(settings):
    """Above 3 lines, the export is prepared by a task."""
    settings.ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS = 3


def test_a_short_export_streams_exactly_the_csv_it_always_did(client, settings):
    """The bytes, written out: BOM, header, semicolons, CRLF, quoting, formulas neutralised, local times, ages."""
    settings.ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS = 2
    cqpt = CqptFactory(title="=Conseiller clientèle")
    company = CompanyFactory(name='Télécoms "Sud"; Est')
    user = reviewer(first_name="", last_name="", email="instructrice@example.org")
    login(client, user)
    with time_machine.travel(datetime(2025, 3, 30, 12, 0, tzinfo=UTC), tick=False):
        # Paris is at UTC+2 (summer time) on 30 March 2025 from 01:00 UTC, at UTC+1 before.
        first = queue_dossier(
            cqpt=cqpt, company=company, last_name="-Dupont", first_name="Zoé", days_ago=0, access_route=""
        )
        second = queue_dossier(
            cqpt=None, company=None, state=DossierState.UNDER_REVIEW, reviewer=user, last_name="Martin", days_ago=0
        )
        first.submitted_at = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
        first.save(update_fields=["submitted_at"])
        second.submitted_at = datetime(2025, 3, 20, 1, 30, tzinfo=UTC)
        second.save(update_fields=["submitted_at"])
        raw = _streamed(client.get(EXPORT, {"sort": "-age"}))

    expected = (
        "\ufeffNuméro;Nom;Prénom;E-mail;CQPT;Voie d'accès;Entreprise;SIRET;État;Instructeur;Déposé le;"
        "Ancienneté (jours)\r\n"
        f"{first.number};'-Dupont;Zoé;{first.candidate.email};'=Conseiller clientèle;;"
        f'"Télécoms ""Sud""; Est";{company.siret};Déposé, en attente d\'examen;;30/03/2025 03:30;0\r\n'
        f"{second.number};Martin;{second.first_name};{second.candidate.email};;Accès libre (salarié de la Branche);;;"
        "En cours d'examen par AUVICOM;instructrice@example.org;20/03/2025 02:30;10\r\n"
    )
    assert raw.decode("utf-8") == expected
    assert not AdmissibilityExport.objects.exists()
    assert AuditEvent.objects.filter(action="admissibility_exported", actor=user).count() == 1


def test_a_long_export_is_prepared_by_a_task_and_downloaded_by_its_requester(
    client, long_export, settings, django_capture_on_commit_callbacks, mailoutbox
):
    cqpt = CqptFactory(title="Technicien fibre optique")
    user = reviewer(first_name="Rémi", last_name="Instructeur")
    for days in range(5):
        queue_dossier(cqpt=cqpt, days_ago=days + 1, state=DossierState.UNDER_REVIEW, reviewer=user)
    queue_dossier(days_ago=2)  # another CQPT
    login(client, user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {"cqpt": cqpt.pk, "reviewer": "mine", "page": "2"})

    assert response.status_code == 302 and response["Location"] == EXPORTS
    export = AdmissibilityExport.objects.get()
    assert export.requested_by == user
    assert export.params == {"cqpt": str(cqpt.pk), "reviewer": "mine"}  # the page is not a filter
    assert export.state == ExportState.READY and export.lines == 5
    assert export.expires_at - export.ready_at == timedelta(days=settings.ADMISSIBILITY_EXPORT_KEEP_DAYS)
    [path] = _files_under(settings.PRIVATE_MEDIA_ROOT)
    assert path == export.file.path and "dossiers-auvicom" not in path  # a random name

    # The requester is told, with a link to the page of their exports.
    notification = Notification.objects.get(recipient=user, kind="admissibility_export_ready")
    assert notification.link == EXPORTS
    assert "5 dossiers" in notification.body
    assert [m.to for m in mailoutbox if "export CSV" in m.subject] == [[user.email]]
    assert AuditEvent.objects.for_object(export).filter(action="admissibility_exported", actor=user).exists()

    # The page says it is ready and links to the file; the file is what the streamed export gives.
    page = client.get(EXPORTS).content.decode()
    download = reverse("candidates:admissibility_export_download", args=[export.pk])
    assert download in page and "Technicien fibre optique" in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dossiers-auvicom-')
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    settings.ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS = 100
    assert body == _streamed(client.get(EXPORT, {"cqpt": cqpt.pk, "reviewer": "mine"}))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 6 and {r[9] for r in rows[1:]} == {"Rémi Instructeur"}
    assert AuditEvent.objects.for_object(export).filter(action="admissibility_export_downloaded").count() == 1


@pytest.fixture
def ready_export(client, long_export, django_capture_on_commit_callbacks):
    owner = reviewer()
    for days in range(4):
        queue_dossier(days_ago=days + 1)
    login(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT)
    client.logout()
    export = AdmissibilityExport.objects.get()
    assert export.state == ExportState.READY
    return export


@pytest.mark.parametrize("role", [Role.AUVICOM_REVIEWER, Role.AUVICOM_FUNDING, Role.ADMIN, Role.CANDIDATE])
def test_nobody_but_the_requester_downloads_an_export(client, ready_export, role):
    login(client, UserFactory(role=role))
    download = reverse("candidates:admissibility_export_download", args=[ready_export.pk])
    assert client.get(download).status_code == 403
    if role != Role.CANDIDATE:  # their own page of exports does not list it
        assert download not in client.get(EXPORTS).content.decode()
    assert AuditEvent.objects.filter(action="access_refused", object_id=str(ready_export.pk)).exists()


def test_an_unknown_export_is_not_found_and_anonymous_visitors_log_in(client, ready_export):
    download = reverse("candidates:admissibility_export_download", args=[ready_export.pk])
    assert client.get(download)["Location"].startswith(reverse("accounts:login"))
    login(client, ready_export.requested_by)
    assert (
        client.get(reverse("candidates:admissibility_export_download", args=[ready_export.pk + 99])).status_code == 404
    )


def test_a_second_run_of_the_task_makes_no_second_file_nor_notification(ready_export, settings):
    assert export_build(export_id=ready_export.pk) == "skipped"
    build_admissibility_export.delay(ready_export.pk)  # a retried or redelivered message
    assert len(_files_under(settings.PRIVATE_MEDIA_ROOT)) == 1
    assert Notification.objects.filter(kind="admissibility_export_ready").count() == 1
    ready_export.refresh_from_db()
    assert ready_export.state == ExportState.READY


def test_the_same_request_twice_while_it_is_prepared_makes_one_export(client, long_export):
    user = reviewer()
    for days in range(4):
        queue_dossier(days_ago=days + 1)
    login(client, user)
    client.get(EXPORT, {"state": "all"})  # no on_commit in this test: the task is not run, the export stays pending
    client.get(EXPORT, {"state": "all"})
    client.get(EXPORT, {"state": "submitted"})
    assert AdmissibilityExport.objects.filter(state=ExportState.PENDING).count() == 2
    page = client.get(EXPORTS).content.decode()
    assert "Votre export est en préparation" in page


def test_an_expired_export_is_no_longer_offered_then_deleted_by_the_sweep(client, ready_export, settings):
    download = reverse("candidates:admissibility_export_download", args=[ready_export.pk])
    with time_machine.travel(ready_export.expires_at + timedelta(minutes=1)):
        login(client, ready_export.requested_by)
        response = client.get(download)
        assert response.status_code == 302 and response["Location"] == EXPORTS
        assert download not in client.get(EXPORTS).content.decode()
        assert exports_sweep() == {"deleted": 1, "failed": 0, "queued": 0}
    assert not AdmissibilityExport.objects.exists()


def test_the_sweep_deletes_the_file_after_commit(ready_export, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        exports_sweep(now=ready_export.expires_at + timedelta(seconds=1))
    assert _files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_the_sweep_builds_a_lost_export_again_and_gives_up_on_an_old_one(
    client, long_export, django_capture_on_commit_callbacks
):
    user = reviewer()
    for days in range(4):
        queue_dossier(days_ago=days + 1)
    login(client, user)
    client.get(EXPORT)  # the task was never queued (a broker outage)
    client.get(EXPORT, {"state": "all"})
    lost, old = AdmissibilityExport.objects.order_by("pk")
    AdmissibilityExport.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(minutes=10))
    AdmissibilityExport.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert exports_sweep() == {"deleted": 0, "failed": 1, "queued": 1}
    lost.refresh_from_db()
    old.refresh_from_db()
    assert (lost.state, old.state) == (ExportState.READY, ExportState.FAILED)
    assert "L'export a échoué" in client.get(EXPORTS).content.decode()


def test_a_storage_failure_marks_the_export_failed_and_leaves_no_file(
    client, long_export, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocked  # every write under it fails with an OSError
    for days in range(4):
        queue_dossier(days_ago=days + 1)
    login(client, reviewer())
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT)
    export = AdmissibilityExport.objects.get()
    assert export.state == ExportState.FAILED and not export.file
    assert not Notification.objects.filter(kind="admissibility_export_ready").exists()


def test_the_exports_page_is_labelled_and_its_queries_do_not_grow_with_the_exports(
    client, long_export, django_assert_max_num_queries
):
    user = reviewer()
    cqpt = CqptFactory()
    for days in range(4):
        queue_dossier(days_ago=days + 1, cqpt=cqpt)
    login(client, user)
    client.get(EXPORT, {"cqpt": cqpt.pk})
    with django_assert_max_num_queries(12) as one:
        response = client.get(EXPORTS)
    queries = len(one.captured_queries)  # read now: the next request empties the connection's log
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "Mes exports CSV des dossiers" in html
    assert "<caption>" in html and 'scope="col"' in html and 'role="status"' in html
    assert f"CQPT : {cqpt.title}" in html
    for params in ({"state": "all"}, {"state": "all", "access_route": "acces_libre"}):
        client.get(EXPORT, {**params, "cqpt": cqpt.pk})
    with django_assert_max_num_queries(queries):
        assert client.get(EXPORTS).content.decode().count("<tr>") == 4  # the header and three exports


def test_the_exports_page_is_for_auvicom_only(client):
    login(client, UserFactory(role=Role.CANDIDATE))
    assert client.get(EXPORTS).status_code == 403
