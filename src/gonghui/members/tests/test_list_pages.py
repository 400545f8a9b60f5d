"""Pages of the member list read from cached sort keys (anchors), or sliced from a short
list's cached ids, are exactly the pages OFFSET gives, whatever the filter, page size, order
of visits or changes in between."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.models import Role
from gonghui.core.services import role_grant
from gonghui.members import queries
from gonghui.members.models import Member, MemberStatus
from gonghui.members.queries import MemberFilter
from gonghui.testing.factories import MemberFactory, PersonFactory, UserFactory, make_unit

TODAY = date(2026, 1, 1)

# Member numbers that sort in awkward ways: empty ones (allowed more than once), the same
# number in two unions, case, digits against letters, Chinese.
NUMBERS = ["", "", "", "A-1", "a-1", "A-10", "A-2", "B", "b", "10", "9", "王", "甲-1", "Z"]
STATUSES = [MemberStatus.ACTIVE] * 3 + [MemberStatus.LEFT, MemberStatus.APPLIED]


@pytest.fixture
def roll(world):
    """About 60 members in both unions of the world, numbers from NUMBERS."""
    units = [
        (world.school, world.group_a),
        (world.school, world.group_b),
        (world.factory_union, world.workshop),
    ]
    used: set[tuple[int, str]] = set()
    for i in range(60):
        union, unit = units[i % 3]
        number = NUMBERS[(i * 7) % len(NUMBERS)]
        if number and (union.pk, number) in used:
            number = f"{number}{i}"
        used.add((union.pk, number))
        person = PersonFactory(
            gender="F" if i % 3 else "M", name=("王" if i % 4 else "李") + str(i)
        )
        MemberFactory(
            union=union, unit=unit, member_no=number, status=STATUSES[i % len(STATUSES)],
            person=person,
        )  # fmt: skip
    return world


FILTERS = st.sampled_from(
    [
        MemberFilter(),
        MemberFilter(status=""),
        MemberFilter(status=MemberStatus.LEFT),
        MemberFilter(gender="F"),
        MemberFilter(q="王"),
        MemberFilter(q="王", gender="F", status=""),
        MemberFilter(category="women"),
    ]
)


def _offset_ids(qs, page: int, per_page: int) -> list[int]:
    ids = list(qs.values_list("pk", flat=True))
    return ids[(page - 1) * per_page : page * per_page]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    f=FILTERS,
    per_page=st.integers(min_value=1, max_value=9),
    anchor_rows=st.integers(min_value=1, max_value=12),
    short_rows=st.integers(min_value=0, max_value=70),
    pages=st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=6),
    who=st.sampled_from(["admin", "chair"]),
)
def test_it_gives_exactly_the_offset_pages_from_anchors(
    roll, monkeypatch, f, per_page, anchor_rows, short_rows, pages, who
):
    # given anchors every few rows, in whatever order pages are visited (so that anchors
    # are found from the start, from the one before, or read from the cache), and lists
    # of up to some number of rows (none to all of them) sliced from their cached ids
    monkeypatch.setattr(queries, "ANCHOR_ROWS", anchor_rows)
    monkeypatch.setattr(queries, "SHORT_LIST_ROWS", short_rows)
    user = getattr(roll, who)
    qs = queries.member_search(user, f, today=TODAY)
    for number in pages:
        # when a page is read
        page = queries.member_page(qs, number, per_page=per_page)
        # then it holds exactly the rows OFFSET gives for that page (the last page for a
        # number beyond it, as the paginator answers)
        assert [m.pk for m in page.object_list] == _offset_ids(qs, page.number, per_page)


@pytest.mark.parametrize("short_rows", [0, 1000], ids=["anchors", "short-list"])
def test_it_follows_a_change_of_the_list_between_two_visits(roll, monkeypatch, short_rows):
    # given a deep page whose anchor (or the whole short list) is cached
    monkeypatch.setattr(queries, "ANCHOR_ROWS", 4)
    monkeypatch.setattr(queries, "SHORT_LIST_ROWS", short_rows)
    qs = queries.member_search(roll.admin, MemberFilter(status=""), today=TODAY)
    before = [m.pk for m in queries.member_page(qs, 3, per_page=5).object_list]
    assert before == _offset_ids(qs, 3, 5)
    # when the first member of the list leaves (saved: the list version moves), so that
    # every later row moves up by one
    first = Member.objects.get(pk=queries.member_page(qs, 1, per_page=5).object_list[0].pk)
    first.status = MemberStatus.LEFT
    first.save()
    # then the page is the new OFFSET page, not the one the old anchor pointed at
    after = [m.pk for m in queries.member_page(qs, 3, per_page=5).object_list]
    assert after == _offset_ids(qs, 3, 5)
    assert after != before


def test_it_reads_a_deep_page_from_its_anchor_not_from_the_start(roll, monkeypatch):
    # given anchors every 10 rows, a list longer than a short one, and a page in the
    # third block
    monkeypatch.setattr(queries, "ANCHOR_ROWS", 10)
    monkeypatch.setattr(queries, "SHORT_LIST_ROWS", 0)
    calls: list[tuple[tuple, int, int]] = []
    rows = queries._Seek.rows

    def spy(self, after, offset, limit):
        calls.append((tuple(after), offset, limit))
        return rows(self, after, offset, limit)

    monkeypatch.setattr(queries._Seek, "rows", spy)
    qs = queries.member_search(roll.admin, MemberFilter(status=""), today=TODAY)
    queries.member_page(qs, 6, per_page=4)  # rows 20-23: anchor 2, found by OFFSET once
    calls.clear()
    # when the page is read again, and the next one
    queries.member_page(qs, 6, per_page=4)
    queries.member_page(qs, 7, per_page=4)
    # then both are sought from anchor 2 and walk fewer rows than an anchor holds
    assert [offset for _after, offset, _limit in calls] == [0, 4]
    assert all(offset < 10 for _after, offset, _limit in calls)
    assert calls[0][0] != queries._BEFORE_ALL


def test_it_finds_the_start_of_a_filtered_list_once(roll, monkeypatch, django_assert_num_queries):
    # given a unit's list, longer than a short one, read once (count and anchor 0 are
    # cached)
    monkeypatch.setattr(queries, "SHORT_LIST_ROWS", 0)
    f = MemberFilter(unit=roll.group_b)
    qs = queries.member_search(roll.chair, f, today=TODAY)
    first = [m.pk for m in queries.member_page(qs, 1).object_list]
    # when it is read again, then only the page, its rows and units are read
    with django_assert_num_queries(3):
        again = [m.pk for m in queries.member_page(qs, 1).object_list]
    assert again == first == _offset_ids(qs, 1, queries.PER_PAGE)
    assert first  # the unit has members


def test_it_reads_every_page_of_a_short_list_from_its_ids_read_once(
    roll, monkeypatch, django_assert_num_queries
):
    # given a selective filter whose list is short, paged through once (the count and the
    # list's ids are read once)
    monkeypatch.setattr(queries, "SHORT_LIST_ROWS", 20)
    qs = queries.member_search(roll.admin, MemberFilter(q="王", gender="F"), today=TODAY)
    seen = [[m.pk for m in queries.member_page(qs, n, per_page=4).object_list] for n in (1, 2)]
    assert 4 < len(qs) <= 20
    # when its pages are read again, each in any order
    for n in (3, 2, 1, 4):
        # then only the page's rows and their units are read: no walk of the index
        with django_assert_num_queries(2):
            page = queries.member_page(qs, n, per_page=4)
        # and each page is the one OFFSET gives
        assert [m.pk for m in page.object_list] == _offset_ids(qs, n, 4)
    assert seen == [_offset_ids(qs, 1, 4), _offset_ids(qs, 2, 4)]


def test_it_keeps_pages_of_different_users_apart(roll):
    # given the same filter for a school chair and for the administrator
    chair_qs = queries.member_search(roll.chair, MemberFilter(), today=TODAY)
    admin_qs = queries.member_search(roll.admin, MemberFilter(), today=TODAY)
    # then each reads their own list (the cache keys hold the scope)
    chair = {m.pk for m in queries.member_page(chair_qs, 1, per_page=100).object_list}
    admin = {m.pk for m in queries.member_page(admin_qs, 1, per_page=100).object_list}
    assert chair < admin
    assert roll.outsider.pk not in chair


def test_it_limits_a_federation_with_every_root_to_new_trees(world):
    # given a chair of the county federation, the only root: their list is not filtered
    chair = UserFactory(username="fed_chair")
    role_grant(actor=None, user=chair, role=Role.CHAIR, unit=world.county)
    assert world.outsider in queries.visible_members(chair)
    # when another root federation appears with a member
    other = make_unit("邻县总工会", "federation", code="FED2")
    union = make_unit("邻县机械厂工会", "grassroots", other, code="FED2-1")
    stranger = MemberFactory(union=union)
    # then the county chair's list does not show it, the administrator's does
    assert stranger not in queries.visible_members(chair)
    assert world.outsider in queries.visible_members(chair)
    assert stranger in queries.visible_members(world.admin)


@pytest.mark.parametrize("many", [True, False], ids=["many-people", "few-people"])
@pytest.mark.parametrize(
    "f",
    [MemberFilter(gender="F"), MemberFilter(category="women", age_min=30), MemberFilter()],
    ids=["gender", "women-30", "none"],
)
def test_it_finds_the_same_people_whichever_plan_a_person_filter_gets(roll, monkeypatch, many, f):
    # given person conditions counted as matching many people (or few)
    monkeypatch.setattr(queries, "COMMON_NAME_PEOPLE", 0 if many else 10_000)
    qs = queries.member_search(roll.admin, f, today=TODAY)
    # then the members found are the ones whose person passes them
    found = {m.pk for m in qs}
    expected = {
        m.pk
        for m in queries.visible_members(roll.admin).select_related("person")
        if m.status == MemberStatus.ACTIVE
        and (not f.gender or m.person.gender == f.gender)
        and (f.category != "women" or m.person.gender == "F")
        and (f.age_min is None or m.person.birth_date <= date(TODAY.year - f.age_min, 1, 1))
    }
    assert found == expected
    assert found


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plans")
def test_it_reads_a_federation_unit_in_list_order_from_where_it_starts(roll):
    # given a unit filter (a federation's town is thousands of members)
    qs = queries.member_search(roll.admin, MemberFilter(unit=roll.edu), today=TODAY)
    seek = queries._Seek.of(qs)
    with CaptureQueriesContext(connection) as ctx:
        seek.rows(("active", "", 0), 0, 50)
    # then the list index is walked in list order, never sorted
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + ctx[0]["sql"])
        plan = "\n".join(str(r[3]) for r in cur.fetchall())
    assert "member_list_order" in plan
    assert "TEMP B-TREE" not in plan


# ---- the filter fields, the unit chooser and the reveal right, written in Python ---------


@pytest.mark.parametrize(
    "data",
    [{}, {"status": ""}, {"gender": "F", "birth_month": "3"}, {"category": "x<y", "status": "?"}],
    ids=["empty", "any-status", "chosen", "invalid"],
)
def test_it_writes_the_filter_selects_as_the_widgets_would(world, monkeypatch, data):
    # given the list's filter form with some values (valid or not)
    from gonghui.members import listing
    from gonghui.members.forms import MemberFilterForm

    form = MemberFilterForm(data, user=world.chair)
    selects = [bf for bf in form if bf.name not in ("q", "unit") and "select" in bf.as_widget()]
    assert len(selects) >= 5
    fast = {bf.name: listing.widget_html(bf) for bf in selects}
    # when the same fields are written through the widgets' own context
    monkeypatch.setattr(listing, "_flat", lambda choices: False)
    slow = {bf.name: listing.widget_html(bf) for bf in selects}
    # then the markup is the same
    assert fast == slow


def test_it_writes_the_unit_options_escaped_with_the_chosen_one_selected(client, world):
    # given a unit whose name needs escaping
    odd = make_unit("<i>三组</i>", "group", world.school, code="SCH-C")
    # when the chair chooses it
    r = _client(client, world.chair).get(reverse("members:list"), {"unit": odd.pk})
    html = r.content.decode()
    # then it is offered escaped and selected, the others not selected
    assert f'<option value="{odd.pk}" selected>' in html
    assert "&lt;i&gt;三组&lt;/i&gt;" in html and "<i>三组</i>" not in html
    assert f'<option value="{world.group_a.pk}">' in html


def test_it_offers_the_reveal_per_unit_when_the_right_sits_on_a_group(client, world):
    # given a cadre whose grant sits on one group only (not on the union)
    cadre = UserFactory(username="group_cadre")
    role_grant(actor=None, user=cadre, role=Role.CADRE, unit=world.group_a)
    role_grant(actor=None, user=cadre, role=Role.GROUP_LEADER, unit=world.group_b)
    # when they open the list
    html = _client(client, cadre).get(reverse("members:list")).content.decode()
    # then only the member of that group can be revealed
    assert reverse("members:reveal", args=[world.member_a.pk]) in html
    assert reverse("members:reveal", args=[world.member_b.pk]) not in html
    assert reverse("members:detail", args=[world.member_b.pk]) in html  # listed all the same


def _client(client, user):
    client.force_login(user)
    return client


def test_it_replaces_the_unit_chooser_only_when_the_filter_changes(client, world):
    c = _client(client, world.chair)
    # when the filter form asks (htmx, triggered by the form), the chooser comes out of band
    r = c.get(
        reverse("members:list"),
        {"unit": world.group_a.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="member-filter",
    )
    html = r.content.decode()
    assert 'id="unit-chooser" hx-swap-oob="true"' in html
    assert f'<option value="{world.group_a.pk}" selected>' in html
    # when a page link asks, the chooser stays as it is
    r = c.get(reverse("members:list"), {"page": 1}, HTTP_HX_REQUEST="true")
    assert "unit-chooser" not in r.content.decode()
