"""AUVICOM's assignment page and the organisation manager's answer, through the HTTP views."""

import html

import pytest
from django.urls import reverse

from candidates.enums import DossierState
from catalogue.models import OrganisationCompanyLink
from cqpt_portal.accounts.enums import Role
from evaluation.enums import AssignmentState, EvaluationState
from evaluation.models import Assignment, Evaluation
from evaluation.workflow import EVALUATION_WORKFLOW
from tests.conftest import login
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    Setup,
    evaluator_of,
    fast_password_hashing,
    manager_of,
    organisation,
)
from tests.factories import VALID_SIRETS, UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _page(s):
    return reverse("evaluation:assignment", args=[s.dossier.pk])


def _transition(evaluation):
    return reverse("evaluation:transition", args=[evaluation.pk])


# --- who may see and assign -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AUVICOM_REVIEWER, Role.ADMIN, Role.AUVICOM_FUNDING])
def test_auvicom_and_administrators_see_the_page(client, role):
    s = Setup()
    login(client, UserFactory(role=role))
    response = client.get(_page(s))
    assert response.status_code == 200
    page = _text(response)
    assert s.dossier.number in page
    assert s.org.name in page
    assert ('name="organisation"' in page) == (role != Role.AUVICOM_FUNDING)


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EVALUATOR, Role.EVALUATOR_MANAGER, Role.CPNE_MEMBER])
def test_other_roles_are_refused(client, role):
    s = Setup()
    login(client, UserFactory(role=role))
    assert client.get(_page(s)).status_code == 403


def test_the_candidate_of_the_dossier_is_refused(client):
    s = Setup()
    login(client, s.dossier.candidate)
    assert client.get(_page(s)).status_code == 403


def test_anonymous_goes_to_login(client):
    s = Setup()
    response = client.get(_page(s))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_dossier_is_404(client):
    login(client, UserFactory(role=Role.AUVICOM_REVIEWER))
    assert client.get(reverse("evaluation:assignment", args=[999999])).status_code == 404


def test_a_read_only_auvicom_role_may_not_post(client):
    s = Setup()
    login(client, UserFactory(role=Role.AUVICOM_FUNDING))
    assert client.post(_page(s), {"organisation": s.org.pk}).status_code == 403
    assert not Evaluation.objects.filter(dossier=s.dossier).exists()


# --- assigning ------------------------------------------------------------------------------------


def test_reviewer_assigns_an_organisation(client):
    s = Setup()
    login(client, s.reviewer)
    response = client.post(_page(s), {"organisation": s.org.pk})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(dossier=s.dossier)
    assert evaluation.organisation == s.org
    assert evaluation.state == EvaluationState.AWAITING_ORGANISATION
    s.dossier.refresh_from_db()
    assert s.dossier.state == DossierState.EVALUATOR_ASSIGNED
    page = _text(client.get(response["Location"]))
    assert "Historique des désignations" in page
    assert "En attente de réponse" in page
    assert 'name="organisation"' not in page


def test_the_page_shows_each_organisation_with_city_and_load():
    s = Setup()
    s.org.city = "Lyon"
    s.org.save()
    other = Setup()
    other.org = s.org
    other.org.cqpts.add(other.cqpt)
    other.assign()  # one pending assignment for s.org
    from django.test import Client

    client = login(Client(), s.reviewer)
    page = _text(client.get(_page(s)))
    assert "Lyon" in page
    assert "0 évaluation(s) en cours, 1 désignation(s) en attente" in page


def test_no_choice_shows_the_error_next_to_the_field(client):
    s = Setup()
    login(client, s.reviewer)
    response = client.post(_page(s), {})
    assert response.status_code == 200
    assert "Choisissez un organisme évaluateur." in _text(response)
    assert not Evaluation.objects.filter(dossier=s.dossier).exists()


def test_an_organisation_tied_to_the_employer_is_not_offered_and_refused(client):
    s = Setup()
    OrganisationCompanyLink.objects.create(organisation=s.org, company=s.dossier.company)
    login(client, s.reviewer)
    page = _text(client.get(_page(s)))
    assert "Tous les organismes habilités pour ce CQPT sont liés à l'employeur du candidat" in page
    response = client.post(_page(s), {"organisation": s.org.pk})
    assert response.status_code == 200
    assert not Evaluation.objects.filter(dossier=s.dossier).exists()


def test_an_organisation_that_became_ineligible_is_refused_next_to_the_field(client):
    s = Setup()
    login(client, s.reviewer)
    client.get(_page(s))
    s.org.is_active = False
    s.org.save()
    response = client.post(_page(s), {"organisation": s.org.pk})
    assert response.status_code == 200
    assert "Cet organisme ne peut pas évaluer ce dossier" in _text(response) or "Choisissez" in _text(response)
    assert not Evaluation.objects.filter(dossier=s.dossier).exists()


def test_a_dossier_not_admissible_says_why(client):
    s = Setup()
    s.dossier.state = DossierState.UNDER_REVIEW
    s.dossier.save()
    login(client, s.reviewer)
    page = _text(client.get(_page(s)))
    assert "Le dossier n'est pas recevable" in page
    assert 'name="organisation"' not in page
    response = client.post(_page(s), {"organisation": s.org.pk})
    assert response.status_code == 200
    assert not Evaluation.objects.filter(dossier=s.dossier).exists()


def test_assigning_twice_is_refused_clearly(client):
    s = Setup()
    s.assign()
    login(client, s.reviewer)
    response = client.post(_page(s), {"organisation": s.org.pk})
    assert response.status_code == 200
    assert "déjà désigné" in _text(response)
    assert Assignment.objects.filter(evaluation__dossier=s.dossier).count() == 1


