"""congress.queries: rule sets and the access helpers every congress page goes through."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.congress import queries, rules
from gonghui.congress.models import CongressRuleSet
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressSessionFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(world):
    term = CongressTermFactory(congress=CongressFactory(union=world.school))
    return CongressSessionFactory(term=term)


def test_it_applies_the_national_defaults_without_a_rule_set(world):
    assert queries.rules_for(world.school) == rules.NATIONAL_DEFAULTS


def test_it_reads_a_unions_own_rule_set(world):
    CongressRuleSet.objects.create(
        union=world.school,
        quorum_numerator=3,
        quorum_denominator=4,
        pass_base="present",
        cosigners_min=3,
        source_note="本校实施细则",
    )
    got = queries.rules_for(world.school)
    assert got.quorum == Fraction(3, 4)
    assert got.pass_base is rules.PassBase.PRESENT
    assert got.cosigners_min == 3 and got.source == "本校实施细则"


@pytest.mark.parametrize(
    ("persona", "manage", "outcome"),
    [
        ("chair", True, "ok"),
        ("cadre", True, "ok"),
        ("member", False, "ok"),
        ("member", True, "403"),
        ("group_leader", False, "ok"),
        ("group_leader", True, "403"),
        ("upper_officer", False, "403"),  # in reach: counts only, not contents
        ("other_chair", False, "404"),
        ("auditor", False, "403"),  # sees the school's statistics, not its congress
        ("admin", True, "ok"),
    ],
)
def test_it_loads_a_session_only_for_those_who_may_see_it(world, session, persona, manage, outcome):
    # The group leader leads group A and is on the school's roll, like member_b.
    world.member_b.person.user = world.group_leader
    world.group_leader.person = world.member_b.person
    world.group_leader.save()
    user = world.personas()[persona]
    if outcome == "ok":
        assert queries.get_session_for(user, session.pk, manage=manage) == session
    else:
        expected = Http404 if outcome == "404" else PermissionDenied
        with pytest.raises(expected):
            queries.get_session_for(user, session.pk, manage=manage)


def test_it_answers_404_for_an_unknown_session(world):
    with pytest.raises(Http404):
        queries.get_session_for(world.chair, 999_999)


def test_it_finds_the_users_delegate_seat_and_home_union(world, session):
    delegation = DelegationFactory(term=session.term)
    seat = DelegateFactory(delegation=delegation, person=world.member_a.person)
    assert queries.delegate_for(world.member, session.term) == seat
    assert queries.delegate_for(world.chair, session.term) is None
    assert queries.home_union(world.member) == world.school
    assert queries.home_union(world.chair) == world.school
    assert queries.home_union(world.upper_officer) is None
