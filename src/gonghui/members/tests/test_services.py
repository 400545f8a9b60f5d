"""The membership lifecycle services: every step, its refusals and its audit rows."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import Member, MembershipEvent, MemberStatus, ProfileChangeRequest
from gonghui.testing.factories import MemberFactory, PersonFactory, valid_id_number

D = date(2024, 3, 1)


def _person(name: str = "陈静", seq: int = 7, gender: str = "F") -> dict:
    birth = date(1990, 5, 17)
    return {"name": name, "id_number": valid_id_number(birth, seq, gender), "phone": "13800001111"}


def _audit(action: str, obj) -> AuditEvent | None:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).first()


def _kinds(member: Member) -> list[str]:
    return list(member.events.order_by("on", "id").values_list("kind", flat=True))


# ---- apply, approve, reject, enrol --------------------------------------------------------


def test_it_records_an_application_with_person_data_from_the_id(world):
    m = services.member_apply(
        actor=world.cadre,
        union=world.school,
        unit=world.group_a,
        person=_person(),
        applied_on=D,
    )
    assert m.status == MemberStatus.APPLIED
    assert m.member_no == ""
    assert m.person.birth_date == date(1990, 5, 17)
    assert m.person.gender == "F"
    assert _kinds(m) == ["applied"]
    assert _audit("member.apply", m) is not None


def test_it_takes_birth_date_from_the_id_when_the_form_sends_none(world):
    data = {**_person(), "birth_date": None, "gender": ""}
    m = services.member_apply(
        actor=world.cadre, union=world.school, unit=world.group_a, person=data, applied_on=D
    )
    assert m.person.birth_date == date(1990, 5, 17)


def test_it_refuses_an_id_number_with_a_wrong_check_digit(world):
    data = _person()
    last = data["id_number"][-1]
    data["id_number"] = data["id_number"][:-1] + ("0" if last != "0" else "1")
    with pytest.raises(DomainError) as e:
        services.member_apply(
            actor=world.cadre, union=world.school, unit=world.group_a, person=data, applied_on=D
        )
    assert e.value.code == "person.id_number"
    assert e.value.field == "id_number"
    assert not Member.objects.filter(status=MemberStatus.APPLIED).exists()


def test_it_refuses_a_birth_date_that_contradicts_the_id(world):
    data = {**_person(), "birth_date": date(1991, 1, 1)}
    with pytest.raises(DomainError) as e:
        services.member_apply(
            actor=world.cadre, union=world.school, unit=world.group_a, person=data, applied_on=D
        )
    assert e.value.code == "person.id_mismatch"


def test_it_refuses_a_duplicate_id_of_an_active_member(world):
    data = {"name": "某人", "id_number": world.outsider.person.id_number}
    with pytest.raises(DomainError) as e:
        services.member_apply(
            actor=world.cadre, union=world.school, unit=world.group_a, person=data, applied_on=D
        )
    assert e.value.code == "member.exists"
    world.outsider.refresh_from_db()
    assert world.outsider.union == world.factory_union


def test_it_refuses_a_unit_of_another_union(world):
    with pytest.raises(DomainError) as e:
        services.member_apply(
            actor=world.cadre,
            union=world.school,
            unit=world.workshop,
            person=_person(),
            applied_on=D,
        )
    assert e.value.code == "member.unit_outside_union"


def test_it_approves_and_numbers_in_sequence(world):
    a = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person("甲", 1), applied_on=D
    )
    b = services.member_apply(
        actor=None,
        union=world.school,
        unit=world.group_a,
        person=_person("乙", 2, "M"),
        applied_on=D,
    )
    a = services.member_approve(actor=world.chair, member=a, on=D)
    b = services.member_approve(actor=world.chair, member=b, on=D)
    assert a.member_no == "SCH-00001"
    assert b.member_no == "SCH-00002"
    assert a.status == MemberStatus.ACTIVE and a.joined_on == D
    assert _kinds(a) == ["applied", "approved"]
    assert _audit("member.approve", a).after == {"member_no": "SCH-00001"}


def test_it_continues_the_sequence_past_numbers_of_other_widths(world):
    MemberFactory(union=world.school, member_no="SCH-9")
    MemberFactory(union=world.school, member_no="SCH-00010")
    m = services.member_apply(
        actor=None, union=world.school, unit=world.school, person=_person(), applied_on=D
    )
    m = services.member_approve(actor=world.chair, member=m, on=D)
    assert m.member_no == "SCH-00011"


def test_it_refuses_approval_by_a_cadre_without_the_right(world):
    m = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    for user in (world.cadre, world.group_leader, world.other_chair, world.member):
        with pytest.raises(DomainError) as e:
            services.member_approve(actor=user, member=m, on=D)
        assert e.value.code == "forbidden"
    m.refresh_from_db()
    assert m.status == MemberStatus.APPLIED


def test_it_refuses_to_approve_an_active_member(world):
    with pytest.raises(DomainError) as e:
        services.member_approve(actor=world.chair, member=world.member_b, on=D)
    assert e.value.code == "member.not_applied"


def test_it_refuses_a_taken_member_number(world):
    m = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    with pytest.raises(DomainError) as e:
        services.member_approve(
            actor=world.chair, member=m, on=D, member_no=world.member_b.member_no
        )
    assert e.value.code == "member.number_taken"


def test_it_rejects_an_application_with_a_reason(world):
    m = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    with pytest.raises(DomainError) as e:
        services.member_reject(actor=world.chair, member=m, on=D, reason="  ")
    assert e.value.code == "member.reason_required"
    m = services.member_reject(actor=world.chair, member=m, on=D, reason="不在本单位工作")
    assert m.status == MemberStatus.REJECTED
    assert _kinds(m) == ["applied", "rejected"]
    assert _audit("member.reject", m).note == "不在本单位工作"


def test_it_lets_a_rejected_person_apply_again(world):
    m = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    services.member_reject(actor=world.chair, member=m, on=D, reason="材料不全")
    again = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    assert again.pk == m.pk and again.status == MemberStatus.APPLIED
    assert _kinds(again) == ["applied", "rejected", "applied"]


def test_it_enrols_an_existing_member_in_one_step(world):
    m = services.member_enrol(
        actor=world.cadre,
        union=world.school,
        unit=world.group_b,
        person=_person(),
        joined_on=date(2010, 9, 1),
        employment_type="contract",
    )
    assert m.status == MemberStatus.ACTIVE
    assert m.joined_on == date(2010, 9, 1)
    assert m.employment_type == "contract"
    assert m.member_no == "SCH-00001"


def test_it_refuses_enrolment_outside_the_users_union(world):
    with pytest.raises(DomainError) as e:
        services.member_enrol(
            actor=world.other_chair,
            union=world.school,
            unit=world.group_a,
            person=_person(),
            joined_on=D,
        )
    assert e.value.code == "forbidden"
    assert not Member.objects.filter(person__name="陈静").exists()


# ---- update, move ------------------------------------------------------------------------


def test_it_updates_and_audits_only_the_changes(world):
    m = services.member_update(
        actor=world.cadre, member=world.member_b, post="教师", phone="139 0000 1234"
    )
    assert m.post == "教师"
    assert m.person.phone == "13900001234"
    event = _audit("member.update", m)
    assert set(event.after) == {"post", "phone"}


def test_it_refuses_an_id_number_another_person_has(world):
    with pytest.raises(DomainError) as e:
        services.member_update(
            actor=world.cadre,
            member=world.member_b,
            id_number=world.outsider.person.id_number,
            birth_date=world.outsider.person.birth_date,
            gender=world.outsider.person.gender,
        )
    assert e.value.code == "person.id_taken"


def test_it_does_not_check_an_unchanged_landline_when_the_name_changes(world):
    person = world.member_b.person
    person.phone = "0571-88889999"
    person.save()
    m = services.member_update(actor=world.cadre, member=world.member_b, name="王刚")
    assert m.person.name == "王刚"


def test_it_refuses_an_update_by_a_group_leader(world):
    with pytest.raises(DomainError):
        services.member_update(actor=world.group_leader, member=world.member_a, post="x")


def test_it_moves_a_member_to_another_group_and_records_it(world):
    m = services.member_move(actor=world.cadre, member=world.member_a, to_unit=world.group_b, on=D)
    assert m.unit == world.group_b
    e = m.events.get(kind="moved")
    assert (e.from_unit, e.to_unit) == (world.group_a, world.group_b)
    assert _audit("member.move", m) is not None


def test_it_refuses_moves_to_the_same_or_a_foreign_unit(world):
    with pytest.raises(DomainError) as e:
        services.member_move(actor=world.cadre, member=world.member_a, to_unit=world.group_a, on=D)
    assert e.value.code == "member.same_unit"
    with pytest.raises(DomainError) as e:
        services.member_move(actor=world.cadre, member=world.member_a, to_unit=world.workshop, on=D)
    assert e.value.code == "member.unit_outside_union"


# ---- transfers ---------------------------------------------------------------------------


def test_it_transfers_to_another_union_which_takes_in_keeping_history(world):
    m = services.member_transfer_out(
        actor=world.cadre, member=world.member_b, on=D, to_union=world.factory_union
    )
    assert m.status == MemberStatus.TRANSFERRED_OUT
    assert _audit("member.transfer_out", m).after == {"to_union": world.factory_union.pk}
    # the school cannot take them back: they were sent to the factory
    with pytest.raises(DomainError) as e:
        services.member_transfer_in(
            actor=world.chair, member=m, union=world.school, unit=world.group_a, on=D
        )
    assert e.value.code == "member.transfer_elsewhere"
    m = services.member_transfer_in(
        actor=world.other_chair,
        member=m,
        union=world.factory_union,
        unit=world.workshop,
        on=date(2024, 3, 5),
    )
    assert m.status == MemberStatus.ACTIVE
    assert (m.union, m.unit) == (world.factory_union, world.workshop)
    assert m.member_no == "FAC-00001"
    assert m.joined_on == date(2020, 9, 1)  # membership years carry over
    assert _kinds(m) == ["transferred_out", "transferred_in"]
    assert _audit("member.transfer_in", m).unit == world.factory_union


def test_it_needs_a_note_for_a_transfer_outside_the_system(world):
    with pytest.raises(DomainError) as e:
        services.member_transfer_out(actor=world.cadre, member=world.member_b, on=D)
    assert e.value.code == "member.note_required"
    m = services.member_transfer_out(
        actor=world.cadre, member=world.member_b, on=D, note="调往外省某校"
    )
    assert m.events.get(kind="transferred_out").to_unit is None
    # anyone may then take them in
    m = services.member_transfer_in(
        actor=world.other_chair, member=m, union=world.factory_union, unit=world.workshop, on=D
    )
    assert m.status == MemberStatus.ACTIVE


def test_it_refuses_transfers_in_wrong_states_and_targets(world):
    with pytest.raises(DomainError) as e:
        services.member_transfer_out(
            actor=world.cadre, member=world.member_b, on=D, to_union=world.school
        )
    assert e.value.code == "member.same_union"
    with pytest.raises(DomainError) as e:
        services.member_transfer_out(
            actor=world.cadre, member=world.member_b, on=D, to_union=world.group_a
        )
    assert e.value.code == "member.not_union"
    with pytest.raises(DomainError) as e:
        services.member_transfer_in(
            actor=world.other_chair,
            member=world.member_b,
            union=world.factory_union,
            unit=world.workshop,
            on=D,
        )
    assert e.value.code == "member.not_transferred"


def test_it_refuses_a_transfer_out_by_another_unions_chair(world):
    with pytest.raises(DomainError) as e:
        services.member_transfer_out(
            actor=world.other_chair, member=world.member_b, on=D, to_union=world.factory_union
        )
    assert e.value.code == "forbidden"


def test_it_refuses_to_take_in_without_edit_rights_on_the_receiving_union(world):
    m = services.member_transfer_out(
        actor=world.cadre, member=world.member_b, on=D, to_union=world.factory_union
    )
    with pytest.raises(DomainError) as e:
        services.member_transfer_in(
            actor=world.cadre, member=m, union=world.factory_union, unit=world.workshop, on=D
        )
    assert e.value.code == "forbidden"


# ---- retire, leave, death, reinstate -------------------------------------------------------


def test_it_retires_a_member_who_stays_a_member(world):
    m = services.member_retire(actor=world.cadre, member=world.member_b, on=D)
    assert (m.status, m.work_status, m.retired_on) == (MemberStatus.ACTIVE, "retired", D)
    assert _kinds(m) == ["retired"]
    assert _audit("member.retire", m) is not None
    with pytest.raises(DomainError) as e:
        services.member_retire(actor=world.cadre, member=m, on=D)
    assert e.value.code == "member.already_retired"


def test_it_records_leaving_with_a_reason_and_reinstates(world):
    with pytest.raises(DomainError) as e:
        services.member_leave(actor=world.cadre, member=world.member_b, on=D, reason="")
    assert e.value.code == "member.reason_required"
    m = services.member_leave(actor=world.cadre, member=world.member_b, on=D, reason="本人申请")
    assert m.status == MemberStatus.LEFT
    with pytest.raises(DomainError) as e:
        services.member_leave(actor=world.cadre, member=m, on=D, reason="again")
    assert e.value.code == "member.not_active"
    m = services.member_reinstate(actor=world.cadre, member=m, on=date(2024, 6, 1))
    assert m.status == MemberStatus.ACTIVE
    assert _kinds(m) == ["left", "reinstated"]
    assert _audit("member.leave", m).note == "本人申请"
    assert _audit("member.reinstate", m) is not None


def test_it_reinstates_only_a_member_who_left(world):
    with pytest.raises(DomainError) as e:
        services.member_reinstate(actor=world.cadre, member=world.member_b, on=D)
    assert e.value.code == "member.not_left"


def test_it_records_a_death_once_and_only_of_an_active_member(world):
    m = services.member_decease(actor=world.cadre, member=world.member_b, on=D, note="病故")
    assert m.status == MemberStatus.DECEASED
    assert _audit("member.decease", m).note == "病故"
    with pytest.raises(DomainError) as e:
        services.member_decease(actor=world.cadre, member=m, on=D)
    assert e.value.code == "member.already_deceased"
    applicant = services.member_apply(
        actor=None, union=world.school, unit=world.group_a, person=_person(), applied_on=D
    )
    with pytest.raises(DomainError) as e:
        services.member_decease(actor=world.cadre, member=applicant, on=D)
    assert e.value.code == "member.not_active"


def test_it_lists_the_steps_open_in_each_state(world):
    m = world.member_b
    assert services.lifecycle_steps(m) == ["move", "transfer_out", "retire", "leave", "decease"]
    m.status = MemberStatus.APPLIED
    assert services.lifecycle_steps(m) == ["approve", "reject", "move"]
    m.status = MemberStatus.LEFT
    assert services.lifecycle_steps(m) == ["reinstate"]
    m.status = MemberStatus.DECEASED
    assert services.lifecycle_steps(m) == []


def test_it_writes_an_event_with_the_actor(world):
    services.member_retire(actor=world.cadre, member=world.member_b, on=D)
    e = MembershipEvent.objects.get(member=world.member_b)
    assert e.actor == world.cadre


# ---- self-service and change requests ----------------------------------------------------


def test_it_changes_contact_data_at_once(world):
    member, request = services.profile_update_self(
        actor=world.member, changes={"phone": "138-0000-2222", "education": "本科"}
    )
    assert request is None
    member.person.refresh_from_db()
    assert member.person.phone == "13800002222"
    assert member.person.education == "本科"
    assert _audit("member.self_update", member) is not None


def test_it_queues_identity_corrections_for_approval(world):
    member, request = services.profile_update_self(
        actor=world.member, changes={"name": "李芳芳"}, reason="改名"
    )
    assert request is not None
    assert request.changes == {"name": {"old": "李芳", "new": "李芳芳"}}
    member.person.refresh_from_db()
    assert member.person.name == "李芳"
    assert _audit("member.change_request", request) is not None
    with pytest.raises(DomainError) as e:
        services.profile_update_self(actor=world.member, changes={"name": "李芳一"})
    assert e.value.code == "member.request_pending"


def test_it_refuses_no_change_and_other_fields(world):
    person = world.member_a.person
    with pytest.raises(DomainError) as e:
        services.profile_update_self(
            actor=world.member, changes={"name": person.name, "id_number": person.id_number}
        )
    assert e.value.code == "member.no_change"
    with pytest.raises(DomainError) as e:
        services.profile_update_self(actor=world.member, changes={"member_no": "X"})
    assert e.value.code == "member.bad_field"


def test_it_treats_an_empty_id_field_as_no_change(world):
    person = world.member_a.person
    person.id_number = None
    person.save()
    with pytest.raises(DomainError) as e:
        services.profile_update_self(actor=world.member, changes={"id_number": ""})
    assert e.value.code == "member.no_change"
    assert not ProfileChangeRequest.objects.exists()


def test_it_refuses_self_service_without_a_linked_person(world):
    with pytest.raises(DomainError) as e:
        services.profile_update_self(actor=world.cadre, changes={"phone": "13800002222"})
    assert e.value.code == "member.no_profile"


def test_it_applies_an_approved_correction(world):
    new_birth = date(1988, 2, 3)
    new_id = valid_id_number(new_birth, 42, "F")
    _m, request = services.profile_update_self(
        actor=world.member,
        changes={"id_number": new_id, "birth_date": new_birth, "gender": "F"},
    )
    request = services.change_request_decide(actor=world.chair, request=request, approve=True)
    assert request.status == "approved" and request.decided_by == world.chair
    world.member_a.person.refresh_from_db()
    assert world.member_a.person.id_number == new_id
    assert world.member_a.person.birth_date == new_birth
    assert _audit("member.change_request_approved", request) is not None


def test_it_rejects_a_correction_with_a_note_and_changes_nothing(world):
    _m, request = services.profile_update_self(actor=world.member, changes={"name": "李芳芳"})
    with pytest.raises(DomainError) as e:
        services.change_request_decide(actor=world.chair, request=request, approve=False)
    assert e.value.code == "request.reason_required"
    request = services.change_request_decide(
        actor=world.chair, request=request, approve=False, note="与户籍不符"
    )
    assert request.status == "rejected"
    world.member_a.person.refresh_from_db()
    assert world.member_a.person.name == "李芳"
    with pytest.raises(DomainError) as e:
        services.change_request_decide(actor=world.chair, request=request, approve=True)
    assert e.value.code == "request.decided"


def test_it_refuses_a_decision_by_someone_without_the_right(world):
    _m, request = services.profile_update_self(actor=world.member, changes={"name": "李芳芳"})
    for user in (world.cadre, world.other_chair, world.member):
        with pytest.raises(DomainError) as e:
            services.change_request_decide(actor=user, request=request, approve=True)
        assert e.value.code == "forbidden"


def test_it_logs_a_sensitive_export_with_the_count(world):
    event = services.member_export_log(actor=world.chair, count=12, unit=None, filters={"q": ""})
    assert event.action == "member.export_sensitive"
    assert event.after["count"] == 12


def test_it_numbers_members_of_each_union_separately(world):
    p = PersonFactory()
    m = services.member_enrol(
        actor=world.other_chair,
        union=world.factory_union,
        unit=world.workshop,
        person={"name": p.name + "2", "id_number": _person()["id_number"]},
        joined_on=D,
    )
    assert m.member_no == "FAC-00001"


def test_it_moves_the_hardship_flag_only_for_file_keepers(world):
    # given: a cadre may edit members but not keep hardship files
    with pytest.raises(DomainError):
        services.member_hardship_flag_set(actor=world.cadre, member=world.member_a, value=True)
    # when: the chair sets it
    services.member_hardship_flag_set(actor=world.chair, member=world.member_a, value=True)
    # then: it is set, audited once, and the audit row is hidden from the administrator
    world.member_a.refresh_from_db()
    assert world.member_a.is_in_hardship
    events = AuditEvent.objects.filter(action="member.hardship_flag")
    assert events.count() == 1
    from gonghui.core.queries import audit_scope

    assert not audit_scope(world.admin).filter(action="member.hardship_flag").exists()
    assert audit_scope(world.chair).filter(action="member.hardship_flag").exists()
    # and setting it again changes nothing
    services.member_hardship_flag_set(actor=world.chair, member=world.member_a, value=True)
    assert events.count() == 1


def test_a_general_edit_audits_the_hardship_flag_in_its_own_restricted_row(world):
    # when: the chair edits a member's post and marks them as in hardship in one save
    services.member_update(
        actor=world.chair, member=world.member_a, post="班主任", is_in_hardship=True
    )
    # then: both are saved; the general row names the post but not the flag, which has
    # its own row that the administrator (no hardship permission) cannot read
    world.member_a.refresh_from_db()
    assert world.member_a.post == "班主任" and world.member_a.is_in_hardship
    update = AuditEvent.objects.get(action="member.update", object_id=str(world.member_a.pk))
    assert update.after["post"] == "班主任"
    assert "is_in_hardship" not in update.before and "is_in_hardship" not in update.after
    from gonghui.core.queries import audit_scope

    assert audit_scope(world.admin).filter(pk=update.pk).exists()
    flag = AuditEvent.objects.get(action="member.hardship_flag")
    assert not audit_scope(world.admin).filter(pk=flag.pk).exists()


def test_a_cadre_s_edit_cannot_move_the_hardship_flag(world):
    # when: a cadre (members, no hardship files) sends the flag with an edit
    with pytest.raises(DomainError):
        services.member_update(actor=world.cadre, member=world.member_a, is_in_hardship=True)
    # then
    world.member_a.refresh_from_db()
    assert not world.member_a.is_in_hardship
