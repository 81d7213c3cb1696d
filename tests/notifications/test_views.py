"""The in-app list of notifications and the unread count in the header."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("notifications:list")


def _notify(user, message, link=""):
    return notification_create(recipient=user, kind="test", context={"message": message}, link=link)


def _unread_badge(html: str) -> str | None:
    match = re.search(r'<span class="badge text-bg-light">(\d+)<span class="visually-hidden">', html)
    return match.group(1) if match else None


def test_list_shows_my_notifications_only_with_the_unread_count(client):
    me, other = UserFactory(), UserFactory()
    _notify(me, "premier message à moi")
    _notify(me, "second message à moi")
    _notify(other, "message de quelqu'un d'autre")
    login(client, me)

    response = client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "premier message à moi" in html
    assert "second message à moi" in html
    assert "quelqu&#x27;un d&#x27;autre" not in html and "quelqu'un d'autre" not in html
    assert _unread_badge(html) == "2"
    assert html.count("<h1") == 1


def test_list_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    me = UserFactory()
    login(client, me)
    _notify(me, "un")
    with django_assert_max_num_queries(8) as one:
        client.get(LIST_URL)
    for i in range(10):
        _notify(me, f"encore {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(LIST_URL)


def test_opening_marks_read_and_follows_the_link(client):
    me = UserFactory()
    notification = _notify(me, "à lire", link="/notifications/?page=1")
    login(client, me)

    response = client.post(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    notification.refresh_from_db()
    assert notification.is_read
    assert _unread_badge(client.get(LIST_URL).content.decode()) is None


def test_an_outside_link_is_not_followed(client):
    me = UserFactory()
    notification = _notify(me, "piège")
    Notification.objects.filter(pk=notification.pk).update(link="https://evil.example/")
    login(client, me)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == LIST_URL


def test_someone_else_notification_cannot_be_opened(client):
    me, other = UserFactory(), UserFactory()
    theirs = _notify(other, "pas à moi")
    login(client, me)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_mark_all_read_touches_my_notifications_only(client):
    me, other = UserFactory(), UserFactory()
    _notify(me, "un")
    _notify(me, "deux")
    theirs = _notify(other, "trois")
    login(client, me)

    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    assert "2 notification(s) marquée(s) comme lue(s)." in response.content.decode()
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_open_and_mark_all_read_refuse_get(client):
    me = UserFactory()
    notification = _notify(me, "un")
    login(client, me)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert not Notification.objects.get(pk=notification.pk).is_read


def test_anonymous_goes_to_login(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_header_count_is_counted_once_then_follows_new_and_read_notifications(client, settings):
    settings.NOTIFICATION_UNREAD_COUNT_SECONDS = 300  # as in use (the other tests count on each page)
    me = UserFactory()
    _notify(me, "un")
    login(client, me)
    accessibility = reverse("accessibility")  # a page that shows only the header's count
    assert _unread_badge(client.get(accessibility).content.decode()) == "1"
    with CaptureQueriesContext(connection) as queries:  # the session (unless Redis holds it) and the user
        page = client.get(accessibility).content.decode()
    assert _unread_badge(page) == "1"
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]

    second = _notify(me, "deux")
    assert _unread_badge(client.get(accessibility).content.decode()) == "2"
    client.post(reverse("notifications:open", args=[second.pk]))
    assert _unread_badge(client.get(accessibility).content.decode()) == "1"
    client.post(reverse("notifications:mark_all_read"))
    assert _unread_badge(client.get(accessibility).content.decode()) is None
