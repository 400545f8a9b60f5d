"""Congress set-up services: congress, rules, terms, sessions, agenda, documents,
delegates and the roster, each checked for its audit row and its refusals."""

from __future__ import annotations

import random
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import queries, services
from gonghui.congress.models import (
    AgendaItem,
    CongressKind,
    CongressSession,
    Delegate,
    SessionOfficer,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.demo.congress_demo import seed_congress_structure
from gonghui.members.models import Member, MemberStatus
from gonghui.testing.factories import MemberFactory, PersonFactory

TODAY = date(2026, 12, 1)


def _actions(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def congress(world):
    return services.congress_create(actor=world.chair, union=world.school, kind="teachers")


@pytest.fixture
def term(world, congress):
    return services.term_start(
        actor=world.chair,
        congress=congress,
        number=8,
        starts_on=date(2024, 3, 1),
        planned_end_on=date(2029, 2, 28),
    )


@pytest.fixture
def session(world, term):
    return services.session_create(actor=world.chair, term=term, held_on=date(2026, 12, 20))


@pytest.fixture
def delegation(world, term):
    return services.delegation_create(
        actor=world.chair, term=term, name="语文组代表团", seats=2, unit=world.group_a
    )


def _member(world, **person):
    return MemberFactory(union=world.school, unit=world.group_b, person=PersonFactory(**person))


# ---- congress and rules -----------------------------------------------------------------------


def test_it_creates_a_congress_with_a_default_name_and_an_audit_row(world):
    # when
    c = services.congress_create(actor=world.cadre, union=world.school, kind="teachers")
    # then
    assert c.name == "第一中学工会教职工代表大会"
    assert c.union == world.school
    assert _actions("congress.create") == 1


def test_it_refuses_a_second_congress_of_the_same_kind(world, congress):
    with pytest.raises(DomainError) as e:
        services.congress_create(actor=world.chair, union=world.school, kind="teachers")
    assert e.value.code == "congress.exists"


def test_it_refuses_a_congress_for_a_union_group_or_another_union(world):
    with pytest.raises(DomainError) as e:
        services.congress_create(actor=None, union=world.group_a, kind="teachers")
    assert e.value.code == "congress.not_union"
    with pytest.raises(DomainError) as e:
        services.congress_create(actor=world.chair, union=world.factory_union, kind="staff")
    assert e.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.congress_create(actor=world.member, union=world.school, kind="teachers")


def test_it_advises_an_all_staff_meeting_under_80_staff(world):
    world.school.staff_count = 79
    assert services.all_staff_meeting_advised(world.school, CongressKind.TEACHERS)
    assert not services.all_staff_meeting_advised(world.school, CongressKind.ALL_STAFF)
    world.school.staff_count = 80
    assert not services.all_staff_meeting_advised(world.school, CongressKind.TEACHERS)


def test_it_overrides_the_national_rules_for_one_union(world):
    # given
    values = services.ruleset_initial(world.school)
    assert values["quorum_numerator"] == 2 and values["quorum_denominator"] == 3
    # when
    values.update(quorum_numerator=3, quorum_denominator=4, source_note="县教育局实施细则")
    services.ruleset_update(actor=world.chair, union=world.school, **values)
    # then
    assert queries.rules_for(world.school).quorum == Fraction(3, 4)
    assert queries.rules_for(world.factory_union).quorum == Fraction(2, 3)
    ev = AuditEvent.objects.get(action="congress.ruleset_update")
    assert ev.after["quorum_numerator"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quorum_numerator": 1, "quorum_denominator": 3}, "quorum_numerator"),
        ({"quorum_numerator": 4, "quorum_denominator": 3}, "quorum_numerator"),
        ({"teacher_min_percent": 120}, "teacher_min_percent"),
        ({"source_note": " "}, "source_note"),
    ],
)
def test_it_refuses_rules_that_make_no_sense(world, change, field):
    values = {**services.ruleset_initial(world.school), "source_note": "细则", **change}
    with pytest.raises(DomainError) as e:
        services.ruleset_update(actor=world.chair, union=world.school, **values)
    assert e.value.field == field
    assert _actions("congress.ruleset_update") == 0


# ---- terms ------------------------------------------------------------------------------------


def test_it_starts_and_ends_a_term(world, congress, term):
    assert queries.current_term(congress) == term
    services.term_end(actor=world.chair, term=term, on=date(2029, 2, 28))
    assert queries.current_term(congress) is None
    assert _actions("congress.term_start") == 1 and _actions("congress.term_end") == 1


def test_it_allows_only_one_open_term(world, congress, term):
    with pytest.raises(DomainError) as e:
        services.term_start(
            actor=world.chair,
            congress=congress,
            number=9,
            starts_on=date(2026, 3, 1),
            planned_end_on=date(2031, 2, 28),
        )
    assert e.value.code == "congress.term_open"


@pytest.mark.parametrize(
    "end", [date(2026, 2, 27), date(2029, 3, 2)], ids=["under-3-years", "over-5-years"]
)
def test_it_refuses_a_term_outside_3_to_5_years(world, congress, end):
    with pytest.raises(DomainError) as e:
        services.term_start(
            actor=world.chair,
            congress=congress,
            number=1,
            starts_on=date(2024, 3, 1),
            planned_end_on=end,
        )
    assert e.value.field == "planned_end_on"


@given(years=st.integers(0, 10), start=st.dates(date(2000, 1, 1), date(2090, 12, 31)))
def test_it_adds_whole_years_keeping_the_day_except_29_february(years, start):
    end = services.add_years(start, years)
    assert end.year == start.year + years and end.month == start.month
    assert end.day == start.day or (start.month, start.day, end.day) == (2, 29, 28)


def test_it_refuses_a_term_number_already_used(world, congress, term):
    services.term_end(actor=world.chair, term=term, on=date(2029, 2, 28))
    with pytest.raises(DomainError) as e:
        services.term_start(
            actor=world.chair,
            congress=congress,
            number=8,
            starts_on=date(2029, 3, 1),
            planned_end_on=date(2034, 2, 28),
        )
    assert e.value.field == "number"


# ---- sessions, officers, agenda ---------------------------------------------------------------


def test_it_numbers_sessions_and_defaults_the_proposal_window(world, term, session):
    # then: first session, proposals close 15 days before, a 6-digit code
    assert session.number == 1 and session.label == "第8届第1次会议"
    assert session.proposals_close_on == date(2026, 12, 5)
    assert len(session.checkin_code) == 6 and session.checkin_code.isdigit()
    second = services.session_create(actor=world.chair, term=term, held_on=date(2027, 4, 1))
    assert second.number == 2
    assert second.checkin_code != session.checkin_code or second.pk != session.pk


@given(st.integers(0, 50))
def test_it_makes_check_in_codes_of_six_digits(_n):
    code = services.new_checkin_code()
    assert len(code) == 6 and code.isdigit()


def test_it_uses_the_unions_own_proposal_window(world, term):
    values = {
        **services.ruleset_initial(world.school),
        "proposal_close_days": 20,
        "source_note": "细则",
    }
    services.ruleset_update(actor=world.chair, union=world.school, **values)
    s = services.session_create(actor=world.chair, term=term, held_on=date(2026, 12, 21))
    assert s.proposals_close_on == date(2026, 12, 1)


def test_it_refuses_a_session_before_the_term_or_with_proposals_closing_after_it(world, term):
    with pytest.raises(DomainError) as e:
        services.session_create(actor=world.chair, term=term, held_on=date(2023, 1, 1))
    assert e.value.field == "held_on"
    with pytest.raises(DomainError) as e:
        services.session_create(
            actor=world.chair,
            term=term,
            held_on=date(2026, 12, 20),
            proposals_close_on=date(2026, 12, 21),
        )
    assert e.value.field == "proposals_close_on"
    assert CongressSession.objects.count() == 0


def test_it_updates_a_session_and_refuses_a_taken_number(world, term, session):
    other = services.session_create(actor=world.chair, term=term, held_on=date(2027, 4, 1))
    services.session_update(actor=world.cadre, session=session, venue="学术报告厅")
    session.refresh_from_db()
    assert session.venue == "学术报告厅"
    with pytest.raises(DomainError) as e:
        services.session_update(actor=world.chair, session=other, number=1)
    assert e.value.field == "number"
    ev = AuditEvent.objects.get(action="congress.session_update")
    assert ev.after == {"venue": "学术报告厅"}


def test_it_refuses_changes_to_a_closed_session(world, session):
    CongressSession.objects.filter(pk=session.pk).update(status="closed")
    session.refresh_from_db()
    with pytest.raises(DomainError) as e:
        services.session_update(actor=world.chair, session=session, venue="x")
    assert e.value.code == "congress.session_closed"
    with pytest.raises(DomainError):
        services.agenda_item_add(actor=world.chair, session=session, kind="report", title="x")


def test_it_names_officers_from_the_unions_members_only(world, session):
    o = services.officer_add(
        actor=world.chair,
        session=session,
        person=world.member_a.person,
        kind=SessionOfficer.Kind.PRESIDIUM,
    )
    assert o.session == session
    with pytest.raises(DomainError) as e:
        services.officer_add(
            actor=world.chair, session=session, person=world.outsider.person, kind="scrutineer"
        )
    assert e.value.code == "congress.not_member"
    with pytest.raises(DomainError) as e:
        services.officer_add(
            actor=world.chair, session=session, person=world.member_a.person, kind="presidium"
        )
    assert e.value.code == "congress.officer_exists"


def test_it_removes_an_officer_and_keeps_who_it_was_in_the_audit(world, session):
    # given
    o = services.officer_add(
        actor=world.chair, session=session, person=world.member_a.person, kind="secretariat"
    )
    # when
    services.officer_remove(actor=world.cadre, officer=o)
    # then
    assert not session.officers.exists()
    ev = AuditEvent.objects.get(action="congress.officer_remove")
    assert ev.before["person_id"] == world.member_a.person.pk
    assert ev.before["kind"] == "secretariat" and ev.after is None
    assert ev.object_id == str(o.pk) and world.member_a.person.name in ev.note


def test_it_refuses_to_remove_an_officer_of_a_closed_session_or_without_the_right(world, session):
    o = services.officer_add(
        actor=world.chair, session=session, person=world.member_a.person, kind="presidium"
    )
    for actor in (world.member, world.other_chair, world.upper_officer, world.auditor):
        with pytest.raises(DomainError) as e:
            services.officer_remove(actor=actor, officer=o)
        assert e.value.code == "forbidden"
    CongressSession.objects.filter(pk=session.pk).update(status="closed")
    with pytest.raises(DomainError) as e:
        services.officer_remove(actor=world.chair, officer=o)
    assert e.value.code == "congress.session_closed"
    assert session.officers.count() == 1
    assert _actions("congress.officer_remove") == 0


def test_it_adds_agenda_items_in_order_with_the_usual_vote_mode(world, session):
    a = services.agenda_item_add(
        actor=world.chair, session=session, kind="report", title="听取审议学校工作报告"
    )
    b = services.agenda_item_add(
        actor=world.chair, session=session, kind="adopt", title="审议通过绩效工资分配方案"
    )
    c = services.agenda_item_add(actor=world.chair, session=session, kind="election", title="补选")
    assert [a.order, b.order, c.order] == [1, 2, 3]
    assert a.vote_mode == "none" and b.vote_mode == "open" and c.vote_mode == "secret"
    assert _actions("congress.agenda_item_add") == 3


def test_it_refuses_an_open_vote_for_an_election(world, session):
    with pytest.raises(DomainError) as e:
        services.agenda_item_add(
            actor=world.chair, session=session, kind="election", title="补选", vote_mode="open"
        )
    assert e.value.field == "vote_mode"


def test_it_refuses_to_change_an_item_once_voting_started(world, session):
    item = services.agenda_item_add(actor=world.chair, session=session, kind="adopt", title="方案")
    services.agenda_item_update(actor=world.chair, item=item, title="方案（修订）")
    item.refresh_from_db()
    assert item.title == "方案（修订）"
    AgendaItem.objects.filter(pk=item.pk).update(status="voting")
    with pytest.raises(DomainError) as e:
        services.agenda_item_update(actor=world.chair, item=item, title="y")
    assert e.value.code == "congress.item_voted"


def test_it_reorders_the_agenda_and_refuses_an_incomplete_order(world, session):
    ids = [
        services.agenda_item_add(actor=world.chair, session=session, kind="report", title=t).pk
        for t in ("一", "二", "三")
    ]
    services.agenda_reorder(actor=world.chair, session=session, item_ids=[ids[2], ids[0], ids[1]])
    titles = list(session.items.order_by("order").values_list("title", flat=True))
    assert titles == ["三", "一", "二"]
    with pytest.raises(DomainError):
        services.agenda_reorder(actor=world.chair, session=session, item_ids=ids[:2])


@given(n=st.integers(1, 12), data=st.data())
def test_it_moves_an_item_one_place_and_keeps_every_item(n, data):
    items = list(range(100, 100 + n))
    pk = data.draw(st.sampled_from(items))
    step = data.draw(st.sampled_from([-1, 1]))
    moved = services.move_item(items, pk, step)
    assert sorted(moved) == items
    assert abs(moved.index(pk) - items.index(pk)) <= 1


# ---- documents --------------------------------------------------------------------------------


@pytest.fixture
def item(world, session):
    return services.agenda_item_add(
        actor=world.chair, session=session, kind="adopt", title="审议绩效工资分配方案"
    )


def test_it_keeps_drafts_and_shows_the_changes_between_them(world, item):
    # given
    doc = services.document_add(
        actor=world.chair,
        item=item,
        title="绩效工资分配方案",
        body="第一条 总则\n第二条 班主任津贴每月300元",
    )
    # when
    v2 = services.document_version_add(
        actor=world.chair,
        document=doc,
        body="第一条 总则\n第二条 班主任津贴每月400元",
        change_note="根据代表意见修改",
    )
    # then
    assert v2.number == 2
    diff = services.version_diff(doc.versions.get(number=1).body, v2.body)
    assert [(d.kind, d.text) for d in diff if d.kind != "same"] == [
        ("removed", "第二条 班主任津贴每月300元"),
        ("added", "第二条 班主任津贴每月400元"),
    ]
    assert _actions("congress.document_version_add") == 1


def test_it_requires_a_change_note_for_a_revised_draft(world, item):
    doc = services.document_add(actor=world.chair, item=item, title="方案", body="一")
    with pytest.raises(DomainError) as e:
        services.document_version_add(actor=world.chair, document=doc, body="二")
    assert e.value.field == "change_note"


def test_it_freezes_an_adopted_document(world, item):
    doc = services.document_add(actor=world.chair, item=item, title="方案", body="一")
    services.document_adopt(actor=None, document=doc)
    doc.refresh_from_db()
    assert doc.adopted_version.number == 1
    with pytest.raises(DomainError) as e:
        services.document_version_add(actor=world.chair, document=doc, body="二", change_note="x")
    assert e.value.code == "congress.document_frozen"
    with pytest.raises(DomainError):
        services.document_adopt(actor=world.chair, document=doc)
    assert _actions("congress.document_adopt") == 1


def test_it_refuses_to_adopt_another_documents_version(world, item):
    a = services.document_add(actor=world.chair, item=item, title="甲", body="一")
    b = services.document_add(actor=world.chair, item=item, title="乙", body="二")
    with pytest.raises(DomainError) as e:
        services.document_adopt(actor=world.chair, document=a, version=b.versions.get())
    assert e.value.field == "version"


def test_it_stores_an_uploaded_docx_under_a_random_name(world, item, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = services.Upload(file_name="../../etc/方案.docx", chunks=[b"PK\x03\x04rest"])
    doc = services.document_add(actor=world.chair, item=item, title="方案", upload=upload)
    v = doc.versions.get()
    assert v.file_name == "方案.docx"
    assert v.stored_path.startswith("congress/") and "方案" not in v.stored_path
    assert services.stored_file(v).read_bytes() == b"PK\x03\x04rest"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.exe", b"MZ", "upload.type"),
        ("a.pdf", b"PK\x03\x04", "upload.content"),
        ("a.pdf", b"%PDF" + b"x" * services.MAX_DOCUMENT_BYTES, "upload.too_large"),
    ],
)
def test_it_refuses_uploads_of_the_wrong_type_content_or_size(
    world, item, settings, tmp_path, name, content, code
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DomainError) as e:
        services.document_add(
            actor=world.chair, item=item, title="x", upload=services.Upload(name, [content])
        )
    assert e.value.code == code
    stored = tmp_path / "congress"
    assert not stored.exists() or not any(stored.iterdir())


