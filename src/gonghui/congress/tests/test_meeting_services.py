"""Running a session through the meeting services: open and close, check-in at the desk and
by code, attendance and quorum, opening, casting and closing votes, minutes; with the
refusals and the audit rows."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from gonghui.congress import meeting
from gonghui.congress.models import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    CheckIn,
    CongressRuleSet,
    CongressSession,
    Delegate,
    DocumentVersion,
    VoteReceipt,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, OrgUnit, Person, Role, User
from gonghui.core.services import role_grant
from gonghui.testing.congress_factories import (
    AgendaItemFactory,
    CongressSessionFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.factories import UserFactory

OPEN = CongressSession.Status.OPEN


@dataclass
class Meeting:
    session: CongressSession
    delegates: list[Delegate]
    users: list[User] = field(default_factory=list)  # users[i] sits in delegates[i]

    def item(self, **kw) -> AgendaItem:
        return AgendaItemFactory(session=self.session, **kw)


def build_meeting(
    union: OrgUnit,
    *,
    delegates: int = 6,
    present: int = 0,
    status: str = OPEN,
    people: tuple[Person, ...] = (),
    with_users: bool = True,
) -> Meeting:
    """A session of ``union``'s congress with serving delegates (``people`` first), each
    with a login of the member role, and the first ``present`` of them checked in."""
    session = CongressSessionFactory(term__congress__union=union, status=status)
    delegation = DelegationFactory(term=session.term, seats=delegates)
    ds = [DelegateFactory(delegation=delegation, person=p) for p in people]
    ds += [DelegateFactory(delegation=delegation) for _ in range(delegates - len(people))]
    users: list[User] = []
    if with_users:
        for d in ds:
            user = User.objects.filter(person=d.person).first()
            if user is None:
                user = UserFactory(username=f"delegate{d.pk}", person=d.person)
                role_grant(actor=None, user=user, role=Role.MEMBER, unit=union)
            users.append(user)
    for d in ds[:present]:
        CheckIn.objects.create(session=session, delegate=d, method=CheckIn.Method.CADRE)
    return Meeting(session=session, delegates=ds, users=users)


def voting_item(m: Meeting, **kw) -> AgendaItem:
    return m.item(status=AgendaItem.Status.VOTING, **kw)


def actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("action", flat=True)
    )


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the wrong-code counter lives in the cache
    yield
    cache.clear()


# ---- session -----------------------------------------------------------------------------------


def test_it_opens_a_planned_session_with_a_fresh_code(world):
    # given a planned session without a code
    m = build_meeting(world.school, status=CongressSession.Status.PLANNED, with_users=False)
    CongressSession.objects.filter(pk=m.session.pk).update(checkin_code="")
    # when the chair opens it
    session = meeting.session_open(actor=world.chair, session=m.session)
    # then it is in session with a six-digit code, audited
    session.refresh_from_db()
    assert session.status == OPEN
    assert session.opened_at is not None
    assert len(session.checkin_code) == 6 and session.checkin_code.isdigit()
    assert actions(session) == ["congress.session_open"]


def test_it_refuses_to_open_a_session_twice(world):
    m = build_meeting(world.school, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.session_open(actor=world.chair, session=m.session)
    assert e.value.code == "session.not_planned"


def test_it_refuses_another_unions_chair(world):
    m = build_meeting(world.school, status=CongressSession.Status.PLANNED, with_users=False)
    item = m.item()
    for call in (
        lambda: meeting.session_open(actor=world.other_chair, session=m.session),
        lambda: meeting.checkin_mark(
            actor=world.other_chair, session=m.session, delegate=m.delegates[0]
        ),
        lambda: meeting.vote_open(actor=world.other_chair, item=item),
        lambda: meeting.minutes_update(actor=world.other_chair, session=m.session, minutes="x"),
    ):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == "forbidden"
    assert not CheckIn.objects.exists()
    assert m.session.status == CongressSession.Status.PLANNED


def test_it_refuses_a_member_running_the_session(world):
    m = build_meeting(world.school, status=CongressSession.Status.PLANNED, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.session_open(actor=world.member, session=m.session)
    assert e.value.code == "forbidden"


def test_it_closes_a_session_only_when_no_vote_is_running(world):
    # given a session with an item being voted on
    m = build_meeting(world.school, with_users=False)
    item = voting_item(m, title="审议通过《奖励性绩效工资分配方案》")
    # when the chair closes the session, it is refused naming the item
    with pytest.raises(DomainError) as e:
        meeting.session_close(actor=world.chair, session=m.session)
    assert e.value.code == "session.voting"
    assert "奖励性绩效工资分配方案" in e.value.message
    # then after the vote closes the session closes, audited
    meeting.vote_close(actor=world.chair, item=item)
    meeting.session_close(actor=world.chair, session=m.session)
    m.session.refresh_from_db()
    assert m.session.status == CongressSession.Status.CLOSED
    assert m.session.closed_at is not None
    assert "congress.session_close" in actions(m.session)


def test_it_refuses_to_close_a_session_not_in_progress(world):
    m = build_meeting(world.school, status=CongressSession.Status.PLANNED, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.session_close(actor=world.chair, session=m.session)
    assert e.value.code == "session.not_open"


def test_it_saves_the_minutes_with_an_audit_row(world):
    m = build_meeting(world.school, with_users=False)
    meeting.minutes_update(actor=world.cadre, session=m.session, minutes="  会议听取了工作报告。 ")
    m.session.refresh_from_db()
    assert m.session.minutes == "会议听取了工作报告。"
    event = AuditEvent.objects.get(action="congress.minutes_update")
    assert event.after == {"minutes": "会议听取了工作报告。"}


# ---- check-in ----------------------------------------------------------------------------------


def test_it_marks_a_delegate_present_once(world):
    # given an open session with nobody checked in
    m = build_meeting(world.school, delegates=3, with_users=False)
    d = m.delegates[0]
    # when a cadre marks the delegate twice
    first = meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=d)
    second = meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=d)
    # then there is one check-in, marked by staff, and one audit row
    assert first.pk == second.pk
    assert first.method == CheckIn.Method.CADRE and first.by == world.cadre
    assert meeting.attendance(m.session).present == 1
    assert actions(first) == ["congress.checkin_mark"]


def test_it_takes_check_ins_before_the_session_is_declared_open(world):
    m = build_meeting(world.school, status=CongressSession.Status.PLANNED, with_users=False)
    meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=m.delegates[0])
    assert meeting.attendance(m.session).present == 1


def test_it_refuses_to_check_in_a_delegate_of_another_term(world):
    m = build_meeting(world.school, with_users=False)
    stranger = build_meeting(world.school, with_users=False).delegates[0]  # another term
    with pytest.raises(DomainError) as e:
        meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=stranger)
    assert e.value.code == "checkin.not_delegate"
    assert not CheckIn.objects.exists()


def test_it_refuses_to_check_in_a_replaced_delegate(world):
    m = build_meeting(world.school, with_users=False)
    d = m.delegates[0]
    Delegate.objects.filter(pk=d.pk).update(status=Delegate.Status.REPLACED)
    with pytest.raises(DomainError) as e:
        meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=d)
    assert e.value.code == "checkin.not_delegate"


def test_it_refuses_check_in_after_the_session_closed(world):
    m = build_meeting(world.school, status=CongressSession.Status.CLOSED, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=m.delegates[0])
    assert e.value.code == "checkin.closed"


def test_it_undoes_a_check_in_with_an_audit_row(world):
    m = build_meeting(world.school, delegates=3, present=1, with_users=False)
    d = m.delegates[0]
    checkin = CheckIn.objects.get(delegate=d)
    meeting.checkin_undo(actor=world.cadre, session=m.session, delegate=d)
    assert meeting.attendance(m.session).present == 0
    event = AuditEvent.objects.get(action="congress.checkin_undo")
    assert event.object_id == str(checkin.pk)
    assert event.before["delegate_id"] == d.pk
    # and the delegate can check in again
    meeting.checkin_mark(actor=world.cadre, session=m.session, delegate=d)
    assert meeting.attendance(m.session).present == 1


def test_it_refuses_to_undo_a_check_in_that_does_not_exist(world):
    m = build_meeting(world.school, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.checkin_undo(actor=world.cadre, session=m.session, delegate=m.delegates[0])
    assert e.value.code == "checkin.none"


def test_it_refuses_to_undo_the_check_in_of_a_delegate_whose_vote_is_open(world):
    # given a delegate who voted on an item still being voted on
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m)
    meeting.vote_cast(user=m.users[0], item=item, choice="yes")
    # when the desk undoes their check-in, it is refused
    with pytest.raises(DomainError) as e:
        meeting.checkin_undo(actor=world.cadre, session=m.session, delegate=m.delegates[0])
    assert e.value.code == "checkin.has_voted"
    assert meeting.attendance(m.session).present == 3


def test_it_checks_in_a_delegate_with_the_session_code(world):
    m = build_meeting(world.school, delegates=3)
    checkin = meeting.checkin_with_code(
        user=m.users[1], session=m.session, code=f" {m.session.checkin_code} "
    )
    assert checkin.delegate == m.delegates[1]
    assert checkin.method == CheckIn.Method.CODE
    assert actions(checkin) == ["congress.checkin_code"]


def test_it_refuses_a_wrong_code_with_a_message(world):
    m = build_meeting(world.school, delegates=3)
    with pytest.raises(DomainError) as e:
        meeting.checkin_with_code(user=m.users[0], session=m.session, code="000000x")
    assert e.value.code == "checkin.wrong_code"
    assert e.value.field == "code"
    assert e.value.message
    assert not CheckIn.objects.exists()


def test_it_makes_a_user_wait_after_five_wrong_codes(world):
    # given five wrong codes
    m = build_meeting(world.school, delegates=3)
    for _ in range(meeting.CODE_ATTEMPTS):
        with pytest.raises(DomainError):
            meeting.checkin_with_code(user=m.users[0], session=m.session, code="bad")
    # when the right code comes next, it is still refused
    with pytest.raises(DomainError) as e:
        meeting.checkin_with_code(user=m.users[0], session=m.session, code=m.session.checkin_code)
    assert e.value.code == "checkin.throttled"
    assert not CheckIn.objects.exists()
    # then another delegate is not held up by it
    meeting.checkin_with_code(user=m.users[1], session=m.session, code=m.session.checkin_code)
    assert meeting.attendance(m.session).present == 1


def test_it_refuses_the_code_from_someone_who_is_not_a_delegate(world):
    m = build_meeting(world.school, delegates=3)
    with pytest.raises(DomainError) as e:
        meeting.checkin_with_code(user=world.cadre, session=m.session, code=m.session.checkin_code)
    assert e.value.code == "checkin.not_delegate"


# ---- attendance --------------------------------------------------------------------------------


def test_it_counts_attendance_against_all_serving_delegates(world):
    # given 9 serving delegates, 6 present, and one replaced delegate who had checked in
    m = build_meeting(world.school, delegates=10, present=7, with_users=False)
    Delegate.objects.filter(pk=m.delegates[0].pk).update(status=Delegate.Status.REPLACED)
    att = meeting.attendance(m.session)
    assert (att.present, att.total, att.needed, att.met) == (6, 9, 6, True)
    assert att.absent == 3


def test_it_applies_the_unions_own_quorum(world):
    # given a union whose rules ask for three quarters
    CongressRuleSet.objects.create(union=world.school, quorum_numerator=3, quorum_denominator=4)
    m = build_meeting(world.school, delegates=8, present=5, with_users=False)
    att = meeting.attendance(m.session)
    assert (att.needed, att.met) == (6, False)


# ---- opening a vote ---------------------------------------------------------------------------


def test_it_refuses_a_vote_without_a_quorum_naming_the_figures(world):
    # given 30 delegates and 19 present: two thirds would be 20
    m = build_meeting(world.school, delegates=30, present=19, with_users=False)
    item = m.item()
    with pytest.raises(DomainError) as e:
        meeting.vote_open(actor=world.chair, item=item)
    assert e.value.code == "vote.no_quorum"
    for figure in ("30", "19", "20"):
        assert figure in e.value.message
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING


def test_it_says_two_thirds_in_chinese_when_quorum_is_missing(world):
    m = build_meeting(world.school, delegates=3, present=1, with_users=False)
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(DomainError) as e:
        meeting.vote_open(actor=world.chair, item=m.item())
    assert "三分之二" in e.value.message


def test_it_opens_a_vote_when_the_quorum_is_met(world):
    m = build_meeting(world.school, delegates=30, present=20, with_users=False)
    item = meeting.vote_open(actor=world.chair, item=m.item())
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.VOTING
    assert item.voting_opened_at is not None
    assert actions(item) == ["congress.vote_open"]


def test_it_refuses_a_vote_outside_the_session(world):
    m = build_meeting(world.school, present=6, status=CongressSession.Status.PLANNED)
    with pytest.raises(DomainError) as e:
        meeting.vote_open(actor=world.chair, item=m.item())
    assert e.value.code == "vote.session_not_open"


def test_it_refuses_a_vote_on_an_item_that_is_not_voted_on(world):
    m = build_meeting(world.school, present=6, with_users=False)
    item = m.item(kind=AgendaItem.Kind.REPORT, vote_mode=AgendaItem.VoteMode.NONE)
    with pytest.raises(DomainError) as e:
        meeting.vote_open(actor=world.chair, item=item)
    assert e.value.code == "vote.no_vote"


def test_it_refuses_to_open_a_vote_twice(world):
    m = build_meeting(world.school, present=6, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.vote_open(actor=world.chair, item=voting_item(m))
    assert e.value.code == "vote.not_pending"


# ---- casting ------------------------------------------------------------------------------------


def test_it_stores_a_secret_ballot_with_no_link_to_the_voter(world):
    # given a secret item being voted on
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, vote_mode=AgendaItem.VoteMode.SECRET)
    # when a delegate votes against
    receipt = meeting.vote_cast(user=m.users[0], item=item, choice="no")
    # then the receipt names the delegate, the ballot does not
    assert receipt.delegate == m.delegates[0]
    ballot = Ballot.objects.get(item=item)
    assert ballot.choice == "no"
    assert ballot.delegate_id is None
    # and the audit row says that they voted, not how
    event = AuditEvent.objects.get(action="congress.vote_cast")
    assert event.note == ""
    assert "no" not in str(event.after.values())


def test_it_names_the_voter_on_an_open_ballot(world):
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, vote_mode=AgendaItem.VoteMode.OPEN)
    meeting.vote_cast(user=m.users[2], item=item, choice="abstain")
    assert Ballot.objects.get(item=item).delegate == m.delegates[2]
    names = meeting.open_vote_names(item)
    assert names["abstain"] == [m.delegates[2].person.name]


def test_it_refuses_a_second_vote_from_the_same_delegate(world):
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m)
    meeting.vote_cast(user=m.users[0], item=item, choice="yes")
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[0], item=item, choice="no")
    assert e.value.code == "already_voted"
    assert VoteReceipt.objects.count() == 1
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["yes"]


def test_it_refuses_a_vote_from_someone_who_is_not_a_delegate(world):
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m)
    for user in (world.chair, world.member, world.other_chair):
        with pytest.raises(DomainError) as e:
            meeting.vote_cast(user=user, item=item, choice="yes")
        assert e.value.code == "vote.not_delegate"
    assert not Ballot.objects.exists()


def test_it_refuses_a_seat_passed_in_that_is_not_the_voters(world):
    # given two present delegates and a seat of theirs that has ended
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m)
    ended = m.delegates[2]
    ended.status = Delegate.Status.LEFT  # in memory: the stale object a caller might hold
    # when a caller hands the service someone else's seat, or a seat no longer serving
    for user, seat in ((m.users[0], m.delegates[1]), (world.chair, m.delegates[0])):
        with pytest.raises(DomainError) as e:
            meeting.vote_cast(user=user, item=item, choice="yes", delegate=seat)
        assert e.value.code == "vote.not_delegate"
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[2], item=item, choice="yes", delegate=ended)
    assert e.value.code == "vote.not_delegate"
    # then nothing is stored; their own seat passed in counts once
    assert not Ballot.objects.exists()
    meeting.vote_cast(user=m.users[0], item=item, choice="yes", delegate=m.delegates[0])
    assert VoteReceipt.objects.get().delegate == m.delegates[0]


def test_it_refuses_a_vote_from_a_delegate_who_has_not_checked_in(world):
    m = build_meeting(world.school, delegates=3, present=2)
    item = voting_item(m)
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[2], item=item, choice="yes")
    assert e.value.code == "vote.not_checked_in"
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("status", [AgendaItem.Status.PENDING, AgendaItem.Status.DECIDED])
def test_it_refuses_a_vote_when_the_item_is_not_being_voted_on(world, status):
    m = build_meeting(world.school, delegates=3, present=3)
    item = m.item(status=status)
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[0], item=item, choice="yes")
    assert e.value.code == "vote.closed"
    assert not VoteReceipt.objects.exists()


def test_it_refuses_an_unknown_choice(world):
    m = build_meeting(world.school, delegates=3, present=3)
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[0], item=voting_item(m), choice="maybe")
    assert e.value.code == "vote.choice"


# ---- closing and counting -------------------------------------------------------------------


def _votes(m: Meeting, item: AgendaItem, choices: str) -> None:
    """One character per delegate in order: y(es), n(o), a(bstain), - (does not vote)."""
    by = {"y": "yes", "n": "no", "a": "abstain"}
    for user, c in zip(m.users, choices, strict=False):
        if c != "-":
            meeting.vote_cast(user=user, item=item, choice=by[c])


def test_it_counts_a_vote_and_numbers_the_resolution(world):
    # given 10 delegates, 7 present; 6 yes is more than half of ALL delegates
    m = build_meeting(world.school, delegates=10, present=7)
    item = voting_item(m)
    _votes(m, item, "yyyyyyn")
    # when the chair closes the vote
    meeting.vote_close(actor=world.chair, item=item)
    # then the figures and the resolution number are stored and audited
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DECIDED
    assert (item.delegates_total, item.present_count) == (10, 7)
    assert (item.yes_count, item.no_count, item.abstain_count) == (6, 1, 0)
    assert item.result == AgendaItem.Result.PASSED
    term, number = m.session.term.number, m.session.number
    assert item.resolution_no == f"第{term}届第{number}次会议决议第1号"
    event = AuditEvent.objects.get(action="congress.vote_close")
    assert event.after["yes_count"] == 6 and event.after["result"] == "passed"


def test_it_fails_a_majority_of_those_present_that_is_not_one_of_all_delegates(world):
    # 5 of 7 present said yes, but 5 is not more than half of 10 delegates
    m = build_meeting(world.school, delegates=10, present=7)
    item = voting_item(m)
    _votes(m, item, "yyyyyna")
    meeting.vote_close(actor=world.chair, item=item)
    item.refresh_from_db()
    assert item.result == AgendaItem.Result.FAILED
    assert item.resolution_no == ""
    assert (item.yes_count, item.no_count, item.abstain_count) == (5, 1, 1)


def test_it_passes_on_those_present_when_the_union_says_so(world):
    CongressRuleSet.objects.create(union=world.school, pass_base="present")
    m = build_meeting(world.school, delegates=10, present=7)
    item = voting_item(m)
    _votes(m, item, "yyyynna")
    meeting.vote_close(actor=world.chair, item=item)
    item.refresh_from_db()
    assert item.result == AgendaItem.Result.PASSED


def test_it_numbers_resolutions_in_the_order_items_pass(world):
    m = build_meeting(world.school, delegates=4, present=4)
    first, failing, second = voting_item(m), voting_item(m), voting_item(m)
    _votes(m, first, "yyyy")
    _votes(m, failing, "nnny")
    _votes(m, second, "yyyn")
    for item in (first, failing, second):
        meeting.vote_close(actor=world.chair, item=item)
    numbers = [
        AgendaItem.objects.get(pk=i.pk).resolution_no.rsplit("第", 1)[1] for i in (first, second)
    ]
    assert numbers == ["1号", "2号"]
    assert AgendaItem.objects.get(pk=failing.pk).resolution_no == ""


def test_it_refuses_to_close_a_vote_that_is_not_running(world):
    m = build_meeting(world.school, delegates=4, present=4, with_users=False)
    with pytest.raises(DomainError) as e:
        meeting.vote_close(actor=world.chair, item=m.item())
    assert e.value.code == "vote.not_voting"


def test_it_refuses_votes_after_the_vote_closed(world):
    m = build_meeting(world.school, delegates=4, present=4)
    item = voting_item(m)
    _votes(m, item, "yyy")
    meeting.vote_close(actor=world.chair, item=item)
    with pytest.raises(DomainError) as e:
        meeting.vote_cast(user=m.users[3], item=item, choice="yes")
    assert e.value.code == "vote.closed"
    item.refresh_from_db()
    assert item.yes_count == 3


def test_it_adopts_the_latest_draft_when_a_document_passes(world, monkeypatch):
    # given an ADOPT item with a document in two drafts, and setup services that adopt
    calls: list[tuple] = []
    fake = types.ModuleType("gonghui.congress.services")
    fake.document_adopt = lambda *, actor, document, version: calls.append(
        (actor, document.pk, version.number)
    )
    import gonghui.congress as congress_pkg

    monkeypatch.setitem(sys.modules, "gonghui.congress.services", fake)
    monkeypatch.setattr(congress_pkg, "services", fake, raising=False)
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, kind=AgendaItem.Kind.ADOPT)
    doc = AgendaDocument.objects.create(item=item, title="绩效工资分配方案")
    DocumentVersion.objects.create(document=doc, number=1, body="初稿")
    DocumentVersion.objects.create(document=doc, number=2, body="二稿")
    _votes(m, item, "yyn")
    # when the vote passes
    meeting.vote_close(actor=world.chair, item=item)
    # then the second draft is adopted through the setup services
    assert calls == [(world.chair, doc.pk, 2)]
    assert [d.title for d in meeting.adopted_documents(m.session)] == ["绩效工资分配方案"]


def test_it_shows_no_names_for_a_secret_item(world):
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, vote_mode=AgendaItem.VoteMode.SECRET)
    _votes(m, item, "yyn")
    assert meeting.open_vote_names(item) == {}
    assert not Ballot.objects.filter(item=item, delegate__isnull=False).exists()


def test_it_lists_absent_delegates_and_the_running_votes(world):
    m = build_meeting(world.school, delegates=4, present=3)
    item = voting_item(m)
    _votes(m, item, "yy")
    assert meeting.absent_delegates(m.session) == [m.delegates[3]]
    [running] = meeting.voting_items(m.session)
    assert running.cast == 2
    assert meeting.voted_item_ids(m.session, m.delegates[0]) == {item.pk}
    rows = meeting.checkin_rows(m.session, q=m.delegates[3].person.name)
    assert [(r.delegate, r.checked_in) for r in rows] == [(m.delegates[3], False)]


def test_it_freezes_the_adopted_draft_through_the_setup_services(world):
    # given an ADOPT item with two drafts, and the real setup services
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, kind=AgendaItem.Kind.ADOPT)
    doc = AgendaDocument.objects.create(item=item, title="教职工考勤制度")
    DocumentVersion.objects.create(document=doc, number=1, body="初稿")
    second = DocumentVersion.objects.create(document=doc, number=2, body="二稿")
    _votes(m, item, "yyy")
    # when the vote passes
    meeting.vote_close(actor=world.chair, item=item)
    # then the latest draft is the adopted one
    doc.refresh_from_db()
    assert doc.adopted_version == second
