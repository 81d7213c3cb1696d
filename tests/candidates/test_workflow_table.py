"""The dossier's transition table, walked whole: every transition × every role × every state.

The expected combinations are written out here, independently of the table, so
that a change of who may do what in candidates/workflow.py must be made on
purpose in both places. Then the guards one by one: each test fails if its guard
is removed from the workflow (the forms no longer repeat them).
"""

import html

import pytest
from django.db import transaction
from django.urls import reverse

from candidates.enums import AdmissibilityOutcome, DossierState, InadmissibilityReason
from candidates.models import AdmissibilityDecision, Dossier
from candidates.steps import ATTENTION, dossier_steps
from candidates.workflow import DOSSIER_WORKFLOW, TRANSITIONS, apply_transition
from cqpt_portal.accounts.enums import Role
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create
from evaluation.models import Evaluation
from tests.candidates.test_admissibility_support import administrator, claimed_dossier, ready_dossier, reviewer
from tests.conftest import login
from tests.factories import EmployerFactory, EvaluatorOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = DossierState
WITHDRAWABLE = {
    S.DRAFT,
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.INCOMPLETE,
    S.ADMISSIBLE,
    S.EVALUATOR_ASSIGNED,
    S.IN_EVALUATION,
    S.EVALUATION_COMPLETE,
    S.TRANSMITTED_TO_CPNE,
}
# transition: (who may apply it, from which states)
EXPECTED = {
    "submit": ({"owner"}, {S.DRAFT, S.INCOMPLETE}),
    "claim": ({"claimer", "other_reviewer"}, {S.SUBMITTED}),
    "release": ({"claimer", "admin"}, {S.UNDER_REVIEW}),
    "declare_admissible": ({"claimer"}, {S.UNDER_REVIEW}),
    "declare_incomplete": ({"claimer"}, {S.UNDER_REVIEW}),
    "declare_inadmissible": ({"claimer"}, {S.UNDER_REVIEW}),
    "withdraw": ({"owner"}, WITHDRAWABLE),
    "correct_decision": ({"admin"}, {S.ADMISSIBLE, S.INCOMPLETE, S.INADMISSIBLE}),
    # the evaluation stage (applied by evaluation.workflow's effects)
    "assign_organisation": ({"claimer", "other_reviewer", "admin"}, {S.ADMISSIBLE}),
    "organisation_declined": ({"evaluator_manager"}, {S.EVALUATOR_ASSIGNED}),
    "start_evaluation": ({"evaluator_manager"}, {S.EVALUATOR_ASSIGNED}),
    "complete_evaluation": ({"evaluator"}, {S.IN_EVALUATION}),
    "transmit_to_cpne": ({"evaluator_manager", "evaluator"}, {S.EVALUATION_COMPLETE}),
    "abandon_evaluation": (
        {"evaluator_manager", "evaluator"},
        {S.EVALUATOR_ASSIGNED, S.IN_EVALUATION, S.EVALUATION_COMPLETE},
    ),
    # the CPNE's decisions (applied by cpne.workflow when a meeting is closed; revocation by an administrator)
    "cpne_award": ({"cpne_secretary", "admin"}, {S.TRANSMITTED_TO_CPNE}),
    "cpne_not_award": ({"cpne_secretary", "admin"}, {S.TRANSMITTED_TO_CPNE}),
    "cpne_defer": ({"cpne_secretary", "admin"}, {S.TRANSMITTED_TO_CPNE}),
    "revoke_award": ({"admin"}, {S.AWARDED}),
}
EXPECTED_TARGET = {
    "submit": S.SUBMITTED,
    "claim": S.UNDER_REVIEW,
    "release": S.SUBMITTED,
    "declare_admissible": S.ADMISSIBLE,
    "declare_incomplete": S.INCOMPLETE,
    "declare_inadmissible": S.INADMISSIBLE,
    "withdraw": S.WITHDRAWN,
    "assign_organisation": S.EVALUATOR_ASSIGNED,
    "organisation_declined": S.ADMISSIBLE,
    "start_evaluation": S.IN_EVALUATION,
    "complete_evaluation": S.EVALUATION_COMPLETE,
    "transmit_to_cpne": S.TRANSMITTED_TO_CPNE,
    "abandon_evaluation": S.EVALUATION_ABANDONED,
    "cpne_award": S.AWARDED,
    "cpne_not_award": S.NOT_AWARDED,
    "cpne_defer": S.IN_EVALUATION,
    "revoke_award": S.NOT_AWARDED,
}