@given(
    old=st.lists(st.text("甲乙丙丁", max_size=4), max_size=8),
    new=st.lists(st.text("甲乙丙丁", max_size=4), max_size=8),
)
def test_it_diffs_so_the_new_draft_reads_from_same_and_added_lines(old, new):
    diff = services.version_diff("\n".join(old), "\n".join(new))
    a, b = "\n".join(old).splitlines(), "\n".join(new).splitlines()
    assert [d.text for d in diff if d.kind != "removed"] == b
    assert [d.text for d in diff if d.kind != "added"] == a


# ---- delegates --------------------------------------------------------------------------------


def test_it_elects_a_delegate_into_a_vacant_seat(world, delegation):
    d = services.delegate_elect(
        actor=world.chair,
        delegation=delegation,
        person=world.member_a.person,
        elected_on=date(2024, 3, 1),
        votes_received=18,
        voters_total=20,
    )
    assert d.status == "active" and d.source == "elected"
    assert queries.delegate_for(world.member, delegation.term) == d
    ev = AuditEvent.objects.get(action="congress.delegate_elect")
    assert ev.after["votes_received"] == 18


def test_it_refuses_a_delegate_who_is_not_an_active_member(world, delegation):
    with pytest.raises(DomainError) as e:
        services.delegate_elect(
            actor=world.chair,
            delegation=delegation,
            person=world.outsider.person,
            elected_on=date(2024, 3, 1),
        )
    assert e.value.code == "congress.not_member"
    Member.objects.filter(pk=world.member_b.pk).update(status=MemberStatus.LEFT)
    with pytest.raises(DomainError):
        services.delegate_elect(
            actor=world.chair,
            delegation=delegation,
            person=world.member_b.person,
            elected_on=date(2024, 3, 1),
        )


