"""Proposal services: each step from submission to rating, and every refusal, with the
history and the audit rows they leave."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from gonghui.congress import proposals as svc
from gonghui.congress.models import (
    CongressRuleSet,
    CongressSession,
    Delegate,
    Department,
    Proposal,
    ProposalAttachment,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, User
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressSessionFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.factories import MemberFactory, PersonFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
IN_WINDOW = datetime(2026, 11, 15, 10, 0, tzinfo=TZ)
AFTER_WINDOW = datetime(2026, 12, 6, 9, 0, tzinfo=TZ)
PDF = b"%PDF-1.4 reply\n%%EOF"


@dataclass
class ProposalWorld:
    session: CongressSession
    proposer: Delegate  # the `member` persona's seat
    d2: Delegate
    d3: Delegate
    d2_user: User
    d3_user: User
    department: Department  # 总务处, answered by `handler`
    other_department: Department  # 教务处, answered by `other_handler`
    handler: User
    other_handler: User


def _member_user(world, username: str, name: str) -> User:
    m = MemberFactory(union=world.school, unit=world.group_b, person=PersonFactory(name=name))
    user = UserFactory(username=username, display_name=name)
    user.person = m.person
    user.save()
    return user


def build(world) -> ProposalWorld:
    """A school congress term with a session in 2026 (proposals 11-01 to 12-05), three
    delegates with logins and two departments with one handler each."""
    congress = CongressFactory(union=world.school)
    term = CongressTermFactory(congress=congress, number=8)
    session = CongressSessionFactory(
        term=term,
        number=3,
        held_on=date(2026, 12, 20),
        proposals_open_on=date(2026, 11, 1),
        proposals_close_on=date(2026, 12, 5),
    )
    delegation = DelegationFactory(term=term, name="语文组代表团")
    proposer = DelegateFactory(delegation=delegation, person=world.member_a.person)
    d2_user = _member_user(world, "delegate2", "周敏")
    d3_user = _member_user(world, "delegate3", "吴刚")
    d2 = DelegateFactory(delegation=delegation, person=d2_user.person)
    d3 = DelegateFactory(delegation=delegation, person=d3_user.person)
    handler = _member_user(world, "handler", "孙总务")
    other_handler = _member_user(world, "handler2", "钱教务")
    dept = svc.department_create(actor=world.chair, union=world.school, name="总务处")
    svc.department_set_handlers(actor=world.chair, department=dept, users=[handler])
    other = svc.department_create(actor=world.chair, union=world.school, name="教务处")
    svc.department_set_handlers(actor=world.chair, department=other, users=[other_handler])
    return ProposalWorld(
        session, proposer, d2, d3, d2_user, d3_user, dept, other, handler, other_handler
    )


def submit(world, pw: ProposalWorld, **kw) -> Proposal:
    data = {
        "title": "关于每年为全体教职工安排健康体检的提案",
        "reasons": "教职工工作强度大，部分教师多年未体检。",
        "measures": "每年三月安排全员体检，费用由学校承担。",
        "category": "welfare",
    }
    data.update(kw)
    return svc.proposal_submit(user=world.member, session=pw.session, now=IN_WINDOW, **data)


def submitted(world, pw: ProposalWorld) -> Proposal:
    p = submit(world, pw)
    svc.proposal_cosign(user=pw.d2_user, proposal=p, now=IN_WINDOW)
    svc.proposal_cosign(user=pw.d3_user, proposal=p, now=IN_WINDOW)
    p.refresh_from_db()
    return p


def accepted(world, pw: ProposalWorld) -> Proposal:
    p = submitted(world, pw)
    return svc.proposal_accept(
        actor=world.cadre,
        proposal=p,
        department=pw.department,
        due_on=date(2026, 12, 31),
        now=IN_WINDOW,
    )


def replied(world, pw: ProposalWorld) -> Proposal:
    p = accepted(world, pw)
    svc.proposal_reply(
        user=pw.handler,
        proposal=p,
        points=[{"point": "体检时间", "answer": "每年三月为教职工体检月"}],
        now=IN_WINDOW,
    )
    p.refresh_from_db()
    return p


class FakeUpload:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data = name, data

    def chunks(self):
        yield self.data


@pytest.fixture
def pw(world) -> ProposalWorld:
    return build(world)


def _kinds(p: Proposal) -> list[str]:
    return list(p.events.order_by("at", "id").values_list("kind", flat=True))


# ---- submission and co-signing -----------------------------------------------------------


def test_it_submits_a_proposal_collecting_cosigners(world, pw):
    p = submit(world, pw)
    assert p.status == Proposal.Status.COLLECTING
    assert p.proposer == pw.proposer
    assert _kinds(p) == ["submitted"]
    assert AuditEvent.objects.filter(action="congress.proposal_submit", object_id=p.pk).exists()


def test_it_refuses_a_submission_from_someone_who_is_not_a_delegate(world, pw):
    with pytest.raises(DomainError) as e:
        svc.proposal_submit(
            user=world.cadre,
            session=pw.session,
            title="t",
            reasons="r",
            measures="m",
            category="other",
            now=IN_WINDOW,
        )
    assert e.value.code == "proposal.not_delegate"
    assert not Proposal.objects.exists()


def test_it_refuses_a_delegate_who_no_longer_serves(world, pw):
    Delegate.objects.filter(pk=pw.proposer.pk).update(status=Delegate.Status.REPLACED)
    with pytest.raises(DomainError) as e:
        submit(world, pw)
    assert e.value.code == "proposal.not_delegate"


def test_it_refuses_a_submission_after_the_window_closed_naming_the_date(world, pw):
    with pytest.raises(DomainError) as e:
        svc.proposal_submit(
            user=world.member,
            session=pw.session,
            title="t",
            reasons="r",
            measures="m",
            category="other",
            now=AFTER_WINDOW,
        )
    assert e.value.code == "proposal.window_closed"
    assert "2026-12-05" in e.value.message


def test_it_refuses_a_submission_before_the_window_opens(world, pw):
    with pytest.raises(DomainError) as e:
        svc.proposal_submit(
            user=world.member,
            session=pw.session,
            title="t",
            reasons="r",
            measures="m",
            category="other",
            now=datetime(2026, 10, 31, 23, 0, tzinfo=TZ),
        )
    assert e.value.code == "proposal.window_not_open"


def test_it_accepts_a_submission_on_the_closing_day(world, pw):
    p = svc.proposal_submit(
        user=world.member,
        session=pw.session,
        title="t",
        reasons="r",
        measures="m",
        category="other",
        now=datetime(2026, 12, 5, 23, 30, tzinfo=TZ),
    )
    assert p.pk


def test_it_closes_by_the_rule_set_when_the_session_names_no_closing_day(world, pw):
    # given no closing day: 15 days before 12-20 is 12-05
    CongressSession.objects.filter(pk=pw.session.pk).update(proposals_close_on=None)
    with pytest.raises(DomainError) as e:
        submit_at(world, pw, datetime(2026, 12, 6, 8, 0, tzinfo=TZ))
    assert "2026-12-05" in e.value.message


def submit_at(world, pw, now):
    return svc.proposal_submit(
        user=world.member,
        session=pw.session,
        title="t",
        reasons="r",
        measures="m",
        category="other",
        now=now,
    )


@pytest.mark.parametrize("field", ["title", "reasons", "measures"])
def test_it_names_the_missing_field(world, pw, field):
    with pytest.raises(DomainError) as e:
        submit(world, pw, **{field: "  "})
    assert e.value.field == field


def test_it_refuses_an_unknown_category(world, pw):
    with pytest.raises(DomainError) as e:
        submit(world, pw, category="cake")
    assert e.value.field == "category"


def test_it_sends_the_proposal_to_the_committee_when_the_second_cosigner_joins(world, pw):
    p = submit(world, pw)
    svc.proposal_cosign(user=pw.d2_user, proposal=p, now=IN_WINDOW)
    p.refresh_from_db()
    assert p.status == Proposal.Status.COLLECTING
    svc.proposal_cosign(user=pw.d3_user, proposal=p, now=IN_WINDOW)
    p.refresh_from_db()
    assert p.status == Proposal.Status.SUBMITTED
    assert _kinds(p) == ["submitted", "cosigned", "cosigned", "to_committee"]
    assert AuditEvent.objects.filter(action="congress.proposal_cosign").count() == 2


def test_it_follows_the_unions_cosigner_minimum(world, pw):
    CongressRuleSet.objects.create(union=world.school, cosigners_min=0)
    p = submit(world, pw)
    assert p.status == Proposal.Status.SUBMITTED


def test_it_refuses_the_proposer_cosigning_their_own(world, pw):
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_cosign(user=world.member, proposal=p, now=IN_WINDOW)
    assert e.value.code == "proposal.self_cosign"


def test_it_refuses_cosigning_twice(world, pw):
    p = submit(world, pw)
    svc.proposal_cosign(user=pw.d2_user, proposal=p, now=IN_WINDOW)
    with pytest.raises(DomainError) as e:
        svc.proposal_cosign(user=pw.d2_user, proposal=p, now=IN_WINDOW)
    assert e.value.code == "proposal.cosigned_twice"
    assert p.cosignatures.count() == 1


def test_it_refuses_a_cosigner_who_is_not_a_delegate_of_the_term(world, pw):
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_cosign(user=pw.handler, proposal=p, now=IN_WINDOW)
    assert e.value.code == "proposal.not_delegate"


def test_it_refuses_a_delegate_of_another_term(world, pw):
    other_term = CongressTermFactory(congress=pw.session.term.congress, number=7)
    seat = DelegateFactory(delegation=DelegationFactory(term=other_term))
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_cosign(user=None, delegate=seat, proposal=p, now=IN_WINDOW)
    assert e.value.code == "proposal.not_delegate"


def test_it_refuses_cosigning_after_the_window(world, pw):
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_cosign(user=pw.d2_user, proposal=p, now=AFTER_WINDOW)
    assert e.value.code == "proposal.window_closed"


def test_it_lets_the_proposer_withdraw_before_review_only(world, pw):
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_withdraw(user=pw.d2_user, proposal=p)
    assert e.value.code == "proposal.not_proposer"
    svc.proposal_withdraw(user=world.member, proposal=p, reason="已与学校沟通解决")
    p.refresh_from_db()
    assert p.status == Proposal.Status.WITHDRAWN
    q = accepted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_withdraw(user=world.member, proposal=q)
    assert e.value.code == "proposal.reviewed"


# ---- review ----------------------------------------------------------------------------


def test_it_accepts_numbers_and_assigns_a_proposal(world, pw):
    p = accepted(world, pw)
    assert (p.status, p.number, p.department, p.due_on) == (
        "accepted",
        1,
        pw.department,
        date(2026, 12, 31),
    )
    assert p.reviewed_by == world.cadre
    assert _kinds(p)[-2:] == ["accepted", "assigned"]
    q = accepted(world, pw)
    assert q.number == 2
    audit = AuditEvent.objects.get(action="congress.proposal_accept", object_id=p.pk)
    assert audit.after["status"] == "accepted" and audit.before["status"] == "submitted"


def test_it_refuses_acceptance_by_a_member_or_another_unions_chair(world, pw):
    p = submitted(world, pw)
    for user in (world.member, world.other_chair, world.upper_officer):
        with pytest.raises(DomainError) as e:
            svc.proposal_accept(
                actor=user,
                proposal=p,
                department=pw.department,
                due_on=date(2026, 12, 31),
                now=IN_WINDOW,
            )
        assert e.value.code == "forbidden"
    p.refresh_from_db()
    assert p.status == Proposal.Status.SUBMITTED


def test_it_refuses_accepting_a_proposal_short_of_cosigners(world, pw):
    p = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_accept(
            actor=world.cadre,
            proposal=p,
            department=pw.department,
            due_on=date(2026, 12, 31),
            now=IN_WINDOW,
        )
    assert e.value.code == "proposal.not_enough_cosigners"


def test_it_refuses_a_past_due_date_and_another_unions_department(world, pw):
    p = submitted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_accept(
            actor=world.cadre,
            proposal=p,
            department=pw.department,
            due_on=date(2026, 11, 1),
            now=IN_WINDOW,
        )
    assert e.value.field == "due_on"
    foreign = svc.department_create(actor=None, union=world.factory_union, name="设备科")
    with pytest.raises(DomainError) as e:
        svc.proposal_accept(
            actor=world.cadre,
            proposal=p,
            department=foreign,
            due_on=date(2026, 12, 31),
            now=IN_WINDOW,
        )
    assert e.value.field == "department"


def test_it_converts_a_proposal_to_an_opinion_with_a_reason(world, pw):
    p = submitted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_convert(actor=world.cadre, proposal=p, reason=" ")
    assert e.value.field == "reason"
    svc.proposal_convert(actor=world.cadre, proposal=p, reason="属个人诉求，转意见建议办理")
    p.refresh_from_db()
    assert p.status == Proposal.Status.CONVERTED and p.number is None
    assert p.review_reason == "属个人诉求，转意见建议办理"
    assert list(svc.converted_awaiting_opinion(world.school)) == [p]
    svc.proposal_opinion_taken(actor=world.cadre, proposal=p)
    assert not svc.converted_awaiting_opinion(world.school).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_it_numbers_proposals_without_gaps_or_repeats_when_accepted_in_parallel(world, pw):
    # given six proposals waiting for review
    props = [submitted(world, pw) for _ in range(6)]
    barrier = threading.Barrier(len(props))
    errors: list[BaseException] = []

    def accept(p: Proposal) -> None:
        try:
            barrier.wait(timeout=10)
            svc.proposal_accept(
                actor=world.cadre,
                proposal=p,
                department=pw.department,
                due_on=date(2026, 12, 31),
                now=IN_WINDOW,
            )
        except BaseException as e:  # reported to the test thread below
            errors.append(e)
        finally:
            connections.close_all()

    # when six requests accept them at the same moment
    threads = [threading.Thread(target=accept, args=(p,)) for p in props]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    # then each has its own number, without gaps
    assert errors == []
    numbers = sorted(Proposal.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_it_numbers_sequentially_per_session(world, pw):
    # SQLite's stand-in for the parallel test: each session counts from 1
    a = accepted(world, pw)
    other = CongressSessionFactory(
        term=pw.session.term,
        number=4,
        held_on=date(2026, 12, 21),
        proposals_open_on=date(2026, 11, 1),
        proposals_close_on=date(2026, 12, 5),
    )
    p = svc.proposal_submit(
        user=world.member,
        session=other,
        title="t",
        reasons="r",
        measures="m",
        category="other",
        now=IN_WINDOW,
    )
    svc.proposal_cosign(user=pw.d2_user, proposal=p, now=IN_WINDOW)
    svc.proposal_cosign(user=pw.d3_user, proposal=p, now=IN_WINDOW)
    p = svc.proposal_accept(
        actor=world.chair,
        proposal=p,
        department=pw.department,
        due_on=date(2026, 12, 31),
        now=IN_WINDOW,
    )
    assert (a.number, p.number) == (1, 1)


def test_it_reassigns_and_marks_outstanding(world, pw):
    p = accepted(world, pw)
    svc.proposal_reassign(
        actor=world.chair,
        proposal=p,
        department=pw.other_department,
        due_on=date(2027, 1, 15),
        note="涉及课程安排",
        now=IN_WINDOW,
    )
    p.refresh_from_db()
    assert (p.department, p.due_on) == (pw.other_department, date(2027, 1, 15))
    svc.proposal_mark_outstanding(actor=world.chair, proposal=p)
    p.refresh_from_db()
    assert p.is_outstanding
    assert _kinds(p)[-2:] == ["reassigned", "outstanding"]
    q = submit(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_mark_outstanding(actor=world.chair, proposal=q)
    assert e.value.code == "proposal.not_accepted"


# ---- reply and rating -----------------------------------------------------------------


def test_it_takes_a_point_by_point_reply_with_an_attachment(world, pw, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = accepted(world, pw)
    reply = svc.proposal_reply(
        user=pw.handler,
        proposal=p,
        points=[
            {"point": "体检时间", "answer": "每年三月"},
            {"point": "", "answer": ""},
            {"point": "费用", "answer": "由学校承担"},
        ],
        body="感谢代表关心。",
        attachments=[FakeUpload("../../体检方案.pdf", PDF)],
        now=IN_WINDOW,
    )
    p.refresh_from_db()
    assert p.status == Proposal.Status.REPLIED
    assert reply.round == 1 and len(reply.points) == 2
    att = ProposalAttachment.objects.get(reply=reply)
    assert att.file_name == "体检方案.pdf"
    assert (tmp_path / att.stored_path).read_bytes() == PDF
    assert ".." not in att.stored_path


def test_it_refuses_a_reply_from_another_departments_handler(world, pw):
    p = accepted(world, pw)
    for user in (pw.other_handler, world.chair, world.member):
        with pytest.raises(DomainError) as e:
            svc.proposal_reply(user=user, proposal=p, points=[{"point": "a", "answer": "b"}])
        assert e.value.code == "proposal.not_handler"
    assert not p.replies.exists()


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("virus.exe", b"MZ", "upload.type"),
        ("fake.pdf", b"MZ not a pdf", "upload.content"),
        ("empty.png", b"", "upload.empty"),
        ("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "upload.too_large"),
    ],
)
def test_it_refuses_bad_attachments(world, pw, settings, tmp_path, name, data, code):
    settings.MEDIA_ROOT = tmp_path
    p = accepted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_reply(
            user=pw.handler,
            proposal=p,
            points=[{"point": "a", "answer": "b"}],
            attachments=[FakeUpload(name, data)],
        )
    assert e.value.code == code
    assert not p.replies.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_it_refuses_an_empty_reply_and_a_point_without_answer(world, pw):
    p = accepted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_reply(user=pw.handler, proposal=p, points=[{"point": "", "answer": ""}])
    assert e.value.code == "proposal.reply_empty"
    with pytest.raises(DomainError) as e:
        svc.proposal_reply(user=pw.handler, proposal=p, points=[{"point": "x", "answer": ""}])
    assert e.value.code == "proposal.point_answer"


def test_it_closes_on_a_satisfied_rating(world, pw):
    p = replied(world, pw)
    svc.proposal_rate(user=world.member, proposal=p, rating="satisfied", now=IN_WINDOW)
    p.refresh_from_db()
    assert (p.status, p.rating) == ("closed", "satisfied")
    assert p.replies.get().rating == "satisfied"
    assert _kinds(p)[-2:] == ["rated", "closed"]


def test_it_refuses_a_rating_by_someone_other_than_the_proposer(world, pw):
    p = replied(world, pw)
    for user in (pw.d2_user, world.chair, pw.handler):
        with pytest.raises(DomainError) as e:
            svc.proposal_rate(user=user, proposal=p, rating="satisfied")
        assert e.value.code == "proposal.not_proposer"
    p.refresh_from_db()
    assert p.status == "replied"


def test_it_sends_an_unsatisfying_reply_back_for_a_second_round(world, pw):
    p = replied(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_rate(user=world.member, proposal=p, rating="unsatisfied")
    assert e.value.field == "comment"
    svc.proposal_rate(
        user=world.member,
        proposal=p,
        rating="unsatisfied",
        comment="未明确经费来源",
        now=datetime(2026, 12, 10, 9, 0, tzinfo=TZ),
    )
    p.refresh_from_db()
    assert (p.status, p.due_on) == ("rehandling", date(2026, 12, 25))
    assert svc.is_overdue(p, date(2026, 12, 26)) and not svc.is_overdue(p, date(2026, 12, 25))
    # when the department answers again
    second = svc.proposal_reply(
        user=pw.handler, proposal=p, points=[{"point": "经费", "answer": "工会经费列支"}]
    )
    p.refresh_from_db()
    assert second.round == 2 and p.status == "replied" and p.rating == ""
    svc.proposal_rate(user=world.member, proposal=p, rating="basic")
    p.refresh_from_db()
    assert (p.status, p.rating) == ("closed", "basic")
    assert list(p.replies.values_list("round", "rating")) == [(1, "unsatisfied"), (2, "basic")]
    assert "sent_back" in _kinds(p)


def test_it_refuses_rating_before_a_reply(world, pw):
    p = accepted(world, pw)
    with pytest.raises(DomainError) as e:
        svc.proposal_rate(user=world.member, proposal=p, rating="satisfied")
    assert e.value.code == "proposal.not_replied"


# ---- departments and reads ---------------------------------------------------------------


def test_it_refuses_a_duplicate_department_and_a_handler_from_another_union(world, pw):
    with pytest.raises(DomainError) as e:
        svc.department_create(actor=world.cadre, union=world.school, name="总务处")
    assert e.value.code == "department.name_taken"
    stranger = UserFactory(username="stranger")
    with pytest.raises(DomainError) as e:
        svc.department_set_handlers(actor=world.cadre, department=pw.department, users=[stranger])
    assert e.value.code == "department.handler_outside"
    assert list(pw.department.handlers.all()) == [pw.handler]


def test_it_counts_every_state_for_the_summary(world, pw):
    a = replied(world, pw)
    svc.proposal_rate(user=world.member, proposal=a, rating="satisfied")
    b = replied(world, pw)
    svc.proposal_rate(user=world.member, proposal=b, rating="unsatisfied", comment="x")
    accepted(world, pw)  # due 12-31, overdue in January
    c = submitted(world, pw)
    svc.proposal_convert(actor=world.cadre, proposal=c, reason="r")
    submit(world, pw)  # still collecting
    counts = svc.proposal_counts(Proposal.objects.all(), date(2027, 1, 20))
    assert counts.received == 4
    assert counts.accepted == 3 and counts.converted == 1 and counts.collecting == 1
    assert counts.replied == 2
    assert (counts.satisfied, counts.basic, counts.unsatisfied) == (1, 0, 1)
    assert counts.overdue == 2  # the unreplied one and the one sent back (due 15 days on)


def test_it_shows_members_only_proposals_past_cosigning_but_delegates_the_collecting_ones(
    world, pw
):
    mine = submit(world, pw)  # by the member persona, collecting
    theirs = svc.proposal_submit(
        user=pw.d2_user,
        session=pw.session,
        title="关于改善食堂伙食的提案",
        reasons="r",
        measures="m",
        category="welfare",
        now=IN_WINDOW,
    )
    plain = _member_user(world, "plainmember", "郑平")
    from gonghui.core.services import role_grant

    role_grant(actor=None, user=plain, role="member", unit=world.school)
    assert set(svc.proposals_of_union(world.member, world.school)) == {mine, theirs}
    assert set(svc.proposals_of_union(plain, world.school)) == set()
    assert set(svc.proposals_of_union(world.cadre, world.school)) == {mine, theirs}
    assert not svc.proposals_of_union(world.other_chair, world.school).exists()


def test_it_gives_upper_unions_counts_per_union_without_titles(world, pw):
    replied(world, pw)
    rows = svc.subordinate_counts(world.upper_officer, date(2026, 11, 20))
    assert [(r.union_name, r.counts.accepted, r.counts.replied) for r in rows] == [
        ("第一中学工会", 1, 1)
    ]
    assert not svc.subordinate_counts(world.member, date(2026, 11, 20))


def test_it_gives_a_handler_only_their_departments_proposals(world, pw):
    p = accepted(world, pw)
    q = submitted(world, pw)
    svc.proposal_accept(
        actor=world.cadre,
        proposal=q,
        department=pw.other_department,
        due_on=date(2026, 12, 31),
        now=IN_WINDOW,
    )
    assert list(svc.handler_inbox(pw.handler)) == [p]
    assert list(svc.handler_inbox(pw.other_handler)) == [q]


# ---- the handling report ---------------------------------------------------------------


def test_it_writes_the_handling_report_with_the_real_counts(world, pw):
    import io

    from docx import Document

    from gonghui.congress.proposal_report import build_report

    # given two satisfied, one basic, one sent back, one converted and one still collecting
    for rating in ("satisfied", "satisfied", "basic"):
        p = replied(world, pw)
        svc.proposal_rate(user=world.member, proposal=p, rating=rating)
    star = p
    svc.proposal_mark_outstanding(actor=world.chair, proposal=star)
    back = replied(world, pw)
    svc.proposal_rate(user=world.member, proposal=back, rating="unsatisfied", comment="未落实")
    conv = submitted(world, pw)
    svc.proposal_convert(actor=world.cadre, proposal=conv, reason="属个人诉求")
    submit(world, pw)

    # when the report is written on 2026-12-15
    doc = Document(io.BytesIO(build_report(pw.session, today=date(2026, 12, 15))))

    # then the opening states the counts, the table lists the four accepted proposals
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "共收到提案5件" in text and "立案4件" in text and "转为意见建议1件" in text
    assert "截至2026年12月15日，已答复4件" in text
    assert "满意2件、基本满意1件、不满意1件" in text
    assert "1件提案被评为优秀提案" in text
    rows = doc.tables[0].rows
    assert len(rows) == 5
    assert rows[4].cells[0].text == "第4号"
    assert {r.cells[5].text for r in rows[1:]} == {"满意", "基本满意", "不满意"}
    assert f"第{star.number}号 {star.title}" in text
    assert "属个人诉求" in text
    run = doc.paragraphs[1].runs[0]
    assert (
        run._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "SimSun"
    )
