"""core.access: grants reach down their subtree and nowhere else; the role × page matrix."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from gonghui.core import access, services
from gonghui.core.access import Perm
from gonghui.core.models import OrgUnit, Role, RoleGrant
from gonghui.testing.factories import UserFactory, make_unit
from gonghui.testing.personas import PERSONAS

# core may not import the members app (import-linter); its model is looked up by name.
Member = apps.get_model("members", "Member")

# ---- access functions ---------------------------------------------------------------------


def test_it_reaches_down_the_subtree_of_a_grant(world):
    assert access.has_perm(world.chair, Perm.VIEW_MEMBERS, world.school)
    assert access.has_perm(world.chair, Perm.VIEW_MEMBERS, world.group_a)
    deep = make_unit("深层组", "group", make_unit("分会", "branch", world.school, code="B1"))
    assert access.has_perm(world.chair, Perm.MANAGE_ORG, deep)


def test_it_does_not_reach_up_or_sideways(world):
    assert not access.has_perm(world.chair, Perm.VIEW_STATS, world.edu)
    assert not access.has_perm(world.chair, Perm.VIEW_STATS, world.county)
    assert not access.has_perm(world.chair, Perm.VIEW_STATS, world.factory_union)
    assert not access.has_perm(world.group_leader, Perm.VIEW_MEMBERS, world.group_b)
    assert not access.has_perm(world.group_leader, Perm.VIEW_MEMBERS, world.school)


def test_it_does_not_confuse_units_whose_ids_share_a_prefix(world):
    # "/1/2/" must not cover "/1/23/": paths end with a slash.
    units = [make_unit(f"组{i}", "group", world.factory_union, code=f"F{i}") for i in range(12)]
    leader = UserFactory(username="leader2")
    services.role_grant(actor=None, user=leader, role=Role.GROUP_LEADER, unit=units[0])
    for u in units[1:]:
        assert not access.has_perm(leader, Perm.VIEW_MEMBERS, u)


def test_it_gives_each_role_its_permissions_only(world):
    s = world.school
    assert access.has_perm(world.cadre, Perm.EDIT_MEMBERS, s)
    assert not access.has_perm(world.cadre, Perm.MANAGE_ORG, s)
    assert not access.has_perm(world.cadre, Perm.VIEW_AUDIT, s)
    assert access.has_perm(world.auditor, Perm.VIEW_FINANCE, s)
    assert not access.has_perm(world.auditor, Perm.VIEW_MEMBERS, s)
    assert not access.has_perm(world.member, Perm.VIEW_STATS, s)
    assert access.has_perm(world.chair, Perm.VIEW_AUDIT, s)


def test_it_keeps_strict_permissions_from_administrators(world):
    # given: an administrator reaches every unit with every ordinary permission
    assert access.has_perm(world.admin, Perm.MANAGE_CARE, world.school)
    # then: hardship files and cap overrides are not theirs (decision 0006)
    for perm in access.STRICT_PERMS:
        assert not access.has_perm(world.admin, perm, world.school)
        assert not access.has_any(world.admin, perm)
        assert not access.units_with(world.admin, perm).exists()
        assert access.top_units(world.admin, perm) == []


def test_it_gives_hardship_files_to_the_chair_and_named_care_officers_only(world):
    officer = UserFactory(username="care_officer")
    services.role_grant(actor=None, user=officer, role=Role.CARE_OFFICER, unit=world.school)
    assert access.has_perm(world.chair, Perm.VIEW_HARDSHIP, world.school)
    assert access.has_perm(officer, Perm.VIEW_HARDSHIP, world.group_a)
    assert not access.has_perm(officer, Perm.OVERRIDE_CAPS, world.school)
    assert not access.has_perm(officer, Perm.VIEW_HARDSHIP, world.factory_union)
    for persona in ("cadre", "group_leader", "member", "other_chair", "upper_officer", "auditor"):
        user = world.personas()[persona]
        assert not access.has_perm(user, Perm.VIEW_HARDSHIP, world.school), persona
        assert not access.has_perm(user, Perm.OVERRIDE_CAPS, world.school), persona


def test_it_lets_members_take_part_in_their_union_only(world):
    assert access.has_perm(world.member, Perm.PARTICIPATE, world.school)
    assert not access.has_perm(world.member, Perm.PARTICIPATE, world.factory_union)
    assert not access.has_perm(world.upper_officer, Perm.PARTICIPATE, world.school)
    assert access.has_perm(world.cadre, Perm.MANAGE_CONGRESS, world.school)
    assert not access.has_perm(world.group_leader, Perm.MANAGE_CONGRESS, world.school)
    assert access.has_perm(world.group_leader, Perm.REPORT_CARE, world.group_a)
    assert not access.has_perm(world.group_leader, Perm.MANAGE_CARE, world.group_a)


def test_it_forgets_revoked_grants(world):
    grant = RoleGrant.objects.get(user=world.cadre, role=Role.CADRE)
    assert access.has_perm(world.cadre, Perm.VIEW_MEMBERS, world.school)
    services.role_revoke(actor=world.chair, grant=grant)
    access.forget_grants(world.cadre)
    assert not access.has_perm(world.cadre, Perm.VIEW_MEMBERS, world.school)
    assert not access.has_any(world.cadre, Perm.VIEW_STATS)
    assert access.home_unit(world.cadre) is None


def test_it_ignores_grants_on_archived_units(world):
    empty = make_unit("临时组", "group", world.school, code="TMP")
    leader = UserFactory(username="tmp_leader")
    services.role_grant(actor=None, user=leader, role=Role.GROUP_LEADER, unit=empty)
    assert access.has_perm(leader, Perm.VIEW_ORG, empty)
    services.unit_archive(actor=world.chair, unit=empty, reason="撤销")
    access.forget_grants(leader)
    assert not access.has_perm(leader, Perm.VIEW_ORG, empty)
    assert list(access.units_with(leader, Perm.VIEW_ORG)) == []


def test_it_keeps_archived_units_out_of_units_with(world):
    empty = make_unit("临时组", "group", world.school, code="TMP")
    services.unit_archive(actor=world.chair, unit=empty, reason="撤销")
    assert empty not in access.units_with(world.chair, Perm.VIEW_ORG)


def test_it_gives_upper_officers_aggregates_but_no_individuals(world):
    officer = world.upper_officer
    assert access.has_perm(officer, Perm.VIEW_STATS, world.school)
    assert access.has_perm(officer, Perm.VIEW_ORG, world.workshop)
    assert not access.has_perm(officer, Perm.VIEW_MEMBERS, world.school)
    assert not access.has_perm(officer, Perm.VIEW_SENSITIVE, world.school)
    assert not access.scope(Member.objects.all(), officer, Perm.VIEW_MEMBERS, "unit").exists()


def test_it_lets_an_upper_officer_with_the_flag_see_individuals_but_not_sensitive_data(world):
    officer = UserFactory(username="inspector")
    services.role_grant(
        actor=world.admin,
        user=officer,
        role=Role.UPPER_OFFICER,
        unit=world.edu,
        may_see_individuals=True,
    )
    assert access.has_perm(officer, Perm.VIEW_MEMBERS, world.school)
    assert not access.has_perm(officer, Perm.VIEW_SENSITIVE, world.school)
    assert not access.has_perm(officer, Perm.EDIT_MEMBERS, world.school)
    assert not access.has_perm(officer, Perm.VIEW_MEMBERS, world.factory_union)
    visible = access.scope(Member.objects.all(), officer, Perm.VIEW_MEMBERS, "unit")
    assert set(visible) == {world.member_a, world.member_b}


def test_it_lets_an_admin_see_everything(world):
    assert access.is_admin(world.admin)
    assert not access.is_admin(world.chair)
    assert access.scope(Member.objects.all(), world.admin, Perm.VIEW_MEMBERS, "unit").count() == 3
    root2 = make_unit("另一个总工会", "federation", code="FED2")
    assert (
        access.scope(OrgUnit.objects.all(), world.admin, Perm.VIEW_ORG, "pk")
        .filter(pk=root2.pk)
        .exists()
    )


def test_it_scopes_querysets_to_the_users_units(world):
    chair_members = access.scope(Member.objects.all(), world.chair, Perm.VIEW_MEMBERS, "unit")
    assert set(chair_members) == {world.member_a, world.member_b}
    leader_members = access.scope(
        Member.objects.all(), world.group_leader, Perm.VIEW_MEMBERS, "unit"
    )
    assert set(leader_members) == {world.member_a}
    assert not access.scope(Member.objects.all(), world.member, Perm.VIEW_MEMBERS, "unit").exists()


def test_it_finds_the_highest_units_and_the_home_unit(world):
    services.role_grant(actor=None, user=world.cadre, role=Role.CADRE, unit=world.group_a)
    access.forget_grants(world.cadre)
    assert access.top_units(world.cadre, Perm.VIEW_STATS) == [world.school]
    services.role_grant(actor=None, user=world.cadre, role=Role.CADRE, unit=world.factory_union)
    access.forget_grants(world.cadre)
    assert set(access.top_units(world.cadre, Perm.VIEW_STATS)) == {
        world.school,
        world.factory_union,
    }
    assert access.home_unit(world.upper_officer) == world.county
    assert access.home_unit(world.member) is None


def test_it_knows_a_member_is_themself(world):
    assert access.is_self(world.member, world.member_a.person_id)
    assert not access.is_self(world.member, world.member_b.person_id)
    assert not access.is_self(world.chair, world.member_a.person_id)


# ---- role × page matrix -------------------------------------------------------------------

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def _pages(world) -> dict[str, str]:
    s, f = world.school, world.factory_union
    return {
        "dashboard": reverse("dashboard"),
        "org_tree": reverse("org_tree"),
        "unit_school": reverse("unit_detail", args=[s.pk]),
        "unit_group_a": reverse("unit_detail", args=[world.group_a.pk]),
        "unit_factory": reverse("unit_detail", args=[f.pk]),
        "unit_missing": reverse("unit_detail", args=[987654]),
        "unit_new": reverse("unit_new"),
        "unit_edit_school": reverse("unit_edit", args=[s.pk]),
        "unit_move_group_a": reverse("unit_move", args=[world.group_a.pk]),
        "unit_archive_factory": reverse("unit_archive", args=[f.pk]),
        "term_start_school": reverse("term_start", args=[s.pk]),
        "registration_school": reverse("registration_new", args=[s.pk]),
        "audit_log": reverse("audit_log"),
        "history_school": reverse("record_history", args=["core.orgunit", s.pk]),
        "history_factory": reverse("record_history", args=["core.orgunit", f.pk]),
        "user_list": reverse("user_list"),
        "user_new": reverse("user_new"),
        "grant_new": reverse("grant_new"),
    }


# Columns follow PERSONAS.
MATRIX: dict[str, tuple[int, ...]] = {
    #                       chair cadre leader member other upper auditor admin
    "dashboard": (OK, OK, OK, REDIRECT, OK, OK, OK, OK),
    "org_tree": (OK, OK, OK, FORBIDDEN, OK, OK, OK, OK),
    "unit_school": (OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK),
    "unit_group_a": (OK, OK, OK, FORBIDDEN, NOT_FOUND, OK, OK, OK),
    "unit_factory": (NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, NOT_FOUND, OK),
    "unit_missing": (
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        FORBIDDEN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
    ),
    "unit_new": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    "unit_edit_school": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    "unit_move_group_a": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    "unit_archive_factory": (
        NOT_FOUND,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        OK,
    ),
    "term_start_school": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    "registration_school": (
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        NOT_FOUND,
        FORBIDDEN,
        FORBIDDEN,
        OK,
    ),
    "audit_log": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    "history_school": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    "history_factory": (NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    "user_list": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    "user_new": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
    "grant_new": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK),
}
CASES = [(page, persona, MATRIX[page][i]) for page in MATRIX for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("page", "persona", "expected"), CASES)
def test_it_answers_each_persona_on_each_page_as_the_matrix_says(
    client, world, page, persona, expected
):
    client.force_login(getattr(world, persona))
    response = client.get(_pages(world)[page])
    assert response.status_code == expected, (page, persona)


@pytest.mark.parametrize("page", list(MATRIX))
def test_it_sends_anonymous_visitors_to_login_from_every_page(client, world, page):
    response = client.get(_pages(world)[page])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_another_unions_units_by_guessed_id_for_every_unit_page(client, world):
    client.force_login(world.chair)
    f = world.factory_union
    for name in (
        "unit_detail",
        "unit_edit",
        "unit_move",
        "unit_archive",
        "term_start",
        "registration_new",
    ):
        assert client.get(reverse(name, args=[f.pk])).status_code == 404, name
        if name != "unit_detail":
            response = client.post(reverse(name, args=[f.pk]), {"reason": "x"})
            assert response.status_code == 404, name
    assert client.get(reverse("unit_new"), {"parent": f.pk}).status_code == 404
    assert client.get(reverse("dashboard"), {"unit": f.pk}).status_code == 404
    f.refresh_from_db()
    assert f.archived_at is None


def test_it_refuses_get_on_revoke(client, world):
    client.force_login(world.chair)
    grant = RoleGrant.objects.get(user=world.cadre)
    assert client.get(reverse("grant_revoke", args=[grant.pk])).status_code == 405