def test_after_a_decline_the_page_assigns_again_and_keeps_the_history(client):
    s = Setup()
    s.assign()
    EVALUATION_WORKFLOW.apply(
        pk=s.evaluation.pk, name="decline_assignment", actor=s.manager, data={"comment": "Pas de disponibilité"}
    )
    second = organisation(s.cqpt, siret=VALID_SIRETS[3], name="Second organisme")
    login(client, s.reviewer)
    page = _text(client.get(_page(s)))
    assert "Désigner un autre organisme évaluateur" in page
    assert "Pas de disponibilité" in page
    assert "a refusé ce dossier" in page
    assert "Second organisme" in page
    response = client.post(_page(s), {"organisation": second.pk})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(pk=s.evaluation.pk)
    assert evaluation.state == EvaluationState.AWAITING_ORGANISATION
    assert evaluation.organisation == second
    states = list(evaluation.assignments.order_by("assigned_at", "pk").values_list("state", flat=True))
    assert states == [AssignmentState.DECLINED, AssignmentState.PENDING]
    page = _text(client.get(_page(s)))
    assert page.count("Second organisme") >= 2  # the history and the summary


# --- the manager's answer -----------------------------------------------------------------------------


def test_manager_accepts_and_names_an_evaluator_through_the_evaluation_page(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    page = _text(client.get(reverse("evaluation:detail", args=[s.evaluation.pk])))
    assert 'name="accept_assignment-evaluator"' in page
    assert 'name="decline_assignment-comment"' in page
    response = client.post(
        _transition(s.evaluation), {"transition": "accept_assignment", "accept_assignment-evaluator": s.evaluator.pk}
    )
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.IN_PROGRESS
    assert s.evaluation.evaluator == s.evaluator
    assignment = s.evaluation.assignments.get()
    assert (assignment.state, assignment.evaluator, assignment.answered_by) == (
        AssignmentState.ACCEPTED,
        s.evaluator,
        s.manager,
    )


def test_accepting_without_an_evaluator_shows_the_error_next_to_the_field(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    response = client.post(_transition(s.evaluation), {"transition": "accept_assignment"})
    assert response.status_code == 200
    assert "Choisissez l'évaluateur" in _text(response)
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.AWAITING_ORGANISATION


def test_an_evaluator_of_another_organisation_is_not_offered_nor_accepted(client):
    s = Setup()
    s.assign()
    stranger = evaluator_of(organisation(s.cqpt, siret=VALID_SIRETS[3]))
    login(client, s.manager)
    page = _text(client.get(reverse("evaluation:detail", args=[s.evaluation.pk])))
    assert f'value="{stranger.pk}"' not in page
    response = client.post(
        _transition(s.evaluation), {"transition": "accept_assignment", "accept_assignment-evaluator": stranger.pk}
    )
    assert response.status_code == 200
    s.evaluation.refresh_from_db()
    assert s.evaluation.evaluator is None


def test_manager_declines_with_a_reason(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    response = client.post(
        _transition(s.evaluation),
        {"transition": "decline_assignment", "decline_assignment-comment": "Aucun évaluateur disponible"},
    )
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.TO_REASSIGN
    assert s.evaluation.assignments.get().decline_reason == "Aucun évaluateur disponible"
    s.dossier.refresh_from_db()
    assert s.dossier.state == DossierState.ADMISSIBLE


def test_declining_without_a_reason_shows_the_error_next_to_the_field(client):
    s = Setup()
    s.assign()
    login(client, s.manager)
    response = client.post(_transition(s.evaluation), {"transition": "decline_assignment"})
    assert response.status_code == 200
    assert "Indiquez pourquoi votre organisme refuse" in _text(response)
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.AWAITING_ORGANISATION


def test_the_manager_of_another_organisation_cannot_answer(client):
    s = Setup()
    s.assign()
    other_manager = manager_of(organisation(s.cqpt, siret=VALID_SIRETS[3]))
    login(client, other_manager)
    response = client.post(
        _transition(s.evaluation), {"transition": "accept_assignment", "accept_assignment-evaluator": s.evaluator.pk}
    )
    assert response.status_code in (403, 404)
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.AWAITING_ORGANISATION


def test_auvicom_may_reassign_from_the_evaluation_page(client):
    s = Setup()
    s.assign()
    EVALUATION_WORKFLOW.apply(pk=s.evaluation.pk, name="decline_assignment", actor=s.manager, data={"comment": "Non"})
    second = organisation(s.cqpt, siret=VALID_SIRETS[3])
    login(client, s.reviewer)
    page = _text(client.get(reverse("evaluation:detail", args=[s.evaluation.pk])))
    assert 'name="reassign-organisation"' in page
    response = client.post(_transition(s.evaluation), {"transition": "reassign", "reassign-organisation": second.pk})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert (s.evaluation.state, s.evaluation.organisation) == (EvaluationState.AWAITING_ORGANISATION, second)


def test_no_organisation_accredited_for_the_cqpt_says_so(client):
    s = Setup()
    s.org.cqpts.clear()
    login(client, s.reviewer)
    page = _text(client.get(_page(s)))
    assert "Aucun organisme évaluateur actif n'est habilité pour ce CQPT" in page
    assert 'name="organisation"' not in page


def test_an_organisation_with_the_employers_siren_is_not_offered(client):
    s = Setup()
    s.org.siret = s.dossier.company.siret[:9] + "99999"
    s.org.save()
    login(client, s.reviewer)
    page = _text(client.get(_page(s)))
    assert "conflit d'intérêts" in page
