"""Retention applied by the portal: each period of settings.PERSONAL_DATA_RETENTION, across time (time-machine)."""

import datetime
import io
import json

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier, DossierDocument, ExperiencePeriod
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.audit.services import audit_record
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create
from personal_data.models import DataArchive, RetentionRun
from personal_data.registry import months_after
from personal_data.services import retention_apply
from personal_data.tasks import apply_retention
from tests.evaluation.support import Setup, reviewer
from tests.factories import DossierFactory, ExperiencePeriodFactory, UserFactory

from .support import add_document, files_on_disk, submit

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


def period(key):
    return settings.PERSONAL_DATA_RETENTION[key]


def run(moment, *, dry_run=False, capture=None):
    with at(moment):
        if capture is None:
            return retention_apply(dry_run=dry_run).report
        with capture(execute=True):
            return retention_apply(dry_run=dry_run).report


def test_an_abandoned_draft_is_warned_then_deleted_with_its_files(django_capture_on_commit_callbacks):
    with at(T0):
        draft = DossierFactory()
        add_document(draft)
        recent = DossierFactory()
    with at(T0 + datetime.timedelta(days=100)):
        recent.save()  # touched later: not due with the other
    deletion = months_after(T0, period("draft_inactive_months"))
    warning_time = deletion - datetime.timedelta(days=period("draft_warning_days") - 1)

    report = run(warning_time - datetime.timedelta(days=2), capture=django_capture_on_commit_callbacks)
    assert report["candidates"]["drafts_warned"] == 0

    report = run(warning_time, capture=django_capture_on_commit_callbacks)
    assert report["candidates"]["drafts_warned"] == 1 and report["candidates"]["drafts_deleted"] == 0
    warning = Notification.objects.get(recipient=draft.candidate, kind="draft_deletion_warning")
    # Deleted no sooner than the warning period after the warning.
    expected = timezone.localdate(warning_time + datetime.timedelta(days=period("draft_warning_days")))
    assert f"{expected:%d/%m/%Y}" in warning.subject
    # Idempotent: the same night again warns nobody twice.
    assert run(warning_time, capture=django_capture_on_commit_callbacks)["candidates"]["drafts_warned"] == 0

    assert run(deletion, capture=django_capture_on_commit_callbacks)["candidates"]["drafts_deleted"] == 0
    report = run(deletion + datetime.timedelta(days=1), capture=django_capture_on_commit_callbacks)
    assert report["candidates"]["drafts_deleted"] == 1 and report["candidates"]["draft_documents_deleted"] == 1
    assert not Dossier.objects.filter(pk=draft.pk).exists() and files_on_disk() == []
    assert Dossier.objects.filter(pk=recent.pk).exists()
    assert run(deletion + datetime.timedelta(days=1))["candidates"]["drafts_deleted"] == 0


