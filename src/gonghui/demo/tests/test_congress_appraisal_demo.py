"""The demo's December 2025 appraisal, seeded through the appraisal services."""

from __future__ import annotations

import random
from datetime import date

from gonghui.congress import appraisal as svc
from gonghui.congress.models.appraisal import Appraisal
from gonghui.demo.congress_appraisal_demo import seed_appraisal
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.factories import MemberFactory


def test_it_seeds_a_closed_appraisal_of_six_leaders_with_full_participation(world):
    # given a term of 40 delegates and the school's leaders on the roll
    term = CongressTermFactory(congress=CongressFactory(union=world.school))
    delegation = DelegationFactory(term=term, seats=40)
    for _ in range(40):
        DelegateFactory(delegation=delegation)
    leaders = [MemberFactory(union=world.school) for _ in range(6)]
    # when
    seed_appraisal(
        union=world.school,
        members=leaders,
        term=term,
        actor=world.chair,
        today=date(2026, 6, 1),
        rng=random.Random(3),
    )
    # then one closed appraisal: 30 online, 10 paper forms, everyone took part
    a = Appraisal.objects.get(union=world.school)
    assert a.status == "closed" and a.year == 2025 and a.subjects.count() == 6
    r = svc.results(a)
    assert (r.receipts, r.paper_forms) == (30, 10)
    assert r.participation.rate == 100 and r.ratings_match
    # mostly 优秀 or 称职 for every leader
    for row in r.rows:
        assert row.shares[0] + row.shares[1] >= 80
        assert row.total >= 38


def test_it_seeds_the_same_figures_from_the_same_seed(world):
    term = CongressTermFactory(congress=CongressFactory(union=world.school))
    delegation = DelegationFactory(term=term)
    for _ in range(8):
        DelegateFactory(delegation=delegation)
    leaders = [MemberFactory(union=world.school) for _ in range(6)]
    figures = []
    for _ in range(2):
        Appraisal.objects.all().update(year=1999)  # keep the earlier run apart
        seed_appraisal(
            union=world.school,
            members=leaders,
            term=term,
            actor=None,
            today=date(2026, 1, 5),
            rng=random.Random(11),
        )
        a = Appraisal.objects.get(year=2025)
        figures.append([row.counts for row in svc.results(a).rows])
    assert figures[0] == figures[1]
