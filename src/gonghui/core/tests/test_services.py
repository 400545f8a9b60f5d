"""Core services: every write checks access, keeps the tree consistent and leaves an audit row."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from gonghui.core import access, services
from gonghui.core.errors import DomainError
from gonghui.core.models import (
    AuditEvent,
    CommitteePosition,
    LegalPersonRegistration,
    OrgUnit,
    Role,
    RoleGrant,
    User,
)
from gonghui.testing.factories import UserFactory, make_unit


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


# ---- units ---------------------------------------------------------------------------------


def test_it_creates_a_unit_with_its_path_and_an_audit_row(world):
    # when
    unit = services.unit_create(
        actor=world.chair, name="英语教研组", code="SCH-C", kind="group", parent=world.school
    )
    # then
    assert unit.path == f"{world.school.path}{unit.pk}/"
    assert unit.depth == world.school.depth + 1
    event = last_event("unit.create")
    assert event.actor == world.chair
    assert event.object_id == str(unit.pk)
    assert event.after["code"] == "SCH-C"
    assert event.unit == unit


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        ("federation", "group_a"),
        ("grassroots", "group_a"),
        ("sector", "school"),
        ("federation", "school"),
        ("joint", "school"),
    ],
)
def test_it_refuses_kinds_that_cannot_sit_under_the_parent(world, kind, parent_attr):
    with pytest.raises(DomainError) as e:
        services.unit_create(
            actor=None, name="X", code="X1", kind=kind, parent=getattr(world, parent_attr)
        )
    assert e.value.code == "unit.kind_not_allowed"
    assert e.value.field == "kind"


def test_it_refuses_a_root_that_is_not_a_federation(db):
    with pytest.raises(DomainError) as e:
        services.unit_create(actor=None, name="X", code="X1", kind="grassroots", parent=None)
    assert e.value.code == "unit.parent_required"


def test_it_refuses_a_root_unit_from_a_non_admin(world):
    with pytest.raises(DomainError):
        services.unit_create(actor=world.chair, name="X", code="X1", kind="federation", parent=None)


def test_it_refuses_a_taken_code(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(actor=None, name="X", code="SCH", kind="group", parent=world.school)
    assert e.value.code == "unit.code_taken"


def test_it_refuses_unit_creation_outside_the_actors_scope(world):
    with pytest.raises(DomainError) as e:
        services.unit_create(
            actor=world.chair, name="X", code="X1", kind="group", parent=world.factory_union
        )
    assert e.value.code == "forbidden"
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_it_refuses_unit_creation_to_a_cadre(world):
    with pytest.raises(DomainError):
        services.unit_create(
            actor=world.cadre, name="X", code="X1", kind="group", parent=world.school
        )


def test_it_updates_a_unit_and_audits_only_what_changed(world):
    services.unit_update(actor=world.chair, unit=world.school, staff_count=130, name="第一中学工会")
    world.school.refresh_from_db()
    assert world.school.staff_count == 130
    event = last_event("unit.update")
    assert event.before == {"staff_count": 120}
    assert event.after == {"staff_count": 130}


def test_it_refuses_to_change_a_units_kind_or_code_through_update(world):
    with pytest.raises(DomainError):
        services.unit_update(actor=world.chair, unit=world.school, code="NEW")


def test_it_moves_a_subtree_and_rewrites_every_path_below(world):
    # given a branch with a group under it, in the school
    branch = make_unit("初中部", "branch", world.school, code="SCH-J")
    grade = make_unit("初一年级组", "group", branch, code="SCH-J1")
    other = make_unit("高中部", "branch", world.school, code="SCH-S")
    # when
    services.unit_move(actor=world.chair, unit=branch, new_parent=other)
    # then
    branch.refresh_from_db()
    grade.refresh_from_db()
    assert branch.parent == other
    assert branch.path == f"{other.path}{branch.pk}/"
    assert branch.depth == other.depth + 1
    assert grade.path == f"{other.path}{branch.pk}/{grade.pk}/"
    assert grade.depth == branch.depth + 1
    event = last_event("unit.move")
    assert event.before == {"path": f"{world.school.path}{branch.pk}/"}
    assert event.after == {"path": branch.path}


def test_it_moves_a_union_between_federation_levels(world):
    # the admin moves the factory union under the education union: depth changes by one
    services.unit_move(actor=world.admin, unit=world.factory_union, new_parent=world.edu)
    world.workshop.refresh_from_db()
    assert world.workshop.path == f"{world.edu.path}{world.factory_union.pk}/{world.workshop.pk}/"
    assert world.workshop.depth == 3


def test_it_refuses_to_move_a_unit_under_itself(world):
    branch = make_unit("初中部", "branch", world.school, code="SCH-J")
    inner = make_unit("初一", "branch", branch, code="SCH-J1")
    with pytest.raises(DomainError) as e:
        services.unit_move(actor=world.chair, unit=branch, new_parent=inner)
    assert e.value.code == "unit.cycle"


def test_it_refuses_a_move_into_a_unit_the_actor_does_not_manage(world):
    with pytest.raises(DomainError):
        services.unit_move(actor=world.chair, unit=world.group_a, new_parent=world.factory_union)
    world.group_a.refresh_from_db()
    assert world.group_a.parent == world.school


def test_it_archives_a_unit_with_a_reason_and_keeps_the_row(world):
    empty = make_unit("旧教研组", "group", world.school, code="SCH-OLD")
    services.unit_archive(actor=world.chair, unit=empty, reason="合并")
    empty.refresh_from_db()
    assert empty.archived_at is not None
    event = last_event("unit.archive")
    assert event.note == "合并"
    assert event.before == {"archived_at": None}
    assert event.after["archived_at"] is not None


def test_it_refuses_to_archive_without_a_reason_or_with_live_children(world):
    with pytest.raises(DomainError) as e:
        services.unit_archive(actor=world.chair, unit=world.group_a, reason="  ")
    assert e.value.field == "reason"
    with pytest.raises(DomainError) as e:
        services.unit_archive(actor=world.admin, unit=world.school, reason="撤销")
    assert e.value.code == "unit.has_children"


def test_it_refuses_a_child_under_an_archived_unit(world):
    empty = make_unit("旧教研组", "branch", world.school, code="SCH-OLD")
    services.unit_archive(actor=world.chair, unit=empty, reason="合并")
    with pytest.raises(DomainError) as e:
        services.unit_create(actor=None, name="X", code="X1", kind="group", parent=empty)
    assert e.value.code == "unit.parent_archived"


# ---- committees, terms, positions ----------------------------------------------------------


def test_it_starts_a_term_with_its_planned_end_and_an_audit_row(world):
    term = services.committee_term_start(
        actor=world.chair,
        union=world.school,
        kind="union",
        number=3,
        starts_on=date(2021, 9, 1),
        years=5,
    )
    assert term.planned_end_on == date(2026, 9, 1)
    assert term.committee.union == world.school
    assert last_event("term.start").after["number"] == 3


def test_it_ends_the_running_term_and_its_seats_when_a_new_term_starts(world):
    # given a running term with a chair
    old = services.committee_term_start(
        actor=world.chair, union=world.school, kind="union", number=1, starts_on=date(2016, 9, 1)
    )
    seat = services.position_assign(
        actor=world.chair,
        term=old,
        person=world.member_a.person,
        position="chair",
        starts_on=date(2016, 9, 1),
    )
    # when
    new = services.committee_term_start(
        actor=world.chair, union=world.school, kind="union", number=2, starts_on=date(2021, 9, 1)
    )
    # then
    old.refresh_from_db()
    seat.refresh_from_db()
    assert old.ended_on == date(2021, 9, 1)
    assert seat.ends_on == date(2021, 9, 1)
    assert seat.end_reason
    assert new.ended_on is None
    ended = last_event("term.end")
    assert ended.object_id == str(old.pk)
    assert ended.before == {"ended_on": None}
    assert ended.after == {"ended_on": "2021-09-01"}


def test_it_keeps_terms_of_different_committees_apart(world):
    union_term = services.committee_term_start(
        actor=None, union=world.school, kind="union", number=1, starts_on=date(2016, 9, 1)
    )
    services.committee_term_start(
        actor=None, union=world.school, kind="women", number=1, starts_on=date(2018, 9, 1)
    )
    union_term.refresh_from_db()
    assert union_term.ended_on is None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"years": 2}, "term.years"), ({"years": 6}, "term.years"), ({"kind": "nope"}, "term.kind")],
)
def test_it_refuses_bad_terms(world, kwargs, code):
    args = {"kind": "union", "number": 1, "starts_on": date(2021, 9, 1), **kwargs}
    with pytest.raises(DomainError) as e:
        services.committee_term_start(actor=world.chair, union=world.school, **args)
    assert e.value.code == code


def test_it_refuses_a_term_number_that_is_not_new(world):
    services.committee_term_start(
        actor=None, union=world.school, kind="union", number=2, starts_on=date(2016, 9, 1)
    )
    with pytest.raises(DomainError) as e:
        services.committee_term_start(
            actor=None, union=world.school, kind="union", number=2, starts_on=date(2021, 9, 1)
        )
    assert e.value.code == "term.number"


def test_it_refuses_committees_on_a_union_group(world):
    with pytest.raises(DomainError) as e:
        services.committee_term_start(
            actor=None, union=world.group_a, kind="union", number=1, starts_on=date(2021, 9, 1)
        )
    assert e.value.code == "term.group"


def test_it_refuses_a_term_to_another_unions_chair(world):
    with pytest.raises(DomainError) as e:
        services.committee_term_start(
            actor=world.other_chair,
            union=world.school,
            kind="union",
            number=1,
            starts_on=date(2021, 9, 1),
        )
    assert e.value.code == "forbidden"


@pytest.fixture
def term(world):
    return services.committee_term_start(
        actor=None, union=world.school, kind="union", number=4, starts_on=date(2021, 9, 1)
    )


def test_it_assigns_seats_and_audits_them(world, term):
    seat = services.position_assign(
        actor=world.chair,
        term=term,
        person=world.member_b.person,
        position="vice_chair",
        starts_on=date(2021, 9, 1),
    )
    assert seat.ends_on is None
    event = last_event("position.assign")
    assert event.after["position"] == "vice_chair"
    assert event.after["person_id"] == world.member_b.person_id
    assert event.unit == world.school


def test_it_allows_one_chair_in_office_and_one_seat_per_person(world, term):
    services.position_assign(
        actor=None,
        term=term,
        person=world.member_a.person,
        position="chair",
        starts_on=date(2021, 9, 1),
    )
    with pytest.raises(DomainError) as e:
        services.position_assign(
            actor=None,
            term=term,
            person=world.member_b.person,
            position="chair",
            starts_on=date(2021, 9, 1),
        )
    assert e.value.code == "position.chair_taken"
    with pytest.raises(DomainError) as e:
        services.position_assign(
            actor=None,
            term=term,
            person=world.member_a.person,
            position="member",
            starts_on=date(2021, 9, 1),
        )
    assert e.value.code == "position.duplicate"


def test_it_refuses_seats_before_the_term_or_of_unknown_kinds(world, term):
    with pytest.raises(DomainError):
        services.position_assign(
            actor=None,
            term=term,
            person=world.member_a.person,
            position="member",
            starts_on=date(2020, 1, 1),
        )
    with pytest.raises(DomainError):
        services.position_assign(
            actor=None,
            term=term,
            person=world.member_a.person,
            position="king",
            starts_on=date(2021, 9, 1),
        )


def test_it_ends_a_seat_with_a_reason_and_lets_a_by_election_fill_it(world, term):
    seat = services.position_assign(
        actor=None,
        term=term,
        person=world.member_a.person,
        position="chair",
        starts_on=date(2021, 9, 1),
    )
    services.position_end(actor=world.chair, position=seat, ends_on=date(2023, 3, 1), reason="调离")
    event = last_event("position.end")
    assert event.before == {"ends_on": None, "end_reason": ""}
    assert event.after == {"ends_on": "2023-03-01", "end_reason": "调离"}
    # the chair is free again (补选)
    by = services.position_assign(
        actor=None,
        term=term,
        person=world.member_b.person,
        position="chair",
        starts_on=date(2023, 3, 2),
        source=CommitteePosition.Source.BY_ELECTION,
    )
    assert by.source == "by_election"


def test_it_refuses_to_end_a_seat_without_reason_or_before_it_began(world, term):
    seat = services.position_assign(
        actor=None,
        term=term,
        person=world.member_a.person,
        position="member",
        starts_on=date(2022, 1, 1),
    )
    with pytest.raises(DomainError) as e:
        services.position_end(actor=world.chair, position=seat, ends_on=date(2023, 1, 1), reason="")
    assert e.value.field == "reason"
    with pytest.raises(DomainError) as e:
        services.position_end(
            actor=world.chair, position=seat, ends_on=date(2021, 1, 1), reason="x"
        )
    assert e.value.code == "position.dates"


def test_it_refuses_seats_in_an_ended_term(world, term):
    services.committee_term_start(
        actor=None, union=world.school, kind="union", number=5, starts_on=date(2026, 9, 1)
    )
    term.refresh_from_db()
    with pytest.raises(DomainError) as e:
        services.position_assign(
            actor=None,
            term=term,
            person=world.member_a.person,
            position="member",
            starts_on=date(2022, 1, 1),
        )
    assert e.value.code == "position.term_ended"


# ---- legal-person registration -------------------------------------------------------------

GOOD_REGISTRATION = {
    "credit_code": "81110105mc1234567x",
    "legal_representative": "张主席",
    "registered_on": date(2019, 5, 1),
}


def test_it_records_a_registration_normalising_the_credit_code(world):
    reg = services.registration_record(actor=world.chair, union=world.school, **GOOD_REGISTRATION)
    assert reg.credit_code == "81110105MC1234567X"
    event = last_event("registration.record")
    assert event.after["credit_code"] == "81110105MC1234567X"
    assert event.unit == world.school


def test_it_keeps_every_registration_as_history_newest_first(world):
    services.registration_record(actor=None, union=world.school, **GOOD_REGISTRATION)
    services.registration_record(
        actor=None,
        union=world.school,
        **{
            **GOOD_REGISTRATION,
            "legal_representative": "李主席",
            "registered_on": date(2023, 1, 5),
            "change_note": "法定代表人变更",
        },
    )
    regs = list(world.school.registrations.all())
    assert [r.legal_representative for r in regs] == ["李主席", "张主席"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "123"}, "credit_code"),
        ({"credit_code": "81110105MC12345-7X"}, "credit_code"),
        ({"legal_representative": " "}, "legal_representative"),
        ({"valid_until": date(2018, 1, 1)}, "valid_until"),
    ],
)
def test_it_refuses_bad_registrations_naming_the_field(world, change, field):
    with pytest.raises(DomainError) as e:
        services.registration_record(
            actor=world.chair, union=world.school, **{**GOOD_REGISTRATION, **change}
        )
    assert e.value.field == field
    assert not LegalPersonRegistration.objects.exists()


def test_it_refuses_registration_of_a_group_or_by_an_outsider(world):
    with pytest.raises(DomainError) as e:
        services.registration_record(actor=None, union=world.group_a, **GOOD_REGISTRATION)
    assert e.value.code == "registration.not_union"
    with pytest.raises(DomainError) as e:
        services.registration_record(
            actor=world.other_chair, union=world.school, **GOOD_REGISTRATION
        )
    assert e.value.code == "forbidden"


# ---- roles, users, tokens ------------------------------------------------------------------


def test_it_grants_a_role_and_audits_it(world):
    newcomer = UserFactory(username="newcomer")
    grant = services.role_grant(
        actor=world.chair, user=newcomer, role=Role.CADRE, unit=world.school
    )
    assert access.has_perm(newcomer, access.Perm.EDIT_MEMBERS, world.group_b)
    event = last_event("role.grant")
    assert event.actor == world.chair
    assert event.after["role"] == "cadre"
    assert event.after["unit_id"] == world.school.pk
    assert grant.granted_by == world.chair


def test_it_refuses_a_duplicate_grant_and_grants_outside_scope(world):
    with pytest.raises(DomainError) as e:
        services.role_grant(actor=world.chair, user=world.cadre, role=Role.CADRE, unit=world.school)
    assert e.value.code == "role.exists"
    with pytest.raises(DomainError) as e:
        services.role_grant(
            actor=world.chair, user=world.cadre, role=Role.CADRE, unit=world.factory_union
        )
    assert e.value.code == "forbidden"


def test_it_lets_only_an_admin_grant_admin(world):
    with pytest.raises(DomainError) as e:
        services.role_grant(actor=world.chair, user=world.cadre, role=Role.ADMIN, unit=world.school)
    assert e.value.code == "role.forbidden"
    services.role_grant(actor=world.admin, user=world.cadre, role=Role.ADMIN, unit=world.school)


def test_it_lets_only_an_admin_or_a_covering_chair_open_individual_records(world):
    officer = UserFactory(username="officer2")
    # a chair of the school may not, for a grant on the county (above the school)
    county_chair = UserFactory(username="county_chair")
    services.role_grant(actor=None, user=county_chair, role=Role.CHAIR, unit=world.county)
    with pytest.raises(DomainError) as e:
        services.role_grant(
            actor=world.chair,
            user=officer,
            role=Role.UPPER_OFFICER,
            unit=world.county,
            may_see_individuals=True,
        )
    assert e.value.code == "forbidden"  # not even in the chair's scope
    # the county chair may
    grant = services.role_grant(
        actor=county_chair,
        user=officer,
        role=Role.UPPER_OFFICER,
        unit=world.edu,
        may_see_individuals=True,
    )
    assert grant.may_see_individuals
    # the admin may
    services.role_grant(
        actor=world.admin,
        user=officer,
        role=Role.UPPER_OFFICER,
        unit=world.factory_union,
        may_see_individuals=True,
    )


def test_it_lets_the_chair_covering_a_unit_open_individual_records_there(world):
    grant = services.role_grant(
        actor=world.chair,
        user=UserFactory(username="o4"),
        role=Role.UPPER_OFFICER,
        unit=world.group_a,
        may_see_individuals=True,
    )
    assert grant.may_see_individuals
    assert services.may_grant_individuals(world.chair, world.group_a)
    assert not services.may_grant_individuals(world.chair, world.edu)
    assert not services.may_grant_individuals(world.cadre, world.school)
    assert services.may_grant_individuals(world.admin, world.factory_union)


def test_it_drops_the_individuals_flag_on_roles_other_than_upper_officer(world):
    grant = services.role_grant(
        actor=world.admin,
        user=UserFactory(username="o5"),
        role=Role.AUDITOR,
        unit=world.school,
        may_see_individuals=True,
    )
    assert not grant.may_see_individuals


def test_it_revokes_a_grant_and_audits_before_and_after(world):
    grant = RoleGrant.objects.get(user=world.cadre)
    services.role_revoke(actor=world.chair, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    access.forget_grants(world.cadre)
    assert not access.has_perm(world.cadre, access.Perm.VIEW_MEMBERS, world.school)
    event = last_event("role.revoke")
    assert event.before == {"revoked_at": None}
    assert event.after["revoked_at"] is not None


def test_it_refuses_revocation_by_another_unions_chair_and_twice(world):
    grant = RoleGrant.objects.get(user=world.cadre)
    with pytest.raises(DomainError):
        services.role_revoke(actor=world.other_chair, grant=grant)
    services.role_revoke(actor=world.chair, grant=grant)
    with pytest.raises(DomainError) as e:
        services.role_revoke(actor=world.chair, grant=grant)
    assert e.value.code == "role.revoked"


def test_it_creates_a_user_with_a_hashed_password_linked_to_a_member(world):
    user = services.user_create(
        actor=world.chair,
        username="wangqiang",
        display_name="王强",
        password="Gonghui-2024-strong",
        person=world.member_b.person,
    )
    assert user.check_password("Gonghui-2024-strong")
    assert user.password != "Gonghui-2024-strong"
    assert user.person == world.member_b.person
    event = last_event("user.create")
    assert event.after == {
        "username": "wangqiang",
        "display_name": "王强",
        "person_id": world.member_b.person_id,
        "is_active": True,
    }
    assert "password" not in event.after


@pytest.mark.parametrize("password", ["short", "password123", "12345678"])
def test_it_refuses_weak_passwords(world, password):
    with pytest.raises(DomainError) as e:
        services.user_create(actor=world.chair, username="u1", display_name="u", password=password)
    assert e.value.field == "password"
    assert not User.objects.filter(username="u1").exists()


def test_it_refuses_taken_usernames_and_people_outside_scope_or_already_linked(world):
    with pytest.raises(DomainError) as e:
        services.user_create(
            actor=world.chair, username="CHAIR", display_name="x", password="Gonghui-2024-strong"
        )
    assert e.value.field == "username"
    with pytest.raises(DomainError) as e:
        services.user_create(
            actor=world.chair,
            username="zm",
            display_name="赵敏",
            password="Gonghui-2024-strong",
            person=world.outsider.person,
        )
    assert e.value.code == "user.person_outside"
    with pytest.raises(DomainError) as e:
        services.user_create(
            actor=world.chair,
            username="lf2",
            display_name="李芳",
            password="Gonghui-2024-strong",
            person=world.member_a.person,
        )
    assert e.value.code == "user.person_linked"


def test_it_refuses_user_creation_to_a_cadre(world):
    with pytest.raises(DomainError):
        services.user_create(
            actor=world.cadre, username="u2", display_name="u", password="Gonghui-2024-strong"
        )


def test_it_issues_a_token_that_is_stored_only_as_a_digest(world):
    raw = services.token_create(actor=world.admin, user=world.chair, name="report")
    assert raw.startswith("gh_")
    token = world.chair.api_tokens.get()
    assert raw not in (token.digest, token.prefix) and token.prefix == raw[:8]
    assert services.token_user(raw) == world.chair
    assert services.token_user(raw + "x") is None
    assert last_event("token.create").note == "for chair"


def test_it_refuses_tokens_of_inactive_users_or_revoked_tokens(world):
    raw = services.token_create(actor=None, user=world.cadre)
    world.cadre.is_active = False
    world.cadre.save()
    assert services.token_user(raw) is None
    raw2 = services.token_create(actor=None, user=world.chair)
    world.chair.api_tokens.update(revoked_at=timezone.now())
    assert services.token_user(raw2) is None


def test_it_changes_nothing_when_a_service_refuses(world):
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError):
        services.unit_create(actor=world.chair, name="X", code="X", kind="group", parent=world.edu)
    assert AuditEvent.objects.count() == before


def test_it_revokes_tokens_by_prefix_and_refuses_a_wrong_one(world):
    # given two tokens of the chair
    keep = services.token_create(actor=None, user=world.chair, name="keep")
    drop = services.token_create(actor=None, user=world.chair, name="drop")
    # when one is revoked by its first 8 characters
    assert services.token_revoke(actor=world.admin, user=world.chair, prefix=drop[:8]) == 1
    # then it no longer authenticates, the other still does, and the revocation is audited
    assert services.token_user(drop) is None
    assert services.token_user(keep) == world.chair
    assert AuditEvent.objects.filter(action="token.revoke", actor=world.admin).exists()
    # and a short or unknown prefix is refused, changing nothing
    with pytest.raises(DomainError) as short:
        services.token_revoke(actor=None, user=world.chair, prefix="gh_")
    assert short.value.code == "token.prefix"
    with pytest.raises(DomainError) as unknown:
        services.token_revoke(actor=None, user=world.chair, prefix="gh_zzzzzzzz")
    assert unknown.value.code == "token.not_found"
