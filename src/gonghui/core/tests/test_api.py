"""The JSON API's shell (auth, CSRF, errors, OpenAPI, the token command) and the org and
committee endpoints, as every persona of the shared world."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.utils import timezone

from gonghui.core.models import ApiToken, AuditEvent, CommitteeTerm, OrgUnit, User
from gonghui.core.services import (
    committee_term_start,
    position_assign,
    token_create,
)
from gonghui.testing.api import PREFIX, Api


def codes(response: Any) -> set[str]:
    return {u["code"] for u in response.json()["items"]}


# ---- authentication ----------------------------------------------------------------------


def test_it_refuses_requests_without_credentials(world):
    r = Api().get("/units")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"
    assert r["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_bad_token(world):
    assert Api(token="gh_not-a-token").get("/units").status_code == 401
    # also on writes: a bad token without a session is 401, not a CSRF refusal
    r = Api(token="gh_not-a-token").post("/units", {"name": "x", "code": "X", "kind": "group"})
    assert r.status_code == 401


def test_it_refuses_a_revoked_token(world):
    raw = token_create(actor=None, user=world.chair)
    ApiToken.objects.filter(user=world.chair).update(revoked_at=timezone.now())
    assert Api(token=raw).get("/units").status_code == 401


def test_it_refuses_a_token_of_an_inactive_user(world):
    raw = token_create(actor=None, user=world.chair)
    User.objects.filter(pk=world.chair.pk).update(is_active=False)
    assert Api(token=raw).get("/units").status_code == 401


def test_it_accepts_a_token_and_records_its_use(world):
    api = Api(world.chair)
    r = api.get("/units")
    assert r.status_code == 200
    assert ApiToken.objects.get(user=world.chair).last_used_at is not None


def test_it_accepts_a_logged_in_session_for_reads(world):
    client = Client()
    client.force_login(world.chair)
    r = client.get(f"{PREFIX}/units/{world.school.pk}")
    assert r.status_code == 200
    assert r.json()["code"] == "SCH"


def test_it_requires_the_csrf_token_for_session_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.chair)
    url = f"{PREFIX}/units/{world.group_a.pk}"
    body = json.dumps({"name": "语文组"})

    r = client.patch(url, body, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    r = client.patch(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret)
    )
    assert r.status_code == 200
    assert r.json()["name"] == "语文组"


def test_it_does_not_require_csrf_for_token_writes(world):
    api = Api(world.chair)
    api.client = Client(enforce_csrf_checks=True)
    r = api.patch(f"/units/{world.group_a.pk}", {"name": "语文组"})
    assert r.status_code == 200


# ---- OpenAPI and docs --------------------------------------------------------------------


def test_it_serves_an_openapi_document_with_our_paths(world):
    r = Client().get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.content)
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for p in (
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/subtree",
        "/api/v1/committees",
        "/api/v1/committees/terms/{term_id}/positions",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/members/{member_id}/approve",
        "/api/v1/members/statistics",
    ):
        assert p in paths, p
    assert set(doc["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_it_requires_auth_on_every_operation(world):
    doc = Client().get(f"{PREFIX}/openapi.json").json()
    operations = [(p, m, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) > 20
    for path, method, op in operations:
        assert op.get("security") == [{"TokenAuth": []}, {"SessionAuth": []}], (path, method)
    # and in practice: no credentials, no answer
    for path, method, _op in operations:
        url = re.sub(r"\{\w+\}", "1", path)  # every path parameter is an id
        r = getattr(Client(), method)(url, content_type="application/json")
        assert r.status_code == 401, (path, method)


def test_it_never_serves_a_docs_page_from_a_cdn(world, settings):
    r = Client().get(f"{PREFIX}/docs")
    if "ninja" in settings.INSTALLED_APPS:
        assert r.status_code == 200
        assert b"cdn" not in r.content.lower()
    else:
        assert r.status_code == 404


# ---- error shapes ------------------------------------------------------------------------


def test_it_answers_validation_errors_with_the_error_shape(world):
    r = Api(world.chair).post("/units", {"name": "x", "code": "X", "kind": "planet"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid"
    assert body["field"] == "kind"
    assert body["detail"]


def test_it_answers_domain_errors_with_code_message_and_field(world):
    r = Api(world.chair).post(
        "/units",
        {"name": "车间", "code": "NEW", "kind": "federation", "parent_id": world.school.pk},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "unit.kind_not_allowed"
    assert r.json()["field"] == "kind"
    assert r.json()["message"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


# ---- units -------------------------------------------------------------------------------

ALL = {"FED", "EDU", "SCH", "SCH-A", "SCH-B", "FAC", "FAC-1"}
VISIBLE_UNITS = {
    "chair": {"SCH", "SCH-A", "SCH-B"},
    "cadre": {"SCH", "SCH-A", "SCH-B"},
    "group_leader": {"SCH-A"},
    "member": None,
    "other_chair": {"FAC", "FAC-1"},
    "upper_officer": ALL,
    "auditor": {"SCH", "SCH-A", "SCH-B"},
    "admin": ALL,
}


@pytest.mark.parametrize("persona", VISIBLE_UNITS)
def test_it_lists_the_units_each_persona_may_see(world, persona):
    r = Api(world.personas()[persona]).get("/units")
    expected = VISIBLE_UNITS[persona]
    if expected is None:
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
    else:
        assert r.status_code == 200
        assert codes(r) == expected
        assert r.json()["total"] == len(expected)


def test_it_filters_units_by_kind_parent_subtree_path_and_name(world):
    api = Api(world.upper_officer)
    assert codes(api.get("/units", kind="grassroots")) == {"SCH", "FAC"}
    assert codes(api.get("/units", parent=world.school.pk)) == {"SCH-A", "SCH-B"}
    assert codes(api.get("/units", under=world.edu.pk)) == {"EDU", "SCH", "SCH-A", "SCH-B"}
    assert codes(api.get("/units", path=world.factory_union.path)) == {"FAC", "FAC-1"}
    assert codes(api.get("/units", q="机械")) == {"FAC"}


def test_it_pages_the_unit_list_with_a_total(world):
    api = Api(world.admin)
    first = api.get("/units", limit=3, offset=0).json()
    rest = api.get("/units", limit=3, offset=3).json()
    last = api.get("/units", limit=3, offset=6).json()
    assert first["total"] == 7
    assert (len(first["items"]), len(rest["items"]), len(last["items"])) == (3, 3, 1)
    seen = [u["code"] for page in (first, rest, last) for u in page["items"]]
    assert set(seen) == ALL
    assert api.get("/units", limit=0).status_code == 422


def test_it_hides_another_unions_unit_filter(world):
    r = Api(world.chair).get("/units", under=world.factory_union.pk)
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": r.json()["message"], "field": "under"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chair", 200),
        ("cadre", 200),
        ("group_leader", 404),
        ("member", 404),
        ("other_chair", 404),
        ("upper_officer", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_it_shows_a_unit_to_those_who_may_see_it(world, persona, status):
    r = Api(world.personas()[persona]).get(f"/units/{world.school.pk}")
    assert r.status_code == status
    if status == 200:
        body = r.json()
        assert body["code"] == "SCH"
        assert [a["id"] for a in body["ancestors"]] == [world.county.pk, world.edu.pk]
        assert {c["id"] for c in body["children"]} == {world.group_a.pk, world.group_b.pk}
        assert body["can_manage"] is (persona in {"chair", "admin"})


def test_it_answers_404_for_a_unit_that_does_not_exist(world):
    assert Api(world.admin).get("/units/999999").status_code == 404


def test_it_returns_a_subtree_nested(world):
    r = Api(world.upper_officer).get(f"/units/{world.edu.pk}/subtree")
    assert r.status_code == 200
    tree = r.json()
    assert tree["code"] == "EDU"
    assert [c["code"] for c in tree["children"]] == ["SCH"]
    assert {c["code"] for c in tree["children"][0]["children"]} == {"SCH-A", "SCH-B"}
    assert Api(world.chair).get(f"/units/{world.edu.pk}/subtree").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chair", 201),
        ("cadre", 403),
        ("group_leader", 404),
        ("member", 404),
        ("other_chair", 404),
        ("upper_officer", 403),
        ("auditor", 403),
        ("admin", 201),
    ],
)
def test_it_creates_a_unit_for_managers_only(world, persona, status):
    r = Api(world.personas()[persona]).post(
        "/units",
        {"name": "英语教研组", "code": "SCH-C", "kind": "group", "parent_id": world.school.pk},
    )
    assert r.status_code == status
    created = OrgUnit.objects.filter(code="SCH-C").first()
    if status == 201:
        assert created is not None
        assert r.json()["path"] == f"{world.school.path}{created.pk}/"
        assert AuditEvent.objects.filter(action="unit.create", object_id=str(created.pk)).exists()
    else:
        assert created is None


def test_it_refuses_a_taken_unit_code(world):
    r = Api(world.chair).post(
        "/units", {"name": "重复", "code": "SCH-A", "kind": "group", "parent_id": world.school.pk}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "unit.code_taken"


def test_it_lets_only_an_admin_create_a_root_unit(world):
    body = {"name": "市总工会", "code": "CITY", "kind": "federation"}
    assert Api(world.chair).post("/units", body).status_code == 403
    assert Api(world.admin).post("/units", body).status_code == 201


@pytest.mark.parametrize(
    ("persona", "status"),
    [("chair", 200), ("cadre", 403), ("other_chair", 404), ("upper_officer", 403)],
)
def test_it_updates_a_unit_for_managers_only(world, persona, status):
    r = Api(world.personas()[persona]).patch(
        f"/units/{world.school.pk}", {"staff_count": 130, "address": "学府路1号"}
    )
    assert r.status_code == status
    world.school.refresh_from_db()
    if status == 200:
        assert (world.school.staff_count, world.school.address) == (130, "学府路1号")
        event = AuditEvent.objects.get(action="unit.update", object_id=str(world.school.pk))
        assert event.after == {"staff_count": 130, "address": "学府路1号"}
        assert event.actor == world.chair
    else:
        assert world.school.staff_count == 120


def test_it_moves_a_unit_with_its_subtree(world):
    api = Api(world.chair)
    branch = api.post(
        "/units",
        {"name": "初中部", "code": "SCH-J", "kind": "branch", "parent_id": world.school.pk},
    ).json()
    r = api.post(f"/units/{world.group_b.pk}/move", {"parent_id": branch["id"]})
    assert r.status_code == 200
    assert r.json()["parent_id"] == branch["id"]
    assert r.json()["path"] == f"{branch['path']}{world.group_b.pk}/"
    assert AuditEvent.objects.filter(action="unit.move").count() == 1

    # under itself: refused with a code
    r = api.post(f"/units/{branch['id']}/move", {"parent_id": world.group_b.pk})
    assert r.status_code == 400
    assert r.json()["code"] in {"unit.cycle", "unit.kind_not_allowed"}
    # into another union: its units are not even visible
    r = api.post(f"/units/{world.group_a.pk}/move", {"parent_id": world.factory_union.pk})
    assert r.status_code == 404
    assert r.json()["field"] == "parent_id"


def test_it_archives_a_unit_with_a_reason(world):
    api = Api(world.chair)
    assert api.post(f"/units/{world.group_b.pk}/archive", {"reason": ""}).status_code == 422
    r = api.post(f"/units/{world.school.pk}/archive", {"reason": "合并"})
    assert r.status_code == 400
    assert r.json()["code"] == "unit.has_children"
    r = api.post(f"/units/{world.group_b.pk}/archive", {"reason": "教研组合并"})
    assert r.status_code == 200
    assert r.json()["archived"] is True
    assert AuditEvent.objects.filter(action="unit.archive", note="教研组合并").exists()
    assert (
        Api(world.cadre).post(f"/units/{world.group_a.pk}/archive", {"reason": "x"}).status_code
        == 403
    )


# ---- committees --------------------------------------------------------------------------


@pytest.fixture
def term(world) -> CommitteeTerm:
    t = committee_term_start(
        actor=None, union=world.school, kind="union", number=3, starts_on=date(2022, 9, 1)
    )
    position_assign(
        actor=None, term=t, person=world.member_b.person, position="chair", starts_on=t.starts_on
    )
    return t


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chair", 200),
        ("cadre", 200),
        ("group_leader", 404),
        ("member", 404),
        ("other_chair", 404),
        ("upper_officer", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_it_lists_committees_with_terms_and_current_seats(world, term, persona, status):
    r = Api(world.personas()[persona]).get("/committees", unit=world.school.pk)
    assert r.status_code == status
    if status == 200:
        [committee] = r.json()
        assert committee["kind"] == "union"
        assert committee["current_term_id"] == term.pk
        assert [t["number"] for t in committee["terms"]] == [3]
        [seat] = committee["current_positions"]
        assert (seat["person_name"], seat["position"]) == ("王强", "chair")


def test_it_starts_a_new_term_and_ends_the_running_one(world, term):
    r = Api(world.chair).post(
        "/committees/terms",
        {"unit_id": world.school.pk, "kind": "union", "number": 4, "starts_on": "2027-09-01"},
    )
    assert r.status_code == 201
    assert r.json()["number"] == 4
    assert r.json()["planned_end_on"] == "2032-09-01"
    term.refresh_from_db()
    assert term.ended_on == date(2027, 9, 1)
    assert AuditEvent.objects.filter(action="term.start", object_id=str(r.json()["id"])).exists()

    again = Api(world.chair).post(
        "/committees/terms",
        {"unit_id": world.school.pk, "kind": "union", "number": 4, "starts_on": "2028-09-01"},
    )
    assert again.status_code == 400
    assert again.json()["code"] == "term.number"


@pytest.mark.parametrize(("persona", "status"), [("cadre", 403), ("other_chair", 404)])
def test_it_refuses_to_start_a_term_for_others(world, persona, status):
    r = Api(world.personas()[persona]).post(
        "/committees/terms",
        {"unit_id": world.school.pk, "kind": "women", "number": 1, "starts_on": "2024-01-01"},
    )
    assert r.status_code == status


def test_it_assigns_and_ends_a_seat(world, term):
    api = Api(world.chair)
    r = api.post(
        f"/committees/terms/{term.pk}/positions",
        {
            "person_id": world.member_a.person_id,
            "position": "vice_chair",
            "starts_on": "2022-09-01",
        },
    )
    assert r.status_code == 201
    seat = r.json()
    assert seat["position_label"]

    detail = api.get(f"/committees/terms/{term.pk}").json()
    assert {p["person_name"] for p in detail["positions"]} == {"李芳", "王强"}

    r = api.post(
        f"/committees/positions/{seat['id']}/end", {"ends_on": "2023-07-01", "reason": "调离"}
    )
    assert r.status_code == 200
    assert r.json()["ends_on"] == "2023-07-01"
    assert AuditEvent.objects.filter(action="position.end").exists()


def test_it_refuses_a_second_chair_with_a_code(world, term):
    r = Api(world.chair).post(
        f"/committees/terms/{term.pk}/positions",
        {"person_id": world.member_a.person_id, "position": "chair", "starts_on": "2022-09-01"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "position.chair_taken"


def test_it_does_not_seat_a_person_of_another_union(world, term):
    r = Api(world.chair).post(
        f"/committees/terms/{term.pk}/positions",
        {"person_id": world.outsider.person_id, "position": "member", "starts_on": "2022-09-01"},
    )
    assert r.status_code == 404
    assert r.json()["field"] == "person_id"


def test_it_hides_terms_and_seats_of_another_union(world, term):
    api = Api(world.other_chair)
    assert api.get(f"/committees/terms/{term.pk}").status_code == 404
    seat = term.positions.get()
    r = api.post(f"/committees/positions/{seat.pk}/end", {"ends_on": "2023-01-01", "reason": "x"})
    assert r.status_code == 404
    seat.refresh_from_db()
    assert seat.ends_on is None


# ---- the token command -------------------------------------------------------------------


def test_it_issues_a_token_that_authenticates(world):
    out = StringIO()
    call_command("token", "chair", "--name", "oa-sync", stdout=out, stderr=StringIO())
    raw = out.getvalue().strip()
    assert raw.startswith("gh_")
    token = ApiToken.objects.get(user=world.chair)
    assert token.name == "oa-sync"
    assert raw not in token.digest  # stored hashed
    assert Api(token=raw).get("/units").status_code == 200


def test_it_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="Unknown user: nobody"):
        call_command("token", "nobody", stdout=StringIO(), stderr=StringIO())


def test_it_lists_and_revokes_tokens(world):
    raw = token_create(actor=None, user=world.chair, name="oa")
    out = StringIO()
    call_command("token", "chair", "--list", stdout=out)
    assert raw[:8] in out.getvalue()
    assert "active" in out.getvalue()

    call_command("token", "chair", "--revoke", raw[:8], stdout=StringIO())
    assert Api(token=raw).get("/units").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").exists()
    with pytest.raises(CommandError):
        call_command("token", "chair", "--revoke", raw[:8], stdout=StringIO())
