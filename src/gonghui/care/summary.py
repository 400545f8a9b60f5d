"""Care statistics for the annual work summary (工作总结) and the dashboard: one function,
``care_summary``, composes the figures from the reads that own them (visits from
``stats``, hardship counts from ``hardship.hardship_counts``, health-check progress from
``health``) and renders the summary's Chinese sentences; ``summary_docx`` writes the care
section as a Word document.

Every figure is an aggregate: no names, so an upper union may read a subordinate union's
summary. Hardship figures appear only for a viewer whom ``hardship_counts`` lets count them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.models import UNION_KINDS, OrgUnit
from gonghui.members.models import WorkStatus

from . import hardship, health, rules, stats
from .models import Distribution, DistributionLine, Visit
from .models.health import HealthCampaign, RestParticipant, RestRotation, RetireeActivity
from .retirees import retirees

ZERO = Decimal("0.00")
FONT = "SimSun"
# The summary is a Chinese document whatever the reader's interface language: the terms are
# the filing forms' own (see DOMAIN.md "hardship tiers").
TIER_ZH = {"deep": "深度困难", "relative": "相对困难", "accident": "意外致困"}


@dataclass(frozen=True)
class DistributionFigures:
    count: int  # distributions given in the year
    recipients: int  # lines handed out (人次)
    amount: Decimal


@dataclass(frozen=True)
class HealthFigures:
    campaigns: int
    progress: rules.CheckProgress


@dataclass(frozen=True)
class RestFigures:
    rotations: int
    places: int
    gone: int  # members who went (人次)


@dataclass(frozen=True)
class RetireeFigures:
    retirees: int  # retired members on the roll now
    visits: int  # visits to retirees in the year (人次)
    households: int
    amount: Decimal
    activities: int  # outings and lectures (festival rounds are counted as visits)
    participations: int


@dataclass
class CareSummary:
    union: OrgUnit
    year: int
    visits: stats.CareFigures
    distributions: DistributionFigures
    hardship: hardship.UnionCounts | None
    health: HealthFigures
    rest: RestFigures
    retirees: RetireeFigures
    sentences: list[str] = field(default_factory=list)


def distribution_figures(unions: Iterable[OrgUnit], year: int) -> DistributionFigures:
    """Distributions given in the year and what was handed out, over one or more unions
    (the API's statistics sum an upper union's subtree the same way)."""
    ids = [u.pk for u in unions]
    handed = DistributionLine.objects.filter(
        distribution__union_id__in=ids,
        distribution__given_on__year=year,
        handed_out_at__isnull=False,
        excluded_at__isnull=True,
    ).aggregate(n=Count("pk"), s=Sum("amount"))
    count = Distribution.objects.filter(union_id__in=ids, given_on__year=year).count()
    return DistributionFigures(count, handed["n"], rules.yuan(handed["s"] or 0))


def _health_figures(union: OrgUnit, year: int) -> HealthFigures:
    campaigns = HealthCampaign.objects.filter(union=union, year=year).count()
    return HealthFigures(campaigns, health.year_progress(union, year))


def _rest_figures(union: OrgUnit, year: int) -> RestFigures:
    rotations = RestRotation.objects.filter(union=union, year=year).aggregate(
        n=Count("pk"), places=Sum("capacity")
    )
    gone = RestParticipant.objects.filter(
        rotation__union=union, rotation__year=year, status=RestParticipant.Status.GONE
    ).count()
    return RestFigures(rotations["n"], rotations["places"] or 0, gone)


def _retiree_figures(union: OrgUnit, year: int) -> RetireeFigures:
    visits = Visit.objects.filter(
        union=union, visited_on__year=year, member__work_status=WorkStatus.RETIRED
    ).aggregate(
        n=Count("pk"),
        households=Count("member", distinct=True),
        cash=Sum("cash"),
        gifts=Sum("gift_value"),
    )
    others = RetireeActivity.objects.filter(union=union, held_on__year=year).exclude(
        kind=RetireeActivity.Kind.FESTIVAL_VISIT
    )
    return RetireeFigures(
        retirees=retirees(union).count(),
        visits=visits["n"],
        households=visits["households"],
        amount=rules.yuan((visits["cash"] or 0) + (visits["gifts"] or 0)),
        activities=others.count(),
        participations=others.aggregate(n=Count("participants"))["n"],
    )


def _hardship_figures(viewer: Any, union: OrgUnit, year: int) -> hardship.UnionCounts | None:
    if viewer is None:
        return None
    counts = hardship.hardship_counts(viewer, year=year)
    return next((c for c in counts if c.union.pk == union.pk), None)


def care_summary(
    union: OrgUnit, year: int, *, viewer: Any = None, today: date | None = None
) -> CareSummary:
    """The union's care figures for a calendar year and the summary's sentences."""
    today = today or timezone.localdate()
    s = CareSummary(
        union=union,
        year=year,
        visits=stats.care_figures(union, year, today=today),
        distributions=distribution_figures([union], year),
        hardship=_hardship_figures(viewer, union, year),
        health=_health_figures(union, year),
        rest=_rest_figures(union, year),
        retirees=_retiree_figures(union, year),
    )
    s.sentences = sentences(s)
    return s


def _money(amount: Decimal) -> str:
    return f"¥{amount:,}元"


def sentences(s: CareSummary) -> list[str]:
    """The care section of the summary in the house phrasing, one sentence per area."""
    v = s.visits
    out = [
        f"全年慰问会员{v.visits}户次（{v.households}户），"
        f"发放慰问金和慰问品{_money(v.amount)}（其中慰问金{_money(v.cash)}）。"
    ]
    d = s.distributions
    if d.count:
        out.append(
            f"组织节日、生日等集中发放{d.count}次，惠及会员{d.recipients}人次，"
            f"合计{_money(d.amount)}。"
        )
    if s.hardship is not None and (s.hardship.active or s.hardship.aid_count):
        h = s.hardship
        tiers = "、".join(f"{TIER_ZH.get(t, t)}{n}户" for t, n in sorted(h.by_tier.items()) if n)
        text = f"在档困难职工{h.active}户"
        if tiers:
            text += f"（{tiers}）"
        text += f"，全年发放帮扶{h.aid_count}次、{_money(h.aid_amount)}"
        if h.exited:
            text += f"，{h.exited}户解困脱困"
        out.append(text + "。")
    p = s.health.progress
    if s.health.campaigns and p.total:
        expected = p.total - p.excused
        out.append(
            f"组织会员健康体检{s.health.campaigns}次，应检{expected}人，"
            f"实检{p.done}人，完成率{p.rate}%。"
        )
    r = s.rest
    if r.rotations:
        out.append(f"组织疗休养{r.rotations}批，{r.gone}人次参加。")
    t = s.retirees
    if t.visits or t.activities:
        text = f"走访慰问离退休会员{t.visits}人次（{t.households}人），金额{_money(t.amount)}"
        if t.activities:
            text += f"；开展离退休会员活动{t.activities}次，参与{t.participations}人次"
        out.append(text + "。")
    return out


def table_rows(s: CareSummary) -> list[tuple[str, str, str]]:
    """(area, count, amount) rows, the same figures as the sentences, for page and Word."""
    rows = [
        ("慰问", f"{s.visits.visits}户次", _money(s.visits.amount)),
        ("集中发放", f"{s.distributions.recipients}人次", _money(s.distributions.amount)),
    ]
    if s.hardship is not None:
        rows.append(("困难帮扶", f"{s.hardship.active}户", _money(s.hardship.aid_amount)))
    rows += [
        ("健康体检", f"{s.health.progress.done}人（{s.health.progress.rate}%）", "—"),
        ("疗休养", f"{s.rest.gone}人次", "—"),
        ("离退休慰问", f"{s.retirees.visits}人次", _money(s.retirees.amount)),
    ]
    return rows


def chart_data(s: CareSummary) -> dict[str, Any]:
    """ECharts specs (static/js/charts.js): visits by occasion, and people reached by area."""
    return {
        "kinds": stats.chart_data(s.visits)["kinds"],
        "areas": {
            "type": "bar",
            "data": [
                {"name": "慰问", "value": s.visits.visits},
                {"name": "集中发放", "value": s.distributions.recipients},
                {"name": "健康体检", "value": s.health.progress.done},
                {"name": "疗休养", "value": s.rest.gone},
                {"name": "离退休慰问", "value": s.retirees.visits},
            ],
        },
    }


# ---- who may read which union's summary ---------------------------------------------------


def summary_unions(user: Any) -> list[OrgUnit]:
    """Unions whose care summary the user may read: where they manage care, and unions
    strictly below a unit where they hold statistics rights (upper unions, counts only)."""
    q = Q(pk__in=access.units_with(user, Perm.MANAGE_CARE).values("pk"))
    for top in access.top_units(user, Perm.VIEW_STATS):
        q |= Q(path__startswith=top.path) & ~Q(pk=top.pk)
    return list(
        OrgUnit.objects.filter(q, kind__in=list(UNION_KINDS), archived_at__isnull=True).order_by(
            "path"
        )
    )


# ---- Word ---------------------------------------------------------------------------------


def _run(paragraph: Any, text: str, *, bold: bool = False, size: int = 12) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def summary_docx(s: CareSummary) -> bytes:
    """The care section of the annual summary: heading, sentences, then the figures table."""
    doc = Document()
    _run(doc.add_paragraph(), f"{s.union.name}{s.year}年送温暖与帮扶工作情况", bold=True, size=16)
    for i, text in enumerate(s.sentences, 1):
        _run(doc.add_paragraph(), f"{i}. {text}")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("项目", "人数/户数", "金额"), strict=True):
        _run(cell.paragraphs[0], text, bold=True)
    for row in table_rows(s):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _run(cell.paragraphs[0], text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
