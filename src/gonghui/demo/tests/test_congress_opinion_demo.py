"""The demo opinions: both years, every source and outcome, suggestions rewarded, the
converted proposals taken over, all through the services."""

from __future__ import annotations

import random
from datetime import date

import time_machine

from gonghui.congress import opinions as svc
from gonghui.congress import proposals as proposal_svc
from gonghui.congress.models.opinions import Opinion, SuggestionQuota
from gonghui.congress.tests.test_proposal_services import build, submitted
from gonghui.core.models import AuditEvent
from gonghui.demo.congress_opinion_demo import OPINIONS, seed_opinions
from gonghui.members.models import Member

TODAY = date(2026, 11, 20)


def _seed(world, seed: int = 7) -> None:
    seed_opinions(
        union=world.school,
        members=list(Member.objects.filter(union=world.school)),
        actor=world.chair,
        today=TODAY,
        rng=random.Random(seed),
    )


def test_it_seeds_two_years_of_opinions_with_outcomes(world):
    with time_machine.travel(date(2026, 11, 20), tick=False):
        pw = build(world)
        proposal_svc.proposal_convert(
            actor=world.cadre, proposal=submitted(world, pw), reason="属日常事务"
        )
        _seed(world)
    qs = Opinion.objects.filter(union=world.school)
    assert qs.filter(kind="opinion", received_on__year=2025).count() == len(OPINIONS)
    assert set(qs.values_list("source", flat=True)) >= {"forum", "box", "hotline", "proposal"}
    assert set(qs.exclude(outcome="").values_list("outcome", flat=True)) >= {
        "rectified",
        "phone",
        "adopted_rewarded",
    }
    assert qs.filter(reward__gt=0).exists()
    assert not proposal_svc.converted_awaiting_opinion(world.school).exists()
    assert SuggestionQuota.objects.filter(union=world.school, year=2026).exists()
    assert all(o.closed_on <= TODAY for o in qs.exclude(closed_on=None))
    assert all(o.closed_on >= o.received_on for o in qs.exclude(closed_on=None))
    assert AuditEvent.objects.filter(action="congress.opinion_record").count() >= 2 * len(OPINIONS)
    summary = svc.opinion_summary(world.school, 2025)
    assert summary.sentence.startswith(f"共收集意见建议{len(OPINIONS)}条")
    assert summary.tally.open_opinions == 0
