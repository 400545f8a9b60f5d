"""Care rules: must-visit triggers and deadlines, per-person yearly spending caps,
hardship tiers and re-check dates.

Pure functions over plain data; no Django, no clock ("today" is passed in). Money is
Decimal in yuan with two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def yuan(value: Decimal | int | str) -> Decimal:
    """Two places, rounded half up as a cashier would."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- must-visit rule (必访制度) ----------------------------------------------------------


@dataclass(frozen=True)
class VisitRuleData:
    event_kind: str
    visit_required: bool
    who_visits: str
    standard_cash: Decimal
    standard_gift: str
    deadline_days: int
    cap_item: str


# Union practice ("三必访/五必访"): visit within days, with cash and/or gifts. Amounts sit
# inside the strictest caps in DEFAULT_CAPS so that a standard visit never trips a cap.
DEFAULT_VISIT_RULES: dict[str, VisitRuleData] = {
    r.event_kind: r
    for r in (
        VisitRuleData(
            "hospital", True, "工会主席、小组长", yuan(500), "水果、营养品", 3, "hospital"
        ),
        VisitRuleData(
            "death_member", True, "工会主席、委员", yuan(2000), "花圈", 1, "death_member"
        ),
        VisitRuleData(
            "death_relative", True, "工会委员、小组长", yuan(1000), "花圈", 2, "death_relative"
        ),
        VisitRuleData("wedding", True, "工会委员、小组长", yuan(500), "", 7, "wedding"),
        VisitRuleData("childbirth", True, "女职工委员", yuan(500), "婴儿用品", 7, "childbirth"),
        VisitRuleData("retirement", True, "工会主席", yuan(500), "纪念品", 7, "retirement"),
        VisitRuleData("misfortune", True, "工会主席", yuan(1000), "", 3, "hardship"),
        VisitRuleData("hardship", True, "工会主席、结对干部", yuan(1000), "", 7, "hardship"),
    )
}
DEFAULT_VISIT_RULES_SOURCE = (
    "工会必访制度惯例：住院、婚丧、生育、退休、意外与特殊困难必访，一般三日内。"
)


def visit_due_on(reported_on: date, deadline_days: int) -> date:
    """A visit is due ``deadline_days`` calendar days after the report (the report day is
    day 0), across month ends, year ends and leap days alike."""
    if deadline_days < 0:
        raise ValueError("deadline_days cannot be negative")
    return reported_on + timedelta(days=deadline_days)


def is_overdue(due_on: date, done: bool, today: date) -> bool:
    return not done and today > due_on


# ---- spending caps ---------------------------------------------------------------------


@dataclass(frozen=True)
class CapDecision:
    allowed: bool
    cap: Decimal | None  # None: no cap for this item
    spent: Decimal  # already given this year under the item
    amount: Decimal
    room: Decimal | None  # what may still be given; None when uncapped
    overridden: bool = False
    reason: str = ""  # plain Chinese, for the refusal message


def cap_check(
    *, spent: Decimal, amount: Decimal, cap: Decimal | None, override_reason: str = ""
) -> CapDecision:
    """Refuse a payment that would take a member's yearly total for an item over its cap,
    unless the chair overrides it with a written reason (the override is recorded, never
    silent). Amounts are yuan; negative amounts are corrections and always allowed."""
    spent, amount = yuan(spent), yuan(amount)
    if cap is None:
        return CapDecision(True, None, spent, amount, None)
    cap = yuan(cap)
    room = max(cap - spent, Decimal("0.00"))
    if amount <= room or amount <= 0:
        return CapDecision(True, cap, spent, amount, room)
    reason = f"本年度该项已发放 ¥{spent}，本次 ¥{amount}，将超过每人每年上限 ¥{cap}（尚余 ¥{room}）"
    if override_reason.strip():
        return CapDecision(True, cap, spent, amount, room, overridden=True, reason=reason)
    return CapDecision(False, cap, spent, amount, room, reason=reason)


