"""The demo disclosure board: every preset category filled, through the services."""

from __future__ import annotations

import random
from datetime import date

import pytest
import time_machine

from gonghui.congress import disclosure
from gonghui.congress.models import DisclosureCategory, DisclosureItem
from gonghui.core.models import AuditEvent
from gonghui.demo.congress_disclosure_demo import seed_disclosure

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@time_machine.travel(TODAY, tick=False)
def test_it_builds_a_realistic_board(world):
    seed_disclosure(union=world.school, actor=world.chair, today=TODAY, rng=random.Random(11))
    categories = DisclosureCategory.objects.filter(union=world.school)
    assert categories.count() == 10
    items = DisclosureItem.objects.filter(category__union=world.school)
    per_category = {c.name: c.items.count() for c in categories}
    assert all(1 <= n <= 4 for n in per_category.values()), per_category
    assert {d.year for d in items.values_list("published_on", flat=True)} <= {2025, 2026}
    assert all(d <= TODAY for d in items.values_list("published_on", flat=True))
    assert items.filter(status="withdrawn").count() == 1
    assert items.filter(revision__gt=1).count() >= 1
    assert set(items.values_list("stage", flat=True)) == {"policy", "process", "result"}
    assert AuditEvent.objects.filter(action="congress.disclosure_item_publish").count() == (
        items.count()
    )
    assert disclosure.board_items(world.school, TODAY)
    t25, t26 = (disclosure.year_tally(world.school, y) for y in (2025, 2026))
    assert t25.total + t26.total == items.count()


@time_machine.travel(TODAY, tick=False)
def test_it_is_deterministic(world):
    def board(union):
        seed_disclosure(union=union, actor=None, today=TODAY, rng=random.Random(5))
        items = DisclosureItem.objects.filter(category__union=union).order_by("id")
        return list(items.values_list("title", "published_on", "status", "revision"))

    assert board(world.school) == board(world.factory_union)
