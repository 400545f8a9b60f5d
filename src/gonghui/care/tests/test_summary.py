"""The care summary: every figure equals what the records say, the sentences carry those
figures, hardship counts only for those who may count them, and the Word export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from gonghui.care import health, rest, retirees, services, summary
from gonghui.care.models import AidRecord, Distribution, DistributionLine, Visit
from gonghui.care.models.health import HealthCheck
from gonghui.members.models import WorkStatus
from gonghui.testing.care_factories import HardshipFileFactory
from gonghui.testing.factories import MemberFactory, PersonFactory

YEAR = 2026


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        yield


@pytest.fixture
def records(world):
    """A year of care work in the school, and some noise: last year, another union."""
    s = world.school
    old = MemberFactory(
        union=s, work_status=WorkStatus.RETIRED, person=PersonFactory(name="张老师")
    )
    for member, kind, cash, gift in [
        (world.member_a, "hospital", "500", "0"),
        (world.member_b, "birthday", "0", "150"),
        (world.member_b, "wedding", "600", "0"),
    ]:
        services.visit_record(
            actor=world.chair,
            member=member,
            kind=kind,
            visited_on=date(YEAR, 5, 3),
            visitors="工会",
            cash=Decimal(cash),
            gift_description="礼品" if gift != "0" else "",
            gift_value=Decimal(gift),
        )
    services.visit_record(
        actor=world.chair,
        member=world.member_a,
        kind="hospital",
        visited_on=date(YEAR - 1, 5, 3),
        visitors="工会",
        cash=Decimal("999"),
    )
    services.visit_record(
        actor=world.other_chair,
        member=world.outsider,
        kind="hospital",
        visited_on=date(YEAR, 5, 3),
        visitors="车间",
        cash=Decimal("777"),
    )
    retirees.retiree_visit_round(
        actor=world.chair,
        union=s,
        title="重阳节慰问",
        visited_on=date(YEAR, 10, 29),
        visitors="工会主席",
        cash=Decimal("300"),
    )
    retirees.retiree_activity_create(
        actor=world.chair,
        union=s,
        title="秋游",
        held_on=date(YEAR, 10, 10),
        kind="activity",
        participants=[old],
    )
    d = Distribution.objects.create(
        union=s,
        title="中秋节慰问品",
        kind="festival",
        cap_item="festival",
        given_on=date(YEAR, 9, 20),
        amount_per_person=Decimal("200"),
        gift_description="月饼",
    )
    now = timezone.now()
    for m, handed in [(world.member_a, True), (world.member_b, True), (old, False)]:
        DistributionLine.objects.create(
            distribution=d, member=m, amount=Decimal("200"), handed_out_at=now if handed else None
        )
    f1 = HardshipFileFactory(member=world.member_a, tier="deep")
    HardshipFileFactory(member=world.member_b, tier="relative", primary_cause="schooling")
    AidRecord.objects.create(file=f1, kind="daily", given_on=date(YEAR, 1, 20), amount=1000)
    AidRecord.objects.create(file=f1, kind="daily", given_on=date(YEAR - 1, 1, 20), amount=50)
    c = health.health_campaign_create(
        actor=world.chair,
        union=s,
        kind="general",
        title="体检",
        starts_on=date(YEAR, 3, 1),
        ends_on=date(YEAR, 3, 31),
    )
    health.health_checks_schedule(actor=world.chair, campaign=c, scheduled_on=date(YEAR, 3, 5))
    check = HealthCheck.objects.get(member=world.member_a)
    health.health_check_mark(
        actor=world.chair, check=check, status="done", done_on=date(YEAR, 3, 5)
    )
    r = rest.rest_rotation_create(
        actor=world.chair,
        union=s,
        title="暑期疗休养",
        destination="千岛湖",
        starts_on=date(YEAR, 7, 10),
        ends_on=date(YEAR, 7, 14),
        capacity=10,
    )
    for p in rest.rest_nominate(
        actor=world.chair, rotation=r, members=[world.member_a, world.member_b]
    ):
        rest.rest_mark(actor=world.chair, participant=p, status="gone")
    return {"retiree": old}


def test_the_visit_figures_equal_the_records(world, records):
    s = summary.care_summary(world.school, YEAR, viewer=world.chair)
    visits = Visit.objects.filter(union=world.school, visited_on__year=YEAR)
    assert s.visits.visits == visits.count() == 4
    assert s.visits.households == len({v.member_id for v in visits}) == 3
    assert s.visits.amount == sum(v.cash + v.gift_value for v in visits) == Decimal("1550.00")
    assert s.sentences[0].startswith("全年慰问会员4户次（3户），发放慰问金和慰问品¥1,550.00元")


def test_the_distribution_figures_count_handed_out_lines_only(world, records):
    s = summary.care_summary(world.school, YEAR)
    assert (s.distributions.count, s.distributions.recipients) == (1, 2)
    assert s.distributions.amount == Decimal("400.00")
    assert "惠及会员2人次，合计¥400.00元" in " ".join(s.sentences)


def test_the_hardship_counts_show_only_to_those_who_may_count(world, records):
    chair = summary.care_summary(world.school, YEAR, viewer=world.chair)
    assert chair.hardship.active == 2
    assert chair.hardship.by_tier == {"deep": 1, "relative": 1}
    assert chair.hardship.aid_amount == Decimal("1000.00")
    assert "在档困难职工2户（深度困难1户、相对困难1户），全年发放帮扶1次、¥1,000.00元" in (
        " ".join(chair.sentences)
    )
    upper = summary.care_summary(world.school, YEAR, viewer=world.upper_officer)
    assert upper.hardship.active == 2  # counts, no names
    cadre = summary.care_summary(world.school, YEAR, viewer=world.cadre)
    assert cadre.hardship is None
    assert not any("困难职工" in t for t in cadre.sentences)


def test_the_health_rest_and_retiree_figures_equal_the_records(world, records):
    s = summary.care_summary(world.school, YEAR)
    assert (s.health.campaigns, s.health.progress.total, s.health.progress.done) == (1, 2, 1)
    assert "应检2人，实检1人，完成率50.0%" in " ".join(s.sentences)
    assert (s.rest.rotations, s.rest.gone, s.rest.places) == (1, 2, 10)
    assert "组织疗休养1批，2人次参加" in " ".join(s.sentences)
    assert (s.retirees.retirees, s.retirees.visits, s.retirees.amount) == (
        1,
        1,
        Decimal("300.00"),
    )
    assert (s.retirees.activities, s.retirees.participations) == (1, 1)
    assert "走访慰问离退休会员1人次（1人），金额¥300.00元；开展离退休会员活动1次" in (
        " ".join(s.sentences)
    )


def test_an_empty_year_says_zero_and_nothing_else(world):
    s = summary.care_summary(world.school, 2020)
    assert s.sentences == [
        "全年慰问会员0户次（0户），发放慰问金和慰问品¥0.00元（其中慰问金¥0.00元）。"
    ]


def test_the_word_export_carries_the_sentences_and_table_in_simsun(world, records):
    s = summary.care_summary(world.school, YEAR, viewer=world.chair)
    doc = Document(io.BytesIO(summary.summary_docx(s)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "第一中学工会2026年送温暖与帮扶工作情况" in text
    assert "全年慰问会员4户次" in text and "组织疗休养1批" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "慰问" in cells and "4户次" in cells and "¥1,550.00元" in cells
    run = doc.paragraphs[0].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "SimSun"


def test_upper_unions_may_read_subordinate_summaries_only(world):
    assert world.school in summary.summary_unions(world.upper_officer)
    assert world.factory_union in summary.summary_unions(world.upper_officer)
    assert summary.summary_unions(world.chair) == [world.school]
    assert summary.summary_unions(world.auditor) == []
    assert summary.summary_unions(world.member) == []
    assert summary.summary_unions(world.group_leader) == []