@dataclass(frozen=True)
class CapRow:
    province: str
    item: str
    from_year: int
    amount: Decimal
    union_id: int | None = None


def effective_cap(
    rows: list[CapRow], *, province: str, union_id: int | None, item: str, year: int
) -> Decimal | None:
    """The cap in force for an item in a year: the union's own newest row from that year or
    before, else its province's newest such row; None when neither caps the item."""

    def newest(candidates: list[CapRow]) -> Decimal | None:
        valid = [r for r in candidates if r.item == item and r.from_year <= year]
        return max(valid, key=lambda r: r.from_year).amount if valid else None

    own = newest([r for r in rows if union_id is not None and r.union_id == union_id])
    if own is not None:
        return own
    return newest([r for r in rows if r.union_id is None and r.province == province])


# Published implementing rules (DOMAIN.md): A = 安徽 (2018), B = 贵州, C = 福建 (2018).
DEFAULT_CAPS: tuple[CapRow, ...] = (
    CapRow("安徽", "festival", 2018, yuan(1500)),
    CapRow("安徽", "festival", 2021, yuan(2000)),
    CapRow("安徽", "birthday", 2018, yuan(300)),
    CapRow("安徽", "wedding", 2018, yuan(600)),
    CapRow("安徽", "childbirth", 2018, yuan(600)),
    CapRow("安徽", "hospital", 2018, yuan(1000)),
    CapRow("安徽", "death_member", 2018, yuan(2000)),
    CapRow("安徽", "death_relative", 2018, yuan(1000)),
    CapRow("安徽", "retirement", 2018, yuan(1000)),
    CapRow("贵州", "festival", 2018, yuan(1100)),  # Spring Festival 500 + three at 200
    CapRow("贵州", "birthday", 2018, yuan(300)),
    CapRow("福建", "festival", 2018, yuan(1300)),
    CapRow("福建", "birthday", 2018, yuan(300)),
    CapRow("福建", "childbirth", 2018, yuan(500)),
    CapRow("福建", "hospital", 2018, yuan(500)),
    CapRow("福建", "death_member", 2018, yuan(2000)),
    CapRow("福建", "death_relative", 2018, yuan(1000)),
    CapRow("福建", "retirement", 2018, yuan(500)),
)
DEFAULT_CAPS_SOURCE = "安徽省、贵州省、福建省基层工会经费收支管理实施细则（2018年前后版本）"


# ---- hardship -------------------------------------------------------------------------


def hardship_tier(
    *,
    household_income_monthly: Decimal,
    hardship_costs_monthly: Decimal,
    household_size: int,
    min_income_line: Decimal,
) -> str | None:
    """The tier a household's figures point to: deep when (income − hardship costs) per
    head per month is at most the local minimum-income line, relative when at most twice
    it, accident-caused when hardship costs exceed 80% of income (one city's rule);
    None when none applies. The file's tier is the cadres' decision; this is advice."""
    if household_size <= 0:
        raise ValueError("household_size must be positive")
    per_head = (household_income_monthly - hardship_costs_monthly) / household_size
    if per_head <= min_income_line:
        return "deep"
    if per_head <= 2 * min_income_line:
        return "relative"
    if household_income_monthly > 0 and hardship_costs_monthly > household_income_monthly * Decimal(
        "0.8"
    ):
        return "accident"
    return None


def next_review_on(filed_or_reviewed_on: date) -> date:
    """Files are re-checked in the November survey: the first 1 November after the day a
    file was opened or last re-checked (a file opened in November waits a year)."""
    this_year = date(filed_or_reviewed_on.year, 11, 1)
    if filed_or_reviewed_on < this_year:
        return this_year
    return date(filed_or_reviewed_on.year + 1, 11, 1)


MAX_SECONDARY_CAUSES = 3


def causes_valid(primary: str, secondary: list[str]) -> bool:
    """One primary cause and at most three secondary ones, none repeated."""
    return (
        bool(primary)
        and len(secondary) <= MAX_SECONDARY_CAUSES
        and primary not in secondary
        and len(set(secondary)) == len(secondary)
    )