def _valid_data(name, state):
    """Input that satisfies the transition's guard, so that only state and role decide."""
    if name == "declare_incomplete":
        return {"missing_items": [{"code": "identity", "step": "documents"}]}
    if name == "declare_inadmissible":
        return {"reason": InadmissibilityReason.CIF}
    if name == "withdraw":
        return {"comment": "Je change de métier."}
    if name == "cpne_not_award":
        return {"reason": "Bloc 2 non acquis."}
    if name in ("cpne_defer", "revoke_award"):
        return {"comment": "Compléments demandés."}
    if name == "correct_decision":
        if state == S.ADMISSIBLE:
            return {"outcome": AdmissibilityOutcome.INADMISSIBLE, "reason": "cif", "comment": "Erreur."}
        return {"outcome": AdmissibilityOutcome.ADMISSIBLE, "comment": "Erreur."}
    return {}


class _Undo(Exception):
    pass


@pytest.fixture
def organisation():
    return EvaluatorOrganisationFactory()


@pytest.fixture
def actors(organisation):
    owner = UserFactory()
    return {
        "owner": owner,
        "other_candidate": UserFactory(),
        "claimer": reviewer(),
        "other_reviewer": reviewer(),
        "funding_officer": UserFactory(role=Role.AUVICOM_FUNDING),
        "evaluator": UserFactory(role=Role.EVALUATOR, evaluator_organisation=organisation),
        "evaluator_manager": UserFactory(role=Role.EVALUATOR_MANAGER, evaluator_organisation=organisation),
        "other_organisation_manager": UserFactory(
            role=Role.EVALUATOR_MANAGER, evaluator_organisation=EvaluatorOrganisationFactory()
        ),
        "cpne_member": UserFactory(role=Role.CPNE_MEMBER),
        "cpne_secretary": UserFactory(role=Role.CPNE_SECRETARY),
        "admin": administrator(),
    }


def test_the_table_lists_exactly_the_expected_transitions():
    assert set(TRANSITIONS) == set(EXPECTED)


def test_every_transition_role_and_state(actors, organisation):
    employer_company_dossier = None
    outcomes = {}
    for state in DossierState:
        dossier = ready_dossier(
            candidate=actors["owner"],
            state=state,
            number=None if state == S.DRAFT else f"CQPT-2026-{list(DossierState).index(state) + 1:06d}",
            reviewer=actors["claimer"] if state == S.UNDER_REVIEW else None,
            share_with_employer=True,
        )
        if state != S.DRAFT:
            Dossier.objects.filter(pk=dossier.pk).update(submitted_at=dossier.created_at)
        # Every dossier has an evaluation by the organisation, so that only the state decides for its staff.
        Evaluation.objects.create(dossier=dossier, organisation=organisation, evaluator=actors["evaluator"])
        employer_company_dossier = employer_company_dossier or dossier
        for name in TRANSITIONS:
            for who, actor in actors.items():
                try:
                    with transaction.atomic():
                        applied = apply_transition(
                            dossier_id=dossier.pk, name=name, actor=actor, data=_valid_data(name, state)
                        )
                        outcomes[(name, who, state)] = applied.state
                        assert AuditEvent.objects.for_object(dossier).filter(action=name).count() == 1
                        raise _Undo
                except _Undo:
                    pass
                except ActionRefused as refused:
                    assert refused.messages and all(refused.messages), (name, who, state)
                    assert Dossier.objects.get(pk=dossier.pk).state == state
    allowed = set(outcomes)
    expected = {(name, who, state) for name, (whos, states) in EXPECTED.items() for who in whos for state in states}
    assert allowed == expected
    for (name, _who, state), reached in outcomes.items():
        if name == "correct_decision":
            assert reached == (S.INADMISSIBLE if state == S.ADMISSIBLE else S.ADMISSIBLE)
        else:
            assert reached == EXPECTED_TARGET[name]
    # The sharing employer of the company may apply nothing either.
    employer = EmployerFactory(company=employer_company_dossier.company)
    assert DOSSIER_WORKFLOW.available(employer, employer_company_dossier) == []


