"""Access and portability: one ZIP with the person's data and files, and nobody else's."""

import json

import pytest
from django.urls import reverse

from candidates.models import EmployerInvitation
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from personal_data.enums import ArchiveState
from personal_data.models import DataArchive
from personal_data.services import archive_build, archive_link, archive_request
from tests.conftest import login
from tests.evaluation.support import Setup
from tests.factories import DossierFactory, EmployerFactory, UserFactory

from .support import fill, read_archive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    employer = EmployerFactory(email="patron@example.org", first_name="Paul", last_name="Patron")
    alice = UserFactory(email="alice@example.org", first_name="Alice", last_name="Aubert")
    bruno = UserFactory(email="bruno@example.org", first_name="Bruno", last_name="Besson")
    alice_dossier = DossierFactory(candidate=alice, company=employer.company, phone="0611111111")
    bruno_dossier = DossierFactory(candidate=bruno, company=employer.company, phone="0622222222")
    fill(alice_dossier, tag="alice")
    fill(bruno_dossier, tag="bruno")
    period = bruno_dossier.periods.get()
    period.employer_reviewed_by = employer
    period.employer_comment = "Heures confirmées"
    period.save()
    EmployerInvitation.objects.create(
        company=employer.company,
        invited_by=employer,
        email="bruno@example.org",
        first_name="Bruno",
        last_name="Besson",
        cqpt=bruno_dossier.cqpt,
        access_route="acces_libre",
        contract_type="cdi",
        token="t1",
        expires_at=bruno_dossier.created_at,
        dossier=bruno_dossier,
    )
    return alice, bruno, employer


def build(user, django_capture_on_commit_callbacks) -> DataArchive:
    with django_capture_on_commit_callbacks(execute=True):
        archive = archive_request(user=user)
    archive.refresh_from_db()
    assert archive.state == ArchiveState.READY
    return archive


def test_candidate_archive_holds_her_data_and_files_and_nobody_elses(people, django_capture_on_commit_callbacks):
    alice, bruno, employer = people
    document, files = read_archive(build(alice, django_capture_on_commit_callbacks))
    text = json.dumps(document)
    data = document["data"]
    assert data["accounts"]["account"][0]["email"] == "alice@example.org"
    assert "password" not in data["accounts"]["account"][0]
    assert [d["candidate_id"] for d in data["candidates"]["dossiers"]] == [alice.pk]
    assert len(data["candidates"]["experience_periods"]) == 1
    assert [f.rsplit("/", 1)[-1].split("-", 1)[1] for f in files] == ["identite-alice.pdf"]
    assert list(files.values())[0].startswith(b"%PDF")
    assert len(data["notifications"]["notifications"]) == 1
    assert any(row["comment"] == "note alice" for row in data["audit"]["audit_trail"])
    for foreign in ("bruno", "Bruno", "Besson", "0622222222", "patron@example.org", "Patron"):
        assert foreign not in text, foreign


def test_employer_archive_holds_their_own_records_without_their_employees_data(
    people, django_capture_on_commit_callbacks
):
    alice, bruno, employer = people
    document, files = read_archive(build(employer, django_capture_on_commit_callbacks))
    text = json.dumps(document)
    data = document["data"]
    assert data["accounts"]["account"][0]["email"] == "patron@example.org"
    assert len(data["candidates"]["invitations_sent"]) == 1
    assert data["candidates"]["periods_reviewed"][0]["employer_comment"] == "Heures confirmées"
    assert data["candidates"]["dossiers"] == []
    assert files == {}
    for foreign in ("alice", "Aubert", "bruno", "Besson", "0611111111", "0622222222"):
        assert foreign not in text, foreign


def test_evaluation_results_and_only_visible_notes_are_exported(django_capture_on_commit_callbacks):
    from evaluation.models import AccompanimentNote

    setup = Setup()
    setup.complete_phases()
    setup.write_synthesis()
    AccompanimentNote.objects.create(
        evaluation=setup.evaluation, author=setup.evaluator, text="visible", visible_to_candidate=True
    )
    AccompanimentNote.objects.create(evaluation=setup.evaluation, author=setup.evaluator, text="interne")
    document, files = read_archive(build(setup.dossier.candidate, django_capture_on_commit_callbacks))
    data = document["data"]["evaluation"]
    assert len(data["evaluations"]) == 1 and data["evaluations"][0]["evidence_result"] == "passed"
    assert [n["text"] for n in data["accompaniment_notes"]] == ["visible"]
    assert len(data["evidence"]) == 1 and len(data["synthesis"]) == len(setup.cqpt.blocks.all())
    assert data["competency_assessments"]
    assert sorted(name.split("/")[1] for name in files) == ["evaluation", "evaluation"]
    assert setup.evaluator.email not in json.dumps(document)


def test_the_build_is_idempotent_and_audited(people, django_capture_on_commit_callbacks, mailoutbox):
    alice, _bruno, _employer = people
    archive = build(alice, django_capture_on_commit_callbacks)
    assert archive_build(archive_id=archive.pk) == "skipped"
    assert Notification.objects.filter(recipient=alice, kind="data_archive_ready").count() == 1
    actions = set(AuditEvent.objects.for_object(archive).values_list("action", flat=True))
    assert actions == {"data_export_requested", "data_export_built"}
    # The e-mail's link is signed and opens this archive for her.
    import re

    from personal_data.services import archive_for_download

    (body,) = [m.body for m in mailoutbox if "/donnees-personnelles/archive/" in m.body]
    token = re.search(r"/donnees-personnelles/archive/([^/\s]+)/", body).group(1)
    assert archive_for_download(token=token, user=alice) == archive


def test_a_second_request_while_one_is_pending_reuses_it_unless_it_was_lost(people):
    import time_machine
    from django.utils import timezone

    alice, _bruno, _employer = people
    first = archive_request(user=alice)
    assert archive_request(user=alice) == first
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        second = archive_request(user=alice)
    assert second != first
    first.refresh_from_db()
    assert first.state == ArchiveState.FAILED


def test_download_by_signed_link_for_the_owner_only_until_it_expires(
    people, client, settings, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    settings.DATA_ARCHIVE_LINK_HOURS = 1
    alice, bruno, _employer = people
    archive = build(alice, django_capture_on_commit_callbacks)
    link = archive_link(archive)
    login(client, bruno)
    assert client.get(link).status_code == 302  # refused: not hers
    assert not AuditEvent.objects.filter(action="data_export_downloaded").exists()
    login(client, alice)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("personal_data:index")
    assert client.get(link[:-3] + "xyz/").status_code == 302


def test_profile_page_offers_the_request(people, client):
    alice, _bruno, _employer = people
    login(client, alice)
    assert reverse("personal_data:index") in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("personal_data:archive_request"))
    assert response.status_code == 302
    assert DataArchive.objects.filter(user=alice).exists()


def test_submitted_dossier_export_keeps_history(django_capture_on_commit_callbacks):
    from tests.evaluation.support import reviewer

    dossier = submit(DossierFactory(), decided_by=reviewer())
    document, _files = read_archive(build(dossier.candidate, django_capture_on_commit_callbacks))
    assert len(document["data"]["candidates"]["submissions"]) == 1
    assert document["data"]["candidates"]["admissibility_decisions"][0]["outcome"] == "admissible"
    assert "decided_by_id" not in document["data"]["candidates"]["admissibility_decisions"][0]