def test_it_refuses_a_second_seat_a_full_delegation_and_impossible_votes(world, term, delegation):
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    with pytest.raises(DomainError) as e:
        services.delegate_elect(
            actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
        )
    assert e.value.code == "congress.already_delegate"
    with pytest.raises(DomainError) as e:
        services.delegate_elect(
            actor=world.chair,
            delegation=delegation,
            person=world.member_b.person,
            elected_on=TODAY,
            votes_received=21,
            voters_total=20,
        )
    assert e.value.field == "votes_received"
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_b.person, elected_on=TODAY
    )
    with pytest.raises(DomainError) as e:
        services.delegate_by_elect(
            actor=world.chair, delegation=delegation, person=_member(world).person, elected_on=TODAY
        )
    assert e.value.code == "congress.no_vacancy"


def test_it_replaces_a_delegate_and_keeps_the_seats_history(world, delegation):
    # given
    old = services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_b.person, elected_on=TODAY
    )
    successor = _member(world, name="陈静", gender="F").person
    # when: the delegation is full, yet a replacement takes the same seat
    new = services.delegate_replace(
        actor=world.chair, delegate=old, successor=successor, on=TODAY, reason="调离本校"
    )
    # then
    old.refresh_from_db()
    assert old.status == "replaced" and old.end_reason == "调离本校" and old.ended_on == TODAY
    assert new.replaces == old and new.source == "by_election"
    assert delegation.delegates.filter(status="active").count() == 2
    assert delegation.delegates.count() == 3
    assert _actions("congress.delegate_replace") == 1


