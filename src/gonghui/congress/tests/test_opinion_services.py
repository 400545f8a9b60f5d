"""The opinions tracker's services: recording, handling to an outcome, rationalisation
suggestions (assess, adopt, reward), quotas, taking over converted proposals, the summary."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from gonghui.congress import opinions as svc
from gonghui.congress import proposals as proposal_svc
from gonghui.congress.models import Department
from gonghui.congress.models.opinions import Opinion, OpinionEvent
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent

from .test_proposal_services import IN_WINDOW, build, submitted

TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(IN_WINDOW, tick=False):
        yield


@pytest.fixture
def dept(world):
    return Department.objects.create(union=world.school, name="总务处")


def record(world, **kw) -> Opinion:
    data = {
        "actor": world.cadre,
        "union": world.school,
        "kind": "opinion",
        "source": "forum",
        "title": "食堂菜品单一",
        "content": "希望食堂增加菜品种类。",
        "received_on": date(2026, 10, 9),
    } | kw
    return svc.opinion_record(**data)


def suggestion(world, **kw) -> Opinion:
    return record(world, **({"kind": "rationalisation", "source": "box", "title": "错峰打印"} | kw))


def _actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), object_type="congress.opinion")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_it_records_an_opinion_with_history_and_audit(world):
    # when
    o = record(world, submitted_by=world.member_a.person, team=world.group_a)
    # then
    assert o.status == Opinion.Status.RECEIVED
    assert o.union == world.school
    assert list(o.events.values_list("kind", flat=True)) == ["recorded"]
    assert _actions(o) == ["congress.opinion_record"]


def test_it_refuses_a_member_recording_for_the_union(world):
    with pytest.raises(DomainError) as e:
        record(world, actor=world.member)
    assert e.value.code == "forbidden"
    assert not Opinion.objects.exists()


def test_it_refuses_another_unions_chair(world):
    with pytest.raises(DomainError) as e:
        record(world, actor=world.other_chair)
    assert e.value.code == "forbidden"


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("title", {"title": "  "}),
        ("content", {"content": ""}),
        ("source", {"source": "proposal"}),
        ("kind", {"kind": "gossip"}),
        ("received_on", {"received_on": date(2026, 11, 16)}),
    ],
)
def test_it_names_the_field_at_fault(world, field, kw):
    with pytest.raises(DomainError) as e:
        record(world, **kw)
    assert e.value.field == field


def test_it_refuses_a_person_or_group_of_another_union(world):
    with pytest.raises(DomainError) as e:
        record(world, submitted_by=world.outsider.person)
    assert e.value.field == "submitted_by"
    with pytest.raises(DomainError) as e:
        record(world, team=world.workshop)
    assert e.value.field == "team"


def test_it_lets_a_member_submit_their_own_from_the_phone(world):
    o = svc.opinion_submit(
        actor=world.member, union=world.school, kind="rationalisation", title="t", content="c"
    )
    assert o.source == "online"
    assert o.submitted_by == world.member_a.person
    assert o.team == world.group_a
    assert o.received_on == TODAY
    assert list(svc.my_opinions(world.member)) == [o]
    assert _actions(o) == ["congress.opinion_submit"]


def test_it_refuses_a_submission_to_a_union_one_is_not_a_member_of(world):
    with pytest.raises(DomainError) as e:
        svc.opinion_submit(
            actor=world.member, union=world.factory_union, kind="opinion", title="t", content="c"
        )
    assert e.value.code == "opinion.not_member"


def test_it_handles_an_opinion_to_rectified(world, dept):
    # given
    o = record(world)
    # when
    o = svc.opinion_assign(actor=world.cadre, opinion=o, department=dept, due_on=date(2026, 12, 1))
    o = svc.opinion_answer(actor=world.cadre, opinion=o, answer="已增加两个窗口")
    o = svc.opinion_close(actor=world.cadre, opinion=o, outcome="rectified", interview_count=2)
    # then
    o.refresh_from_db()
    assert (o.status, o.outcome, o.closed_on, o.interview_count) == (
        "closed",
        "rectified",
        TODAY,
        2,
    )
    assert [e.kind for e in svc.history(o)] == ["recorded", "assigned", "answered", "closed"]
    assert _actions(o) == [
        "congress.opinion_record",
        "congress.opinion_assign",
        "congress.opinion_answer",
        "congress.opinion_close",
    ]
    close = AuditEvent.objects.filter(action="congress.opinion_close").get()
    assert close.after["outcome"] == "rectified"


def test_it_refuses_closing_twice_or_with_a_foreign_outcome(world):
    o = record(world)
    with pytest.raises(DomainError) as e:
        svc.opinion_close(actor=world.cadre, opinion=o, outcome="adopted_rewarded")
    assert e.value.field == "outcome"
    with pytest.raises(DomainError) as e:
        svc.opinion_close(actor=world.cadre, opinion=o, outcome="interview", interview_count=0)
    assert e.value.field == "interview_count"
    svc.opinion_close(actor=world.cadre, opinion=o, outcome="phone")
    with pytest.raises(DomainError) as e:
        svc.opinion_close(actor=world.cadre, opinion=o, outcome="rectified")
    assert e.value.code == "opinion.closed"


def test_it_refuses_a_department_of_another_union(world):
    o = record(world)
    theirs = Department.objects.create(union=world.factory_union, name="厂办")
    with pytest.raises(DomainError) as e:
        svc.opinion_assign(actor=world.cadre, opinion=o, department=theirs)
    assert e.value.field == "department"


def test_it_assesses_adopts_and_rewards_a_suggestion(world):
    s = suggestion(world, submitted_by=world.member_a.person)
    with pytest.raises(DomainError) as e:
        svc.suggestion_adopt(actor=world.cadre, opinion=s, adopted=True)
    assert e.value.code == "opinion.not_assessed"
    svc.suggestion_assess(actor=world.cadre, opinion=s, score=86, note="可推广")
    svc.suggestion_adopt(actor=world.cadre, opinion=s, adopted=True, benefit_estimate="12000")
    s = svc.suggestion_reward(actor=world.cadre, opinion=s, amount="500")
    s.refresh_from_db()
    assert (s.score, s.adopted, s.benefit_estimate) == (86, True, Decimal("12000.00"))
    assert (s.reward, s.rewarded_on, s.outcome, s.status) == (
        Decimal("500.00"),
        TODAY,
        "adopted_rewarded",
        "closed",
    )
    assert "congress.suggestion_reward" in _actions(s)


def test_it_closes_a_declined_suggestion_as_not_adopted(world):
    s = suggestion(world)
    svc.suggestion_assess(actor=world.cadre, opinion=s, score=40)
    s = svc.suggestion_adopt(actor=world.cadre, opinion=s, adopted=False, note="成本过高")
    assert (s.status, s.outcome, s.adopted) == ("closed", "not_adopted", False)
    with pytest.raises(DomainError):
        svc.suggestion_reward(actor=world.cadre, opinion=s, amount="100")


@pytest.mark.parametrize(("amount", "field"), [("-1", "reward"), ("abc", "reward")])
def test_it_refuses_a_bad_reward(world, amount, field):
    s = suggestion(world)
    svc.suggestion_assess(actor=world.cadre, opinion=s, score=90)
    svc.suggestion_adopt(actor=world.cadre, opinion=s, adopted=True)
    with pytest.raises(DomainError) as e:
        svc.suggestion_reward(actor=world.cadre, opinion=s, amount=amount)
    assert e.value.field == field
    s.refresh_from_db()
    assert s.reward is None


def test_it_refuses_suggestion_steps_on_an_opinion_and_bad_scores(world):
    o = record(world)
    with pytest.raises(DomainError) as e:
        svc.suggestion_assess(actor=world.cadre, opinion=o, score=50)
    assert e.value.code == "opinion.kind"
    with pytest.raises(DomainError) as e:
        svc.suggestion_assess(actor=world.cadre, opinion=suggestion(world), score=101)
    assert e.value.field == "score"


def test_it_takes_over_a_converted_proposal_and_marks_it_taken(world):
    # given a proposal the committee turned into an opinion
    pw = build(world)
    p = submitted(world, pw)
    proposal_svc.proposal_convert(actor=world.cadre, proposal=p, reason="属日常管理事项")
    assert list(proposal_svc.converted_awaiting_opinion(world.school)) == [p]
    # when
    o = svc.opinion_from_proposal(actor=world.cadre, proposal=p)
    # then
    assert (o.source, o.kind, o.proposal, o.submitted_by) == (
        "proposal",
        "opinion",
        p,
        world.member_a.person,
    )
    assert p.title == o.title
    assert not proposal_svc.converted_awaiting_opinion(world.school).exists()
    assert svc.history(o)[0].note == "属日常管理事项"
    with pytest.raises(DomainError):
        svc.opinion_from_proposal(actor=world.cadre, proposal=p)
    assert Opinion.objects.count() == 1


def test_it_takes_over_all_waiting_proposals_at_once(world):
    pw = build(world)
    for _i in range(3):
        proposal_svc.proposal_convert(actor=world.cadre, proposal=submitted(world, pw), reason="r")
    made = svc.opinions_take_over_all(actor=world.cadre, union=world.school)
    assert len(made) == 3
    assert Opinion.objects.filter(source="proposal").count() == 3
    assert svc.opinions_take_over_all(actor=world.cadre, union=world.school) == []


def test_it_refuses_a_member_taking_over_proposals(world):
    with pytest.raises(DomainError) as e:
        svc.opinions_take_over_all(actor=world.member, union=world.school)
    assert e.value.code == "forbidden"


def test_it_summarises_the_year_like_a_work_report(world):
    # given 4 opinions of 2026 (2 rectified, 1 by phone, 1 open) with 3 people interviewed,
    # one of 2025, and one rewarded suggestion
    for outcome, interviews in (("rectified", 2), ("rectified", 1), ("phone", 0)):
        svc.opinion_close(
            actor=world.cadre,
            opinion=record(world),
            outcome=outcome,
            interview_count=interviews,
        )
    record(world, source="box")
    record(world, received_on=date(2025, 6, 1))
    s = suggestion(world)
    svc.suggestion_assess(actor=world.cadre, opinion=s, score=80)
    svc.suggestion_adopt(actor=world.cadre, opinion=s, adopted=True)
    svc.suggestion_reward(actor=world.cadre, opinion=s, amount="300.5")
    # when
    summary = svc.opinion_summary(world.school, 2026)
    # then
    assert summary.sentence == (
        "共收集意见建议4条，已整改落实2条，电话答复1条，约谈3人次，正在办理1条；"
        "收到合理化建议1条，采纳并奖励1条，奖励金额300.50元。"
    )
    assert dict((v, n) for v, _l, n in summary.by_source)["forum"] == 3
    assert dict((v, n) for v, _l, n in summary.by_source)["box"] == 2
    assert svc.opinion_summary(world.school, 2025).tally.opinions == 1
    assert svc.opinion_summary(world.factory_union, 2026).tally.opinions == 0


def test_it_reports_quota_progress_per_person_and_group(world):
    svc.quota_set(actor=world.cadre, union=world.school, year=2026, per_person=3, per_team=5)
    for _i in range(3):
        suggestion(world, submitted_by=world.member_a.person, team=world.group_a)
    report = svc.quota_report(world.school, 2026)
    people = {r.key.split("（")[0]: r for r in report.people.rows}
    assert people["李芳"].met and people["李芳"].count == 3
    assert not people["王强"].met and people["王强"].short == 3
    teams = {r.key: r for r in report.teams.rows}
    assert teams["语文教研组"].count == 3 and teams["语文教研组"].short == 2
    assert report.union_count == 3
    assert AuditEvent.objects.filter(action="congress.suggestion_quota_set").count() == 1


def test_it_updates_the_quota_in_place_and_refuses_nonsense(world):
    svc.quota_set(actor=world.cadre, union=world.school, year=2026, per_person=3, per_team=5)
    q = svc.quota_set(actor=world.cadre, union=world.school, year=2026, per_person=2, per_team=5)
    assert q.per_person == 2
    with pytest.raises(DomainError) as e:
        svc.quota_set(actor=world.cadre, union=world.school, year=2026, per_person=-1, per_team=0)
    assert e.value.field == "per_person"


def test_it_counts_for_upper_unions_without_contents(world):
    record(world)
    rows = svc.subordinate_counts(world.upper_officer, 2026)
    assert [(r.union_name, r.tally.opinions) for r in rows] == [("第一中学工会", 1)]
    assert svc.subordinate_counts(world.other_chair, 2026) == []


def test_it_exports_the_list_to_xlsx(world):
    record(world, title="=HYPERLINK()")
    o = record(world, submitted_by=world.member_a.person)
    svc.opinion_close(actor=world.cadre, opinion=o, outcome="phone")
    data = svc.opinions_xlsx(list(svc.opinions_of_union(world.school)))
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3
    assert "李芳" in rows[1] or "李芳" in rows[2]
    assert "'=HYPERLINK()" in rows[1] + rows[2]
    assert OpinionEvent.objects.count() == 3
