"""The CPNE's pages through HTTP: who may open what, a meeting held through the forms, the public verification."""

import datetime
import html

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from candidates.enums import DossierState
from candidates.models import Dossier
from cpne.enums import College, DecisionOutcome, MeetingState
from cpne.models import Certificate, Meeting
from cpne.services import decision_record
from cpne.workflow import DECISION_WORKFLOW, MEETING_WORKFLOW
from tests.candidates.test_admissibility_support import administrator
from tests.conftest import login
from tests.cpne.support import commission, meeting_in_session, planned_meeting, secretary, transmitted_dossier
from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def closed_with_award(django_capture_on_commit_callbacks):
    setup = transmitted_dossier(share_with_employer=True)
    sec = secretary()
    members = commission()
    meeting = meeting_in_session(sec, members)
    item = meeting.items.get()
    decision_record(item_id=item.pk, actor=sec, outcome=DecisionOutcome.AWARDED)
    with django_capture_on_commit_callbacks(execute=True):
        MEETING_WORKFLOW.apply(pk=meeting.pk, name="close", actor=sec)
    return {"setup": setup, "secretary": sec, "members": members, "meeting": meeting, "item": item}


def test_pages_allow_the_cpne_and_refuse_the_others(client, closed_with_award):
    ctx = closed_with_award
    setup, meeting, item = ctx["setup"], ctx["meeting"], ctx["item"]
    certificate = Certificate.objects.get()
    member = ctx["members"][College.UNIONS][0]
    outsiders = [setup.dossier.candidate, setup.evaluator, setup.manager, setup.reviewer, EmployerFactory()]
    pages = {
        reverse("cpne:dashboard"): {member, ctx["secretary"]},
        reverse("cpne:meeting", args=[meeting.pk]): {member, ctx["secretary"]},
        reverse("cpne:item", args=[item.pk]): {member, ctx["secretary"]},
        reverse("cpne:minutes", args=[meeting.pk]): {member, ctx["secretary"]},
        reverse("cpne:meeting_create"): {ctx["secretary"]},
        reverse("cpne:certificate_download", args=[certificate.pk]): {setup.dossier.candidate, ctx["secretary"]},
        reverse("cpne:decision_revoke", args=[certificate.decision_id]): {administrator()},
    }
    for url, allowed in pages.items():
        client.logout()
        assert client.get(url).status_code == 302  # anonymous: to the login page
        for user in allowed:
            login(client, user)
            assert client.get(url).status_code == 200, (url, user.role)
        for user in set(outsiders + [member, ctx["secretary"]]) - allowed:
            login(client, user)
            assert client.get(url).status_code in (403, 404), (url, user.role)
    # The certificate is only its holder's.
    login(client, transmitted_dossier().dossier.candidate)
    assert client.get(reverse("cpne:certificate_download", args=[certificate.pk])).status_code == 403


def test_members_read_the_synthesis_and_grid_not_the_private_files(client):
    transmitted_dossier()
    sec = secretary()
    members = commission()
    meeting = planned_meeting(sec)
    login(client, members[College.EMPLOYERS][0])
    page = _text(client.get(reverse("cpne:item", args=[meeting.items.get().pk])))
    assert "Toutes les compétences sont acquises." in page and "Acquise" in page
    assert "preuve.pdf" not in page and "grille.pdf" not in page
    assert "/documents/" not in page and "evaluation/" not in page.split("<main", 1)[-1]


