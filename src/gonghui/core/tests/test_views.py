"""Core pages: the tree, unit actions, committees, registration, users and roles, audit
trail, login throttling and password hashing. Access per persona is in test_access.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from gonghui import settings as product_settings
from gonghui.core import services
from gonghui.core.models import (
    AuditEvent,
    CommitteePosition,
    CommitteeTerm,
    LegalPersonRegistration,
    OrgUnit,
    Role,
    RoleGrant,
    User,
)
from gonghui.testing.factories import MemberFactory, UserFactory, make_unit

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def chair(client, world):
    client.force_login(world.chair)
    return client


# ---- organisation tree ---------------------------------------------------------------------


def test_it_shows_the_tree_with_member_counts_and_kinds(chair, world):
    MemberFactory(union=world.school, unit=world.group_a)
    response = chair.get(reverse("org_tree"))
    assert response.status_code == 200
    (tree,) = response.context["trees"]
    assert tree.unit == world.school
    assert tree.members == 3
    counts = {n.unit.code: n.members for n in tree.children}
    assert counts == {"SCH-A": 2, "SCH-B": 1}
    body = response.content.decode()
    assert reverse("unit_detail", args=[world.group_a.pk]) in body
    assert "kind-group" in body
    assert reverse("unit_new") in body


def test_it_hides_the_add_button_from_those_who_cannot_manage(client, world):
    client.force_login(world.upper_officer)
    response = client.get(reverse("org_tree"))
    assert response.context["trees"][0].members == 3
    assert reverse("unit_new") not in response.content.decode()


def test_it_leaves_archived_units_out_of_the_tree(chair, world):
    old = make_unit("旧组", "group", world.school, code="OLD")
    services.unit_archive(actor=world.chair, unit=old, reason="合并")
    assert "旧组" not in chair.get(reverse("org_tree")).content.decode()


def test_it_builds_the_tree_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(10):
        b = make_unit(f"分会{i}", "branch", world.school, code=f"B{i}")
        make_unit(f"组{i}", "group", b, code=f"G{i}")
    client.force_login(world.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("org_tree"))
    assert response.status_code == 200


# ---- unit detail and unit actions ----------------------------------------------------------


def test_it_shows_a_unit_with_breadcrumb_children_and_counts(chair, world):
    response = chair.get(reverse("unit_detail", args=[world.school.pk]))
    assert response.status_code == 200
    ctx = response.context
    assert [a for a, _visible in ctx["ancestors"]] == [world.county, world.edu]
    assert [visible for _a, visible in ctx["ancestors"]] == [False, False]
    assert {c.code: c.members for c in ctx["children"]} == {"SCH-A": 1, "SCH-B": 1}
    assert ctx["members_total"] == 2
    assert ctx["can_manage"]
    body = response.content.decode()
    assert reverse("unit_edit", args=[world.school.pk]) in body
    # ancestors above the chair's scope are named but not linked
    assert reverse("unit_detail", args=[world.edu.pk]) not in body


def test_it_shows_no_action_buttons_to_viewers(client, world):
    client.force_login(world.cadre)
    body = client.get(reverse("unit_detail", args=[world.school.pk])).content.decode()
    assert reverse("unit_edit", args=[world.school.pk]) not in body
    assert reverse("term_start", args=[world.school.pk]) not in body


def test_it_adds_a_child_unit(chair, world):
    response = chair.post(
        reverse("unit_new"),
        {"parent": world.school.pk, "name": "英语组", "code": "SCH-E", "kind": "group"},
    )
    unit = OrgUnit.objects.get(code="SCH-E")
    assert response.status_code == 302
    assert response.url == reverse("unit_detail", args=[unit.pk])
    assert unit.parent == world.school
    assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_it_prefills_the_parent_and_offers_only_managed_units(chair, world):
    response = chair.get(reverse("unit_new"), {"parent": world.school.pk})
    form = response.context["form"]
    assert form.initial["parent"] == world.school
    offered = set(form.fields["parent"].queryset)
    assert world.school in offered
    assert world.factory_union not in offered and world.edu not in offered
    assert world.group_a not in offered  # groups take no children


def test_it_shows_the_services_refusal_on_the_form(chair, world):
    response = chair.post(
        reverse("unit_new"),
        {"parent": world.school.pk, "name": "X", "code": "X1", "kind": "federation"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_it_refuses_a_parent_outside_scope_in_the_form(chair, world):
    response = chair.post(
        reverse("unit_new"),
        {"parent": world.factory_union.pk, "name": "X", "code": "X1", "kind": "group"},
    )
    assert response.context["form"].errors["parent"]
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_it_edits_a_unit(chair, world):
    response = chair.post(
        reverse("unit_edit", args=[world.school.pk]),
        {
            "name": "第一中学工会委员会",
            "staff_count": "150",
            "sort_order": "1",
            "address": "城关镇",
        },
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert (world.school.name, world.school.staff_count) == ("第一中学工会委员会", 150)


def test_it_returns_the_form_partial_to_htmx_and_redirects_by_header(chair, world):
    url = reverse("unit_edit", args=[world.school.pk])
    partial = chair.get(url, **HTMX)
    assert b'id="action-panel"' in partial.content
    assert b"<html" not in partial.content
    done = chair.post(url, {"name": "新名", "sort_order": "0"}, **HTMX)
    assert done["HX-Redirect"] == reverse("unit_detail", args=[world.school.pk])


def test_it_moves_a_unit_among_managed_units_only(chair, world):
    branch = make_unit("初中部", "branch", world.school, code="J")
    url = reverse("unit_move", args=[world.group_a.pk])
    targets = set(chair.get(url).context["form"].fields["new_parent"].queryset)
    assert targets == {branch}  # not its current parent, nothing outside the union
    chair.post(url, {"new_parent": branch.pk})
    world.group_a.refresh_from_db()
    assert world.group_a.path == f"{branch.path}{world.group_a.pk}/"
    refused = chair.post(url, {"new_parent": world.factory_union.pk})
    assert refused.context["form"].errors["new_parent"]


def test_it_archives_a_unit_with_a_reason(chair, world):
    empty = make_unit("旧组", "group", world.school, code="OLD")
    response = chair.post(reverse("unit_archive", args=[empty.pk]), {"reason": "合并到语文组"})
    assert response.url == reverse("unit_detail", args=[world.school.pk])
    empty.refresh_from_db()
    assert empty.archived_at is not None
    # the archived unit is still readable
    assert chair.get(reverse("unit_detail", args=[empty.pk])).status_code == 200


def test_it_refuses_archiving_without_a_reason_or_with_children(chair, world):
    no_reason = chair.post(reverse("unit_archive", args=[world.group_a.pk]), {"reason": ""})
    assert no_reason.context["form"].errors["reason"]
    with_children = chair.post(reverse("unit_archive", args=[world.school.pk]), {"reason": "x"})
    assert with_children.context["form"].non_field_errors()
    world.school.refresh_from_db()
    assert world.school.archived_at is None


def test_it_refuses_get_style_changes_and_requires_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.chair)
    response = strict.post(reverse("unit_archive", args=[world.group_a.pk]), {"reason": "x"})
    assert response.status_code == 403
    world.group_a.refresh_from_db()
    assert world.group_a.archived_at is None


# ---- committees and registration -----------------------------------------------------------


def test_it_starts_a_term_assigns_and_ends_seats_through_the_pages(chair, world):
    # start the first term of the union committee
    url = reverse("term_start", args=[world.school.pk])
    assert chair.get(url, {"kind": "union"}).context["form"].initial["number"] == 1
    chair.post(url, {"kind": "union", "number": 1, "starts_on": "2021-09-01", "years": 5})
    term = CommitteeTerm.objects.get(committee__union=world.school)
    # assign the chair from the union's members
    assign = reverse("position_assign", args=[term.pk])
    people = set(chair.get(assign).context["form"].fields["person"].queryset)
    assert people == {world.member_a.person, world.member_b.person}
    chair.post(
        assign,
        {
            "person": world.member_a.person.pk,
            "position": "chair",
            "starts_on": "2021-09-01",
            "source": "elected",
        },
    )
    seat = CommitteePosition.objects.get(term=term)
    page = chair.get(reverse("unit_detail", args=[world.school.pk]))
    union_committee = next(c for c in page.context["committees"] if c.kind == "union")
    assert union_committee.running.current == [seat]
    assert "李芳" in page.content.decode()
    # end the seat
    chair.post(reverse("position_end", args=[seat.pk]), {"ends_on": "2023-01-01", "reason": "调离"})
    seat.refresh_from_db()
    assert (seat.ends_on, seat.end_reason) == (date(2023, 1, 1), "调离")
    # the next term is proposed with number 2
    assert chair.get(url, {"kind": "union"}).context["form"].initial["number"] == 2


def test_it_searches_the_seat_chooser_within_the_union_instead_of_listing_everyone(chair, world):
    # given a term, and members in the union and outside it whose names start alike
    term = services.committee_term_start(
        actor=None, union=world.school, kind="union", number=1, starts_on=date(2021, 9, 1)
    )
    assign = reverse("position_assign", args=[term.pk])
    # when the form opens, then no member is written into it as an option
    html = chair.get(assign).content.decode()
    assert "李芳" not in html and "王强" not in html
    assert 'type="search"' in html and f'hx-get="{assign}"' in html
    # when the chooser searches, then only matching members of the union come back
    found = chair.get(assign, {"q": "李"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{world.member_a.person.pk}"' in found and "王强" not in found
    assert "赵敏" not in chair.get(assign, {"q": "赵"}).content.decode()  # another union's
    by_number = chair.get(assign, {"q": world.member_b.member_no}).content.decode()
    assert f'value="{world.member_b.person.pk}"' in by_number
    # and a posted choice that fails elsewhere shows again as the chosen option only
    response = chair.post(assign, {"person": world.member_b.person.pk, "position": "chair"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<option value="{world.member_b.person.pk}" selected>' in html
    assert "李芳" not in html


def test_it_refuses_a_person_outside_the_union_for_a_seat(chair, world):
    term = services.committee_term_start(
        actor=None, union=world.school, kind="union", number=1, starts_on=date(2021, 9, 1)
    )
    response = chair.post(
        reverse("position_assign", args=[term.pk]),
        {
            "person": world.outsider.person.pk,
            "position": "member",
            "starts_on": "2021-09-01",
            "source": "elected",
        },
    )
    assert response.context["form"].errors["person"]
    assert not CommitteePosition.objects.exists()


def test_it_refuses_seat_pages_of_another_union(client, world):
    term = services.committee_term_start(
        actor=None, union=world.school, kind="union", number=1, starts_on=date(2021, 9, 1)
    )
    seat = services.position_assign(
        actor=None,
        term=term,
        person=world.member_a.person,
        position="chair",
        starts_on=date(2021, 9, 1),
    )
    client.force_login(world.other_chair)
    assert client.get(reverse("position_assign", args=[term.pk])).status_code == 404
    response = client.post(
        reverse("position_end", args=[seat.pk]), {"ends_on": "2023-01-01", "reason": "x"}
    )
    assert response.status_code == 404
    seat.refresh_from_db()
    assert seat.ends_on is None


def test_it_records_a_registration_and_lists_its_history(chair, world):
    url = reverse("registration_new", args=[world.school.pk])
    chair.post(
        url,
        {
            "credit_code": "81110105MC1234567X",
            "legal_representative": "张主席",
            "registered_on": "2019-05-01",
        },
    )
    # the next form starts from the current registration
    assert chair.get(url).context["form"].initial["legal_representative"] == "张主席"
    chair.post(
        url,
        {
            "credit_code": "81110105MC1234567X",
            "legal_representative": "李主席",
            "registered_on": "2023-01-05",
            "change_note": "法定代表人变更",
        },
    )
    page = chair.get(reverse("unit_detail", args=[world.school.pk]))
    assert [r.legal_representative for r in page.context["registrations"]] == ["李主席", "张主席"]
    bad = chair.post(
        url, {"credit_code": "123", "legal_representative": "x", "registered_on": "2024-01-01"}
    )
    assert bad.context["form"].errors["credit_code"]
    assert LegalPersonRegistration.objects.count() == 2


# ---- users and roles -----------------------------------------------------------------------


def test_it_lists_grants_in_the_chairs_subtree_only(chair, world):
    response = chair.get(reverse("user_list"))
    users = {g.user.username for g in response.context["grants"]}
    assert users == {"chair", "cadre", "leader", "member", "auditor"}
    assert "other_chair" not in response.content.decode()


def test_it_lists_users_without_a_role_to_an_administrator_only(client, chair, world):
    # given a login without any role, and one whose only role was revoked
    UserFactory(username="newcomer")
    revoked = UserFactory(username="former")
    grant = services.role_grant(actor=None, user=revoked, role=Role.CADRE, unit=world.school)
    services.role_revoke(actor=None, grant=grant)
    # when a chair (a user manager of their union only) opens the users page, then neither
    response = chair.get(reverse("user_list"))
    assert response.context["without_roles"] == []
    assert "newcomer" not in response.content.decode()
    # when the administrator opens it, then both are listed
    client.force_login(world.admin)
    response = client.get(reverse("user_list"))
    assert {u.username for u in response.context["without_roles"]} >= {"newcomer", "former"}
    assert "newcomer" in response.content.decode()


def test_it_lists_grants_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(15):
        services.role_grant(
            actor=None, user=UserFactory(username=f"g{i}"), role=Role.MEMBER, unit=world.school
        )
    client.force_login(world.admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("user_list"))
    assert len(response.context["grants"]) > 15


def test_it_creates_a_user_linked_to_a_member_with_a_role(chair, world):
    response = chair.post(
        reverse("user_new"),
        {
            "username": "wangqiang",
            "display_name": "王强",
            "password": "Gonghui-2024-strong",
            "person_ref": world.member_b.member_no,
            "role": "group_leader",
            "unit": world.group_b.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wangqiang")
    assert user.person == world.member_b.person
    assert user.check_password("Gonghui-2024-strong")
    assert RoleGrant.objects.filter(user=user, role="group_leader", unit=world.group_b).exists()


def test_it_refuses_weak_passwords_and_outsiders_on_user_creation(chair, world):
    weak = chair.post(
        reverse("user_new"), {"username": "u1", "display_name": "u", "password": "12345678"}
    )
    assert weak.context["form"].errors["password"]
    outsider = chair.post(
        reverse("user_new"),
        {
            "username": "u2",
            "display_name": "u",
            "password": "Gonghui-2024-strong",
            "person_ref": world.outsider.person.id_number,
        },
    )
    assert outsider.context["form"].errors["person_ref"]
    assert not User.objects.filter(username__in=["u1", "u2"]).exists()


def test_it_creates_nothing_when_the_role_is_refused(chair, world):
    response = chair.post(
        reverse("user_new"),
        {
            "username": "u3",
            "display_name": "u",
            "password": "Gonghui-2024-strong",
            "role": "cadre",
            "unit": world.factory_union.pk,
        },
    )
    assert response.context["form"].errors["unit"]
    assert not User.objects.filter(username="u3").exists()


def test_it_grants_and_revokes_roles(chair, world):
    newcomer = UserFactory(username="newcomer")
    chair.post(
        reverse("grant_new"), {"username": "newcomer", "role": "cadre", "unit": world.school.pk}
    )
    grant = RoleGrant.objects.get(user=newcomer, revoked_at__isnull=True)
    response = chair.post(reverse("grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_it_keeps_the_individuals_flag_for_admins_and_covering_chairs(client, world):
    officer = UserFactory(username="officer")
    client.force_login(world.other_chair)
    response = client.post(
        reverse("grant_new"),
        {
            "username": "officer",
            "role": "upper_officer",
            "unit": world.workshop.pk,
            "may_see_individuals": "on",
        },
    )
    assert response.status_code == 302  # the factory chair covers the workshop
    client.force_login(world.admin)
    client.post(
        reverse("grant_new"),
        {
            "username": "officer",
            "role": "upper_officer",
            "unit": world.county.pk,
            "may_see_individuals": "on",
        },
    )
    assert RoleGrant.objects.filter(user=officer, may_see_individuals=True).count() == 2


def test_it_does_not_offer_the_admin_role_to_chairs(chair, world):
    roles = dict(chair.get(reverse("grant_new")).context["form"].fields["role"].choices)
    assert "admin" not in roles
    response = chair.post(
        reverse("grant_new"), {"username": "cadre", "role": "admin", "unit": world.school.pk}
    )
    assert response.context["form"].errors["role"]


def test_it_refuses_to_revoke_grants_of_another_union(client, world):
    grant = RoleGrant.objects.get(user=world.other_chair)
    client.force_login(world.chair)
    assert client.post(reverse("grant_revoke", args=[grant.pk])).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


# ---- audit trail ---------------------------------------------------------------------------


def test_it_shows_the_chair_the_audit_log_of_their_union_only(chair, world):
    services.unit_update(actor=world.other_chair, unit=world.factory_union, staff_count=301)
    services.unit_update(actor=world.chair, unit=world.school, staff_count=121)
    response = chair.get(reverse("audit_log"))
    units = {e.unit_id for e in response.context["page"]}
    assert world.school.pk in units
    assert world.factory_union.pk not in units
    body = response.content.decode()
    assert "diff-before" in body and "diff-after" in body and "121" in body


def test_it_filters_and_paginates_the_audit_log(client, world):
    for i in range(60):
        services.unit_update(actor=world.admin, unit=world.school, sort_order=i + 1)
    client.force_login(world.admin)
    first = client.get(reverse("audit_log"), {"action": "unit.update"})
    assert first.context["page"].paginator.count == 60
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("audit_log"), {"action": "unit.update", "page": 2})
    assert len(second.context["page"].object_list) == 10
    assert "action=unit.update" in second.context["query"]
    by_actor = client.get(reverse("audit_log"), {"actor": "chair"})
    assert by_actor.context["page"].paginator.count == 0
    by_text = client.get(reverse("audit_log"), {"q": "红星"})
    assert all("红星" in e.object_repr for e in by_text.context["page"])


def test_it_lists_the_audit_log_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(30):
        services.unit_update(actor=world.admin, unit=world.school, sort_order=i + 1)
    client.force_login(world.admin)
    with django_assert_max_num_queries(7):
        client.get(reverse("audit_log"))


def test_it_shows_a_records_history_with_readable_diffs(chair, world):
    services.unit_update(actor=world.chair, unit=world.school, staff_count=121)
    services.unit_update(actor=world.chair, unit=world.school, staff_count=125)
    response = chair.get(reverse("record_history", args=["core.orgunit", world.school.pk]))
    events = response.context["events"]
    assert [e.action for e in events] == ["unit.create", "unit.update", "unit.update"]
    last = events[-1].diff
    assert [(r.field, r.before, r.after) for r in last] == [("staff_count", "121", "125")]


def test_it_masks_id_numbers_and_phones_in_the_audit_trail(client, world):
    AuditEvent.objects.create(
        action="member.update",
        object_type="members.member",
        object_id="1",
        unit=world.school,
        before={"phone": "13912345678"},
        after={"phone": "13887654321"},
    )
    client.force_login(world.chair)
    body = client.get(reverse("record_history", args=["members.member", "1"])).content.decode()
    assert "13912345678" not in body and "139****5678" in body
    assert "138****4321" in body


# ---- login, logout, passwords, error pages -------------------------------------------------


def test_it_logs_in_and_out_by_post(client, world):
    response = client.post(reverse("login"), {"username": "chair", "password": "pass-Word-123"})
    assert response.status_code == 302
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_locks_the_sixth_login_after_five_failures(client, world):
    for attempt in range(1, 6):
        response = client.post(reverse("login"), {"username": "chair", "password": "wrong"})
        # the fifth failure is the one that locks, so it already answers 429
        assert response.status_code == (200 if attempt < 5 else 429)
    locked = client.post(reverse("login"), {"username": "chair", "password": "pass-Word-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"locked" in locked.content or "锁" in locked.content.decode()


def test_it_hashes_new_passwords_with_argon2(settings):
    settings.PASSWORD_HASHERS = product_settings.PASSWORD_HASHERS
    assert make_password("Gonghui-2024-strong").startswith("argon2")


def test_it_renders_the_403_and_404_pages(client, world):
    client.force_login(world.member)
    forbidden = client.get(reverse("org_tree"))
    assert forbidden.status_code == 403
    assert b"bi-shield-lock" in forbidden.content
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert b"bi-question-circle" in missing.content


def test_it_shows_a_unit_page_in_bounded_queries(client, world, django_assert_max_num_queries):
    for kind in ("union", "women", "funds_audit"):
        term = services.committee_term_start(
            actor=None, union=world.school, kind=kind, number=1, starts_on=date(2021, 9, 1)
        )
        for m in (world.member_a, world.member_b):
            services.position_assign(
                actor=None,
                term=term,
                person=m.person,
                position="member",
                starts_on=date(2021, 9, 1),
            )
    client.force_login(world.chair)
    with django_assert_max_num_queries(13):  # 12 + the bell's unread count
        response = client.get(reverse("unit_detail", args=[world.school.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cadre", 403),
        ("group_leader", 403),
        ("member", 403),
        ("upper_officer", 403),
        ("auditor", 403),
        ("other_chair", 404),
    ],
)
def test_it_refuses_changes_to_those_who_may_not_manage_the_unit(client, world, persona, expected):
    client.force_login(getattr(world, persona))
    url = reverse("unit_edit", args=[world.school.pk])
    assert client.post(url, {"name": "改名", "sort_order": "0"}).status_code == expected
    world.school.refresh_from_db()
    assert world.school.name == "第一中学工会"


def test_it_shows_audit_events_in_words_with_masked_corrections(client, world):
    # given a member's request to correct their ID number, and a unit change
    from gonghui.core.services import audit, unit_update

    unit_update(actor=world.chair, unit=world.school, staff_count=130)
    audit(
        actor=world.member,
        action="member.change_request",
        obj=world.member_a,
        unit=world.school,
        after={"id_number": {"old": "110105198005120022", "new": "110105198005120049"}},
    )
    client.force_login(world.chair)
    # when the chair reads the audit log
    page = client.get("/audit/").content.decode()
    # then actions and fields read as words, and both ID numbers stay masked
    assert "修改单位" in page and "申请更正信息" in page
    assert "职工人数" in page
    assert "110105********0022 → 110105********0049" in page
    assert "110105198005120022" not in page


def test_it_reloads_the_polling_page_when_a_job_ends(client, world):
    # given a job of the cadre's that is still running
    from gonghui.core.models import BackgroundJob

    job = BackgroundJob.objects.create(kind="test", status="running", created_by=world.cadre)
    client.force_login(world.cadre)
    url = f"/jobs/{job.pk}/"
    # when the page polls it, it keeps polling without a reload
    running = client.get(url, HTTP_HX_REQUEST="true")
    assert "every 1s" in running.content.decode()
    assert "HX-Refresh" not in running.headers
    # then once the job is done the poll asks the page to reload and show the outcome
    job.status = "done"
    job.save()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"
    # and another user cannot poll it
    client.force_login(world.other_chair)
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 403
