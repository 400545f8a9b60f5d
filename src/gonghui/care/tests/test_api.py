"""The care API's access: every persona against every endpoint, another union's records by
guessed id, tokens, the OpenAPI document, and that no hardship file data ever leaves."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.care import hardship
from gonghui.care.models import HardshipFamilyMember, LifeEvent, Visit
from gonghui.core.models import ApiToken
from gonghui.core.services import token_create
from gonghui.testing.care_factories import HardshipFileFactory
from gonghui.testing.personas import PERSONAS

from .api_helpers import PREFIX, Api, make_records, today

ALL = (*PERSONAS, "care_officer")
MANAGERS = {"chair", "cadre", "other_chair", "admin", "care_officer"}
SCHOOL_MANAGERS = MANAGERS - {"other_chair"}


@pytest.fixture
def records(world):
    return make_records(world)


@pytest.fixture
def users(world, care_officer):
    return {**world.personas(), "care_officer": care_officer}


def _manage(ok: int) -> dict[str, int]:
    return {p: ok if p in MANAGERS else 403 for p in ALL}


def _school_record(ok: int) -> dict[str, int]:
    # Another union's chair does not see the record exist; the rest may not do this at all.
    return {p: ok if p in SCHOOL_MANAGERS else 404 if p == "other_chair" else 403 for p in ALL}


LIST = _manage(200)
OWN_OR_MANAGE = {**LIST, "member": 200}
SCHOOL_RECORD = _school_record(200)
RECORD_VISIT = _school_record(201)
REPORT_FOR_A = {p: 201 for p in ALL} | {"other_chair": 404, "upper_officer": 403, "auditor": 403}
STATS = {p: 200 for p in ALL} | {"group_leader": 403, "member": 403}


@pytest.mark.parametrize("persona", ALL)
def test_it_answers_each_endpoint_as_each_persona(world, records, users, persona):
    api = Api(users[persona])
    task, d = records.task.pk, records.distribution.pk
    got = {
        "events": api.get("/care/events").status_code,
        "tasks": api.get("/care/tasks").status_code,
        "task": api.get(f"/care/tasks/{task}").status_code,
        "visits": api.get("/care/visits").status_code,
        "distributions": api.get("/care/distributions").status_code,
        "distribution": api.get(f"/care/distributions/{d}").status_code,
        "plans": api.get("/care/insurance/plans").status_code,
        "stats": api.get("/care/stats").status_code,
        "report": api.post(
            "/care/events",
            {"member_id": world.member_a.pk, "kind": "hospital", "occurred_on": str(today())},
        ).status_code,
        "visit": api.post(
            f"/care/tasks/{task}/visits",
            {"visited_on": str(today()), "visitors": "工会主席", "cash": "500"},
        ).status_code,
    }
    assert got == {
        "events": OWN_OR_MANAGE[persona],
        "tasks": LIST[persona],
        "task": SCHOOL_RECORD[persona],
        "visits": OWN_OR_MANAGE[persona],
        "distributions": LIST[persona],
        "distribution": SCHOOL_RECORD[persona],
        "plans": LIST[persona],
        "stats": STATS[persona],
        "report": REPORT_FOR_A[persona],
        "visit": RECORD_VISIT[persona],
    }


def test_it_refuses_with_the_error_shape_in_chinese(world, records):
    r = Api(world.auditor).get("/care/tasks")
    assert r.status_code == 403
    assert r.json() == {"code": "forbidden", "message": "您无权进行此操作。", "field": None}


VISIBLE_EVENTS = {
    "chair": {"王强", "李芳"},
    "cadre": {"王强", "李芳"},
    "member": {"李芳"},  # her own wedding only
    "other_chair": {"赵敏"},
    "admin": {"王强", "李芳", "赵敏"},
    "care_officer": {"王强", "李芳"},
}


@pytest.mark.parametrize("persona", VISIBLE_EVENTS)
def test_it_lists_only_the_events_and_visits_each_persona_may_see(world, records, users, persona):
    api = Api(users[persona])
    events = api.get("/care/events").json()["items"]
    assert {e["member"]["name"] for e in events} == VISIBLE_EVENTS[persona]
    visits = {v["member"]["name"] for v in api.get("/care/visits").json()["items"]}
    expected = {"member": set(), "other_chair": {"赵敏"}, "admin": {"王强", "赵敏"}}
    assert visits == expected.get(persona, {"王强"})


@pytest.mark.parametrize("persona", ["chair", "other_chair", "admin"])
def test_it_lists_tasks_distributions_and_plans_of_the_managed_unions(
    world, records, users, persona
):
    api = Api(users[persona])
    unions = {
        "chair": {world.school.pk},
        "other_chair": {world.factory_union.pk},
        "admin": {world.school.pk, world.factory_union.pk},
    }[persona]
    for url in ("/care/tasks", "/care/distributions", "/care/insurance/plans"):
        body = api.get(url).json()
        assert {i["union"]["id"] for i in body["items"]} == unions, url
        assert body["total"] == len(body["items"]) >= len(unions)


# ---- another union's records by guessed id ------------------------------------------------


def test_it_answers_a_guessed_id_of_another_union_like_a_missing_one(world, records):
    api = Api(world.chair)
    for guessed, missing in (
        (f"/care/tasks/{records.other_task.pk}", "/care/tasks/999999"),
        (f"/care/distributions/{records.other_distribution.pk}", "/care/distributions/999999"),
    ):
        g, m = api.get(guessed), api.get(missing)
        assert g.status_code == m.status_code == 404
        assert g.json() == m.json() == {"code": "not_found", "message": "未找到。", "field": None}


def test_it_does_not_record_a_visit_on_another_unions_task(world, records):
    r = Api(world.chair).post(
        f"/care/tasks/{records.other_task.pk}/visits",
        {"visited_on": str(today()), "visitors": "工会主席"},
    )
    assert r.status_code == 404
    assert not Visit.objects.filter(task=records.other_task).exists()


def test_it_hides_another_unions_visits_members_and_unions_in_filters(world, records):
    api = Api(world.chair)
    r = api.get("/care/visits", member=world.outsider.pk)
    assert (r.status_code, r.json()["field"]) == (404, "member")
    for url in ("/care/events", "/care/tasks", "/care/visits", "/care/distributions"):
        r = api.get(url, union=world.factory_union.pk)
        assert (r.status_code, r.json()["field"]) == (404, "union"), url
    r = api.get("/care/stats", union=world.factory_union.pk)
    assert (r.status_code, r.json()["field"]) == (404, "union")


def test_it_does_not_let_a_member_report_for_a_colleague(world, records):
    r = Api(world.member).post(
        "/care/events",
        {"member_id": world.member_b.pk, "kind": "hospital", "occurred_on": str(today())},
    )
    assert (r.status_code, r.json()["field"]) == (404, "member_id")
    assert not LifeEvent.objects.filter(member=world.member_b, occurred_on=today()).exists()


def test_it_lets_a_group_leader_report_for_their_group_only(world):
    api = Api(world.group_leader)
    body = {"kind": "hospital", "occurred_on": str(today())}
    assert api.post("/care/events", {**body, "member_id": world.member_a.pk}).status_code == 201
    assert api.post("/care/events", {**body, "member_id": world.member_b.pk}).status_code == 404


# ---- tokens and sessions ------------------------------------------------------------------


def test_it_refuses_requests_without_credentials(world, records):
    for url in ("/care/events", "/care/tasks", "/care/stats", f"/care/tasks/{records.task.pk}"):
        r = Api().get(url)
        assert r.status_code == 401, url
        assert r.json()["code"] == "unauthorized"


def test_it_accepts_a_token_and_refuses_it_once_revoked(world, records):
    raw = token_create(actor=None, user=world.chair, name="OA")
    api = Api(token=raw)
    assert api.get("/care/tasks").status_code == 200
    ApiToken.objects.filter(user=world.chair).update(revoked_at=timezone.now())
    assert api.get("/care/tasks").status_code == 401
    r = api.post(f"/care/tasks/{records.task.pk}/visits", {"visited_on": str(today())})
    assert r.status_code == 401
    assert not Visit.objects.filter(task=records.task).exists()


def test_it_accepts_a_logged_in_session_for_reads(world, records):
    client = Client()
    client.force_login(world.cadre)
    r = client.get(f"{PREFIX}/care/tasks/{records.task.pk}")
    assert r.status_code == 200
    assert r.json()["member"]["name"] == "王强"


# ---- the OpenAPI document -----------------------------------------------------------------

CARE_PATHS = {
    "/api/v1/care/events": {"get", "post"},
    "/api/v1/care/tasks": {"get"},
    "/api/v1/care/tasks/{task_id}": {"get"},
    "/api/v1/care/tasks/{task_id}/visits": {"post"},
    "/api/v1/care/visits": {"get"},
    "/api/v1/care/distributions": {"get"},
    "/api/v1/care/distributions/{distribution_id}": {"get"},
    "/api/v1/care/insurance/plans": {"get"},
    "/api/v1/care/stats": {"get"},
}
# Every field of a hardship file, its family, re-checks and aid records.
HARDSHIP_FIELDS = {
    "file_no",
    "tier",
    "primary_cause",
    "secondary_causes",
    "household_size",
    "household_income_monthly",
    "hardship_costs_monthly",
    "local_min_income_line",
    "needs",
    "measures",
    "pair_cadre",
    "next_review_on",
    "exit_reason",
    "family",
    "relation",
    "birth_year",
    "occupation",
    "income_monthly",
    "health",
    "student_name",
    "student_school",
    "tier_before",
    "tier_after",
}


def _care_schemas(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schemas the care paths refer to, directly or through other schemas."""
    schemas = doc["components"]["schemas"]
    todo = [json.dumps(ops) for p, ops in doc["paths"].items() if p.startswith("/api/v1/care/")]
    seen: dict[str, dict[str, Any]] = {}
    while todo:
        text = todo.pop()
        for name in schemas:
            if f'"#/components/schemas/{name}"' in text and name not in seen:
                seen[name] = schemas[name]
                todo.append(json.dumps(schemas[name]))
    return seen


