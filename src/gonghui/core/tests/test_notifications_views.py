"""The inbox pages and the bell: own notices only, opening one, marking all read, links that
lead off the site, paging, the unread filter, the bell on every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.core import notifications
from gonghui.core.models import Notification

INBOX = "/notifications/"


def _send(user, title="提案待审查", **kw):
    (n,) = notifications.notify([user], kind="congress.proposal_submitted", title=title, **kw)
    return n


@pytest.fixture
def chair(client, world):
    client.force_login(world.chair)
    return client


def test_the_inbox_is_at_its_address():
    assert reverse("notifications") == INBOX


def test_it_sends_anonymous_visitors_to_login(client, world):
    notice = _send(world.chair)
    for response in (
        client.get(INBOX),
        client.post(reverse("notification_open", args=[notice.pk])),
        client.post(reverse("notifications_read_all")),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_lists_own_notices_newest_first_with_unit_and_unread_in_bold(chair, world):
    # given two notices for the chair (one read) and one for another chair
    older = _send(world.chair, title="较早的提醒", unit=world.school)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=2), read_at=timezone.now()
    )
    _send(world.chair, title="走访逾期：李芳", unit=world.school, body="已逾期 2 天")
    _send(world.other_chair, title="别人的提醒")
    # when the chair opens the inbox
    response = chair.get(INBOX)
    # then they see their own, newest first, the unread one in bold, with unit and time
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"]]
    assert titles == ["走访逾期：李芳", "较早的提醒"]
    body = response.content.decode()
    assert "别人的提醒" not in body
    assert 'data-unread="1"' in body and 'data-unread="0"' in body
    assert 'fw-bold">走访逾期：李芳' in body
    assert "第一中学工会" in body
    assert "已逾期 2 天" in body
    assert response.context["unread"] == 1


def test_it_filters_the_unread(chair, world):
    read = _send(world.chair, title="已读")
    notifications.mark_read(world.chair, [read.pk])
    _send(world.chair, title="未读")
    response = chair.get(INBOX, {"show": "unread"})
    assert [n.title for n in response.context["page"]] == ["未读"]
    assert response.context["show"] == "unread"
    # an unknown filter value shows everything
    assert len(chair.get(INBOX, {"show": "nonsense"}).context["page"]) == 2


def test_it_pages_by_25(chair, world):
    for i in range(27):
        _send(world.chair, title=f"提醒{i:02d}")
    first = chair.get(INBOX)
    assert len(first.context["page"]) == 25
    assert first.context["page"].paginator.num_pages == 2
    second = chair.get(INBOX, {"page": 2})
    assert len(second.context["page"]) == 2
    assert "page=2" in first.content.decode()
    # a page past the end shows the last one rather than an error
    assert chair.get(INBOX, {"page": 99}).context["page"].number == 2


def test_it_lists_in_bounded_queries(chair, world, django_assert_max_num_queries):
    for i in range(30):
        _send(world.chair, title=f"提醒{i}", unit=world.school if i % 2 else world.group_a)
    with django_assert_max_num_queries(10):
        response = chair.get(INBOX)
    assert response.status_code == 200


def test_it_shows_a_friendly_empty_inbox(chair, world):
    body = chair.get(INBOX).content.decode()
    assert 'id="inbox-empty"' in body
    assert 'id="mark-all-read"' not in body
    assert 'id="inbox-empty"' in chair.get(INBOX, {"show": "unread"}).content.decode()


def test_opening_marks_read_and_follows_the_link(chair, world):
    notice = _send(world.chair, url="/care/tasks/?union=3")
    response = chair.post(reverse("notification_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/care/tasks/?union=3"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_opening_a_notice_without_link_returns_to_the_inbox(chair, world):
    notice = _send(world.chair)
    response = chair.post(reverse("notification_open", args=[notice.pk]), {"show": "unread"})
    assert response["Location"] == INBOX + "?show=unread"
    notice.refresh_from_db()
    assert notice.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_opening_never_follows_a_link_off_the_site(chair, world, url):
    # given a notice whose link was stored unsafely (e.g. written directly to the table)
    notice = _send(world.chair)
    Notification.objects.filter(pk=notice.pk).update(url=url)
    response = chair.post(reverse("notification_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_nobody_opens_another_users_notice(client, world):
    # given a notice for the chair
    notice = _send(world.chair, url="/care/tasks/")
    for persona in ("other_chair", "cadre", "admin", "upper_officer"):
        client.force_login(getattr(world, persona))
        # when someone else guesses its id
        response = client.post(reverse("notification_open", args=[notice.pk]))
        # then it is as if it did not exist, and it stays unread
        assert response.status_code == 404, persona
        assert "提案待审查" not in client.get(INBOX).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None
    assert client.post(reverse("notification_open", args=[999999])).status_code == 404


def test_opening_and_marking_need_post(chair, world):
    notice = _send(world.chair)
    assert chair.get(reverse("notification_open", args=[notice.pk])).status_code == 405
    assert chair.get(reverse("notifications_read_all")).status_code == 405
    assert chair.post(INBOX).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_the_users_own(chair, world):
    _send(world.chair, title="一")
    _send(world.chair, title="二")
    theirs = _send(world.other_chair, title="别人的")
    response = chair.post(reverse("notifications_read_all"), follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert notifications.unread_count(world.chair) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    (done,) = response.context["messages"]
    assert done.level_tag == "success" and "2" in str(done)
    # a second click says there was nothing left
    again = chair.post(reverse("notifications_read_all"), follow=True)
    (nothing,) = again.context["messages"]
    assert nothing.level_tag == "info"


def test_mark_all_read_needs_the_csrf_token(world):
    _send(world.chair)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.chair)
    assert client.post(reverse("notifications_read_all")).status_code == 403
    assert notifications.unread_count(world.chair) == 1


# ---- the bell -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["chair", "member", "auditor", "admin", "upper_officer"])
def test_every_logged_in_user_sees_the_bell(client, world, persona):
    user = getattr(world, persona)
    client.force_login(user)
    body = client.get(INBOX).content.decode()
    assert 'id="bell"' in body
    assert 'id="bell-count"' not in body  # nothing unread, no badge
    _send(user)
    _send(user, title="第二条")
    body = client.get(INBOX).content.decode()
    assert 'id="bell-count">2<' in body


def test_the_bell_caps_its_badge(chair, world):
    Notification.objects.bulk_create(
        [Notification(recipient=world.chair, kind="x", title=f"n{i}") for i in range(120)]
    )
    assert 'id="bell-count">99+<' in chair.get(INBOX).content.decode()


def test_the_login_page_has_no_bell(client, world):
    body = client.get(reverse("login")).content.decode()
    assert 'id="bell"' not in body
