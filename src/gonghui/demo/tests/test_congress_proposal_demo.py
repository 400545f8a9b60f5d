"""The demo proposals: every state, through the services, deterministic."""

from __future__ import annotations

import random
from datetime import date

from gonghui.congress import proposals as svc
from gonghui.congress.models import Proposal, ProposalReply
from gonghui.core.models import AuditEvent
from gonghui.demo.congress_proposal_demo import DEPARTMENTS, seed_proposals
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressSessionFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)

TODAY = date(2026, 5, 1)


def _sessions(world):
    term = CongressTermFactory(congress=CongressFactory(union=world.school), number=8)
    delegation = DelegationFactory(term=term)
    for _ in range(6):
        DelegateFactory(delegation=delegation)
    return [
        CongressSessionFactory(term=term, number=1, held_on=date(2025, 4, 20)),
        CongressSessionFactory(term=term, number=2, held_on=date(2025, 11, 20)),
        CongressSessionFactory(
            term=term,
            number=3,
            held_on=date(2026, 5, 20),
            proposals_open_on=date(2026, 4, 10),
            proposals_close_on=date(2026, 5, 5),
        ),
    ]


def test_it_seeds_proposals_in_every_state(world):
    sessions = _sessions(world)
    out = seed_proposals(
        sessions=sessions,
        departments=DEPARTMENTS,
        actor=world.chair,
        rng=random.Random(7),
        today=TODAY,
    )
    assert out["departments"] == 5
    assert set(out["by_status"]) == set(Proposal.Status.values)
    qs = Proposal.objects.filter(session__in=sessions)
    assert out["proposals"] == qs.count()
    closed = set(qs.filter(status="closed").values_list("rating", flat=True))
    assert closed == {"satisfied", "basic"}
    assert ProposalReply.objects.filter(round=2).exists()
    assert ProposalReply.objects.filter(rating="unsatisfied").count() >= 2
    counts = svc.proposal_counts(qs, TODAY)
    assert counts.overdue == 1 and counts.outstanding == 4
    assert all("关于" in t for t in qs.values_list("title", flat=True))
    assert AuditEvent.objects.filter(action="congress.proposal_accept").count() == counts.accepted
    # numbers start at 1 in each session
    for s in sessions:
        numbers = sorted(n for n in qs.filter(session=s).values_list("number", flat=True) if n)
        assert numbers == list(range(1, len(numbers) + 1))


def test_it_is_deterministic(world):
    sessions = _sessions(world)
    seed_proposals(
        sessions=sessions, departments=DEPARTMENTS, actor=None, rng=random.Random(3), today=TODAY
    )
    first = list(Proposal.objects.order_by("id").values_list("title", "status"))
    rng = random.Random(3)
    from gonghui.demo.congress_proposal_demo import TOPICS

    shuffled = list(TOPICS)
    rng.shuffle(shuffled)
    assert first[0][0] == shuffled[-1][0]