def test_it_lists_the_care_paths_in_the_openapi_document(world):
    doc = Client().get(f"{PREFIX}/openapi.json").json()
    care = {p: set(ops) for p, ops in doc["paths"].items() if p.startswith("/api/v1/care/")}
    assert care == CARE_PATHS
    for path in care:
        for op in doc["paths"][path].values():
            assert op["tags"] == ["care"]
            assert op.get("security") == [{"TokenAuth": []}, {"SessionAuth": []}]


def test_it_has_no_hardship_file_schema_in_the_openapi_document(world):
    doc = Client().get(f"{PREFIX}/openapi.json").json()
    assert not [p for p in doc["paths"] if "hardship" in p.lower()]
    hardship_schemas = [n for n in doc["components"]["schemas"] if "hardship" in n.lower()]
    # the statistics' counts are the only hardship figures there are
    assert hardship_schemas == ["HardshipCountsOut"]
    counts = doc["components"]["schemas"]["HardshipCountsOut"]["properties"]
    assert set(counts) == {"active", "exited", "by_tier", "by_cause", "aid_count", "aid_amount"}
    care = _care_schemas(doc)
    assert "CareStatsOut" in care and "VisitDetailOut" in care
    for name, schema in care.items():
        leaked = HARDSHIP_FIELDS & set(schema.get("properties", {}))
        assert not leaked, (name, leaked)