def test_a_draft_is_never_deleted_without_a_warning_first_nor_after_the_candidate_came_back(
    django_capture_on_commit_callbacks,
):
    with at(T0):
        draft = DossierFactory()
    late = months_after(T0, period("draft_inactive_months") + 2)
    report = run(late, capture=django_capture_on_commit_callbacks)  # the task did not run for months
    assert report["candidates"]["drafts_warned"] == 1 and report["candidates"]["drafts_deleted"] == 0
    with at(late + datetime.timedelta(days=1)):
        draft.save()  # the candidate edits the draft after the warning
    report = run(late + datetime.timedelta(days=period("draft_warning_days") + 1))
    assert report["candidates"]["drafts_deleted"] == 0
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_dry_run_reports_and_changes_nothing(django_capture_on_commit_callbacks):
    with at(T0):
        draft = DossierFactory()
        add_document(draft)
        notification_create(recipient=draft.candidate, kind="test")
    later = months_after(T0, 100)
    report = run(later, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert report["notifications"]["notifications"] == 1
    assert report["candidates"]["drafts_warned"] == 1
    assert Notification.objects.count() == 1 and Dossier.objects.count() == 1 and len(files_on_disk()) == 1
    assert RetentionRun.objects.get().dry_run is True
    assert AuditEvent.objects.filter(action="retention_dry_run").count() == 1


def test_documents_go_after_the_final_decision_and_the_dossier_is_pseudonymised_later(
    django_capture_on_commit_callbacks,
):
    with at(T0):
        decided = submit(DossierFactory(), state=DossierState.NOT_AWARDED, decided_by=reviewer())
        ExperiencePeriodFactory(dossier=decided)
        add_document(decided)
        awarded = submit(DossierFactory(), state=DossierState.AWARDED, decided_by=reviewer())
        ongoing = submit(DossierFactory(), state=DossierState.UNDER_REVIEW)
        add_document(ongoing)
    documents = months_after(T0, period("documents_after_decision_months"))
    report = run(documents - datetime.timedelta(days=1), capture=django_capture_on_commit_callbacks)
    assert report["candidates"]["documents_after_decision"] == 0
    report = run(documents + datetime.timedelta(days=1), capture=django_capture_on_commit_callbacks)
    assert report["candidates"]["documents_after_decision"] == 1
    assert not DossierDocument.objects.filter(dossier=decided).exists()
    assert DossierDocument.objects.filter(dossier=ongoing).exists() and len(files_on_disk()) == 1

    dossiers = months_after(T0, period("dossier_after_decision_months"))
    report = run(dossiers - datetime.timedelta(days=1))
    assert report["candidates"]["dossiers_pseudonymised"] == 0
    report = run(dossiers + datetime.timedelta(days=1))
    assert report["candidates"]["dossiers_pseudonymised"] == 2
    decided.refresh_from_db()
    awarded.refresh_from_db()
    assert (decided.last_name, decided.birth_date, decided.phone) == ("", None, "")
    assert decided.number and decided.state == DossierState.NOT_AWARDED  # statistics stay
    assert not ExperiencePeriod.objects.filter(dossier=decided).exists()
    assert awarded.last_name and awarded.birth_date and awarded.phone == ""  # the certificate stays verifiable
    assert run(dossiers + datetime.timedelta(days=2))["candidates"]["dossiers_pseudonymised"] == 0

    report = run(months_after(T0, period("award_record_months")) + datetime.timedelta(days=1))
    assert report["candidates"]["dossiers_pseudonymised"] == 1
    awarded.refresh_from_db()
    assert awarded.last_name == ""


def test_evidence_and_grid_go_after_the_final_decision(django_capture_on_commit_callbacks):
    with at(T0):
        setup = Setup()
        setup.complete_phases()
        Dossier.objects.filter(pk=setup.dossier.pk).update(state=DossierState.AWARDED, state_changed_at=T0)
    assert len(files_on_disk()) == 2
    report = run(
        months_after(T0, period("documents_after_decision_months")) + datetime.timedelta(days=1),
        capture=django_capture_on_commit_callbacks,
    )
    assert report["evaluation"]["evidence_after_decision"] == 1
    assert report["evaluation"]["workplace_grids_after_decision"] == 1
    assert files_on_disk() == []
    setup.evaluation.refresh_from_db()
    assert not setup.evaluation.workplace_grid and setup.evaluation.workplace_result == "passed"


def test_notifications_audit_rows_login_records_and_archives_each_have_their_period(
    django_capture_on_commit_callbacks,
):
    with at(T0):
        user = UserFactory()
        notification_create(recipient=user, kind="test")
        audit_record(actor=user, target=user, action="create")
        AccessAttempt.objects.create(
            username=user.email, ip_address="192.0.2.1", user_agent="test", failures_since_start=1
        )
        archive = DataArchive.objects.create(user=user)
        archive.file.save("a.zip", io.BytesIO(b"PK"), save=True)
    cases = [
        ("notifications", "notifications", months_after(T0, period("notifications_months"))),
        ("audit", "audit_rows", months_after(T0, period("audit_months"))),
        ("accounts", "login_records_accessattempt", months_after(T0, period("logs_months"))),
        ("personal_data", "data_archives", T0 + datetime.timedelta(days=period("archives_days"))),
    ]
    for provider, key, limit in sorted(cases, key=lambda case: case[2]):
        assert run(limit - datetime.timedelta(hours=1))[provider][key] == 0, key
        assert run(limit + datetime.timedelta(hours=1), capture=django_capture_on_commit_callbacks)[provider][key] == 1
        assert run(limit + datetime.timedelta(hours=2))[provider][key] == 0, key
    assert not Notification.objects.filter(recipient=user).exists()
    assert not AccessAttempt.objects.exists() and not DataArchive.objects.exists() and files_on_disk() == []
    assert not AuditEvent.objects.filter(created_at__lte=T0).exists()
    assert AuditEvent.objects.filter(action="retention_applied").exists()


def test_periods_come_from_the_environment(monkeypatch):
    import importlib

    import cqpt_portal.settings as portal_settings

    monkeypatch.setenv("RETENTION_DRAFT_INACTIVE_MONTHS", "6")
    try:
        assert importlib.reload(portal_settings).PERSONAL_DATA_RETENTION["draft_inactive_months"] == 6
    finally:
        monkeypatch.delenv("RETENTION_DRAFT_INACTIVE_MONTHS")
        importlib.reload(portal_settings)


def test_beat_runs_it_nightly_and_the_command_has_a_dry_run():
    assert settings.CELERY_BEAT_SCHEDULE["apply-personal-data-retention"]["task"] == apply_retention.name
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["dry_run"] is True
    assert RetentionRun.objects.get().trigger == "command"
    assert isinstance(apply_retention.delay().get(), dict)