def test_the_secretary_holds_a_meeting_through_the_pages(client, django_capture_on_commit_callbacks):
    setups = [transmitted_dossier() for _i in range(2)]
    sec = secretary()
    members = commission()
    login(client, sec)
    now = timezone.localtime()
    response = client.post(
        reverse("cpne:meeting_create"),
        {
            "starts_at": (now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "agenda_cutoff": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "",
            "video_link": "",
        },
    )
    assert response.status_code == 200 and "Indiquez un lieu" in _text(response)
    response = client.post(
        reverse("cpne:meeting_create"),
        {
            "starts_at": (now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "agenda_cutoff": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Paris",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("cpne:meeting", args=[meeting.pk])
    assert meeting.items.count() == 2
    url = reverse("cpne:meeting_transition", args=[meeting.pk])
    client.post(url, {"transition": "open"})
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.IN_SESSION
    present = {f"present_{a.pk}": "on" for a in meeting.attendances.all()}
    client.post(reverse("cpne:attendance", args=[meeting.pk]), present)
    first, second = meeting.items.order_by("position")
    # A refusal is shown next to its field and keeps the input.
    response = client.post(
        reverse("cpne:decision_record", args=[second.pk]), {f"item{second.pk}-outcome": DecisionOutcome.NOT_AWARDED}
    )
    assert response.status_code == 400
    assert "Indiquez le motif communiqué au candidat." in _text(response)
    client.post(reverse("cpne:decision_record", args=[first.pk]), {f"item{first.pk}-outcome": DecisionOutcome.AWARDED})
    client.post(
        reverse("cpne:decision_record", args=[second.pk]),
        {f"item{second.pk}-outcome": DecisionOutcome.NOT_AWARDED, f"item{second.pk}-reason": "Bloc 1 non acquis."},
    )
    assert Dossier.objects.get(pk=setups[0].dossier.pk).state == DossierState.TRANSMITTED_TO_CPNE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"transition": "close"}, follow=True)
    assert "La séance est close" in _text(response)
    assert Dossier.objects.get(pk=setups[0].dossier.pk).state == DossierState.AWARDED
    assert Dossier.objects.get(pk=setups[1].dossier.pk).state == DossierState.NOT_AWARDED
    page = _text(client.get(reverse("cpne:meeting", args=[meeting.pk])))
    assert "1 certificat(s) établi(s) sur 1." in page
    assert "Télécharger le procès-verbal" in page
    # The members cannot run the meeting.
    login(client, members[College.UNIONS][0])
    assert client.post(url, {"transition": "close"}).status_code == 403


def test_candidate_downloads_the_certificate_from_the_dashboard(client, closed_with_award):
    candidate = closed_with_award["setup"].dossier.candidate
    certificate = Certificate.objects.get()
    login(client, candidate)
    page = _text(client.get(reverse("candidates:dashboard")))
    link = reverse("cpne:certificate_download", args=[certificate.pk])
    assert link in page and certificate.code in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_public_verification_valid_masked_revoked_unknown(client, closed_with_award):
    certificate = Certificate.objects.get()
    page = _text(client.get(reverse("cpne:verify_code", args=[certificate.code])))
    assert "Certificat valide" in page and certificate.cqpt_title in page
    first, last = certificate.candidate_name.split(" ", 1)
    assert f"{first} {last[0]}." in page and last not in page
    page = _text(client.get(reverse("cpne:verify"), {"code": certificate.code.lower()}))
    assert "Certificat valide" in page
    assert "Aucun certificat ne porte le code" in _text(client.get(reverse("cpne:verify"), {"code": "AAAAAAAA"}))
    later = planned_meeting(closed_with_award["secretary"], days=40)
    Meeting.objects.filter(pk=later.pk).update(state=MeetingState.CLOSED)
    later.refresh_from_db()
    DECISION_WORKFLOW.apply(
        pk=certificate.decision_id, name="revoke", actor=administrator(), data={"meeting": later, "comment": "Fraude"}
    )
    page = _text(client.get(reverse("cpne:verify_code", args=[certificate.code])))
    assert "Certificat révoqué" in page and timezone.localdate().strftime("%d/%m/%Y") in page
    assert "Certificat valide" not in page


def test_public_verification_is_rate_limited(client, settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    statuses = [client.get(reverse("cpne:verify"), {"code": f"AAAA{i:04d}"}).status_code for i in range(25)]
    assert statuses[:20] == [200] * 20 and statuses[-1] == 429
    cache.clear()


def test_a_member_declares_a_conflict_of_interest(client):
    transmitted_dossier()
    sec = secretary()
    members = commission()
    meeting = planned_meeting(sec)
    item = meeting.items.get()
    member = members[College.UNIONS][1]
    login(client, member)
    client.post(reverse("cpne:conflict_declare", args=[item.pk]), {"note": "Ancien collègue"})
    assert item.conflicts.get().member == member
    login(client, UserFactory(role="cpne_member"))  # no seat: may not declare
    assert client.post(reverse("cpne:conflict_declare", args=[item.pk])).status_code == 403


def test_the_minutes_say_who_was_present_the_quorum_and_each_decision(closed_with_award):
    import io

    from pypdf import PdfReader

    meeting = closed_with_award["meeting"]
    meeting.refresh_from_db()
    with meeting.minutes.open("rb") as handle:
        text = " ".join(PdfReader(io.BytesIO(handle.read())).pages[0].extract_text().split())
    assert f"Procès-verbal de la séance de la CPNE du {timezone.localtime(meeting.starts_at):%d/%m/%Y}" in text
    for members in closed_with_award["members"].values():
        for member in members:
            assert member.get_full_name() in text
    assert "Quorum : au moins 2 membre(s) présent(s) par collège." in text
    assert closed_with_award["setup"].dossier.number in text and "CQPT délivré" in text
    assert Certificate.objects.get().number in text.replace(" ", "")  # the table cell may break the number


def test_an_administrator_revokes_an_award_through_the_page(client, closed_with_award):
    certificate = Certificate.objects.get()
    url = reverse("cpne:decision_revoke", args=[certificate.decision_id])
    admin = administrator()
    login(client, admin)
    response = client.post(url, {"revoke-meeting": closed_with_award["meeting"].pk, "revoke-reason": ""})
    assert response.status_code == 400
    page = _text(response)
    assert "Indiquez le motif de l'annulation." in page
    assert "La séance doit être une séance tenue après celle de la délivrance." in page
    later = planned_meeting(closed_with_award["secretary"], days=40)
    Meeting.objects.filter(pk=later.pk).update(state=MeetingState.CLOSED)
    response = client.post(url, {"revoke-meeting": later.pk, "revoke-reason": "Fraude aux preuves."})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    login(client, closed_with_award["setup"].dossier.candidate)
    assert client.get(reverse("cpne:certificate_download", args=[certificate.pk])).status_code == 404
    assert "révoqué" in _text(client.get(reverse("candidates:dashboard")))


def test_a_cancelled_meeting_gives_its_dossiers_back_to_the_next_one(client):
    setup = transmitted_dossier()
    sec = secretary()
    meeting = planned_meeting(sec)
    login(client, sec)
    url = reverse("cpne:meeting_transition", args=[meeting.pk])
    response = client.post(url, {"transition": "cancel", "cancel-reason": ""}, follow=True)
    assert "Indiquez le motif de l'annulation." in _text(response)
    client.post(url, {"transition": "cancel", "cancel-reason": "Quorum impossible ce jour-là."})
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    assert meeting.items.get().postpone_reason == "Quorum impossible ce jour-là."
    following = planned_meeting(sec, days=20)
    assert list(following.items.values_list("dossier_id", flat=True)) == [setup.dossier.pk]


def test_the_secretary_postpones_a_dossier_with_a_reason(client):
    transmitted_dossier()
    sec = secretary()
    meeting = planned_meeting(sec)
    item = meeting.items.get()
    login(client, sec)
    response = client.post(reverse("cpne:item_postpone", args=[item.pk]), {"reason": " "}, follow=True)
    assert "Indiquez le motif du report." in _text(response)
    item.refresh_from_db()
    assert item.postponed_at is None
    client.post(reverse("cpne:item_postpone", args=[item.pk]), {"reason": "Synthèse incomplète"})
    item.refresh_from_db()
    assert item.postpone_reason == "Synthèse incomplète"
