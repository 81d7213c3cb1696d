"""Claiming, releasing and deciding on a dossier from the review page; the administrator's correction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.enums import (
    AdmissibilityOutcome,
    DocumentKind,
    DossierState,
    EmployerConfirmation,
    InadmissibilityReason,
)
from candidates.models import AdmissibilityDecision, Dossier
from candidates.workflow import apply_transition
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.notifications.models import Notification
from tests.candidates.test_admissibility_support import (  # noqa: F401 - fast_password_hashing is an autouse fixture
    add_documents,
    administrator,
    claimed_dossier,
    fast_password_hashing,
    reviewer,
    submitted_dossier,
)
from tests.conftest import login
from tests.factories import VALID_SIRETS, DossierFactory, ExperiencePeriodFactory

pytestmark = pytest.mark.django_db


def _detail(dossier):
    return reverse("candidates:admissibility_detail", args=[dossier.pk])


def _decide(client, dossier, transition, follow=True, **fields):
    data = {"transition": transition, **{f"{transition}-{k}": v for k, v in fields.items()}}
    return client.post(reverse("candidates:admissibility_decide", args=[dossier.pk]), data, follow=follow)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _audit(dossier, action):
    return AuditEvent.objects.for_object(dossier).filter(action=action)


def _notified(dossier, kind):
    return Notification.objects.filter(recipient=dossier.candidate, kind=kind)


def test_claim_then_release(client):
    user = reviewer()
    dossier = submitted_dossier()
    login(client, user)

    response = _decide(client, dossier, "claim")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW
    assert dossier.reviewer == user and dossier.claimed_at is not None
    assert "Vous avez pris en charge ce dossier." in _messages(response)
    assert _audit(dossier, "claim").get().actor == user
    assert _notified(dossier, "dossier_under_review").count() == 1
    html = response.content.decode()
    assert 'value="release"' in html and 'value="declare_admissible"' in html

    response = _decide(client, dossier, "release")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.reviewer is None
    assert response.redirect_chain[-1][0] == reverse("candidates:auvicom_dashboard")
    assert _audit(dossier, "release").count() == 1


def test_second_reviewer_cannot_claim_nor_decide_a_claimed_dossier(client):
    first = reviewer()
    dossier = claimed_dossier(first)
    login(client, reviewer())

    page = client.get(_detail(dossier)).content.decode()
    assert 'value="claim"' not in page and 'value="declare_admissible"' not in page

    response = _decide(client, dossier, "claim")
    assert any("Quelqu'un l'a peut-être traité" in m for m in _messages(response))

    response = _decide(client, dossier, "declare_admissible")
    assert "Ce dossier est pris en charge par un autre instructeur." in _messages(response)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW and dossier.reviewer == first
    assert not AdmissibilityDecision.objects.filter(dossier=dossier).exists()


def test_declare_admissible(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)

    response = _decide(client, dossier, "declare_admissible", comment="Dossier complet.")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.ADMISSIBLE
    decision = AdmissibilityDecision.objects.get(dossier=dossier)
    assert decision.outcome == AdmissibilityOutcome.ADMISSIBLE
    assert decision.decided_by == user and decision.comment == "Dossier complet."
    assert decision.submission == dossier.submissions.get()
    assert _audit(dossier, "declare_admissible").get().to_state == DossierState.ADMISSIBLE
    assert _notified(dossier, "dossier_admissible").count() == 1
    html = response.content.decode()
    assert "Le dossier est déclaré recevable" in html
    assert "En vigueur" in html
    assert 'value="declare_incomplete"' not in html  # final: no more decision forms


def test_declare_incomplete_sends_the_missing_items_and_resubmission_returns_to_the_queue(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)

    _decide(
        client,
        dossier,
        "declare_incomplete",
        missing_common=["identity", "attestation"],
        missing_other="Bulletins de salaire de 2024\n\n  Signature du candidat  ",
    )

    dossier.refresh_from_db()
    assert dossier.state == DossierState.INCOMPLETE
    decision = AdmissibilityDecision.objects.get(dossier=dossier)
    assert decision.outcome == AdmissibilityOutcome.INCOMPLETE
    assert decision.missing_items == [
        {"code": "identity", "step": "documents"},
        {"code": "attestation", "step": "documents"},
        {"text": "Bulletins de salaire de 2024", "step": ""},
        {"text": "Signature du candidat", "step": ""},
    ]
    assert decision.missing_item_labels == [
        "Pièce d'identité lisible et en cours de validité",
        "Attestation d'expérience de l'employeur indiquant les heures de travail effectif",
        "Bulletins de salaire de 2024",
        "Signature du candidat",
    ]
    notification = _notified(dossier, "dossier_incomplete").get()
    assert "Bulletins de salaire de 2024" in notification.body
    assert "- Pièce d'identité lisible et en cours de validité" in notification.body
    assert _audit(dossier, "declare_incomplete").get().extra["missing_items"] == decision.missing_items

    # The candidate completes and resubmits: the dossier is back in the queue, unclaimed.
    apply_transition(dossier_id=dossier.pk, name="submit", actor=dossier.candidate)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.reviewer is None
    assert dossier.submissions.count() == 2
    queue = client.get(reverse("candidates:auvicom_dashboard"))
    assert dossier.pk in [row["dossier"].pk for row in queue.context["rows"]]
    assert "dépôt n°2" in client.get(_detail(dossier)).content.decode()


def test_incomplete_without_any_item_shows_the_error_next_to_the_field(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)

    response = _decide(client, dossier, "declare_incomplete", follow=False, missing_other="   ")

    assert response.status_code == 200
    form = next(a["form"] for a in response.context["decision_actions"] if a["transition"].name == "declare_incomplete")
    assert form.errors["missing_common"] == ["Indiquez au moins une pièce ou information manquante."]
    assert "Indiquez au moins une pièce ou information manquante." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW


def test_declare_inadmissible_with_a_reason(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)

    response = _decide(
        client, dossier, "declare_inadmissible", reason=InadmissibilityReason.CIF, comment="Voir le Fongecif."
    )

    dossier.refresh_from_db()
    assert dossier.state == DossierState.INADMISSIBLE
    decision = AdmissibilityDecision.objects.get(dossier=dossier)
    assert decision.reason == InadmissibilityReason.CIF and decision.comment == "Voir le Fongecif."
    assert _audit(dossier, "declare_inadmissible").get().extra["reason"] == InadmissibilityReason.CIF
    assert _notified(dossier, "dossier_inadmissible").count() == 1
    assert "Relève du CIF (Fongecif)" in response.content.decode()


def test_inadmissible_other_reason_needs_a_comment(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)

    response = _decide(client, dossier, "declare_inadmissible", follow=False, reason=InadmissibilityReason.OTHER)

    assert response.status_code == 200
    assert "Précisez le motif dans le commentaire." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_REVIEW


def test_deciding_on_an_unclaimed_dossier_is_refused_with_the_workflow_message(client):
    dossier = submitted_dossier()
    login(client, reviewer())
    response = _decide(client, dossier, "declare_admissible")
    assert any("Action impossible" in m for m in _messages(response))
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


def test_unknown_transition_and_get_are_refused(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)
    response = client.post(
        reverse("candidates:admissibility_decide", args=[dossier.pk]), {"transition": "submit"}, follow=True
    )
    assert "Action inconnue." in _messages(response)
    assert client.get(reverse("candidates:admissibility_decide", args=[dossier.pk])).status_code == 405
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.UNDER_REVIEW


def test_only_administrators_see_and_use_the_correction(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=user)
    login(client, user)
    assert 'value="correct_decision"' not in client.get(_detail(dossier)).content.decode()
    response = _decide(
        client, dossier, "correct_decision", outcome=AdmissibilityOutcome.INADMISSIBLE, comment="x", reason="other"
    )
    assert "Votre rôle ne permet pas cette action sur ce dossier." in _messages(response)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ADMISSIBLE

    admin = administrator()
    login(client, admin)
    assert 'value="correct_decision"' in client.get(_detail(dossier)).content.decode()

    response = _decide(
        client,
        dossier,
        "correct_decision",
        outcome=AdmissibilityOutcome.INCOMPLETE,
        missing_common=["contract"],
        comment="Le contrat joint n'est pas signé.",
    )

    dossier.refresh_from_db()
    assert dossier.state == DossierState.INCOMPLETE
    old, new = AdmissibilityDecision.objects.filter(dossier=dossier).order_by("decided_at", "pk")
    assert old.outcome == AdmissibilityOutcome.ADMISSIBLE and old.revoked_at and old.revoked_by == admin
    assert new.outcome == AdmissibilityOutcome.INCOMPLETE and new.revoked_at is None
    assert new.missing_items == [{"code": "contract", "step": "documents"}]
    assert new.missing_item_labels == ["Copie du contrat de travail (toutes les pages)"]
    event = _audit(dossier, "correct_decision").get()
    assert event.actor == admin and event.from_state == DossierState.ADMISSIBLE
    assert event.to_state == DossierState.INCOMPLETE and event.comment == "Le contrat joint n'est pas signé."
    assert _notified(dossier, "dossier_decision_corrected").count() == 1
    html = response.content.decode()
    assert "Annulée le" in html and "En vigueur" in html


def test_correction_form_errors_stay_next_to_the_fields(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=user)
    login(client, administrator())

    response = _decide(client, dossier, "correct_decision", follow=False, outcome=AdmissibilityOutcome.INADMISSIBLE)

    assert response.status_code == 200
    form = next(a["form"] for a in response.context["decision_actions"] if a["transition"].name == "correct_decision")
    assert set(form.errors) == {"comment", "reason"}
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ADMISSIBLE


def test_review_page_shows_the_frozen_dossier_confirmations_documents_checklist_and_trail(client):
    user = reviewer()
    dossier = DossierFactory(last_name="Figée", first_name="Anne")
    ExperiencePeriodFactory(dossier=dossier, employer_status=EmployerConfirmation.CONFIRMED, hours=2000)
    disputed = ExperiencePeriodFactory(
        dossier=dossier, employer_name="Ancien employeur", siret=VALID_SIRETS[1], company=None, hours=100
    )
    add_documents(dossier)
    apply_transition(dossier_id=dossier.pk, name="submit", actor=dossier.candidate)
    # After the submission: the live dossier changes, the employer disputes a period.
    Dossier.objects.filter(pk=dossier.pk).update(last_name="Modifiée")
    disputed.employer_status = EmployerConfirmation.DISPUTED
    disputed.employer_comment = "Le salarié a travaillé 50 heures, pas 100."
    disputed.save()
    document = dossier.documents.get(kind=DocumentKind.CONTRACT)
    login(client, user)

    response = client.get(_detail(dossier), {"document": document.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "FIGÉE Anne" in html  # the snapshot, not the live row
    assert "Ancien employeur" in html and "2000" in html
    assert "Confirmée par l&#x27;employeur" in html and "Contestée par l&#x27;employeur" in html
    assert "Le salarié a travaillé 50 heures, pas 100." in html
    assert "Condition des 1607 heures remplie" in html
    assert f'<iframe src="{reverse("candidates:document", args=[document.pk])}"' in html
    assert "Aucun point bloquant" in html
    assert 'value="claim"' in html
    assert "Historique" in html and "submit" in html
    assert html.count("<h1") == 1
    assert client.get(reverse("candidates:document", args=[document.pk])).status_code == 200


def test_review_page_checklist_lists_problems_at_the_reference_date(client):
    dossier = submitted_dossier()
    dossier.documents.filter(kind=DocumentKind.IDENTITY).delete()
    login(client, reviewer())
    html = client.get(_detail(dossier)).content.decode()
    assert "Pièce manquante : Pièce d&#x27;identité." in html


def test_review_page_query_count_does_not_grow_with_periods_documents_and_decisions(client):
    user = reviewer()
    small = claimed_dossier(user)
    big = claimed_dossier(user)
    for _ in range(4):
        ExperiencePeriodFactory(dossier=big)
    add_documents(big)
    login(client, user)

    def count(dossier):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_detail(dossier)).status_code == 200
        return len(ctx.captured_queries)

    assert count(small) == count(big)


def test_drafts_are_not_shown_to_reviewers(client):
    login(client, reviewer())
    assert client.get(_detail(DossierFactory())).status_code == 404
    assert client.get(reverse("candidates:admissibility_detail", args=[999999])).status_code == 404
