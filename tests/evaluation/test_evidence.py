"""Phase 1: the candidate's evidence pieces (upload checks, removal), the permission-checked file, the phase's
transitions through the page's endpoint."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cqpt_portal.audit.models import AuditEvent
from evaluation.enums import EvidenceState, PhaseResult
from evaluation.models import EvidencePiece
from tests.evaluation.support import Setup
from tests.evaluation.support_accomp import as_user, outsiders, page, pdf_upload, started
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _add(client, setup, *, upload=None, description="J'ai accueilli un client difficile.", competencies=None):
    competencies = competencies if competencies is not None else [c.pk for c in setup.competencies()[:2]]
    return client.post(
        reverse("evaluation:evidence_create", args=[setup.evaluation.pk]),
        {"file": upload or pdf_upload(), "description": description, "competencies": competencies},
    )


def _transition(client, setup, name, **data):
    payload = {"transition": name, **{f"{name}-{k}": v for k, v in data.items()}}
    return client.post(reverse("evaluation:transition", args=[setup.evaluation.pk]), payload)


def _form(response, name):
    return next(a["form"] for a in response.context["actions"]["evidence"] if a["transition"].name == name)


def test_candidate_adds_a_piece_for_two_competencies(client):
    setup = started()
    as_user(client, setup.dossier.candidate)
    assert client.get(page(setup.evaluation.pk)).context["evidence_form"] is not None
    response = _add(client, setup)
    assert response.status_code == 302
    piece = EvidencePiece.objects.get()
    assert set(piece.competencies.values_list("pk", flat=True)) == {c.pk for c in setup.competencies()[:2]}
    assert piece.original_name == "preuve.pdf" and piece.content_type == "application/pdf"
    assert "preuve.pdf" not in piece.file.name and piece.file.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="evidence_added").exists()


def test_upload_refused_by_content_keeps_description_and_competencies(client):
    setup = started()
    as_user(client, setup.dossier.candidate)
    chosen = [setup.competencies()[1].pk, setup.competencies()[3].pk]
    fake = SimpleUploadedFile("preuve.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = _add(client, setup, upload=fake, description="Ma situation détaillée", competencies=chosen)
    assert response.status_code == 200
    form = response.context["evidence_form"]
    assert "file" in form.errors
    body = response.content.decode()
    assert "Ma situation détaillée" in body
    checked = {int(pk) for pk in re.findall(r'<input[^>]*name="competencies"[^>]*value="(\d+)"[^>]*checked', body)}
    assert checked == set(chosen)
    assert not EvidencePiece.objects.exists()


def test_competency_of_another_cqpt_refused(client):
    setup = started()
    other = Setup()
    as_user(client, setup.dossier.candidate)
    response = _add(client, setup, competencies=[other.competencies()[0].pk])
    assert response.status_code == 200
    assert "competencies" in response.context["evidence_form"].errors
    assert not EvidencePiece.objects.exists()


def test_only_the_candidate_adds_evidence(client):
    setup = started()
    for user in [setup.evaluator, setup.manager, *outsiders(setup).values()]:
        assert _add(as_user(client, user), setup).status_code == 403
    assert not EvidencePiece.objects.exists()


def test_remove_before_submitting_not_after(client):
    setup = started()
    first, second = setup.add_evidence(), setup.add_evidence()
    as_user(client, setup.dossier.candidate)
    client.post(reverse("evaluation:evidence_delete", args=[setup.evaluation.pk, first.pk]))
    assert list(EvidencePiece.objects.values_list("pk", flat=True)) == [second.pk]
    assert _transition(client, setup, "submit_evidence").status_code == 302
    setup.evaluation.refresh_from_db()
    assert setup.evaluation.evidence_state == EvidenceState.SUBMITTED
    client.post(reverse("evaluation:evidence_delete", args=[setup.evaluation.pk, second.pk]))
    assert EvidencePiece.objects.filter(pk=second.pk).exists()
    assert _add(client, setup).status_code == 200  # refused: the phase is submitted
    assert EvidencePiece.objects.count() == 1


def test_evidence_file_is_permission_checked(client):
    setup = started()
    piece = setup.add_evidence()
    url = reverse("evaluation:evidence_file", args=[setup.evaluation.pk, piece.pk])
    for user in [setup.evaluator, setup.manager, setup.dossier.candidate, UserFactory(role="admin")]:
        response = as_user(client, user).get(url)
        assert response.status_code == 200, user.role
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for name, user in outsiders(setup).items():
        assert as_user(client, user).get(url).status_code == 403, name
    other = started()
    as_user(client, other.evaluator)
    assert client.get(reverse("evaluation:evidence_file", args=[other.evaluation.pk, piece.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_return_once_then_close_through_the_page(client):
    setup = started()
    setup.add_evidence()
    as_user(client, setup.dossier.candidate)
    _transition(client, setup, "submit_evidence")
    as_user(client, setup.evaluator)
    response = _transition(client, setup, "return_evidence", comment="")
    assert response.status_code == 200
    assert "comment" in _form(response, "return_evidence").errors
    assert _transition(client, setup, "return_evidence", comment="Une preuve pour C2").status_code == 302
    setup.evaluation.refresh_from_db()
    assert setup.evaluation.evidence_state == EvidenceState.RETURNED
    body = as_user(client, setup.dossier.candidate).get(page(setup.evaluation.pk)).content.decode()
    assert "Une preuve pour C2" in body
    _transition(client, setup, "submit_evidence")
    as_user(client, setup.evaluator)
    body = client.get(page(setup.evaluation.pk)).content.decode()
    assert 'value="return_evidence"' not in body and 'value="close_evidence"' in body
    response = _transition(client, setup, "close_evidence", result=PhaseResult.PASSED, comment="Bien")
    assert response.status_code == 302  # refused (competencies not assessed): message and redirect
    setup.evaluation.refresh_from_db()
    assert setup.evaluation.evidence_state == EvidenceState.SUBMITTED
    setup.assess_all("evidence")
    response = _transition(client, setup, "close_evidence", result="", comment="Bien")
    assert response.status_code == 200 and "result" in _form(response, "close_evidence").errors
    assert _transition(client, setup, "close_evidence", result=PhaseResult.PASSED, comment="Bien").status_code == 302
    setup.evaluation.refresh_from_db()
    assert setup.evaluation.evidence_state == EvidenceState.CLOSED
    assert setup.evaluation.evidence_result == PhaseResult.PASSED and setup.evaluation.evidence_comment == "Bien"


def test_the_piece_beyond_the_cap_is_refused_on_the_file_field_and_the_form_kept(client, settings):
    settings.EVIDENCE_MAX_PIECES = 1
    setup = started()
    as_user(client, setup.dossier.candidate)
    assert _add(client, setup).status_code == 302
    page_at_cap = client.get(page(setup.evaluation.pk))
    assert page_at_cap.context["evidence_form"] is None
    assert "compte 1 preuves, le maximum" in page_at_cap.content.decode()

    chosen = [setup.competencies()[2].pk]
    response = _add(client, setup, description="Une deuxième situation", competencies=chosen)
    assert response.status_code == 200
    form = response.context["evidence_form"]
    assert "le maximum" in " ".join(form.errors["file"])
    assert "Une deuxième situation" in response.content.decode()
    assert EvidencePiece.objects.count() == 1


def test_the_piece_beyond_the_total_size_is_refused(client, settings):
    setup = started()
    as_user(client, setup.dossier.candidate)
    assert _add(client, setup).status_code == 302
    settings.EVIDENCE_MAX_TOTAL_BYTES = EvidencePiece.objects.get().size + 10
    response = _add(client, setup)
    assert response.status_code == 200
    assert "place restante" in " ".join(response.context["evidence_form"].errors["file"])
    assert EvidencePiece.objects.count() == 1
