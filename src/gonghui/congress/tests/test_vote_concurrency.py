"""Votes under concurrent requests, where PostgreSQL is the database that must be right.

A delegate who taps twice, or votes from two browsers at the same moment, gets one receipt
and one ballot (the receipt's unique constraint decides); many delegates voting at once
leave exactly as many ballots as receipts, and a vote closed while ballots arrive counts
every ballot that got in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection, connections

from gonghui.congress import meeting
from gonghui.congress.models import AgendaItem, Ballot, VoteReceipt
from gonghui.core.errors import DomainError

from .test_meeting_services import build_meeting, voting_item

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def _race(calls: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run the calls in threads released together; return results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as e:  # reported to the test thread
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_it_keeps_one_vote_when_a_delegate_votes_from_two_browsers_at_once(world):
    # given a checked-in delegate and a secret item being voted on
    m = build_meeting(world.school, delegates=3, present=3)
    item = voting_item(m, vote_mode=AgendaItem.VoteMode.SECRET)
    user = m.users[0]
    # when two requests cast for the same delegate at the same moment
    results, errors = _race(
        [
            lambda: meeting.vote_cast(user=user, item=item, choice="yes"),
            lambda: meeting.vote_cast(user=user, item=item, choice="no"),
        ]
    )
    # then exactly one went in and the other was told the delegate had voted
    assert len(results) == 1
    assert [getattr(e, "code", repr(e)) for e in errors] == ["already_voted"]
    assert VoteReceipt.objects.filter(item=item).count() == 1
    assert Ballot.objects.filter(item=item).count() == 1


def test_it_counts_every_ballot_when_many_delegates_vote_at_once(world):
    # given 24 checked-in delegates and an open item being voted on
    m = build_meeting(world.school, delegates=24, present=24)
    item = voting_item(m, vote_mode=AgendaItem.VoteMode.OPEN)
    choices = ["yes", "no", "abstain"]
    calls = [
        (lambda u=u, c=choices[i % 3]: meeting.vote_cast(user=u, item=item, choice=c))
        for i, u in enumerate(m.users)
    ]
    # when they all vote at the same moment, each twice
    results, errors = _race(calls + calls)
    # then there is one receipt and one ballot per delegate, and the close counts them all
    assert len(results) == 24
    assert {e.code for e in errors if isinstance(e, DomainError)} == {"already_voted"}
    assert len(errors) == 24
    assert VoteReceipt.objects.filter(item=item).count() == 24
    assert Ballot.objects.filter(item=item).count() == 24
    meeting.vote_close(actor=world.chair, item=item)
    item.refresh_from_db()
    assert (item.yes_count, item.no_count, item.abstain_count) == (8, 8, 8)


def test_it_counts_every_ballot_that_got_in_when_the_vote_closes_meanwhile(world):
    # given 16 delegates voting while the chair closes the vote
    m = build_meeting(world.school, delegates=16, present=16)
    item = voting_item(m)
    calls: list[Callable[[], object]] = [
        (lambda u=u: meeting.vote_cast(user=u, item=item, choice="yes")) for u in m.users
    ]
    calls.append(lambda: meeting.vote_close(actor=world.chair, item=item))
    # when they race
    _results, errors = _race(calls)
    # then the ballots counted are exactly the ballots stored; late ones were refused
    item.refresh_from_db()
    stored = Ballot.objects.filter(item=item).count()
    assert item.status == AgendaItem.Status.DECIDED
    assert item.yes_count == stored == VoteReceipt.objects.filter(item=item).count()
    assert all(getattr(e, "code", "") == "vote.closed" for e in errors)
    assert stored + len(errors) == 16