def test_it_ends_a_seat_and_by_elects_into_the_vacancy(world, delegation):
    d = services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_b.person, elected_on=TODAY
    )
    services.delegate_end(actor=world.chair, delegate=d, on=TODAY, reason="退休")
    d.refresh_from_db()
    assert d.status == "left"
    with pytest.raises(DomainError) as e:
        services.delegate_end(actor=world.chair, delegate=d, on=TODAY, reason="again")
    assert e.value.code == "congress.not_serving"
    new = services.delegate_by_elect(
        actor=world.chair, delegation=delegation, person=_member(world).person, elected_on=TODAY
    )
    assert new.source == "by_election" and new.replaces is None


def test_it_refuses_an_end_without_a_reason(world, delegation):
    d = services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    with pytest.raises(DomainError) as e:
        services.delegate_end(actor=world.chair, delegate=d, on=TODAY, reason=" ")
    assert e.value.field == "reason"


def test_it_refuses_a_delegation_group_of_another_union(world, term):
    with pytest.raises(DomainError) as e:
        services.delegation_create(
            actor=world.chair, term=term, name="x", seats=3, unit=world.workshop
        )
    assert e.value.field == "unit"


def test_it_renames_a_delegation_and_changes_its_seats_and_group(world, delegation):
    # given
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    # when
    d = services.delegation_update(
        actor=world.cadre, delegation=delegation, name=" 语文组 ", seats=1, unit=None
    )
    # then
    d.refresh_from_db()
    assert (d.name, d.seats, d.unit) == ("语文组", 1, None)
    ev = AuditEvent.objects.get(action="congress.delegation_update")
    assert ev.before == {"name": "语文组代表团", "seats": 2, "unit_id": world.group_a.pk}
    assert ev.after == {"name": "语文组", "seats": 1, "unit_id": None}


