"""The notification API: the caller's own inbox, paged and filtered, and marking read by id
or all; another user's ids answer 404; the endpoints are in the OpenAPI document."""

from __future__ import annotations

from django.test import Client

from gonghui.core import notifications
from gonghui.core.models import Notification

from .test_api import Api


def _send(user, title="互助保障续保提醒", **kw):
    (n,) = notifications.notify([user], kind="care.insurance_renewal", title=title, **kw)
    return n


def test_it_needs_credentials(world):
    assert Api().get("/notifications").status_code == 401
    assert Api().post("/notifications/read", {"all": True}).status_code == 401


def test_it_lists_only_the_callers_notices_newest_first(world):
    _send(world.chair, title="第一条", unit=world.school, url="/care/insurance/")
    _send(world.chair, title="第二条")
    _send(world.other_chair, title="别人的")
    r = Api(world.chair).get("/notifications")
    assert r.status_code == 200
    data = r.json()
    assert (data["total"], data["unread"], data["limit"], data["offset"]) == (2, 2, 50, 0)
    assert [n["title"] for n in data["items"]] == ["第二条", "第一条"]
    first = data["items"][1]
    assert first["unit"] == {"id": world.school.pk, "name": "第一中学工会", "kind": "grassroots"}
    assert first["url"] == "/care/insurance/"
    assert first["read"] is False and first["read_at"] is None
    assert first["kind"] == "care.insurance_renewal"


def test_it_filters_unread_and_pages(world):
    notices = [_send(world.chair, title=f"提醒{i}") for i in range(5)]
    notifications.mark_read(world.chair, [notices[0].pk])
    api = Api(world.chair)
    data = api.get("/notifications", unread="true", limit=2, offset=1).json()
    assert (data["total"], data["unread"]) == (4, 4)
    assert [n["title"] for n in data["items"]] == ["提醒3", "提醒2"]
    everything = api.get("/notifications", limit=10).json()
    assert everything["total"] == 5
    assert everything["items"][-1]["read"] is True
    bad = api.get("/notifications", limit=0)
    assert bad.status_code == 422 and bad.json()["field"] == "limit"


def test_it_hides_a_link_that_leads_off_the_site(world):
    n = _send(world.chair)
    Notification.objects.filter(pk=n.pk).update(url="https://evil.example/")
    (item,) = Api(world.chair).get("/notifications").json()["items"]
    assert item["url"] == ""


def test_it_marks_read_by_id(world):
    a, b = _send(world.chair, title="甲"), _send(world.chair, title="乙")
    api = Api(world.chair)
    r = api.post("/notifications/read", {"ids": [a.pk]})
    assert r.status_code == 200
    assert r.json() == {"marked": 1, "unread": 1}
    # marking it again marks nothing new, and is not an error
    assert api.post("/notifications/read", {"ids": [a.pk]}).json() == {"marked": 0, "unread": 1}
    b.refresh_from_db()
    assert b.read_at is None


def test_it_marks_all_read(world):
    _send(world.chair, title="甲")
    _send(world.chair, title="乙")
    theirs = _send(world.other_chair)
    r = Api(world.chair).post("/notifications/read", {"all": True})
    assert r.json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_answers_404_for_another_users_ids_and_marks_nothing(world):
    mine = _send(world.chair)
    theirs = _send(world.other_chair)
    r = Api(world.chair).post("/notifications/read", {"ids": [mine.pk, theirs.pk]})
    assert r.status_code == 404
    assert r.json()["field"] == "ids"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is None and theirs.read_at is None
    assert Api(world.chair).post("/notifications/read", {"ids": [987654]}).status_code == 404


def test_it_refuses_a_body_that_says_neither_or_both(world):
    n = _send(world.chair)
    api = Api(world.chair)
    for body in ({}, {"all": False}, {"ids": []}, {"ids": [n.pk], "all": True}, {"ids": ["x"]}):
        r = api.post("/notifications/read", body)
        assert r.status_code == 422, body
        assert r.json()["code"] == "invalid"
    assert notifications.unread_count(world.chair) == 1


def test_it_works_with_the_browser_session(client, world):
    _send(world.member)
    client.force_login(world.member)
    data = client.get("/api/v1/notifications/?unread=true").json()
    assert data["total"] == 1


def test_session_writes_need_the_csrf_token(world):
    _send(world.chair)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.chair)
    r = client.post("/api/v1/notifications/read", '{"all": true}', content_type="application/json")
    assert r.status_code == 403
    assert notifications.unread_count(world.chair) == 1


def test_it_is_in_the_openapi_document(client, world):
    spec = client.get("/api/v1/openapi.json").json()
    assert "get" in spec["paths"]["/api/v1/notifications"]
    assert "post" in spec["paths"]["/api/v1/notifications/read"]
    schemas = spec["components"]["schemas"]
    assert {"NotificationPage", "NotificationOut", "NotificationReadIn"} <= set(schemas)
    assert set(schemas["NotificationReadIn"]["properties"]) == {"ids", "all"}
