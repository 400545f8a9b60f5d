"""The member list queries: scope, order and the plans that keep them fast."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from gonghui.members import queries
from gonghui.members.queries import MemberFilter
from gonghui.testing.factories import MemberFactory

TODAY = date(2026, 1, 1)


def test_it_orders_by_status_then_member_number(world):
    MemberFactory(union=world.school, member_no="A-1")
    names = [m.member_no for m in queries.member_search(world.chair, MemberFilter(), today=TODAY)]
    assert names == sorted(names)


def test_it_pages_in_two_steps_keeping_the_order(world):
    MemberFactory.create_batch(7, union=world.school, unit=world.group_a)
    qs = queries.member_search(world.chair, MemberFilter(), today=TODAY)
    page = queries.member_page(qs, 2, per_page=4)
    assert [m.pk for m in page.object_list] == list(qs.values_list("pk", flat=True))[4:8]
    assert page.paginator.count == 9


def test_it_finds_members_by_name_prefix_member_number_and_phone_tail(world):
    f = queries.member_search
    assert [m.person.name for m in f(world.chair, MemberFilter(q="李"), today=TODAY)] == ["李芳"]
    no = world.member_b.member_no
    assert [m.pk for m in f(world.chair, MemberFilter(q=no), today=TODAY)] == [world.member_b.pk]
    tail = world.member_b.person.phone[-4:]
    assert world.member_b in f(world.chair, MemberFilter(q=tail), today=TODAY)
    assert not f(world.other_chair, MemberFilter(q="李"), today=TODAY).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plans")
@pytest.mark.parametrize(
    "f",
    [MemberFilter(), MemberFilter(status=""), MemberFilter(gender="F"), MemberFilter(q="王")],
    ids=["first", "any-status", "gender", "name"],
)
def test_it_reads_the_list_from_the_covering_index_without_sorting(world, f):
    qs = queries.member_search(world.chair, f, today=TODAY)
    plan = qs.values_list("pk", flat=True)[:50].explain()
    assert "member_list_order" in plan
    assert "TEMP B-TREE" not in plan


def test_it_finds_a_member_number_together_with_person_conditions(world):
    # given a member number that matches no name
    no = world.member_b.member_no
    # when it is combined with a condition on the person
    man = queries.member_search(world.chair, MemberFilter(q=no, gender="M"), today=TODAY)
    woman = queries.member_search(world.chair, MemberFilter(q=no, gender="F"), today=TODAY)
    # then the person condition still holds for the member found by number
    assert [m.pk for m in man] == [world.member_b.pk]
    assert not woman.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plans")
def test_it_finds_people_by_name_and_gender_through_the_name_index(world):
    # given a name and a gender, which alone would match half of all people
    f = MemberFilter(q="李", gender="F")
    qs = queries.member_search(world.chair, f, today=TODAY)
    assert [m.person.name for m in qs] == ["李芳"]
    # then the people are read through the name index, never by scanning every person
    plan = qs.values_list("pk", flat=True).explain()
    assert "SCAN core_person" not in plan
    assert "person_name_gender" in plan


# ---- the unit chooser --------------------------------------------------------------------


def _options(user, chosen=None) -> list[str]:
    return [name for _pk, name, _depth in queries.unit_filter_options(user, chosen)]


def test_it_offers_a_union_chair_their_union_and_all_its_groups(world):
    assert _options(world.chair) == ["第一中学工会", "语文教研组", "数学教研组"]


def test_it_offers_a_group_leader_only_their_group(world):
    assert _options(world.group_leader) == ["语文教研组"]


def test_it_never_offers_units_of_another_union(world):
    assert _options(world.other_chair) == ["红星机械厂工会", "一车间"]
    assert _options(world.other_chair, world.group_a) == ["红星机械厂工会", "一车间"]
    assert _options(world.member) == []


def test_it_opens_the_tree_down_to_the_chosen_unit(world):
    # given the administrator, who sees every unit
    # when nothing is chosen, then the roots and the level below them
    assert _options(world.admin) == ["县总工会", "县教育工会", "红星机械厂工会"]
    # when a unit deeper down is chosen, then the path to it and the level below each step
    assert _options(world.admin, world.school) == [
        "县总工会",
        "县教育工会",
        "第一中学工会",
        "语文教研组",
        "数学教研组",
        "红星机械厂工会",
    ]
    assert _options(world.admin, world.group_b) == _options(world.admin, world.school)


def test_it_lists_a_few_units_for_a_federation_with_many(world):
    # given a federation with many unions, each with groups
    from gonghui.testing.factories import make_unit

    for i in range(30):
        union = make_unit(f"企业{i}工会", "grassroots", world.county)
        make_unit(f"企业{i}班组", "group", union)
    # then only the level below the federation is offered until one is chosen
    assert len(_options(world.admin)) == 1 + 2 + 30


# ---- the count cache and the common-name plan ---------------------------------------------


def _count(user, f: MemberFilter | None = None):
    qs = queries.member_search(user, f or MemberFilter(), today=TODAY)
    return queries.member_page(qs, 1).paginator.count


def test_it_counts_a_list_once_until_the_members_change(world, django_assert_num_queries):
    # given a list counted once
    assert _count(world.chair) == 2
    # when it is counted again, then the count (and the list's ids: a short list) come
    # from the cache: only the page's rows and their units are read
    with django_assert_num_queries(2):
        assert _count(world.chair) == 2
    # when a member is added (a save sends the signal), then the count follows
    MemberFactory(union=world.school, unit=world.group_a)
    assert _count(world.chair) == 3


def test_it_counts_after_a_bulk_write_that_sends_no_signal(world):
    # given a cached count
    assert _count(world.chair) == 2
    # when members change without a save() (as the roster import writes them)
    from gonghui.members.counts import members_changed
    from gonghui.members.models import Member

    Member.objects.filter(pk=world.member_b.pk).update(status="left")
    members_changed()
    # then the count is the new one
    assert _count(world.chair) == 1


def test_it_keeps_counts_of_different_scopes_apart(world):
    assert _count(world.chair) == 2
    assert _count(world.group_leader) == 1
    assert _count(world.admin) == 3


@pytest.mark.parametrize("common", [True, False], ids=["common-name", "rare-name"])
def test_it_finds_the_same_members_whichever_plan_a_name_gets(world, monkeypatch, common):
    # given a name prefix counted as common (or not) and members matching in both ways
    monkeypatch.setattr(queries, "COMMON_NAME_PEOPLE", 0 if common else 10_000)
    from gonghui.testing.factories import PersonFactory

    woman = MemberFactory(union=world.school, person=PersonFactory(name="王丽", gender="F"))
    by_no = MemberFactory(union=world.school, member_no="王", person=PersonFactory(gender="F"))
    man = MemberFactory(union=world.school, person=PersonFactory(name="王刚", gender="M"))
    f = queries.member_search
    # then the name prefix, the member number and the person conditions all hold
    found = {m.pk for m in f(world.chair, MemberFilter(q="王", gender="F"), today=TODAY)}
    assert found == {woman.pk, by_no.pk}
    found = {m.pk for m in f(world.chair, MemberFilter(q="王"), today=TODAY)}
    assert {woman.pk, by_no.pk, man.pk, world.member_b.pk} <= found
    assert not f(world.other_chair, MemberFilter(q="王"), today=TODAY).exists()


@pytest.mark.parametrize("common", [True, False], ids=["common-name", "rare-name"])
def test_it_finds_a_member_number_given_after_a_search_found_none(world, monkeypatch, common):
    # given a name search with a person condition, while no member has that number
    monkeypatch.setattr(queries, "COMMON_NAME_PEOPLE", 0 if common else 10_000)
    from gonghui.testing.factories import PersonFactory

    f = MemberFilter(q="王", gender="F")
    woman = MemberFactory(union=world.school, person=PersonFactory(name="丁丽", gender="F"))
    assert woman not in queries.member_search(world.chair, f, today=TODAY)
    # when the number is given to a member (a save: the list version moves)
    woman.member_no = "王"
    woman.save()
    # then the search finds them by number, and still only if the person passes
    assert woman in queries.member_search(world.chair, f, today=TODAY)
    f_men = MemberFilter(q="王", gender="M")
    assert woman not in queries.member_search(world.chair, f_men, today=TODAY)
