"""The member pages as every persona: the access matrix, filters, masking, export,
lifecycle steps, approvals, self-service and transfer-in."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gonghui.core import rules
from gonghui.core.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import Member, MemberStatus, ProfileChangeRequest
from gonghui.testing.factories import MemberFactory, PersonFactory, valid_id_number
from gonghui.testing.personas import PERSONAS


def _client(client, user):
    client.force_login(user)
    return client


def _xlsx(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return list(wb.active.iter_rows(values_only=True))


# ---- access matrix -------------------------------------------------------------------------

LIST_STATUS = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 200,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
# member_b sits in the school's group B
DETAIL_STATUS = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 404,
    "member": 403,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
EDIT_STATUS = DETAIL_STATUS
REVEAL_STATUS = DETAIL_STATUS
NEW_STATUS = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
APPROVALS_STATUS = {
    "chair": 200,
    "cadre": 403,
    "group_leader": 403,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
RETIRE_STATUS = {
    "chair": 302,
    "cadre": 302,
    "group_leader": 404,
    "member": 403,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, persona):
    user = world.personas()[persona]
    c = _client(client, user)
    b = world.member_b.pk
    assert c.get(reverse("members:list")).status_code == LIST_STATUS[persona]
    assert c.get(reverse("members:export")).status_code == LIST_STATUS[persona]
    assert c.get(reverse("members:detail", args=[b])).status_code == DETAIL_STATUS[persona]
    assert c.get(reverse("members:edit", args=[b])).status_code == EDIT_STATUS[persona]
    assert c.post(reverse("members:reveal", args=[b])).status_code == REVEAL_STATUS[persona]
    assert c.get(reverse("members:new")).status_code == NEW_STATUS[persona]
    assert c.get(reverse("members:transfer_in")).status_code == NEW_STATUS[persona]
    assert c.get(reverse("members:approvals")).status_code == APPROVALS_STATUS[persona]
    me = c.get(reverse("members:my_profile")).status_code
    assert me == (200 if persona == "member" else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_member_by_guessed_id(client, world, persona):
    c = _client(client, world.personas()[persona])
    guessed = world.outsider.pk
    expected = {"other_chair": 200, "admin": 200}.get(persona, DETAIL_STATUS[persona])
    if persona in ("chair", "cadre"):
        expected = 404
    assert c.get(reverse("members:detail", args=[guessed])).status_code == expected
    assert c.get(reverse("members:edit", args=[guessed])).status_code == expected
    r = c.post(reverse("members:lifecycle", args=[guessed, "retire"]), {"on": "2024-01-01"})
    assert r.status_code == {200: 302}.get(expected, expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_runs_a_lifecycle_step_only_for_editors(client, world, persona):
    c = _client(client, world.personas()[persona])
    r = c.post(
        reverse("members:lifecycle", args=[world.member_b.pk, "retire"]), {"on": "2024-01-01"}
    )
    assert r.status_code == RETIRE_STATUS[persona]
    world.member_b.refresh_from_db()
    assert (world.member_b.work_status == "retired") == (RETIRE_STATUS[persona] == 302)


def test_it_refuses_a_group_leader_a_step_on_their_own_group(client, world):
    c = _client(client, world.group_leader)
    r = c.post(
        reverse("members:lifecycle", args=[world.member_a.pk, "retire"]), {"on": "2024-01-01"}
    )
    assert r.status_code == 403
    assert c.get(reverse("members:detail", args=[world.member_a.pk])).status_code == 200


def test_it_sends_anonymous_users_to_the_login(client, world):
    r = client.get(reverse("members:list"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_allows_only_post_for_changes(client, world):
    c = _client(client, world.chair)
    b = world.member_b.pk
    assert c.get(reverse("members:reveal", args=[b])).status_code == 405
    assert c.get(reverse("members:lifecycle", args=[b, "retire"])).status_code == 405
    assert c.get(reverse("members:approve_application", args=[b])).status_code == 405
    assert c.get(reverse("members:decide_change", args=[1])).status_code == 405
    assert c.post(reverse("members:list")).status_code == 405


def test_it_answers_404_for_an_unknown_step(client, world):
    c = _client(client, world.chair)
    r = c.post(reverse("members:lifecycle", args=[world.member_b.pk, "promote"]))
    assert r.status_code == 404


def test_it_sends_a_member_from_their_own_detail_page_to_their_profile(client, world):
    c = _client(client, world.member)
    r = c.get(reverse("members:detail", args=[world.member_a.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("members:my_profile")
    assert c.get(reverse("members:detail", args=[world.member_b.pk])).status_code == 403


# ---- the list ------------------------------------------------------------------------------


def _names(response) -> set[str]:
    return {m.person.name for m in response.context["page"].object_list}


def test_it_lists_only_members_in_scope(client, world):
    r = _client(client, world.chair).get(reverse("members:list"))
    assert _names(r) == {"李芳", "王强"}
    r = _client(client, world.group_leader).get(reverse("members:list"))
    assert _names(r) == {"李芳"}
    r = _client(client, world.admin).get(reverse("members:list"))
    assert _names(r) == {"李芳", "王强", "赵敏"}


def test_it_filters_the_list(client, world):
    young = PersonFactory(name="周青", gender="F", birth_date=date(2000, 4, 2))
    y = MemberFactory(union=world.school, unit=world.group_b, person=young, is_model_worker=True)
    left = MemberFactory(union=world.school, person=PersonFactory(name="孙退"), status="left")
    c = _client(client, world.chair)
    url = reverse("members:list")
    assert _names(c.get(url, {"q": "王"})) == {"王强"}
    assert _names(c.get(url, {"q": y.member_no})) == {"周青"}
    assert _names(c.get(url, {"q": young.phone[-4:]})) == {"周青"}
    assert _names(c.get(url, {"unit": world.group_b.pk})) == {"王强", "周青"}
    assert _names(c.get(url, {"category": "model_worker"})) == {"周青"}
    assert _names(c.get(url, {"status": "left"})) == {"孙退"}
    assert "孙退" in _names(c.get(url, {"status": ""}))
    assert "孙退" not in _names(c.get(url))
    assert _names(c.get(url, {"gender": "F", "age_max": 30})) == {"周青"}
    assert _names(c.get(url, {"birth_month": 4, "q": "周"})) == {"周青"}
    assert _names(c.get(url, {"category": "young"})) >= {"周青"}
    assert left.pk  # in scope, only hidden by the status filter


def test_it_ignores_a_unit_outside_the_scope_in_the_filter(client, world):
    r = _client(client, world.chair).get(reverse("members:list"), {"unit": world.workshop.pk})
    assert r.status_code == 200
    assert _names(r) == {"李芳", "王强"}


def test_it_returns_the_table_partial_to_htmx(client, world):
    r = _client(client, world.chair).get(
        reverse("members:list"), {"q": "王"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    assert b"<html" not in r.content
    assert "王强" in r.content.decode()


def test_it_paginates_by_fifty_and_shows_the_count(client, world):
    MemberFactory.create_batch(60, union=world.school, unit=world.group_a)
    c = _client(client, world.chair)
    r = c.get(reverse("members:list"))
    assert r.context["page"].paginator.count == 62
    assert len(r.context["page"].object_list) == 50
    r2 = c.get(reverse("members:list"), {"page": 2})
    assert len(r2.context["page"].object_list) == 12
    assert "62" in r.content.decode()


def test_it_lists_without_n_plus_one_queries(client, world, django_assert_max_num_queries):
    MemberFactory.create_batch(60, union=world.school, unit=world.group_b)
    c = _client(client, world.chair)
    c.get(reverse("members:list"))  # warm the session
    with django_assert_max_num_queries(12):
        r = c.get(reverse("members:list"), {"page": 1})
    assert len(r.context["page"].object_list) == 50


# ---- masking and reveal -----------------------------------------------------------------


def test_it_masks_id_numbers_and_phones_in_list_and_detail(client, world):
    person = world.member_b.person
    c = _client(client, world.chair)
    for url in (reverse("members:list"), reverse("members:detail", args=[world.member_b.pk])):
        html = c.get(url).content.decode()
        assert person.id_number not in html
        assert person.phone not in html
        assert rules.mask_id_number(person.id_number) in html
        assert rules.mask_phone(person.phone) in html


def test_it_reveals_to_a_cadre_and_logs_the_read(client, world):
    person = world.member_b.person
    c = _client(client, world.cadre)
    r = c.post(reverse("members:reveal", args=[world.member_b.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert person.id_number in html and person.phone in html
    event = AuditEvent.objects.get(action="read_sensitive")
    assert event.actor == world.cadre
    assert event.object_id == str(person.pk)


def test_it_never_shows_clear_values_without_the_right(client, world):
    person = world.member_a.person
    c = _client(client, world.group_leader)
    html = c.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert person.id_number not in html
    assert reverse("members:reveal", args=[world.member_a.pk]) not in html
    r = c.post(reverse("members:reveal", args=[world.member_a.pk]))
    assert r.status_code == 403
    assert person.id_number not in r.content.decode()
    assert not AuditEvent.objects.filter(action="read_sensitive").exists()


# ---- export -----------------------------------------------------------------------------


def test_it_exports_masked_by_default(client, world):
    r = _client(client, world.chair).get(reverse("members:export"))
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"] and ".xlsx" in r["Content-Disposition"]
    rows = _xlsx(r)
    assert rows[0][:2] == ("会员编号", "姓名")
    ids = {row[4] for row in rows[1:]}
    assert ids == {
        rules.mask_id_number(world.member_a.person.id_number),
        rules.mask_id_number(world.member_b.person.id_number),
    }
    assert not AuditEvent.objects.filter(action="member.export_sensitive").exists()


def test_it_exports_clear_values_when_asked_and_logs_it(client, world):
    r = _client(client, world.chair).get(reverse("members:export"), {"sensitive": "1", "q": "王"})
    rows = _xlsx(r)
    assert len(rows) == 2
    assert rows[1][4] == world.member_b.person.id_number
    assert rows[1][5] == world.member_b.person.phone
    event = AuditEvent.objects.get(action="member.export_sensitive")
    assert event.after["count"] == 1
    assert event.actor == world.chair


def test_it_keeps_the_export_masked_for_a_group_leader_who_asks(client, world):
    r = _client(client, world.group_leader).get(reverse("members:export"), {"sensitive": "1"})
    rows = _xlsx(r)
    assert [row[1] for row in rows[1:]] == ["李芳"]
    assert rows[1][4] == rules.mask_id_number(world.member_a.person.id_number)
    assert not AuditEvent.objects.filter(action="member.export_sensitive").exists()


def test_it_exports_the_filtered_list(client, world):
    r = _client(client, world.admin).get(reverse("members:export"), {"unit": world.workshop.pk})
    assert [row[1] for row in _xlsx(r)[1:]] == ["赵敏"]


# ---- lifecycle through the page -----------------------------------------------------------


def test_it_shows_the_steps_the_user_may_take(client, world):
    html = (
        _client(client, world.cadre)
        .get(reverse("members:detail", args=[world.member_b.pk]))
        .content.decode()
    )
    assert reverse("members:lifecycle", args=[world.member_b.pk, "retire"]) in html
    assert reverse("members:lifecycle", args=[world.member_b.pk, "approve"]) not in html
    html = (
        _client(client, world.group_leader)
        .get(reverse("members:detail", args=[world.member_a.pk]))
        .content.decode()
    )
    assert "lifecycle" not in html


def test_it_shows_the_history_and_audit_link(client, world):
    services.member_move(
        actor=world.chair, member=world.member_b, to_unit=world.group_a, on=date(2024, 1, 2)
    )
    html = (
        _client(client, world.chair)
        .get(reverse("members:detail", args=[world.member_b.pk]))
        .content.decode()
    )
    assert "2024-01-02" in html
    assert reverse("record_history", args=["members.member", world.member_b.pk]) in html
    assert world.school.name in html


def test_it_shows_form_errors_and_changes_nothing(client, world):
    c = _client(client, world.cadre)
    url = reverse("members:lifecycle", args=[world.member_b.pk, "leave"])
    r = c.post(url, {"on": "2024-01-01", "reason": ""})
    assert r.status_code == 400
    world.member_b.refresh_from_db()
    assert world.member_b.status == MemberStatus.ACTIVE
    r = c.post(
        reverse("members:lifecycle", args=[world.member_b.pk, "transfer_out"]), {"on": "2024-01-01"}
    )
    assert r.status_code == 400
    with translation.override(r["Content-Language"]):
        expected = translation.gettext("Name the union outside the system in the note.")
    assert expected in r.content.decode()
    world.member_b.refresh_from_db()
    assert world.member_b.status == MemberStatus.ACTIVE


def test_it_shows_a_domain_error_for_a_wrong_state(client, world):
    services.member_retire(actor=world.cadre, member=world.member_b, on=date(2024, 1, 1))
    r = _client(client, world.cadre).post(
        reverse("members:lifecycle", args=[world.member_b.pk, "retire"]), {"on": "2024-02-01"}
    )
    assert r.status_code == 400
    assert r.context["step_forms"] is not None


def test_it_transfers_out_through_the_page(client, world):
    r = _client(client, world.cadre).post(
        reverse("members:lifecycle", args=[world.member_b.pk, "transfer_out"]),
        {"on": "2024-01-01", "to_union": world.factory_union.pk},
    )
    assert r.status_code == 302
    world.member_b.refresh_from_db()
    assert world.member_b.status == MemberStatus.TRANSFERRED_OUT


def test_it_moves_through_the_page(client, world):
    r = _client(client, world.cadre).post(
        reverse("members:lifecycle", args=[world.member_b.pk, "move"]),
        {"on": "2024-01-01", "to_unit": world.group_a.pk},
    )
    assert r.status_code == 302
    world.member_b.refresh_from_db()
    assert world.member_b.unit == world.group_a
    r = _client(client, world.cadre).post(
        reverse("members:lifecycle", args=[world.member_b.pk, "move"]),
        {"on": "2024-01-01", "to_unit": world.workshop.pk},
    )
    assert r.status_code == 400


# ---- new, edit ----------------------------------------------------------------------------


def _new_data(world, **kw) -> dict:
    return {
        "mode": "enrol",
        "unit": world.group_a.pk,
        "joined_on": "2015-09-01",
        "name": "陈静",
        "id_number": valid_id_number(date(1990, 5, 17), 7, "F"),
        "phone": "13800001111",
        "employment_type": "permanent",
        **kw,
    }


def test_it_enrols_a_new_member(client, world):
    r = _client(client, world.cadre).post(reverse("members:new"), _new_data(world))
    assert r.status_code == 302
    m = Member.objects.get(person__name="陈静")
    assert (m.status, m.union, m.member_no) == (MemberStatus.ACTIVE, world.school, "SCH-00001")


def test_it_records_an_application(client, world):
    r = _client(client, world.cadre).post(reverse("members:new"), _new_data(world, mode="apply"))
    assert r.status_code == 302
    assert Member.objects.get(person__name="陈静").status == MemberStatus.APPLIED


def test_it_refuses_a_bad_id_number_on_the_new_form(client, world):
    data = _new_data(world)
    data["id_number"] = data["id_number"][:-1] + ("1" if data["id_number"][-1] != "1" else "2")
    r = _client(client, world.cadre).post(reverse("members:new"), data)
    assert r.status_code == 400
    assert "id_number" in r.context["form"].errors
    assert not Member.objects.filter(person__name="陈静").exists()


def test_it_refuses_a_unit_of_another_union_on_the_new_form(client, world):
    r = _client(client, world.cadre).post(
        reverse("members:new"), _new_data(world, unit=world.workshop.pk)
    )
    assert r.status_code == 400
    assert "unit" in r.context["form"].errors


def test_it_edits_a_member(client, world):
    c = _client(client, world.cadre)
    url = reverse("members:edit", args=[world.member_b.pk])
    form = c.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(post="班主任", birth_date=str(form.initial["birth_date"]), joined_on="2020-09-01")
    r = c.post(url, data)
    assert r.status_code == 302, r.context["form"].errors
    world.member_b.refresh_from_db()
    assert world.member_b.post == "班主任"
    assert AuditEvent.objects.filter(action="member.update").count() == 1


# ---- approvals -----------------------------------------------------------------------------


def _application(world) -> Member:
    return services.member_apply(
        actor=None,
        union=world.school,
        unit=world.group_a,
        person={"name": "申请人", "id_number": valid_id_number(date(1995, 1, 1), 3, "M")},
        applied_on=date(2024, 1, 1),
    )


def test_it_lists_and_approves_applications(client, world):
    m = _application(world)
    c = _client(client, world.chair)
    assert "申请人" in c.get(reverse("members:approvals")).content.decode()
    r = c.post(reverse("members:approve_application", args=[m.pk]), {"decision": "approve"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == MemberStatus.ACTIVE


def test_it_rejects_an_application_only_with_a_note(client, world):
    m = _application(world)
    c = _client(client, world.chair)
    url = reverse("members:approve_application", args=[m.pk])
    assert c.post(url, {"decision": "reject"}).status_code == 400
    m.refresh_from_db()
    assert m.status == MemberStatus.APPLIED
    assert c.post(url, {"decision": "reject", "note": "不符合条件"}).status_code == 302
    m.refresh_from_db()
    assert m.status == MemberStatus.REJECTED


def test_it_hides_applications_of_other_unions(client, world):
    m = _application(world)
    c = _client(client, world.other_chair)
    assert "申请人" not in c.get(reverse("members:approvals")).content.decode()
    r = c.post(reverse("members:approve_application", args=[m.pk]), {"decision": "approve"})
    assert r.status_code == 404
    r = _client(client, world.cadre).post(
        reverse("members:approve_application", args=[m.pk]), {"decision": "approve"}
    )
    assert r.status_code == 403


# ---- self-service --------------------------------------------------------------------------


def _profile_data(person, **kw) -> dict:
    data = {
        "name": person.name,
        "gender": person.gender,
        "birth_date": str(person.birth_date),
        "id_number": person.id_number,
        "phone": person.phone,
        "ethnicity": "",
        "political_status": "",
        "education": "",
    }
    data.update(kw)
    return data


def test_it_shows_a_member_their_own_profile_masked(client, world):
    r = _client(client, world.member).get(reverse("members:my_profile"))
    html = r.content.decode()
    assert "李芳" in html and world.school.name in html
    assert "王强" not in html


def test_it_masks_the_members_own_id_number_until_shown_and_logs_the_showing(client, world):
    person = world.member_a.person
    c = _client(client, world.member)
    # given the profile page: the ID number is masked, also in the form
    html = c.get(reverse("members:my_profile")).content.decode()
    assert person.id_number not in html
    assert rules.mask_id_number(person.id_number) in html
    assert reverse("members:my_reveal") in html
    # when the member asks to see it, then it is shown and the reading is logged
    r = c.post(reverse("members:my_reveal"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and person.id_number in r.content.decode()
    event = AuditEvent.objects.get(action="read_sensitive")
    assert event.actor == world.member and event.object_id == str(person.pk)
    assert event.after == {"fields": ["id_number"]}


def test_it_answers_the_own_reveal_only_to_a_member_by_post(client, world):
    assert _client(client, world.member).get(reverse("members:my_reveal")).status_code == 405
    assert _client(client, world.admin).post(reverse("members:my_reveal")).status_code == 404
    assert not AuditEvent.objects.filter(action="read_sensitive").exists()


def test_it_keeps_the_id_number_when_the_profile_form_leaves_it_empty(client, world):
    person = world.member_a.person
    r = _client(client, world.member).post(
        reverse("members:my_profile"), _profile_data(person, id_number="", phone="13700007778")
    )
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.id_number and person.phone == "13700007778"
    assert not ProfileChangeRequest.objects.exists()


def test_it_saves_contact_changes_at_once(client, world):
    c = _client(client, world.member)
    person = world.member_a.person
    r = c.post(reverse("members:my_profile"), _profile_data(person, phone="13700007777"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13700007777"
    assert not ProfileChangeRequest.objects.exists()


def test_it_sends_identity_changes_for_approval_and_the_chair_decides(client, world):
    person = world.member_a.person
    r = _client(client, world.member).post(
        reverse("members:my_profile"), _profile_data(person, name="李芳芳", reason="改名")
    )
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.name == "李芳"
    request = ProfileChangeRequest.objects.get()
    c = _client(client, world.chair)
    assert "李芳芳" in c.get(reverse("members:approvals")).content.decode()
    r = c.post(reverse("members:decide_change", args=[request.pk]), {"decision": "approve"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.name == "李芳芳"


def test_it_refuses_another_union_deciding_a_change(client, world):
    _m, request = services.profile_update_self(actor=world.member, changes={"name": "李芳芳"})
    r = _client(client, world.other_chair).post(
        reverse("members:decide_change", args=[request.pk]), {"decision": "approve"}
    )
    assert r.status_code == 404


def test_it_shows_self_service_errors(client, world):
    person = world.member_a.person
    r = _client(client, world.member).post(
        reverse("members:my_profile"), _profile_data(person, phone="12345")
    )
    assert r.status_code == 400
    assert "phone" in r.context["form"].errors


# ---- transfer in ---------------------------------------------------------------------------


def test_it_takes_in_a_member_transferred_to_this_union(client, world):
    services.member_transfer_out(
        actor=world.cadre, member=world.member_b, on=date(2024, 1, 1), to_union=world.factory_union
    )
    idn = world.member_b.person.id_number
    c = _client(client, world.other_chair)
    r = c.post(reverse("members:transfer_in"), {"lookup": "1", "id_number": idn})
    assert r.status_code == 200
    assert r.context["candidate"] == world.member_b
    assert world.member_b.person.phone not in r.content.decode()
    r = c.post(
        reverse("members:transfer_in"),
        {"id_number": idn, "unit": world.workshop.pk, "on": "2024-01-05"},
    )
    assert r.status_code == 302
    world.member_b.refresh_from_db()
    assert (world.member_b.union, world.member_b.status) == (world.factory_union, "active")


def test_it_does_not_show_a_member_transferred_elsewhere(client, world):
    services.member_transfer_out(
        actor=world.cadre, member=world.member_b, on=date(2024, 1, 1), to_union=world.factory_union
    )
    idn = world.member_b.person.id_number
    c = _client(client, world.chair)
    r = c.post(reverse("members:transfer_in"), {"lookup": "1", "id_number": idn})
    assert r.context["candidate"] is None
    r = c.post(
        reverse("members:transfer_in"),
        {"id_number": idn, "unit": world.group_a.pk, "on": "2024-01-05"},
    )
    assert r.status_code == 400
    world.member_b.refresh_from_db()
    assert world.member_b.status == MemberStatus.TRANSFERRED_OUT


def test_it_does_not_show_an_active_member_of_another_union(client, world):
    r = _client(client, world.chair).post(
        reverse("members:transfer_in"),
        {"lookup": "1", "id_number": world.outsider.person.id_number},
    )
    assert r.context["candidate"] is None
    assert "赵敏" not in r.content.decode()


# ---- the list's rows, written in Python (listing.py) ------------------------------------


def test_it_escapes_names_in_the_list(client, world):
    MemberFactory(union=world.school, person=PersonFactory(name="<b>王</b>"))
    html = _client(client, world.chair).get(reverse("members:list")).content.decode()
    assert "&lt;b&gt;王&lt;/b&gt;" in html
    assert "<b>王</b>" not in html


def test_it_offers_the_reveal_in_the_list_only_to_who_may_reveal(client, world):
    reveal = reverse("members:reveal", args=[world.member_a.pk])
    detail = reverse("members:detail", args=[world.member_a.pk])
    html = _client(client, world.cadre).get(reverse("members:list")).content.decode()
    assert reveal in html and detail in html
    html = _client(client, world.group_leader).get(reverse("members:list")).content.decode()
    assert reveal not in html and detail in html


def test_it_keeps_the_filter_values_in_the_form(client, world):
    r = _client(client, world.chair).get(
        reverse("members:list"), {"q": "王", "gender": "F", "age_min": "30", "status": ""}
    )
    html = r.content.decode()
    assert 'name="q" value="王"' in html
    assert '<option value="F" selected>' in html
    assert 'name="age_min" value="30"' in html
    assert '<option value="" selected>' in html  # any status
