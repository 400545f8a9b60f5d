"""The care tile on the dashboard: what each persona sees (the work of their union, or
counts without names, or nothing), hardship figures only for those who keep the files,
figures equal to the care home's and the upper-union page's, and bounded queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gonghui.care import services
from gonghui.care.dashboard_tiles import care_tile
from gonghui.testing.care_factories import HardshipFileFactory

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 6, 15, 10, tzinfo=TZ), tick=False):
        yield


def _report(world, member, kind="hospital", days_ago=0, user=None):
    on = TODAY - timedelta(days=days_ago)
    return services.event_report(
        user=user or world.cadre, member=member, kind=kind, occurred_on=on, reported_on=on
    ).task


@pytest.fixture
def records(world):
    """The school: member A overdue 7 days (hospital, reported 10 days ago), member B
    overdue 2 days (wedding, reported 9 days ago), member A visited for a birthday (¥300)
    and member B for a retirement (¥500); one hardship file. The factory: a visit (¥800)
    and an overdue task."""
    oldest = _report(world, world.member_a, days_ago=10)
    _report(world, world.member_b, kind="wedding", days_ago=9)
    for member, kind, cash in (
        (world.member_a, "birthday", 300),
        (world.member_b, "retirement", 500),
    ):
        services.visit_record(
            actor=world.cadre, member=member, kind=kind, visited_on=TODAY - timedelta(days=3),
            visitors="工会委员", cash=Decimal(cash),
        )  # fmt: skip
    HardshipFileFactory(member=world.member_b, file_no="KN-2026-001")
    _report(world, world.outsider, days_ago=10, user=world.other_chair)
    services.visit_record(
        actor=world.other_chair, member=world.outsider, kind="hospital", visited_on=TODAY,
        visitors="车间主任", cash=Decimal("800"),
    )  # fmt: skip
    return {"oldest": oldest}


def _tile(response):
    tiles = [t for t in response.context["tiles"] if t.template == "care/dashboard_tile.html"]
    return tiles[0] if tiles else None


def _dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard"), params)


# ---- who sees what -----------------------------------------------------------------------


# persona -> (status of the dashboard, the tile: "manage", "counts" or None)
MATRIX = {
    "chair": (200, "manage"),
    "cadre": (200, "manage"),
    "care_officer": (200, "manage"),
    "group_leader": (200, "counts"),
    "member": (302, None),
    "other_chair": (200, "manage"),
    "upper_officer": (200, "counts"),
    "auditor": (200, "counts"),
    "admin": (200, "counts"),  # lands on the county federation: not a union
}


@pytest.mark.parametrize("persona", MATRIX)
def test_it_shows_each_persona_the_tile_of_their_part(
    client, world, records, care_officer, persona
):
    user = care_officer if persona == "care_officer" else world.personas()[persona]
    status, expected = MATRIX[persona]
    response = _dashboard(client, user)
    assert response.status_code == status
    if status != 200:
        return
    tile = _tile(response)
    assert tile is not None
    assert ("manage" if tile.context["manage"] else "counts") == expected
    html = response.content.decode()
    assert 'id="tile-care"' in html
    if expected == "counts":
        # counts only: no member's name, no task link
        for name in ("李芳", "王强", "赵敏"):
            assert name not in html
        assert "/care/visits/new/" not in html


def test_it_sends_anonymous_visitors_to_the_login(client, world):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_it_shows_the_chair_the_overdue_visits_in_red_with_the_oldest(client, world, records):
    response = _dashboard(client, world.chair)
    tile = _tile(response)
    assert tile.context["union"] == world.school
    assert tile.context["oldest"] == records["oldest"]
    assert tile.context["oldest_days_late"] == 7
    html = response.content.decode()
    assert 'id="tile-care-overdue"' in html and "alert-danger" in html
    assert f'href="/care/visits/new/?task={records["oldest"].pk}"' in html
    assert "李芳" in html
    assert tile.url == f"/care/?union={world.school.pk}"


def test_it_shows_no_overdue_alert_when_nothing_is_late(client, world):
    _report(world, world.member_a)  # due in three days
    response = _dashboard(client, world.chair)
    tile = _tile(response)
    assert tile.context["figures"].open_tasks == 1
    assert "oldest" not in tile.context
    assert 'id="tile-care-overdue"' not in response.content.decode()


def test_it_shows_hardship_files_only_to_those_who_keep_them(client, world, records, care_officer):
    for user in (world.chair, care_officer):
        tile = _tile(_dashboard(client, user))
        assert tile.context["hardship_active"] == 1
        assert tile.context["hardship_due"] == 0  # opened this January: due in November
    for user in (world.cadre,):
        response = _dashboard(client, user)
        tile = _tile(response)
        assert "hardship_active" not in tile.context
        assert 'data-figure="hardship_active"' not in response.content.decode()
    # the administrator manages care in the school, never its hardship files
    response = _dashboard(client, world.admin, unit=world.school.pk)
    tile = _tile(response)
    assert tile.context["manage"] and "hardship_active" not in tile.context


def test_it_shows_the_other_chair_only_their_own_union(client, world, records):
    response = _dashboard(client, world.other_chair)
    tile = _tile(response)
    assert tile.context["union"] == world.factory_union
    assert tile.context["figures"].visits == 1
    assert tile.context["figures"].amount == Decimal("800.00")
    html = response.content.decode()
    assert "李芳" not in html and "王强" not in html


# ---- the figures are the care pages' figures ------------------------------------------------


def test_its_figures_are_the_care_homes(client, world, records):
    tile = _tile(_dashboard(client, world.chair))
    home = client.get(reverse("care:home"))
    assert tile.context["figures"] == home.context["figures"]
    f = tile.context["figures"]
    assert (f.visits, f.households, f.amount, f.open_tasks, f.overdue_tasks) == (
        2,
        2,
        Decimal("800.00"),
        2,
        2,
    )


def test_its_counts_are_the_upper_union_pages(client, world, records):
    tile = _tile(_dashboard(client, world.upper_officer))
    page = client.get(reverse("care:counts"))
    t, total = tile.context["totals"], page.context["total"]
    assert (t.visits, t.households, t.amount, t.overdue_tasks) == (
        total["visits"],
        total["households"],
        total["amount"],
        total["overdue"],
    )
    assert (t.visits, t.amount, t.overdue_tasks, t.unions) == (3, Decimal("1600.00"), 3, 2)
    assert tile.url == reverse("care:counts")


def test_it_counts_the_group_leaders_group_only(client, world, records):
    # member A (group A): one birthday visit of ¥300 and the overdue hospital task
    tile = _tile(_dashboard(client, world.group_leader))
    t = tile.context["totals"]
    assert (t.visits, t.households, t.amount, t.overdue_tasks, t.unions) == (
        1,
        1,
        Decimal("300.00"),
        1,
        0,
    )
    assert tile.url == reverse("care:home")


def test_it_counts_a_corrected_payment_net(world, records):
    from gonghui.care import ledger
    from gonghui.care.models import CarePayment

    payment = CarePayment.objects.get(member=world.member_a, cap_item="birthday")
    ledger.payment_correct(actor=world.chair, payment=payment, reason="录入错误")
    tile = care_tile(world.group_leader, world.group_a, TODAY)
    assert tile.context["totals"].amount == Decimal("0.00")
    assert tile.context["totals"].visits == 1  # the visit happened; the money was undone


# ---- queries -----------------------------------------------------------------------------


def _more_tasks(world, n):
    for i in range(n):
        _report(world, world.member_a, kind="misfortune", days_ago=20 + i)


@pytest.mark.parametrize("persona", ["chair", "upper_officer", "group_leader"])
def test_its_queries_do_not_grow_with_the_records(
    world, records, persona, django_assert_max_num_queries
):
    user = world.personas()[persona]
    unit = {"chair": world.school, "upper_officer": world.county}.get(persona, world.group_a)
    # the care home's six reads, the oldest overdue task and two hardship counts; counts
    # only: the unions below, then four aggregates
    most = 9 if persona == "chair" else 5
    care_tile(user, unit, TODAY)  # grants are cached per user, as within one request
    with django_assert_max_num_queries(most):
        care_tile(user, unit, TODAY)
    _more_tasks(world, 5)
    with django_assert_max_num_queries(most):
        care_tile(user, unit, TODAY)


def test_the_dashboard_page_stays_bounded_with_the_tile(client, world, records):
    client.force_login(world.chair)
    client.get(reverse("dashboard"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard"))
    _more_tasks(world, 5)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("dashboard"))
    assert len(after) == len(before)
