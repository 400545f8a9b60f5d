"""The members API as every persona: lists and filters, one member, masking and logged
reveals, enrolment, edits, every lifecycle step, and the statistics upper unions read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core import rules
from gonghui.core.models import AuditEvent, RoleGrant, User
from gonghui.core.services import role_grant
from gonghui.members.models import Member, MembershipEvent, MemberStatus
from gonghui.testing.api import PREFIX, Api  # noqa: F401 - used by the tests that import from here
from gonghui.testing.factories import MemberFactory, PersonFactory, UserFactory, valid_id_number


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {m["name"] for m in response.json()["items"]}


@pytest.fixture
def seeing_officer(world) -> User:
    """An upper-union officer whose grant lets them see individual records."""
    user = UserFactory(username="upper_seeing")
    role_grant(
        actor=None, user=user, role="upper_officer", unit=world.county, may_see_individuals=True
    )
    return user


# ---- who sees which members ------------------------------------------------------------

VISIBLE = {
    "chair": {"李芳", "王强"},
    "cadre": {"李芳", "王强"},
    "group_leader": {"李芳"},
    "member": None,
    "other_chair": {"赵敏"},
    "upper_officer": None,
    "auditor": None,
    "admin": {"李芳", "王强", "赵敏"},
}


@pytest.mark.parametrize("persona", VISIBLE)
def test_it_lists_the_members_each_persona_may_see(world, persona):
    r = Api(world.personas()[persona]).get("/members")
    if VISIBLE[persona] is None:
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
    else:
        assert names(r) == VISIBLE[persona]
        assert r.json()["total"] == len(VISIBLE[persona])


def test_it_lists_individuals_to_an_officer_granted_to_see_them(world, seeing_officer):
    assert names(Api(seeing_officer).get("/members")) == {"李芳", "王强", "赵敏"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chair", 200),
        ("cadre", 200),
        ("group_leader", 404),  # member_b is in group B
        ("member", 404),
        ("other_chair", 404),
        ("upper_officer", 404),
        ("auditor", 404),
        ("admin", 200),
    ],
)
def test_it_shows_one_member_only_within_scope(world, persona, status):
    r = Api(world.personas()[persona]).get(f"/members/{world.member_b.pk}")
    assert r.status_code == status
    if status == 200:
        body = r.json()
        assert body["name"] == "王强"
        assert body["union"]["id"] == world.school.pk
        assert body["unit"]["id"] == world.group_b.pk
    else:
        assert r.json()["code"] == "not_found"


def test_it_answers_a_guessed_id_of_another_union_like_a_missing_one(world):
    api = Api(world.chair)
    guessed = api.get(f"/members/{world.outsider.pk}")
    missing = api.get("/members/999999")
    assert guessed.status_code == missing.status_code == 404
    assert guessed.json() == missing.json()


def test_it_shows_a_member_their_own_record(world):
    r = Api(world.member).get("/members/me")
    assert r.status_code == 200
    assert r.json()["name"] == "李芳"
    assert Api(world.chair).get("/members/me").status_code == 404  # no linked person


# ---- filters and pages ----------------------------------------------------------------


@pytest.fixture
def roll(world) -> list[Member]:
    """A few more members of the school with known traits."""
    today = timezone.localdate()
    young = date(today.year - 25, 1, 15)
    return [
        MemberFactory(
            union=world.school,
            unit=world.group_a,
            person=PersonFactory(name="张青", gender="F", birth_date=young, phone="13800001234"),
            employment_type="contract",
        ),
        MemberFactory(
            union=world.school,
            unit=world.group_b,
            person=PersonFactory(name="张老", gender="M", birth_date=date(today.year - 60, 3, 1)),
            work_status="retired",
            is_model_worker=True,
        ),
        MemberFactory(
            union=world.school,
            unit=world.group_b,
            person=PersonFactory(name="刘退", gender="M"),
            status=MemberStatus.LEFT,
        ),
    ]


def test_it_filters_members_like_the_member_pages(world, roll):
    api = Api(world.chair)
    assert names(api.get("/members", q="张")) == {"张青", "张老"}
    assert names(api.get("/members", q="1234")) == {"张青"}
    assert names(api.get("/members", unit=world.group_a.pk)) == {"李芳", "张青"}
    assert names(api.get("/members", employment_type="contract")) == {"张青"}
    assert names(api.get("/members", work_status="retired")) == {"张老"}
    assert names(api.get("/members", category="model_worker")) == {"张老"}
    assert names(api.get("/members", category="young")) >= {"张青"}
    assert "张老" not in names(api.get("/members", category="young"))
    assert names(api.get("/members", age_min=55)) >= {"张老"}
    assert names(api.get("/members", status="left")) == {"刘退"}
    assert "刘退" in names(api.get("/members", status="any"))
    assert names(api.get("/members", gender="F", q="张")) == {"张青"}


def test_it_refuses_bad_filter_values_with_422(world):
    r = Api(world.chair).get("/members", status="sleeping")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid"
    assert r.json()["field"] == "status"


def test_it_hides_a_unit_filter_outside_scope(world):
    r = Api(world.chair).get("/members", unit=world.workshop.pk)
    assert r.status_code == 404
    assert r.json()["field"] == "unit"


def test_it_pages_the_member_list_with_a_total(world, roll):
    api = Api(world.chair)
    everyone = names(api.get("/members", limit=200))
    first = api.get("/members", limit=2).json()
    second = api.get("/members", limit=2, offset=2).json()
    assert first["total"] == second["total"] == len(everyone) == 4
    assert (first["limit"], second["offset"]) == (2, 2)
    got = [m["name"] for m in first["items"] + second["items"]]
    assert sorted(got) == sorted(everyone)
    assert api.get("/members", limit=201).status_code == 422


def test_it_lists_members_in_a_bounded_number_of_queries(world, roll):
    api = Api(world.chair)
    api.get("/members")  # warm up: the token's last_used_at
    with CaptureQueriesContext(connection) as few:
        api.get("/members", limit=2)
    MemberFactory.create_batch(20, union=world.school, unit=world.group_a)
    with CaptureQueriesContext(connection) as many:
        r = api.get("/members", limit=200)
    assert len(r.json()["items"]) == 24
    assert len(many) == len(few) <= 8


# ---- masking and reveal -----------------------------------------------------------------


def test_it_masks_id_numbers_and_phones_by_default(world):
    r = Api(world.chair).get(f"/members/{world.member_a.pk}")
    person = world.member_a.person
    body = r.json()
    assert body["id_number"] == rules.mask_id_number(person.id_number)
    assert body["phone"] == rules.mask_phone(person.phone)
    assert body["sensitive_revealed"] is False
    assert person.id_number not in r.content.decode()
    assert not AuditEvent.objects.filter(action="read_sensitive").exists()


def test_it_reveals_to_a_cadre_who_asks_and_logs_the_read(world):
    r = Api(world.cadre).get(f"/members/{world.member_a.pk}", reveal="true")
    person = world.member_a.person
    assert r.status_code == 200
    assert (r.json()["id_number"], r.json()["phone"]) == (person.id_number, person.phone)
    assert r.json()["sensitive_revealed"] is True
    event = AuditEvent.objects.get(action="read_sensitive")
    assert (event.actor, event.object_id) == (world.cadre, str(person.pk))
    assert event.after == {"fields": ["id_number", "phone"]}
    assert event.note.startswith("API GET /api/v1/members/")


@pytest.mark.parametrize("persona", ["group_leader"])
def test_it_refuses_to_reveal_without_the_permission(world, persona):
    api = Api(world.personas()[persona])
    assert api.get(f"/members/{world.member_a.pk}", reveal="true").status_code == 403
    assert api.get("/members", reveal="true").status_code == 403
    assert not AuditEvent.objects.filter(action="read_sensitive").exists()


def test_it_reveals_a_list_and_logs_each_person(world):
    r = Api(world.chair).get("/members", reveal="true")
    items = r.json()["items"]
    assert all(m["sensitive_revealed"] for m in items)
    logged = set(
        AuditEvent.objects.filter(action="read_sensitive").values_list("object_id", flat=True)
    )
    assert logged == {str(m["person_id"]) for m in items}


def test_it_keeps_an_officer_seeing_individuals_masked(world, seeing_officer):
    api = Api(seeing_officer)
    r = api.get(f"/members/{world.member_a.pk}")
    assert r.json()["id_number"] == rules.mask_id_number(world.member_a.person.id_number)
    assert api.get(f"/members/{world.member_a.pk}", reveal="true").status_code == 403


# ---- statistics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [
        ("chair", "school", 200),
        ("cadre", "school", 200),
        ("group_leader", "group_a", 200),
        ("group_leader", "school", 404),
        ("member", "school", 404),
        ("other_chair", "school", 404),
        ("upper_officer", "county", 200),
        ("upper_officer", "school", 200),
        ("auditor", "school", 200),
        ("admin", "county", 200),
    ],
)
def test_it_gives_statistics_to_those_who_may_see_aggregates(world, persona, unit, status):
    r = Api(world.personas()[persona]).get("/members/statistics", unit=getattr(world, unit).pk)
    assert r.status_code == status


def test_it_counts_members_by_status_gender_and_employment(world, roll):
    r = Api(world.upper_officer).get("/members/statistics", unit=world.school.pk)
    body = r.json()
    active = Member.objects.filter(union=world.school, status="active")
    assert body["active"] == active.count() == 4
    by_status = {c["key"]: c["count"] for c in body["by_status"]}
    assert by_status["active"] == 4
    assert by_status["left"] == 1
    gender = {c["key"]: c["count"] for c in body["by_gender"]}
    assert gender.get("F", 0) == active.filter(person__gender="F").count()
    assert gender.get("M", 0) == active.filter(person__gender="M").count()
    employment = {c["key"]: c["count"] for c in body["by_employment_type"]}
    assert employment["contract"] == 1
    assert body["retired"] == 1
    assert body["model_workers"] == 1
    assert body["staff_count"] == 120
    assert body["enrolment_rate"] == round(4 / 120, 4)
    assert sum(c["count"] for c in body["by_age_band"]) == 4
    # no individual records in the answer
    assert "李芳" not in r.content.decode()


def test_it_gives_the_caller_home_unit_statistics_without_a_unit(world):
    r = Api(world.upper_officer).get("/members/statistics")
    assert r.status_code == 200
    assert r.json()["unit"]["id"] == world.county.pk
    assert r.json()["active"] == 3
    assert Api(world.member).get("/members/statistics").status_code == 403


def test_it_computes_statistics_in_a_bounded_number_of_queries(world, roll):
    api = Api(world.upper_officer)
    api.get("/members/statistics", unit=world.county.pk)
    with CaptureQueriesContext(connection) as few:
        api.get("/members/statistics", unit=world.county.pk)
    MemberFactory.create_batch(10, union=world.factory_union, unit=world.workshop)
    with CaptureQueriesContext(connection) as many:
        api.get("/members/statistics", unit=world.county.pk)
    assert len(many) == len(few) <= 10


# ---- enrolment, applications and edits -------------------------------------------------


def _new_person(seq: int = 7) -> dict[str, Any]:
    return {
        "name": "陈新",
        "id_number": valid_id_number(date(1990, 5, 6), seq, "M", region="320102"),
        "phone": "139 0000 7777",
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chair", 201),
        ("cadre", 201),
        ("group_leader", 403),
        ("member", 404),
        ("other_chair", 404),
        ("upper_officer", 403),
        ("auditor", 403),
        ("admin", 201),
    ],
)
def test_it_enrols_a_member_for_editors_only(world, persona, status):
    r = Api(world.personas()[persona]).post(
        "/members",
        {"unit_id": world.group_a.pk, "on": "2024-09-01", "person": _new_person()},
    )
    assert r.status_code == status, r.content
    created = Member.objects.filter(person__name="陈新").first()
    if status == 201:
        body = r.json()
        assert (body["status"], body["gender"], body["birth_date"]) == ("active", "M", "1990-05-06")
        assert body["member_no"] == "SCH-00001"
        assert body["phone"] == "139****7777"
        assert [e["kind"] for e in body["events"]] == ["applied", "approved"]
        assert AuditEvent.objects.filter(action="member.approve", object_id=str(created.pk))
    else:
        assert created is None


def test_it_records_an_application_then_approves_it(world):
    api = Api(world.chair)
    r = api.post(
        "/members",
        {"mode": "apply", "unit_id": world.group_b.pk, "on": "2024-09-01", "person": _new_person()},
    )
    assert r.status_code == 201
    member_id = r.json()["id"]
    assert r.json()["status"] == "applied"

    # a cadre may edit but not approve
    assert Api(world.cadre).post(f"/members/{member_id}/approve").status_code == 403

    r = api.post(f"/members/{member_id}/approve", {"on": "2024-09-15"})
    assert r.status_code == 200
    assert r.json()["status"] == "active"
    assert r.json()["joined_on"] == "2024-09-15"
    assert MembershipEvent.objects.filter(member_id=member_id, kind="approved").exists()
    assert AuditEvent.objects.filter(
        action="member.approve", object_id=str(member_id), actor=world.chair
    ).exists()


def test_it_refuses_to_approve_an_active_member_with_a_code(world):
    r = Api(world.chair).post(f"/members/{world.member_a.pk}/approve")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "member.not_applied"
    assert body["message"]
    assert set(body) == {"code", "message", "field"}


def test_it_rejects_an_application_with_a_reason(world):
    applicant = MemberFactory(
        union=world.school, unit=world.group_a, status="applied", member_no=""
    )
    api = Api(world.chair)
    assert api.post(f"/members/{applicant.pk}/reject", {"reason": ""}).status_code == 422
    r = api.post(f"/members/{applicant.pk}/reject", {"reason": "非本单位职工"})
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    assert MembershipEvent.objects.filter(member=applicant, kind="rejected").exists()


def test_it_names_the_field_of_a_bad_id_number(world):
    person = {**_new_person(), "id_number": "110105199001011233"}
    r = Api(world.chair).post(
        "/members", {"unit_id": world.group_a.pk, "on": "2024-09-01", "person": person}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "person.id_number"
    assert r.json()["field"] == "id_number"
    assert not Member.objects.filter(person__name="陈新").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("chair", 200), ("cadre", 200), ("group_leader", 403), ("other_chair", 404)],
)
def test_it_updates_a_member_for_editors_only(world, persona, status):
    r = Api(world.personas()[persona]).patch(
        f"/members/{world.member_a.pk}", {"post": "语文教师", "phone": "13912345678"}
    )
    assert r.status_code == status
    world.member_a.refresh_from_db()
    if status == 200:
        assert world.member_a.post == "语文教师"
        event = AuditEvent.objects.get(action="member.update", object_id=str(world.member_a.pk))
        assert event.after["post"] == "语文教师"
    else:
        assert world.member_a.post == ""


# ---- lifecycle -------------------------------------------------------------------------


def _events(member: Member) -> list[str]:
    return list(member.events.order_by("on", "id").values_list("kind", flat=True))


def test_it_moves_a_member_to_another_group(world):
    r = Api(world.cadre).post(
        f"/members/{world.member_a.pk}/move", {"to_unit_id": world.group_b.pk}
    )
    assert r.status_code == 200
    assert r.json()["unit"]["id"] == world.group_b.pk
    assert _events(world.member_a)[-1] == "moved"
    assert AuditEvent.objects.filter(action="member.move").exists()
    r = Api(world.cadre).post(
        f"/members/{world.member_a.pk}/move", {"to_unit_id": world.workshop.pk}
    )
    assert r.status_code == 404
    assert r.json()["field"] == "to_unit_id"


def test_it_transfers_a_member_out_and_into_another_union(world):
    person = world.member_b.person
    r = Api(world.chair).post(
        f"/members/{world.member_b.pk}/transfer_out",
        {"to_union_id": world.factory_union.pk, "on": "2024-03-01"},
    )
    assert r.status_code == 200
    assert r.json()["status"] == "transferred_out"

    # the receiving union cannot see the member yet, but takes them in by ID number
    other = Api(world.other_chair)
    assert other.get(f"/members/{world.member_b.pk}").status_code == 404
    r = other.post(
        "/members/transfer_in",
        {"id_number": person.id_number, "unit_id": world.workshop.pk, "on": "2024-03-05"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["union"]["id"] == world.factory_union.pk
    assert r.json()["member_no"].startswith("FAC-")
    assert _events(world.member_b)[-2:] == ["transferred_out", "transferred_in"]
    assert AuditEvent.objects.filter(action="member.transfer_in", actor=world.other_chair)
    # and now the school no longer sees them
    assert Api(world.chair).get(f"/members/{world.member_b.pk}").status_code == 404


def test_it_does_not_take_in_someone_who_was_not_transferred_out(world):
    r = Api(world.other_chair).post(
        "/members/transfer_in",
        {"id_number": world.member_a.person.id_number, "unit_id": world.workshop.pk},
    )
    assert r.status_code == 404
    assert r.json()["field"] == "id_number"


def test_it_walks_retire_leave_reinstate_and_decease(world):
    api = Api(world.cadre)
    url = f"/members/{world.member_a.pk}"
    assert api.post(f"{url}/retire", {"on": "2024-01-31"}).json()["work_status"] == "retired"
    again = api.post(f"{url}/retire")
    assert (again.status_code, again.json()["code"]) == (400, "member.already_retired")
    r = api.post(f"{url}/leave", {"reason": "本人申请", "on": "2024-02-01"})
    assert r.json()["status"] == "left"
    r = api.post(f"{url}/reinstate", {"note": "撤回申请", "on": "2024-03-01"})
    assert r.json()["status"] == "active"
    r = api.post(f"{url}/decease", {"on": "2024-06-01", "note": "病故"})
    assert r.json()["status"] == "deceased"
    assert _events(world.member_a)[-4:] == ["retired", "left", "reinstated", "died"]
    actions = set(
        AuditEvent.objects.filter(object_id=str(world.member_a.pk)).values_list("action", flat=True)
    )
    assert {"member.retire", "member.leave", "member.reinstate", "member.decease"} <= actions


@pytest.mark.parametrize(
    "step", ["approve", "reject", "move", "transfer_out", "retire", "leave", "decease", "reinstate"]
)
@pytest.mark.parametrize(("persona", "status"), [("other_chair", 404), ("group_leader", 403)])
def test_it_guards_every_lifecycle_step(world, step, persona, status):
    body = {"reason": "x", "to_unit_id": world.group_b.pk, "note": "x"}
    r = Api(world.personas()[persona]).post(f"/members/{world.member_a.pk}/{step}", body)
    assert r.status_code == status
    world.member_a.refresh_from_db()
    assert (world.member_a.status, world.member_a.unit_id) == ("active", world.group_a.pk)
    assert not MembershipEvent.objects.filter(member=world.member_a).exists()


def test_it_keeps_revoked_grants_out(world):
    grant = RoleGrant.objects.get(user=world.cadre)
    grant.revoked_at = timezone.now()
    grant.save()
    assert Api(world.cadre).get(f"/members/{world.member_a.pk}").status_code == 404