def test_it_refuses_fewer_seats_than_serving_delegates(world, delegation):
    for m in (world.member_a, world.member_b):
        services.delegate_elect(
            actor=world.chair, delegation=delegation, person=m.person, elected_on=TODAY
        )
    with pytest.raises(DomainError) as e:
        services.delegation_update(
            actor=world.chair, delegation=delegation, name=delegation.name, seats=1
        )
    assert e.value.code == "congress.seats_below_serving" and e.value.field == "seats"
    assert "2" in e.value.message and "1" in e.value.message
    delegation.refresh_from_db()
    assert delegation.seats == 2
    assert _actions("congress.delegation_update") == 0


def test_it_refuses_a_delegation_change_that_makes_no_sense(world, term, delegation):
    services.delegation_create(actor=world.chair, term=term, name="数学组", seats=2)
    cases = [
        ({"name": " ", "seats": 2}, "name"),
        ({"name": "数学组", "seats": 2}, "name"),
        ({"name": "x", "seats": 0}, "seats"),
        ({"name": "x", "seats": 2, "unit": world.workshop}, "unit"),
    ]
    for values, field in cases:
        with pytest.raises(DomainError) as e:
            services.delegation_update(actor=world.chair, delegation=delegation, **values)
        assert e.value.field == field, values
    # keeping its own name is no clash
    services.delegation_update(
        actor=world.chair, delegation=delegation, name=delegation.name, seats=3
    )
    for actor in (world.member, world.other_chair, world.upper_officer, world.auditor):
        with pytest.raises(DomainError) as e:
            services.delegation_update(actor=actor, delegation=delegation, name="x", seats=5)
        assert e.value.code == "forbidden"


