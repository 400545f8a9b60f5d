"""Distribution pages as every persona (200/302/403/404/405), no IDOR, the tick-off and
override forms, and the receipt sheets read back with python-docx and openpyxl."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from gonghui.care import distributions as svc
from gonghui.care.models import Distribution, DistributionLine
from gonghui.testing.care_factories import CarePaymentFactory
from gonghui.testing.factories import MemberFactory
from gonghui.testing.personas import PERSONAS

ON = date(2026, 9, 25)


def _planned(union, actor, *, title="2026年中秋节慰问品", criteria=None) -> Distribution:
    """A draft: mooncakes worth ¥300 for each member ``criteria`` picks (those at work)."""
    return svc.distribution_plan(
        actor=actor,
        union=union,
        title=title,
        kind="festival",
        cap_item="festival",
        given_on=ON,
        amount_per_person=Decimal("300"),
        gift_description="月饼",
        criteria={"work_statuses": ["working"]} if criteria is None else criteria,
    )


def _dist(union, actor, **kw) -> Distribution:
    d = _planned(union, actor, **kw)
    svc.distribution_build(actor=actor, distribution=d, run_now=True)
    d.refresh_from_db()
    return d


@pytest.fixture
def dist(world) -> Distribution:
    # 李芳 (group A) has had ¥1,900 of festival gifts this year: ¥300 more would pass ¥2,000
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("1900"), paid_on=date(2026, 2, 1))
    return _dist(world.school, world.chair)


def _line(d, member) -> DistributionLine:
    return d.lines.get(member=member)


# ---- access matrix ------------------------------------------------------------------------

MANAGE = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
DETAIL = {**MANAGE, "other_chair": 404}
COUNTS = {**{p: 200 for p in PERSONAS}, "member": 403}
ACT = {p: {200: 302}.get(s, s) for p, s in DETAIL.items()}
OVERRIDE = {**ACT, "cadre": 403, "admin": 403}  # the chair's decision only


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, dist, persona):
    client.force_login(world.personas()[persona])
    pk = dist.pk
    assert client.get(reverse("care:distribution_list")).status_code == MANAGE[persona]
    assert client.get(reverse("care:distribution_new")).status_code == MANAGE[persona]
    assert client.get(reverse("care:distribution_counts")).status_code == COUNTS[persona]
    for name in (
        "distribution_detail",
        "distribution_progress",
        "distribution_receipts_docx",
        "distribution_receipts_xlsx",
    ):
        url = reverse(f"care:{name}", args=[pk])
        assert client.get(url).status_code == DETAIL[persona], name


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_action_as_each_persona(client, world, dist, persona):
    client.force_login(world.personas()[persona])
    pk, a, b = dist.pk, _line(dist, world.member_a).pk, _line(dist, world.member_b).pk
    r = client.post(reverse("care:distribution_override", args=[pk, a]), {"reason": "重病"})
    assert r.status_code == OVERRIDE[persona]
    r = client.post(reverse("care:distribution_handout", args=[pk, b]), {"on": "2026-09-25"})
    assert r.status_code == ACT[persona]
    r = client.post(reverse("care:distribution_exclude", args=[pk, a]), {"reason": "病假"})
    assert r.status_code == ACT[persona]
    r = client.post(reverse("care:distribution_handout_group", args=[pk]), {"unit": 1, "on": ""})
    assert r.status_code == ACT[persona]
    r = client.post(reverse("care:distribution_close", args=[pk]))
    assert r.status_code == ACT[persona]
    r = client.post(reverse("care:distribution_build", args=[pk]))
    assert r.status_code == ACT[persona]
    handed = DistributionLine.objects.filter(handed_out_at__isnull=False).exists()
    assert handed == (ACT[persona] == 302)


def test_it_refuses_other_methods(client, world, dist):
    client.force_login(world.chair)
    assert client.get(reverse("care:distribution_build", args=[dist.pk])).status_code == 405
    assert client.post(reverse("care:distribution_detail", args=[dist.pk])).status_code == 405
    line = _line(dist, world.member_b).pk
    url = reverse("care:distribution_handout", args=[dist.pk, line])
    assert client.get(url).status_code == 405
    assert client.post(reverse("care:distribution_counts")).status_code == 405


def test_it_sends_anonymous_visitors_to_the_login_page(client, dist):
    for url in (
        reverse("care:distribution_list"),
        reverse("care:distribution_detail", args=[dist.pk]),
        reverse("care:distribution_receipts_docx", args=[dist.pk]),
        reverse("care:distribution_counts"),
    ):
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["chair", "cadre"])
def test_it_refuses_another_unions_distribution_by_guessed_id(client, world, dist, persona):
    # given the factory union's own distribution
    theirs = _dist(world.factory_union, world.other_chair, title="红星厂中秋")
    their_line = theirs.lines.get().pk
    client.force_login(world.personas()[persona])
    # then the school's cadres cannot open, download or tick it
    for name in ("distribution_detail", "distribution_receipts_docx", "distribution_progress"):
        assert client.get(reverse(f"care:{name}", args=[theirs.pk])).status_code == 404
    url = reverse("care:distribution_handout", args=[theirs.pk, their_line])
    assert client.post(url, {"on": "2026-09-25"}).status_code == 404
    # nor reach its line through their own distribution's address
    url = reverse("care:distribution_handout", args=[dist.pk, their_line])
    assert client.post(url, {"on": "2026-09-25"}).status_code == 404
    assert not DistributionLine.objects.filter(handed_out_at__isnull=False).exists()
    # and the list shows only their own
    page = client.get(reverse("care:distribution_list")).content.decode()
    assert "红星厂中秋" not in page and "2026年中秋节慰问品" in page


def test_it_shows_counts_without_names_to_the_upper_union(client, world, dist):
    client.force_login(world.upper_officer)
    page = client.get(reverse("care:distribution_counts"), {"year": 2026}).content.decode()
    assert "第一中学工会" in page
    assert "300.00" in page  # 李芳 is over the cap: only 王强's gift counts
    assert "李芳" not in page and "王强" not in page


# ---- the pages ----------------------------------------------------------------------------


def test_it_plans_from_a_preset_and_shows_the_draft(client, world):
    client.force_login(world.cadre)
    form = client.get(reverse("care:distribution_new"), {"preset": "mid_autumn"})
    assert form.context["form"].initial["title"].endswith("年中秋节慰问品")
    r = client.post(
        reverse("care:distribution_new"),
        {
            "union": world.school.pk,
            "title": "2026年中秋节慰问品",
            "kind": "festival",
            "cap_item": "festival",
            "given_on": "2026-09-25",
            "amount_per_person": "300",
            "gift_description": "月饼",
            "work_statuses": ["working"],
            "unit_ids": [world.group_b.pk],
            "posts": "教师，班主任",
        },
    )
    d = Distribution.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/distributions/{d.pk}/")
    assert d.criteria["unit_ids"] == [world.group_b.pk]
    assert d.criteria["posts"] == ["教师", "班主任"]
    page = client.get(r["Location"]).content.decode()
    assert 'id="build-button"' in page


def test_it_shows_a_field_error_from_the_service(client, world):
    client.force_login(world.cadre)
    r = client.post(
        reverse("care:distribution_new"),
        {
            "union": world.school.pk,
            "title": "x",
            "kind": "festival",
            "cap_item": "festival",
            "given_on": "2026-09-25",
            "amount_per_person": "0",
            "gift_description": "月饼",
        },
    )
    assert r.status_code == 200
    assert "每人金额应大于 0" in r.content.decode()
    assert not Distribution.objects.exists()


def test_it_builds_from_the_page_and_shows_the_list(
    client, world, django_capture_on_commit_callbacks
):
    d = _planned(world.school, world.chair, title="中秋", criteria={})
    client.force_login(world.cadre)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("care:distribution_build", args=[d.pk]))
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "李芳" in page and "王强" in page
    progress = client.get(
        reverse("care:distribution_progress", args=[d.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true"


def test_it_highlights_the_over_cap_person_with_the_chairs_override_form(client, world, dist):
    client.force_login(world.chair)
    page = client.get(reverse("care:distribution_detail", args=[dist.pk])).content.decode()
    a = _line(dist, world.member_a).pk
    row = page.split(f'id="line-{a}"')[1].split("</tr>")[0]
    assert "table-danger" in row.split(">")[0]
    assert "100.00" in row
    assert 'data-action="override"' in row
    assert 'data-action="tick"' not in row
    client.force_login(world.cadre)
    page = client.get(reverse("care:distribution_detail", args=[dist.pk])).content.decode()
    assert 'data-action="override"' not in page


def test_it_filters_the_list_by_group_state_and_name(client, world, dist):
    client.force_login(world.chair)
    url = reverse("care:distribution_detail", args=[dist.pk])
    names = lambda r: {ln.member.person.name for ln in r.context["rows"]}  # noqa: E731
    assert names(client.get(url, {"unit": world.group_a.pk})) == {"李芳"}
    assert names(client.get(url, {"state": "over"})) == {"李芳"}
    assert names(client.get(url, {"state": "waiting"})) == {"王强"}
    assert names(client.get(url, {"q": "王"})) == {"王强"}
    r = client.get(url, {"q": "王"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode()


def test_it_lists_many_lines_in_a_few_queries(client, world, django_assert_max_num_queries):
    for _ in range(60):
        MemberFactory(union=world.school, unit=world.group_b)
    d = _dist(world.school, world.chair)
    client.force_login(world.chair)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("care:distribution_detail", args=[d.pk]))
    assert len(r.context["rows"]) == 50


def test_it_ticks_off_one_person_with_htmx(client, world, dist):
    client.force_login(world.cadre)
    b = _line(dist, world.member_b)
    r = client.post(
        reverse("care:distribution_handout", args=[dist.pk, b.pk]),
        {"on": "2026-09-25"},
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert r.status_code == 200 and body.lstrip().startswith("<tr")
    assert "2026-" in body and 'data-action="tick"' not in body
    b.refresh_from_db()
    assert b.payment is not None and b.payment.gift_value == Decimal("300.00")


def test_it_ticks_a_whole_group_leaving_the_over_cap_person(client, world, dist):
    client.force_login(world.cadre)
    for unit in (world.group_a, world.group_b):
        client.post(
            reverse("care:distribution_handout_group", args=[dist.pk]),
            {"unit": unit.pk, "on": "2026-09-25"},
        )
    assert _line(dist, world.member_b).handed_out_at is not None
    assert _line(dist, world.member_a).handed_out_at is None


def test_it_lets_the_chair_allow_the_over_cap_person(client, world, dist):
    client.force_login(world.chair)
    a = _line(dist, world.member_a)
    r = client.post(
        reverse("care:distribution_override", args=[dist.pk, a.pk]), {"reason": "重病住院"}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.cap_state, a.override_reason) == ("overridden", "重病住院")


# ---- receipt sheets -----------------------------------------------------------------------


def test_it_writes_the_word_receipt_sheet_group_by_group(client, world, dist):
    client.force_login(world.cadre)
    r = client.get(reverse("care:distribution_receipts_docx", args=[dist.pk]))
    assert r["Content-Disposition"].startswith("attachment;")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2026年中秋节慰问品签领表" in text
    assert "合计 1 人，¥300.00" in text  # 李芳 is over the cap, not on the sheet
    [table] = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "姓名", "小组", "物品", "金额（元）", "签名"]
    assert rows[1] == ["1", "王强", "数学教研组", "月饼", "300.00", ""]
    assert rows[2][1] == "小计" and rows[2][4] == "300.00"
    run = doc.paragraphs[0].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "SimSun"
    section = doc.sections[0]
    assert section.page_width < section.page_height  # A4 portrait


def test_it_writes_the_excel_receipt_sheet_with_a_summary(client, world, dist):
    svc.line_override(actor=world.chair, line=_line(dist, world.member_a), reason="重病")
    client.force_login(world.cadre)
    r = client.get(reverse("care:distribution_receipts_xlsx", args=[dist.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "语文教研组", "数学教研组"]
    summary = [row for row in wb["汇总"].iter_rows(min_row=3, values_only=True)]
    assert summary[0] == ("序号", "小组", "人数", "金额（元）")
    assert summary[1][1:3] == ("语文教研组", 1)
    assert summary[-1][1:] == ("合计", 2, 600)
    group = list(wb["语文教研组"].iter_rows(min_row=3, values_only=True))
    assert group[0] == ("序号", "姓名", "小组", "物品", "金额（元）", "签名")
    assert group[1][:5] == (1, "李芳", "语文教研组", "月饼", 300)
    assert group[1][5] is None


def test_it_has_no_receipt_sheet_before_the_list_is_built(client, world):
    d = _planned(world.school, world.chair, title="中秋", criteria={})
    client.force_login(world.chair)
    assert client.get(reverse("care:distribution_receipts_docx", args=[d.pk])).status_code == 404