def test_buttons_are_exactly_what_apply_accepts(actors):
    """available() never offers what apply() refuses for its state or role (guards apart)."""
    dossier = ready_dossier(candidate=actors["owner"], state=S.UNDER_REVIEW, reviewer=actors["claimer"])
    Dossier.objects.filter(pk=dossier.pk).update(number="CQPT-2026-000100", submitted_at=dossier.created_at)
    dossier.refresh_from_db()
    for who, actor in actors.items():
        offered = {t.name for t in DOSSIER_WORKFLOW.available(actor, dossier)}
        expected = {name for name, (whos, states) in EXPECTED.items() if who in whos and S.UNDER_REVIEW in states}
        assert offered == expected, who


# --- the guards, enforced by the workflow itself --------------------------------------------


def test_withdraw_guard_requires_a_reason_next_to_the_field():
    dossier = ready_dossier()
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="withdraw", actor=dossier.candidate, comment="   ")
    assert refused.value.fields == {"comment": ["Indiquez la raison de votre retrait."]}
    assert Dossier.objects.get(pk=dossier.pk).state == S.DRAFT


def test_withdraw_form_shows_the_guard_message_next_to_the_reason(client):
    dossier = ready_dossier()
    login(client, dossier.candidate)
    response = client.post(reverse("candidates:dossier_withdraw", args=[dossier.pk]), {"reason": "  ", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Indiquez la raison de votre retrait."]
    assert Dossier.objects.get(pk=dossier.pk).state == S.DRAFT


def test_inadmissible_guard_requires_a_reason_and_a_comment_for_other():
    user = reviewer()
    dossier = claimed_dossier(user)
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="declare_inadmissible", actor=user)
    assert refused.value.fields == {"reason": ["Choisissez le motif d'irrecevabilité."]}
    with pytest.raises(ActionRefused) as refused:
        apply_transition(
            dossier_id=dossier.pk, name="declare_inadmissible", actor=user, data={"reason": "not-a-reason"}
        )
    assert "reason" in refused.value.fields
    with pytest.raises(ActionRefused) as refused:
        apply_transition(
            dossier_id=dossier.pk, name="declare_inadmissible", actor=user, data={"reason": InadmissibilityReason.OTHER}
        )
    assert refused.value.fields == {"comment": ["Précisez le motif dans le commentaire."]}
    assert Dossier.objects.get(pk=dossier.pk).state == S.UNDER_REVIEW
    assert not AdmissibilityDecision.objects.filter(dossier=dossier).exists()


def test_incomplete_guard_requires_an_item():
    user = reviewer()
    dossier = claimed_dossier(user)
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="declare_incomplete", actor=user, comment="Rien ne manque ?")
    assert "missing_common" in refused.value.fields