def test_it_refuses_to_change_a_delegation_of_an_ended_term(world, term, delegation):
    services.term_end(actor=world.chair, term=term, on=TODAY)
    with pytest.raises(DomainError) as e:
        services.delegation_update(actor=world.chair, delegation=delegation, name="x", seats=5)
    assert e.value.code == "congress.term_ended"
    delegation.refresh_from_db()
    assert delegation.name == "语文组代表团"


# ---- composition and confirmation -------------------------------------------------------------


def test_it_compares_women_and_young_delegates_with_their_share_of_staff(world, delegation):
    # given: staff are member_a (woman, 46) and member_b (man, 51) and a young woman
    young = _member(world, name="小周", gender="F", birth_date=date(1995, 1, 1))
    shares = services.staff_shares(world.school, TODAY)
    assert shares.women == Fraction(2, 3) and shares.young == Fraction(1, 3)
    # when: the two seats go to the two men... there is one man; a man and the older woman
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_b.person, elected_on=TODAY
    )
    services.delegate_elect(
        actor=world.chair, delegation=delegation, person=world.member_a.person, elected_on=TODAY
    )
    check = services.roster_composition(delegation.term, TODAY)
    # then: women 50% < 67%, young 0% < 33%
    assert {c for c, _m in check.warnings} == {"women_low", "young_low"}
    assert young.person.name == "小周"


