"""The disclosure rules (congress.rules, section m4): steps of an item, the board window,
attachment checks and the annual tally. No database."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import DisclosureFacts

STATUSES = ("draft", "published", "withdrawn")
STEPS = ("edit", "publish", "revise", "withdraw")
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
facts = st.builds(
    DisclosureFacts,
    category=st.sampled_from(["财务收支", "基建工程", "职称评聘", "福利待遇"]),
    stage=st.sampled_from(rules.DISCLOSURE_STAGES),
    regularity=st.sampled_from(["regular", "ad_hoc"]),
    status=st.sampled_from(STATUSES),
    published_on=st.one_of(st.none(), days),
    revisions=st.integers(min_value=0, max_value=9),
)


# ---- steps --------------------------------------------------------------------------------


def test_it_walks_an_item_through_its_life():
    assert rules.disclosure_step("draft", "edit").status == "draft"
    assert rules.disclosure_step("draft", "publish").status == "published"
    assert rules.disclosure_step("published", "revise").status == "published"
    assert rules.disclosure_step("published", "withdraw").status == "withdrawn"


def test_it_refuses_to_publish_twice_or_to_edit_a_published_text():
    assert rules.disclosure_step("published", "publish").reason == "not_draft"
    assert rules.disclosure_step("published", "edit").reason == "not_draft"
    assert rules.disclosure_step("draft", "revise").reason == "not_published"


@given(st.sampled_from(STEPS))
def test_it_lets_nothing_leave_the_withdrawn_state(step):
    check = rules.disclosure_step("withdrawn", step)
    assert not check.allowed and check.status == "withdrawn"


@given(st.sampled_from(STATUSES), st.sampled_from(STEPS))
def test_it_keeps_the_status_when_it_refuses_a_step(status, step):
    check = rules.disclosure_step(status, step)
    assert check.allowed == ((status, step) in rules.DISCLOSURE_STEPS)
    if not check.allowed:
        assert check.status == status and check.reason != "ok"


# ---- the board window ---------------------------------------------------------------------


@given(days, st.one_of(st.none(), days), days)
def test_it_shows_a_published_item_exactly_within_its_window(published_on, until, today):
    shown = rules.on_board("published", published_on, until, today)
    assert shown == (published_on <= today and (until is None or today <= until))


@given(st.sampled_from(["draft", "withdrawn"]), st.one_of(st.none(), days), days)
def test_it_never_shows_drafts_or_withdrawn_items(status, published_on, today):
    assert not rules.on_board(status, published_on, None, today)


def test_it_shows_an_item_on_its_first_and_last_day_only():
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    assert rules.on_board("published", first, last, first)
    assert rules.on_board("published", first, last, last)
    assert not rules.on_board("published", first, last, last + timedelta(days=1))
    assert not rules.on_board("published", first, last, first - timedelta(days=1))


# ---- the annual tally ---------------------------------------------------------------------


@given(st.lists(facts, max_size=40), st.integers(min_value=2020, max_value=2030))
def test_it_adds_up_whichever_way_the_year_is_cut(items, year):
    t = rules.disclosure_tally(items, year)
    counted = [
        i
        for i in items
        if i.status != "draft" and i.published_on is not None and i.published_on.year == year
    ]
    assert t.total == len(counted)
    assert t.regular + t.ad_hoc == t.total
    assert t.on_record + t.withdrawn == t.total
    assert sum(t.by_stage.values()) == t.total
    assert sum(t.by_category.values()) == t.total
    assert all(sum(row.values()) == t.by_category[c] for c, row in t.by_category_stage.items())
    assert t.revised_items <= t.total and t.revisions >= t.revised_items


@given(st.lists(facts, max_size=20), st.integers(min_value=2020, max_value=2030))
def test_it_never_counts_drafts(items, year):
    drafts = [
        DisclosureFacts(i.category, i.stage, i.regularity, "draft", i.published_on, i.revisions)
        for i in items
    ]
    assert rules.disclosure_tally(drafts, year).total == 0


def test_it_counts_a_worked_year():
    items = [
        DisclosureFacts("财务收支", "result", "regular", "published", date(2026, 1, 10), 2),
        DisclosureFacts("财务收支", "policy", "ad_hoc", "withdrawn", date(2026, 5, 1), 0),
        DisclosureFacts("职称评聘", "process", "regular", "published", date(2026, 12, 31), 1),
        DisclosureFacts("职称评聘", "process", "regular", "published", date(2025, 12, 31), 0),
        DisclosureFacts("职称评聘", "result", "regular", "draft", None, 0),
    ]
    t = rules.disclosure_tally(items, 2026)
    assert (t.total, t.regular, t.ad_hoc, t.withdrawn) == (3, 2, 1, 1)
    assert t.by_stage == {"policy": 1, "process": 1, "result": 1}
    assert list(t.by_category) == ["财务收支", "职称评聘"]
    assert (t.revised_items, t.revisions) == (2, 3)
