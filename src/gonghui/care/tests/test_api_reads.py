"""The care API's reads: filters and pages of events, tasks and visits, the query counts of
the lists, distributions and insurance plans with their figures, and the statistics (the
summary's figures; upper unions count their subtree; hardship as counts for those allowed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gonghui.care import distributions, insurance, services, summary
from gonghui.care.models import Visit
from gonghui.testing.care_factories import HardshipFileFactory, LifeEventFactory
from gonghui.testing.factories import MemberFactory

from .api_helpers import Api, make_records, today


@pytest.fixture
def records(world):
    return make_records(world)


def _items(r) -> list[dict]:
    assert r.status_code == 200, r.content
    return r.json()["items"]


def _visit(world, member, kind: str, on: date, cash: str = "0", gift: str = "0") -> Visit:
    return services.visit_record(
        actor=world.chair,
        member=member,
        kind=kind,
        visited_on=on,
        visitors="工会主席",
        cash=Decimal(cash),
        gift_description="慰问品" if Decimal(gift) else "",
        gift_value=Decimal(gift),
    )


# ---- events, tasks, visits ----------------------------------------------------------------


def test_it_filters_events_by_kind_status_and_date_range(world, records):
    api = Api(world.chair)
    ago = today() - timedelta(days=10)
    assert [e["kind"] for e in _items(api.get("/care/events", kind="wedding"))] == ["wedding"]
    hospital = _items(api.get("/care/events", date_from=str(ago), date_to=str(ago)))
    assert [(e["member"]["name"], e["occurred_on"]) for e in hospital] == [("王强", str(ago))]
    assert _items(api.get("/care/events", date_from=str(today() + timedelta(days=1)))) == []
    assert {e["status"] for e in _items(api.get("/care/events", status="open"))} == {"open"}


def test_it_refuses_a_date_range_backwards_in_chinese(world, records):
    r = Api(world.chair).get("/care/events", date_from=str(today()), date_to="2020-01-01")
    assert r.status_code == 400
    assert (r.json()["field"], r.json()["message"]) == ("date_to", "结束日期早于开始日期。")
    r = Api(world.chair).get("/care/events", date_from="yesterday")
    assert (r.status_code, r.json()["field"]) == (422, "date_from")


def test_it_flags_and_filters_overdue_tasks(world, records):
    api = Api(world.cadre)
    overdue = _items(api.get("/care/tasks", overdue="true"))
    assert [t["id"] for t in overdue] == [records.task.pk]
    assert overdue[0]["overdue"] is True
    assert overdue[0]["days_late"] == (today() - records.task.due_on).days > 0
    not_late = _items(api.get("/care/tasks", overdue="false"))
    assert records.task.pk not in {t["id"] for t in not_late}
    assert all(not t["overdue"] for t in not_late)
    assert _items(api.get("/care/tasks", status="done")) == []


def test_it_filters_visits_by_year_and_member(world, records):
    last_year = date(today().year - 1, 6, 1)
    _visit(world, world.member_a, "other", last_year, gift="50")
    api = Api(world.chair)
    this_year = _items(api.get("/care/visits", year=today().year))
    assert [v["member"]["name"] for v in this_year] == ["王强"]
    old = _items(api.get("/care/visits", year=last_year.year))
    assert [(v["visited_on"], v["gift_value"]) for v in old] == [(str(last_year), "50.00")]
    assert [v["id"] for v in _items(api.get("/care/visits", member=world.member_b.pk))] == [
        records.visit.pk
    ]


def test_it_gives_amounts_as_two_decimal_strings_and_dates_as_iso(world, records):
    v = _items(Api(world.chair).get("/care/visits"))[0]
    assert (v["cash"], v["gift_value"], v["amount"]) == ("0.00", "150.00", "150.00")
    assert v["visited_on"] == today().isoformat()
    assert "notes" not in v  # free text only on the one-task read
    t = _items(Api(world.chair).get("/care/tasks", overdue="true"))[0]
    assert t["standard_cash"] == "500.00"
    assert date.fromisoformat(t["due_on"]) == records.task.due_on


def test_it_pages_events_with_a_total(world):
    for i in range(5):
        LifeEventFactory(member=world.member_a, occurred_on=today() - timedelta(days=i))
    api = Api(world.chair)
    first = api.get("/care/events", limit=2).json()
    second = api.get("/care/events", limit=2, offset=2).json()
    last = api.get("/care/events", limit=2, offset=4).json()
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    ids = [e["id"] for page in (first, second, last) for e in page["items"]]
    assert len(ids) == len(set(ids)) == 5
    dates = [e["occurred_on"] for page in (first, second, last) for e in page["items"]]
    assert dates == sorted(dates, reverse=True)
    assert api.get("/care/events", limit=500).status_code == 422
    assert api.get("/care/events", offset=-1).status_code == 422


def _queries(api: Api, url: str) -> int:
    api.get(url)  # the token's first use is recorded once; count a steady request
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", ["/care/events", "/care/tasks", "/care/visits"])
def test_it_lists_in_a_fixed_number_of_queries(world, url):
    api = Api(world.chair)
    ago = today() - timedelta(days=10)

    def add(n: int) -> None:
        for _ in range(n):
            m = MemberFactory(union=world.school, unit=world.group_b)
            services.event_report(
                user=world.chair, member=m, kind="hospital", occurred_on=ago, reported_on=ago
            )
            _visit(world, m, "birthday", today(), gift="100")

    add(2)
    few = _queries(api, url)
    add(6)
    assert _queries(api, url) == few


# ---- distributions and insurance ------------------------------------------------------------


def test_it_shows_a_distributions_counts_total_and_progress(world, records):
    d = records.distribution
    distributions.distribution_build(actor=world.chair, distribution=d, run_now=True)
    line = d.lines.select_related("distribution__union").get(member=world.member_a)
    distributions.handout_mark(actor=world.cadre, lines=[line], on=today())
    body = Api(world.cadre).get(f"/care/distributions/{d.pk}").json()
    assert (body["status"], body["recipients"], body["over_cap"], body["handed_out"]) == (
        "ready",
        2,
        0,
        1,
    )
    assert (body["total_amount"], body["amount_per_person"]) == ("600.00", "300.00")
    assert body["handed_out_percent"] == 50
    assert (body["build"]["status"], body["build"]["percent"]) == ("done", 100)
    groups = {g["name"]: (g["lines"], g["handed_out"], g["waiting"]) for g in body["groups"]}
    assert groups == {"语文教研组": (1, 1, 0), "数学教研组": (1, 0, 1)}
    assert body["criteria"]["work_statuses"] == ["working"]
    # the list carries the same counts, without criteria and groups
    listed = _items(Api(world.cadre).get("/care/distributions", year=today().year))
    assert [(i["id"], i["handed_out"]) for i in listed] == [(d.pk, 1)]
    assert "groups" not in listed[0]


def test_it_gives_plans_with_their_enrolment_rate_and_claim_totals(world, records):
    insurance.enrol_bulk(
        actor=world.cadre,
        plan=records.plan,
        paid_by="union",
        enrolled_on=today(),
        member_ids=[world.member_a.pk],
    )
    plans = _items(Api(world.chair).get("/care/insurance/plans", year=today().year))
    assert len(plans) == 1
    p = plans[0]
    assert (p["enrolled"], p["eligible"], p["enrolment_rate"]) == (1, 2, "50.0")
    assert (p["premiums"], p["premium_per_person"], p["claim_limit"]) == (
        "50.00",
        "50.00",
        "5000.00",
    )
    assert (p["claims"], p["claims_paid"], p["paid_amount"]) == (0, 0, "0.00")
    assert _items(Api(world.chair).get("/care/insurance/plans", year=2001)) == []


# ---- statistics -----------------------------------------------------------------------------


def test_it_gives_the_summarys_figures_for_one_union(world, records):
    # given visits of two kinds, one last year, and a distribution handed out
    _visit(world, world.member_a, "festival", today(), cash="200", gift="100")
    _visit(world, world.member_a, "other", date(today().year - 1, 3, 1), cash="80")
    d = records.distribution
    distributions.distribution_build(actor=world.chair, distribution=d, run_now=True)
    distributions.handout_mark(
        actor=world.chair, lines=list(d.lines.select_related("distribution__union")), on=today()
    )
    body = Api(world.cadre).get("/care/stats", union=world.school.pk).json()
    s = summary.care_summary(world.school, today().year, viewer=world.cadre, today=today())
    v = body["visits"]
    assert (v["visits"], v["households"]) == (s.visits.visits, s.visits.households) == (2, 2)
    assert v["amount"] == f"{s.visits.amount:.2f}" == "450.00"
    assert v["cash"] == "200.00"
    assert {k["kind"]: (k["visits"], k["amount"]) for k in v["by_kind"]} == {
        "festival": (1, "300.00"),
        "birthday": (1, "150.00"),
    }
    assert (v["open_tasks"], v["overdue_tasks"]) == (s.visits.open_tasks, s.visits.overdue_tasks)
    assert body["distributions"] == {"distributions": 1, "handed_out": 2, "amount": "600.00"}
    assert (body["unit"]["id"], body["year"]) == (world.school.pk, today().year)
    assert [u["union"]["id"] for u in body["unions"]] == [world.school.pk]
    assert body["hardship"] is None  # a cadre does not count hardship files
    last = Api(world.cadre).get("/care/stats", union=world.school.pk, year=today().year - 1)
    assert last.json()["visits"]["visits"] == 1


def test_it_gives_an_upper_officer_the_counts_of_every_union_below(world, records):
    HardshipFileFactory(member=world.member_b, tier="deep", primary_cause="illness")
    body = Api(world.upper_officer).get("/care/stats").json()
    assert body["unit"]["id"] == world.county.pk
    rows = {u["union"]["name"]: (u["visits"], u["amount"]) for u in body["unions"]}
    assert rows == {"第一中学工会": (1, "150.00"), "红星机械厂工会": (1, "100.00")}
    assert (body["visits"]["visits"], body["visits"]["amount"]) == (2, "250.00")
    assert (body["visits"]["open_tasks"], body["visits"]["overdue_tasks"]) == (3, 1)
    h = body["hardship"]
    assert h["active"] == 1
    assert {c["key"]: c["count"] for c in h["by_tier"]} == {
        "deep": 1,
        "relative": 0,
        "accident": 0,
    }
    assert {c["key"]: c["count"] for c in h["by_cause"] if c["count"]} == {"illness": 1}
    # no name, no member anywhere in the answer
    assert "王强" not in str(body) and "member" not in str(body)


@pytest.mark.parametrize(
    ("persona", "sees_counts"),
    [
        ("chair", True),
        ("care_officer", True),
        ("upper_officer", True),
        ("cadre", False),
        ("auditor", False),
        ("admin", False),  # hardship is not an administrator's, even counted
    ],
)
def test_it_gives_hardship_counts_only_to_those_who_may_count_them(
    world, care_officer, persona, sees_counts
):
    HardshipFileFactory(member=world.member_b)
    users = {**world.personas(), "care_officer": care_officer}
    r = Api(users[persona]).get("/care/stats", union=world.school.pk)
    assert r.status_code == 200
    hardship = r.json()["hardship"]
    assert (hardship is not None) == sees_counts
    if sees_counts:
        assert hardship["active"] == 1


def test_it_gives_enrolment_rates_by_kind(world, records):
    insurance.enrol_bulk(actor=world.cadre, plan=records.plan, paid_by="union", enrolled_on=today())
    body = Api(world.upper_officer).get("/care/stats").json()
    assert body["insurance"] == [
        {
            "kind": "inpatient",
            "label": "住院医疗",
            "plans": 2,
            "enrolled": 2,
            "eligible": 3,
            "enrolment_rate": "66.7",
            "claims_paid": 0,
            "paid_amount": "0.00",
        }
    ]


def test_it_refuses_statistics_of_a_group_in_chinese(world):
    r = Api(world.chair).get("/care/stats", union=world.group_a.pk)
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["field"]) == ("care.stats_no_union", "union")
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "%(unit)s has no union below it: care figures are kept per union."
        ) % {"unit": world.group_a}
    assert r.json()["message"] == expected
    r = Api(world.chair).get("/care/stats", year=1999)
    assert (r.status_code, r.json()["field"]) == (422, "year")
