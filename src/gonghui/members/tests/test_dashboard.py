"""Dashboard figures checked against records made in the test, access, and query counts."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest
import time_machine
from django.urls import reverse

from gonghui.core.models import Role
from gonghui.core.services import role_grant
from gonghui.members import stats
from gonghui.members.models import MemberStatus
from gonghui.testing.factories import MemberFactory, PersonFactory, UserFactory, make_unit

TODAY = date(2025, 6, 15)


def person(gender: str, birth: date | None):
    return PersonFactory(gender=gender, birth_date=birth, id_number=None)


@pytest.fixture
def school_world(world):
    """The world's school, plus members whose every attribute a figure depends on.

    School (staff 120): group A has member_a; group B has member_b (both from the world).
    Added here, all in group A unless said:
      w1  F, born 1995-06-16 (29 on TODAY), joined this year, contract
      w2  F, born 1990-06-15 (35 on TODAY: not young), model worker
      m1  M, born 1970-01-01 (55), retired, dispatched, group B
      m2  M, no birth date, joined this year, placed on the school itself
      x   F, left the union (not counted)
      f1  F, in the factory union (other union, not counted for the school)
    """
    a, b, school = world.group_a, world.group_b, world.school
    MemberFactory(
        union=school,
        unit=a,
        person=person("F", date(1995, 6, 16)),
        joined_on=date(2025, 3, 1),
        employment_type="contract",
    )
    MemberFactory(union=school, unit=a, person=person("F", date(1990, 6, 15)), is_model_worker=True)
    MemberFactory(
        union=school,
        unit=b,
        person=person("M", date(1970, 1, 1)),
        work_status="retired",
        employment_type="dispatched",
    )
    MemberFactory(union=school, unit=school, person=person("M", None), joined_on=date(2025, 1, 1))
    MemberFactory(
        union=school, unit=a, person=person("F", date(1980, 1, 1)), status=MemberStatus.LEFT
    )
    MemberFactory(union=world.factory_union, unit=world.workshop, person=person("F", None))
    return world


def _fixed(world):
    """member_a and member_b from the world fixture get known attributes too."""
    for m, gender, birth in (
        (world.member_a, "F", date(1985, 1, 1)),  # 40
        (world.member_b, "M", date(2000, 1, 1)),  # 25
    ):
        m.person.gender, m.person.birth_date = gender, birth
        m.person.save()


def test_it_computes_every_figure_of_a_union_from_its_records(school_world):
    # given
    w = school_world
    _fixed(w)
    # when
    s = stats.unit_stats(w.school, today=TODAY)
    # then: active members are member_a, member_b, w1, w2, m1, m2
    assert s.total == 6
    assert s.women == 3  # member_a, w1, w2
    assert {b.key: b.count for b in s.by_gender} == {"F": 3, "M": 3}
    assert s.young == 2  # member_b (25), w1 (29); w2 is 35 today
    assert {b.key: b.count for b in s.by_age_band} == {
        "<35": 2,
        "35-44": 2,
        "45-54": 0,
        "55+": 1,
        "": 1,
    }
    assert s.retirees == 1
    assert s.model_workers == 1
    assert s.new_this_year == 2  # w1 and m2 joined in 2025
    assert {b.key: b.count for b in s.by_employment} == {
        "permanent": 4,
        "contract": 1,
        "dispatched": 1,
    }
    assert {b.key: b.count for b in s.by_group} == {
        str(w.group_a.pk): 3,
        str(w.group_b.pk): 2,
        str(w.school.pk): 1,
    }
    assert s.staff == 120
    assert s.enrolment_rate == Fraction(6, 120)
    assert s.enrolment_text == "5.0%"


def test_it_sums_figures_of_a_federation_over_its_unions(school_world):
    w = school_world
    s = stats.unit_stats(w.county, today=TODAY)
    # 6 in the school + outsider and f1 in the factory
    assert s.total == 8
    rows = {r.unit.code: r for r in s.unions}
    assert rows["SCH"].members == 6
    assert rows["FAC"].members == 2
    assert rows["FAC"].women == 1 + (w.outsider.person.gender == "F")
    assert rows["FAC"].rate == Fraction(2, 300)
    assert s.staff == 420
    assert s.enrolment_rate == Fraction(8, 420)
    groups = {b.key: b.count for b in s.by_group}
    assert groups == {str(w.edu.pk): 6, str(w.factory_union.pk): 2}


def test_it_leaves_the_enrolment_rate_unknown_without_staff_counts(school_world):
    w = school_world
    s = stats.unit_stats(w.group_a, today=TODAY)
    assert s.total == 3
    assert s.enrolment_rate is None
    assert s.enrolment_text == "—"


def test_it_counts_only_unions_with_a_known_staff_count_in_the_rate(world):
    unknown = make_unit("无编制工会", "grassroots", world.county, code="NOSTAFF")
    MemberFactory(union=unknown, unit=unknown)
    s = stats.unit_stats(world.county, today=TODAY)
    # school 2 / 120 and factory 1 / 300; the union without staff count is left out
    assert s.enrolment_rate == Fraction(3, 420)
    assert s.total == 4


def test_it_counts_29_february_birthdays_on_1_march(world):
    world.member_a.person.birth_date = date(1992, 2, 29)
    world.member_a.person.save()
    young_day_before = stats.unit_stats(world.group_a, today=date(2027, 2, 28)).young
    young_on_day = stats.unit_stats(world.group_a, today=date(2027, 3, 1)).young
    assert (young_day_before, young_on_day) == (1, 0)


def test_it_computes_the_figures_in_four_queries_whatever_the_tree(
    world, django_assert_num_queries
):
    for i in range(5):
        g = make_unit(f"组{i}", "group", world.school, code=f"SCH-G{i}")
        for _ in range(3):
            MemberFactory(union=world.school, unit=g)
    with django_assert_num_queries(4):
        s = stats.unit_stats(world.county, today=TODAY)
    assert s.total == 2 + 15 + 1


# ---- the page -----------------------------------------------------------------------------


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_it_shows_the_chairs_union_with_charts_data(client, school_world):
    client.force_login(school_world.chair)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["unit"] == school_world.school
    assert response.context["stats"].total == 6
    charts = json.loads(
        response.content.decode()
        .split('id="dashboard-charts" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert set(charts) == {"group", "gender", "age", "employment"}
    assert sum(d["value"] for d in charts["gender"]["data"]) == 6
    assert b"js/charts.js" in response.content
    assert b"vendor/echarts.min.js" in response.content


def test_it_shows_upper_officers_aggregates_of_subordinate_unions_and_no_names(
    client, school_world
):
    client.force_login(school_world.upper_officer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["unit"] == school_world.county
    body = response.content.decode()
    assert 'id="unions-table"' in body
    assert "第一中学工会" in body and "红星机械厂工会" in body
    for name in ("李芳", "王强", "赵敏"):
        assert name not in body
    assert not response.context["can_see_members"]


def test_it_lets_an_upper_officer_drill_into_a_subordinate_union(client, school_world):
    client.force_login(school_world.upper_officer)
    response = client.get(reverse("dashboard"), {"unit": school_world.school.pk})
    assert response.status_code == 200
    assert response.context["stats"].total == 6
    assert "李芳" not in response.content.decode()


def test_it_refuses_a_unit_outside_the_users_statistics(client, world):
    client.force_login(world.chair)
    assert client.get(reverse("dashboard"), {"unit": world.factory_union.pk}).status_code == 404
    assert client.get(reverse("dashboard"), {"unit": world.county.pk}).status_code == 404
    assert client.get(reverse("dashboard"), {"unit": "x"}).status_code == 404
    assert client.get(reverse("dashboard"), {"unit": 999999}).status_code == 404


def test_it_sends_a_member_to_their_profile(client, world):
    client.force_login(world.member)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("members:my_profile")


def test_it_refuses_a_user_without_roles_or_person(client, world):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("dashboard")).status_code == 403


def test_it_offers_a_chooser_to_users_with_several_units(client, world):
    role_grant(actor=None, user=world.cadre, role=Role.CADRE, unit=world.factory_union)
    client.force_login(world.cadre)
    response = client.get(reverse("dashboard"))
    assert len(response.context["tops"]) == 2
    assert b'name="unit"' in response.content
    other = client.get(reverse("dashboard"), {"unit": world.factory_union.pk})
    assert other.context["stats"].total == 1


def test_it_redirects_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_renders_the_dashboard_in_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(8):
        g = make_unit(f"组{i}", "group", world.school, code=f"SCH-G{i}")
        MemberFactory(union=world.school, unit=g)
        u = make_unit(f"工会{i}", "grassroots", world.county, code=f"U{i}", staff_count=10)
        MemberFactory(union=u, unit=u)
    client.force_login(world.admin)
    # the figures and the bell, plus the care and congress tiles (bounded in their own tests)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert len(response.context["stats"].unions) == 10
