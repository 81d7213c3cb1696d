"""The synthesis page and its service, the transmission to the CPNE, and abandonment."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from candidates.enums import DossierState
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.exceptions import ActionRefused
from evaluation.enums import EvaluationState, Opinion, Phase
from evaluation.models import SynthesisBlock
from evaluation.services.synthesis import BlockVerdict, synthesis_save
from tests.evaluation.support import (  # noqa: F401 - the fixture applies to this module
    Setup,
    fast_password_hashing,
)
from tests.evaluation.support_phases import (  # noqa: F401 - the fixture applies to this module
    as_user,
    grid_storage_in_tmp,
    post_action,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _complete():
    s = Setup()
    s.complete_phases()
    return s


def _synthesis_payload(s, *, acquired=True, opinion=Opinion.FAVOURABLE, justification="Solide."):
    data = {"opinion": opinion, "opinion_justification": justification}
    for block in s.cqpt.blocks.all():
        data[f"block_{block.pk}"] = "acquired" if acquired else "not_acquired"
        data[f"block_{block.pk}_comment"] = f"Commentaire {block.code}"
    return data


def test_synthesis_page_shows_each_phase_side_by_side_and_saves(client):
    s = _complete()
    url = reverse("evaluation:synthesis", args=[s.evaluation.pk])
    as_user(client, s.evaluator)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    for competency in s.competencies():
        assert competency.code in body
    assert "Dossier de preuves" in body and "Mise en situation" in body and "Acquise" in body
    response = client.post(url, _synthesis_payload(s))
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    assert s.evaluation.opinion == Opinion.FAVOURABLE
    assert s.evaluation.opinion_justification == "Solide."
    assert s.evaluation.synthesis_updated_at is not None
    assert SynthesisBlock.objects.filter(evaluation=s.evaluation, acquired=True).count() == s.cqpt.blocks.count()
    assert AuditEvent.objects.for_object(s.evaluation).filter(action="synthesis_saved").count() == 1
    # a draft may leave a block undecided: its row goes
    block = s.cqpt.blocks.first()
    payload = _synthesis_payload(s)
    payload[f"block_{block.pk}"] = ""
    client.post(url, payload)
    assert not SynthesisBlock.objects.filter(evaluation=s.evaluation, block=block).exists()


def test_synthesis_form_errors_are_next_to_their_fields(client):
    s = _complete()
    as_user(client, s.evaluator)
    payload = _synthesis_payload(s)
    block = s.cqpt.blocks.first()
    payload[f"block_{block.pk}"] = "maybe"
    payload["opinion"] = "perhaps"
    response = client.post(reverse("evaluation:synthesis", args=[s.evaluation.pk]), payload)
    assert response.status_code == 400
    form = response.context["form"]
    assert f"block_{block.pk}" in form.errors and "opinion" in form.errors
    assert "Solide." in response.content.decode()  # the rest of the input is kept
    assert not SynthesisBlock.objects.exists()


def test_transmit_is_refused_with_an_incomplete_synthesis_then_allowed(client):
    s = _complete()
    as_user(client, s.manager)
    response = post_action(client, s.evaluation, "transmit", {"confirm": "on"})
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("pour chaque bloc" in m for m in messages)
    assert any("avis" in m for m in messages)
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.IN_PROGRESS

    response = post_action(client, s.evaluation, "transmit", {})
    assert "confirm" in response.context["actions"]["synthesis"][0]["form"].errors

    as_user(client, s.evaluator)
    client.post(reverse("evaluation:synthesis", args=[s.evaluation.pk]), _synthesis_payload(s))
    # the evaluator may not transmit unless the organisation says so
    response = post_action(client, s.evaluation, "transmit", {"confirm": "on"})
    s.evaluation.refresh_from_db()
    assert s.evaluation.state == EvaluationState.IN_PROGRESS

    as_user(client, s.manager)
    response = post_action(client, s.evaluation, "transmit", {"confirm": "on"})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    s.dossier.refresh_from_db()
    assert s.evaluation.state == EvaluationState.TRANSMITTED
    assert s.evaluation.followed_in_full_at is not None
    assert s.dossier.state == DossierState.TRANSMITTED_TO_CPNE
    # no longer editable, read-only for everyone, visible to the candidate
    response = client.post(
        reverse("evaluation:synthesis", args=[s.evaluation.pk]), _synthesis_payload(s, acquired=False)
    )
    assert SynthesisBlock.objects.filter(evaluation=s.evaluation, acquired=False).count() == 0
    as_user(client, s.dossier.candidate)
    response = client.get(reverse("evaluation:synthesis", args=[s.evaluation.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Favorable" in response.content.decode()


def test_the_evaluator_transmits_when_the_organisation_says_so(client):
    s = _complete()
    s.org.evaluator_transmits = True
    s.org.save()
    s.write_synthesis()
    as_user(client, s.evaluator)
    body = client.get(reverse("evaluation:synthesis", args=[s.evaluation.pk])).content.decode()
    assert "Transmettre la synthèse à la CPNE" in body
    post_action(client, s.evaluation, "transmit", {"confirm": "on"})
    s.dossier.refresh_from_db()
    assert s.dossier.state == DossierState.TRANSMITTED_TO_CPNE


def test_synthesis_service_refuses_outsiders_and_a_transmitted_evaluation():
    s = _complete()
    block = s.cqpt.blocks.first()
    verdicts = [BlockVerdict(block_id=block.pk, acquired=True)]
    with pytest.raises(ActionRefused):
        synthesis_save(
            evaluation_id=s.evaluation.pk, actor=s.dossier.candidate, blocks=verdicts, opinion="", justification=""
        )
    s.evaluation.state = EvaluationState.TRANSMITTED
    s.evaluation.save()
    with pytest.raises(ActionRefused):
        synthesis_save(evaluation_id=s.evaluation.pk, actor=s.evaluator, blocks=verdicts, opinion="", justification="")


def test_synthesis_page_permissions(client):
    s = _complete()
    url = reverse("evaluation:synthesis", args=[s.evaluation.pk])
    for allowed in (s.evaluator, s.manager):
        as_user(client, allowed)
        assert client.get(url).status_code == 200
    other_org_evaluator = UserFactory(role="evaluator", evaluator_organisation=Setup().org)
    for refused in (s.dossier.candidate, other_org_evaluator, UserFactory(role="candidate"), s.reviewer):
        as_user(client, refused)
        assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302


def test_abandonment_needs_a_reason_a_comment_for_other_and_a_confirmation(client):
    s = Setup()
    s.accept()
    as_user(client, s.evaluator)
    body = html.unescape(client.get(reverse("evaluation:detail", args=[s.evaluation.pk])).content.decode())
    assert "Enregistrer l'abandon" in body
    response = post_action(client, s.evaluation, "abandon", {"reason": "other", "comment": ""})
    form = response.context["actions"]["abandon"][0]["form"]
    assert "confirm" in form.errors
    response = post_action(client, s.evaluation, "abandon", {"reason": "other", "comment": "", "confirm": "on"})
    form = response.context["actions"]["abandon"][0]["form"]
    assert "Précisez" in str(form.errors["comment"])
    assert "<details open" in response.content.decode()
    response = post_action(client, s.evaluation, "abandon", {"reason": "", "confirm": "on"})
    assert "reason" in response.context["actions"]["abandon"][0]["form"].errors
    response = post_action(client, s.evaluation, "abandon", {"reason": "no_show_twice", "confirm": "on"})
    assert response.status_code == 302
    s.evaluation.refresh_from_db()
    s.dossier.refresh_from_db()
    assert s.evaluation.state == EvaluationState.ABANDONED
    assert s.evaluation.abandon_reason == "no_show_twice"
    assert s.dossier.state == DossierState.EVALUATION_ABANDONED
    as_user(client, s.dossier.candidate)
    body = html.unescape(client.get(reverse("evaluation:detail", args=[s.evaluation.pk])).content.decode())
    assert "Évaluation abandonnée" in body and "ne s'est pas présenté deux fois" in body


def test_synthesis_page_queries_do_not_grow_with_the_grid(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Competency, CompetencyBlock

    counts = []
    for extra_blocks in (0, 6):
        s = _complete()
        for b in range(extra_blocks):
            block = CompetencyBlock.objects.create(cqpt=s.cqpt, code=f"X{s.cqpt.pk}-{b}", title="Bloc", position=10 + b)
            for c in range(3):
                Competency.objects.create(block=block, code=f"X{s.cqpt.pk}-{b}-{c}", title="C", position=c)
        s.assess_all(Phase.EVIDENCE)
        s.write_synthesis()
        as_user(client, s.evaluator)
        url = reverse("evaluation:synthesis", args=[s.evaluation.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
