"""The demo's past congress sessions, run through the meeting services."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import meeting
from gonghui.congress.models import AgendaItem, Ballot, CongressSession, VoteReceipt
from gonghui.congress.tests.test_meeting_services import build_meeting
from gonghui.core.models import AuditEvent
from gonghui.demo.congress_meeting_demo import _split, seed_congress_meetings


def _two_past_sessions(world) -> list[CongressSession]:
    first = build_meeting(
        world.school, delegates=40, status=CongressSession.Status.PLANNED, with_users=False
    )
    CongressSession.objects.filter(pk=first.session.pk).update(held_on=date(2025, 3, 20))
    first.item(kind="report", vote_mode="none", title="听取学校工作报告")
    first.item(title="审议通过《绩效工资分配方案》")
    first.item(title="审议通过《教职工考勤制度》", vote_mode="open")
    second = CongressSession.objects.create(
        term=first.session.term, number=first.session.number + 1, held_on=date(2025, 11, 20)
    )
    AgendaItem.objects.create(
        session=second, kind="adopt", title="审议通过《评优办法》", vote_mode="secret"
    )
    AgendaItem.objects.create(
        session=second, kind="adopt", title="审议《食堂管理办法》", vote_mode="secret"
    )
    return list(CongressSession.objects.filter(term=first.session.term).order_by("held_on"))


def test_it_runs_past_sessions_with_realistic_votes(world):
    # given two past sessions of 40 delegates and a future one
    sessions = _two_past_sessions(world)
    future = CongressSession.objects.create(
        term=sessions[0].term, number=99, held_on=date(2027, 3, 1)
    )
    # when the demo runs them
    seed_congress_meetings(
        sessions=[*sessions, future],
        actor=world.chair,
        rng=random.Random(7),
        today=date(2026, 6, 1),
    )
    # then the past sessions are closed with minutes, the future one untouched
    first, second = (CongressSession.objects.get(pk=s.pk) for s in sessions)
    assert first.status == second.status == CongressSession.Status.CLOSED
    assert "应到代表40人" in first.minutes and "实到38人" in first.minutes
    assert CongressSession.objects.get(pk=future.pk).status == CongressSession.Status.PLANNED
    # about 90% checked in, the first at 95%
    assert meeting.attendance(first).present == 38
    assert 35 <= meeting.attendance(second).present <= 37
    # every voting item decided; all pass but the last one
    decided = list(
        AgendaItem.objects.exclude(vote_mode="none").order_by("session__held_on", "order", "id")
    )
    assert [i.result for i in decided] == ["passed", "passed", "passed", "failed"]
    for item in decided:
        assert item.yes_count + item.no_count + item.abstain_count == item.present_count
        assert (
            Ballot.objects.filter(item=item).count()
            == VoteReceipt.objects.filter(item=item).count()
        )
    assert decided[0].resolution_no.endswith("决议第1号")
    assert decided[1].resolution_no.endswith("决议第2号")
    # secret ballots name no one, open ones do
    assert not Ballot.objects.filter(item__vote_mode="secret", delegate__isnull=False).exists()
    assert not Ballot.objects.filter(item__vote_mode="open", delegate__isnull=True).exists()
    assert AuditEvent.objects.filter(action="congress.vote_close").count() == 4


@given(seed=st.integers(0, 10_000), present=st.integers(10, 500), failing=st.booleans())
def test_it_splits_the_votes_of_everyone_present_the_same_way_for_a_seed(seed, present, failing):
    choices = _split(random.Random(seed), present, failing=failing)
    assert choices == _split(random.Random(seed), present, failing=failing)
    assert len(choices) == present
    yes = choices.count("yes")
    # a passing item has far more than half of all delegates (present is about 90%) for it
    assert (2 * yes < present) if failing else (yes >= 0.85 * present - 1)
