"""A demo disclosure board (校务公开栏) for a school union over 2025–2026: the preset
categories, each with one to four items across the policy / process / result stages, some
revised after publication, one withdrawn; all through the disclosure services."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from gonghui.congress import disclosure as svc
from gonghui.core.models import OrgUnit, User

# Per preset category: (title, stage, regularity, body lines). Items of a category follow
# each other in time in this order, as a matter moves from plan to process to result.
ITEMS: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "财务收支": [
        ("{y}年度学校经费预算", "policy", "regular", ["人员经费 {a} 万元", "公用经费 {b} 万元"]),
        ("{y}年上半年经费收支情况", "result", "regular", ["收入 {a} 万元", "支出 {b} 万元"]),
        ("{y}年工会经费收支情况", "result", "regular", ["会费收入 {c} 万元", "活动支出 {d} 万元"]),
    ],
    "基建工程": [
        ("教学楼外墙维修工程实施方案", "policy", "ad_hoc", ["预算 {a} 万元", "工期 90 天"]),
        ("教学楼外墙维修工程招标结果", "process", "ad_hoc", ["中标价 {b} 万元"]),
        ("教学楼外墙维修工程施工进度", "process", "ad_hoc", ["已完成工程量的 60%"]),
        ("教学楼外墙维修工程竣工决算", "result", "ad_hoc", ["决算 {b} 万元", "审计已完成"]),
    ],
    "大宗物资采购": [
        ("教室多媒体设备采购方案", "policy", "ad_hoc", ["采购 {e} 套", "预算 {a} 万元"]),
        ("教室多媒体设备采购结果", "result", "ad_hoc", ["成交价 {b} 万元"]),
    ],
    "职称评聘": [
        ("{y}年职称评审工作方案", "policy", "regular", ["推荐名额 {f} 名", "量化赋分办法见附件"]),
        ("{y}年职称评审推荐人选公示", "process", "regular", ["公示期 7 天", "推荐 {f} 人"]),
        ("{y}年职称评审结果", "result", "regular", ["通过 {f} 人"]),
    ],
    "评优评先": [
        ("{y}年度优秀教师评选办法", "policy", "regular", ["评选名额 {f} 名"]),
        ("{y}年度优秀教师拟推荐人选公示", "process", "regular", ["公示期 5 个工作日"]),
        ("{y}年度优秀教师评选结果", "result", "regular", ["当选 {f} 人"]),
    ],
    "绩效考核与分配": [
        ("奖励性绩效工资分配方案（经教代会通过）", "policy", "regular", ["班主任津贴占 {g}%"]),
        ("{y}年度奖励性绩效工资发放情况", "result", "regular", ["发放总额 {a} 万元"]),
    ],
    "福利待遇": [
        ("{y}年春节慰问标准", "policy", "regular", ["每人 {h} 元"]),
        ("教职工健康体检安排", "result", "regular", ["体检 {i} 人", "人均 {h} 元"]),
    ],
    "公务接待": [
        ("{y}年上半年公务接待费支出", "result", "regular", ["接待 {e} 批次", "支出 {d} 万元"]),
        ("{y}年下半年公务接待费支出", "result", "regular", ["接待 {e} 批次", "支出 {d} 万元"]),
    ],
    "干部任免": [
        ("中层干部竞聘上岗实施方案", "policy", "ad_hoc", ["竞聘岗位 {f} 个"]),
        ("拟任中层干部人选公示", "process", "ad_hoc", ["公示期 7 天"]),
        ("中层干部任职决定", "result", "ad_hoc", ["任期三年"]),
    ],
    "招生收费": [
        (
            "{y}年秋季招生计划及收费标准",
            "policy",
            "regular",
            ["招生 {i} 人", "按物价部门核定标准收费"],
        ),
        ("{y}年秋季招生录取结果", "result", "regular", ["录取 {i} 人"]),
    ],
}
REVISION_REASONS = ["更正数据", "补充说明", "根据教职工意见修改", "更正笔误"]


def _figures(rng: random.Random) -> dict[str, object]:
    return {
        "a": rng.randint(20, 300),
        "b": rng.randint(10, 200),
        "c": round(rng.uniform(5, 20), 1),
        "d": round(rng.uniform(0.5, 6), 1),
        "e": rng.randint(3, 30),
        "f": rng.randint(2, 12),
        "g": rng.choice([25, 30, 35]),
        "h": rng.choice([300, 500, 800]),
        "i": rng.randint(80, 400),
    }


def seed_disclosure(*, union: OrgUnit, actor: User | None, today: date, rng: random.Random) -> None:
    """Build the board; ``today`` bounds every date (and never passes the real day, which
    the publishing service checks against)."""
    today = min(today, timezone.localdate())
    svc.categories_add_presets(actor=actor, union=union, kind="school")
    categories = {c.name: c for c in svc.categories_of(union)}
    published = []
    start_span = max((today - date(2025, 1, 6)).days - 120, 1)
    for name, plan in ITEMS.items():
        category = categories.get(name)
        if category is None:  # the union archived or renamed it
            continue
        count = rng.randint(1, len(plan))
        day = date(2025, 1, 6) + timedelta(days=rng.randrange(start_span))
        for title, stage, regularity, lines in plan[:count]:
            figures = _figures(rng)
            item = svc.item_create(
                actor=actor,
                category=category,
                title=title.format(y=day.year),
                body="\n".join(line.format(**figures) for line in lines),
                regularity=regularity,
                stage=stage,
                visible_until=day + timedelta(days=7) if "公示" in title else None,
            )
            published.append(svc.item_publish(actor=actor, item=item, published_on=day))
            day = min(day + timedelta(days=rng.randint(15, 60)), today)
    lasting = [i for i in published if i.visible_until is None]
    for item in rng.sample(lasting, k=min(4, len(lasting))):
        lines = item.body.splitlines()
        lines[0] = lines[0] + "（已更正）"
        svc.item_revise(
            actor=actor,
            item=item,
            title=item.title,
            body="\n".join([*lines, "如有疑问请向责任部门咨询。"]),
            reason=rng.choice(REVISION_REASONS),
        )
    withdrawable = [i for i in published if i.stage == "process"] or published
    svc.item_withdraw(
        actor=actor, item=rng.choice(withdrawable), reason="公开内容有误，核实后重新公开"
    )