def test_correction_to_inadmissible_lands_in_inadmissible():
    user = reviewer()
    dossier = claimed_dossier(user)
    apply_transition(
        dossier_id=dossier.pk,
        name="declare_incomplete",
        actor=user,
        data={"missing_items": [{"code": "periods", "step": "experience"}]},
    )
    admin = administrator()
    with pytest.raises(ActionRefused) as refused:
        apply_transition(dossier_id=dossier.pk, name="correct_decision", actor=admin, data={"outcome": "incomplete"})
    assert set(refused.value.fields) == {"outcome", "comment", "missing_common"}
    apply_transition(
        dossier_id=dossier.pk,
        name="correct_decision",
        actor=admin,
        comment="Le candidat relève du CIF.",
        data={"outcome": AdmissibilityOutcome.INADMISSIBLE, "reason": InadmissibilityReason.CIF},
    )
    dossier.refresh_from_db()
    assert dossier.state == S.INADMISSIBLE
    current = dossier.decisions.get(revoked_at__isnull=True)
    assert current.outcome == AdmissibilityOutcome.INADMISSIBLE and current.reason == InadmissibilityReason.CIF
    assert current.missing_items == []


# --- defects: the step flag, links per recipient, audit labels, notification kinds ------------


def test_incomplete_items_flag_the_steps_where_the_candidate_fixes_them(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)
    client.post(
        reverse("candidates:admissibility_decide", args=[dossier.pk]),
        {
            "transition": "declare_incomplete",
            "declare_incomplete-missing_common": ["identity", "periods", "funding"],
        },
    )
    dossier.refresh_from_db()
    assert dossier.state == S.INCOMPLETE
    decision = dossier.decisions.get()
    steps = {s.key: s.status for s in dossier_steps(dossier, problems=[], decision=decision)}
    assert steps["documents"] == ATTENTION
    assert steps["experience"] == ATTENTION
    assert steps["funding"] == ATTENTION
    assert steps["identity"] != ATTENTION
    login(client, dossier.candidate)
    page = html.unescape(client.get(reverse("candidates:step_funding", args=[dossier.pk])).content.decode())
    assert "Accord de l'employeur sur le financement de l'évaluation" in page


def test_each_recipient_of_a_dossier_notification_can_open_its_link(client):
    user = reviewer()
    dossier = claimed_dossier(user, share_with_employer=True)
    employer = EmployerFactory(company=dossier.company)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=user)
    submitted_staff = Notification.objects.filter(recipient=user, kind="dossier_submitted_staff").get()
    for notification in [
        Notification.objects.get(recipient=employer, kind="dossier_admissible"),
        Notification.objects.get(recipient=dossier.candidate, kind="dossier_admissible"),
        submitted_staff,
    ]:
        login(client, notification.recipient)
        response = client.get(notification.link)
        assert response.status_code == 200, (notification.recipient.role, notification.link)
    assert Notification.objects.get(recipient=employer, kind="dossier_admissible").link.startswith(
        reverse("candidates:employer_dashboard")
    )


def test_an_unknown_notification_kind_is_refused():
    with pytest.raises(ValueError):
        notification_create(recipient=UserFactory(), kind="no_such_kind")


def test_audit_trail_shows_labels_not_codes(client):
    user = reviewer()
    dossier = claimed_dossier(user)
    login(client, user)
    page = html.unescape(client.get(reverse("candidates:admissibility_detail", args=[dossier.pk])).content.decode())
    trail = page[page.index('id="audit-trail-title"') :]
    assert "Prendre en charge" in trail and "Déposer" in trail
    assert "Déposé, en attente d'examen" in trail and "En cours d'examen par AUVICOM" in trail
    assert "AUVICOM – recevabilité" in trail and "(Candidat)" in trail
    for code in ("<td>claim</td>", "<td>submitted</td>", "<td>under_review</td>", "(auvicom_reviewer)", "(candidate)"):
        assert code not in trail


def test_another_app_can_follow_a_transition_in_the_same_transaction():
    dossier = ready_dossier()
    seen = []
    DOSSIER_WORKFLOW.follow("withdraw", lambda obj, actor, data: seen.append((obj.state, actor.pk, data["comment"])))
    try:
        apply_transition(dossier_id=dossier.pk, name="withdraw", actor=dossier.candidate, comment="Je pars.")
    finally:
        DOSSIER_WORKFLOW._followers["withdraw"].pop()
    assert seen == [(S.WITHDRAWN, dossier.candidate.pk, "Je pars.")]