def test_it_returns_no_hardship_file_data_from_any_care_route(world, records, users):
    # given a file with family, needs and aid, read by its keepers
    file = HardshipFileFactory(member=world.member_b, file_no="KN-2026-007", needs="需要轮椅")
    HardshipFamilyMember.objects.create(file=file, name="王小明", relation="儿子", health="肾病")
    hardship.aid_record(
        actor=world.chair,
        file=file,
        kind="targeted",
        given_on=today(),
        amount=Decimal("880"),
        description="春节特别帮扶",
    )
    secrets = ("KN-2026-007", "需要轮椅", "王小明", "肾病", "春节特别帮扶", "income")
    gets = [
        "/care/events",
        "/care/tasks",
        f"/care/tasks/{records.task.pk}",
        "/care/visits",
        f"/care/visits?member={world.member_b.pk}",
        "/care/distributions",
        f"/care/distributions/{records.distribution.pk}",
        "/care/insurance/plans",
        "/care/stats",
    ]
    for persona in ("chair", "care_officer", "upper_officer"):
        api = Api(users[persona])
        for url in gets:
            r = api.client.get(PREFIX + url, **api.headers)
            if r.status_code != 200:
                continue
            text = r.content.decode()
            for secret in secrets:
                assert secret not in text, (persona, url, secret)
    # and the counts the chair may see say how many, nothing more
    stats = Api(world.chair).get("/care/stats").json()["hardship"]
    assert stats["active"] == 1
    assert stats["aid_amount"] == "880.00"