def test_it_confirms_a_roster_with_warnings_only_when_they_were_seen(world, delegation):
    services.delegate_elect(
        actor=world.chair,
        delegation=delegation,
        person=world.member_b.person,
        elected_on=TODAY,
        is_leader=True,
        is_frontline=False,
    )
    term = delegation.term
    with pytest.raises(DomainError) as e:
        services.roster_confirm(actor=world.chair, term=term, warnings_seen=False, today=TODAY)
    assert e.value.field == "warnings_seen"
    term = services.roster_confirm(actor=world.chair, term=term, warnings_seen=True, today=TODAY)
    codes = {w["code"] for w in term.roster_warnings}
    assert {"frontline_low", "leaders_high", "women_low"} <= codes
    assert term.roster_confirmed_by == world.chair and term.roster_confirmed_at is not None
    assert _actions("congress.roster_confirm") == 1


def test_it_refuses_to_confirm_an_empty_roster(world, term):
    with pytest.raises(DomainError) as e:
        services.roster_confirm(actor=world.chair, term=term, warnings_seen=True, today=TODAY)
    assert e.value.code == "congress.roster_empty"


def test_it_refuses_every_write_to_someone_without_the_right(world, term, session, delegation):
    for actor in (world.member, world.other_chair, world.upper_officer, world.auditor):
        with pytest.raises(DomainError) as e:
            services.session_create(actor=actor, term=term, held_on=date(2027, 1, 1))
        assert e.value.code == "forbidden"
        with pytest.raises(DomainError):
            services.delegate_elect(
                actor=actor, delegation=delegation, person=world.member_a.person, elected_on=TODAY
            )
    assert Delegate.objects.count() == 0


# ---- demo -------------------------------------------------------------------------------------


def test_it_seeds_a_congress_structure_through_the_services(world):
    # given: 60 active members of the school, about half women
    members = [world.member_a, world.member_b]
    for n in range(58):
        members.append(
            MemberFactory(
                union=world.school,
                unit=world.group_a if n % 3 else world.group_b,
                person=PersonFactory(gender="F" if n % 2 else "M"),
            )
        )
    # when
    out = seed_congress_structure(
        union=world.school,
        members=members,
        actor=world.chair,
        today=date(2026, 12, 1),
        rng=random.Random(7),
    )
    # then
    term = out["term"]
    assert term.number == 8 and term.starts_on.year == 2024 and term.planned_end_on.year == 2029
    assert len(out["sessions"]) == 3
    assert [s.held_on for s in out["sessions"]][-1] == date(2026, 12, 20)
    upcoming = out["sessions"][-1]
    titles = list(upcoming.items.values_list("title", flat=True))
    assert any("绩效工资" in t for t in titles) and any("民主评议" in t for t in titles)
    assert out["pay_document"].versions.count() == 2
    delegates = queries.active_delegates(term)
    assert 4 <= delegates.count() <= 8
    check = services.roster_composition(term, date(2026, 12, 1))
    assert "women_low" in {c for c, _m in check.warnings}
    assert "frontline_low" not in {c for c, _m in check.warnings}
    assert AuditEvent.objects.filter(action="congress.delegate_elect").count() == delegates.count()
