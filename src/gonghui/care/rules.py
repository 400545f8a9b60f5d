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


def _newest(rows: list[CapRow], item: str, year: int) -> CapRow | None:
    """The row with the greatest from_year not after ``year``: a rule stays in force
    until a later one replaces it."""
    valid = [r for r in rows if r.item == item and r.from_year <= year]
    return max(valid, key=lambda r: r.from_year) if valid else None


def provincial_row_in_force(
    rows: list[CapRow], *, province: str, item: str, year: int
) -> CapRow | None:
    """The province's rule in force for an item in a year; None when it does not cap it."""
    return _newest([r for r in rows if r.union_id is None and r.province == province], item, year)


def strictest_provincial_row(
    rows: list[CapRow], *, province: str, item: str, from_year: int, to_year: int
) -> CapRow | None:
    """The lowest of the province's rules in force for an item in any year from
    ``from_year`` to ``to_year`` (both included); None when none caps the item then. A
    union's own cap must be no higher than this over every year it governs: a row entered
    now with an earlier start year is checked against each provincial rule since."""
    mine = [r for r in rows if r.union_id is None and r.province == province and r.item == item]
    first = _newest(mine, item, from_year)
    later = [r for r in mine if from_year < r.from_year <= to_year]
    candidates = ([first] if first is not None else []) + later
    return min(candidates, key=lambda r: (r.amount, r.from_year)) if candidates else None


def own_row_in_force(rows: list[CapRow], *, union_id: int, item: str, year: int) -> CapRow | None:
    """The union's own rule in force for an item in a year, whatever the province says."""
    return _newest([r for r in rows if r.union_id == union_id], item, year)


def cap_row_in_force(
    rows: list[CapRow], *, province: str, union_id: int | None, item: str, year: int
) -> CapRow | None:
    """The rule that decides an item in a year: the lower of the union's own rule in force
    and its province's, either alone when the other is missing, None when neither caps
    the item. The provincial cap is a finance rule, so a union's own cap may make it
    stricter but never looser, even one set when it was stricter and left standing after
    the province lowered its cap. On a tie the province's row decides: the union's adds
    nothing to it. Pages show this row (its year and source); the checks use its amount."""
    prov = provincial_row_in_force(rows, province=province, item=item, year=year)
    own = (
        own_row_in_force(rows, union_id=union_id, item=item, year=year)
        if union_id is not None
        else None
    )
    if own is None or (prov is not None and prov.amount <= own.amount):
        return prov
    return own


def effective_cap(
    rows: list[CapRow], *, province: str, union_id: int | None, item: str, year: int
) -> Decimal | None:
    """The cap in force for an item in a year (see ``cap_row_in_force``); None when
    nothing caps the item."""
    row = cap_row_in_force(rows, province=province, union_id=union_id, item=item, year=year)
    return row.amount if row is not None else None


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


# ---- distributions (k2) -----------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """Who receives a distribution, read from ``Distribution.criteria``. Empty tuples mean
    "any"; statuses default to active members only."""

    statuses: tuple[str, ...] = ("active",)
    work_statuses: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    birth_month: int | None = None
    posts: tuple[str, ...] = ()  # the post contains any of these words

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "statuses": list(self.statuses),
            "work_statuses": list(self.work_statuses),
            "employment_types": list(self.employment_types),
            "unit_ids": list(self.unit_ids),
            "posts": list(self.posts),
        }
        if self.birth_month is not None:
            data["birth_month"] = self.birth_month
        return data


def criteria_from_json(data: dict[str, object] | None) -> Criteria:
    """Read stored criteria leniently (unknown keys ignored, words trimmed, empty dropped);
    a birth month outside 1–12 is refused with ValueError."""
    data = data or {}

    def words(key: str) -> tuple[str, ...]:
        raw = data.get(key) or []
        items = [str(v).strip() for v in raw] if isinstance(raw, list | tuple) else []
        return tuple(dict.fromkeys(v for v in items if v))

    month = data.get("birth_month")
    birth_month = int(month) if month not in (None, "") else None  # type: ignore[call-overload]
    if birth_month is not None and not 1 <= birth_month <= 12:
        raise ValueError("birth_month must be 1-12")
    raw_units = data.get("unit_ids") or []
    unit_ids = (
        tuple(dict.fromkeys(int(u) for u in raw_units)) if isinstance(raw_units, list) else ()
    )
    return Criteria(
        statuses=words("statuses") or ("active",),
        work_statuses=words("work_statuses"),
        employment_types=words("employment_types"),
        unit_ids=unit_ids,
        birth_month=birth_month,
        posts=words("posts"),
    )


def birthday_in(birth: date, year: int) -> date:
    """The day a birthday is kept in ``year``: someone born on 29 February keeps it on
    28 February in common years (the month stays February, as union practice has it)."""
    if birth.month == 2 and birth.day == 29 and not _leap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def born_in_month(birth: date | None, month: int, year: int) -> bool:
    """Birthday benefits go to members whose birthday falls in the month of the
    distribution; members without a known birth date are not selected."""
    return birth is not None and birthday_in(birth, year).month == month


@dataclass(frozen=True)
class MemberFacts:
    """What the selection looks at, for one member (plain data for the pure check)."""

    status: str
    work_status: str
    employment_type: str
    unit_path: str
    birth_date: date | None
    post: str


def member_selected(m: MemberFacts, c: Criteria, *, unit_paths: tuple[str, ...], year: int) -> bool:
    """The selection rule in one place, for reading and for tests; the builder applies the
    same rule as a database filter. ``unit_paths`` are the chosen groups' paths (a member of
    a unit below a chosen group is in it)."""
    return (
        m.status in c.statuses
        and (not c.work_statuses or m.work_status in c.work_statuses)
        and (not c.employment_types or m.employment_type in c.employment_types)
        and (not unit_paths or any(m.unit_path.startswith(p) for p in unit_paths))
        and (c.birth_month is None or born_in_month(m.birth_date, c.birth_month, year))
        and (not c.posts or any(w.lower() in m.post.lower() for w in c.posts))
    )


@dataclass(frozen=True)
class Preset:
    """A common distribution, with the usual recipients and a default value per person."""

    key: str
    kind: str
    cap_item: str
    title: str  # "{year}" is replaced by the year of the distribution
    gift: str
    amount: Decimal
    criteria: Criteria
    month: int | None = None  # the usual month, for the default date


# Festival gifts count against the yearly festival cap (e.g. Anhui ≤ ¥2,000 a year), so a
# Mid-Autumn gift of ¥300 leaves room for Spring Festival and the other festivals.
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "mid_autumn",
            "festival",
            "festival",
            "{year}年中秋节慰问品",
            "月饼、水果",
            yuan(300),
            Criteria(work_statuses=("working",)),
            9,
        ),
        Preset(
            "spring_festival",
            "festival",
            "festival",
            "{year}年春节慰问品",
            "米、油、年货礼包",
            yuan(500),
            Criteria(work_statuses=("working",)),
            1,
        ),
        Preset(
            "birthday",
            "birthday",
            "birthday",
            "{year}年{month}月会员生日蛋糕",
            "生日蛋糕券（实物）",
            yuan(200),
            Criteria(work_statuses=("working",)),
        ),
        Preset(
            "heat_relief",
            "heat_relief",
            "heat_relief",
            "{year}年夏季防暑降温物品",
            "绿豆、凉茶、毛巾、藿香正气水",
            yuan(150),
            Criteria(work_statuses=("working",)),
            7,
        ),
        Preset(
            "double_ninth",
            "retirees",
            "festival",
            "{year}年重阳节退休职工慰问",
            "重阳糕、慰问品",
            yuan(300),
            Criteria(work_statuses=("retired",)),
            10,
        ),
    )
}


def preset_title(preset: Preset, on: date) -> str:
    return preset.title.format(year=on.year, month=on.month)


@dataclass(frozen=True)
class LinePlan:
    member_id: int
    amount: Decimal
    cap_state: str  # "ok" or "over"
    cap_room: Decimal | None


def plan_lines(
    member_ids: list[int], *, spent: dict[int, Decimal], amount: Decimal, cap: Decimal | None
) -> list[LinePlan]:
    """Check every recipient against the yearly cap of the item: a line is "over" when the
    member's year-to-date total plus this gift would pass the cap (``cap_check``). Members
    with the same year-to-date total get the same decision, so it is made once per total:
    at 200,000 members nearly all have none."""
    amount = yuan(amount)
    decisions: dict[Decimal, CapDecision] = {}
    zero = Decimal("0.00")
    out = []
    for mid in member_ids:
        so_far = spent.get(mid, zero)
        d = decisions.get(so_far)
        if d is None:
            d = decisions[so_far] = cap_check(spent=so_far, amount=amount, cap=cap)
        out.append(LinePlan(mid, amount, "ok" if d.allowed else "over", d.room))
    return out


HANDOUT_STATES = frozenset({"ok", "overridden"})


def may_hand_out(cap_state: str) -> bool:
    """A gift over the cap is handed out only after the chair's written override."""
    return cap_state in HANDOUT_STATES


@dataclass(frozen=True)
class Totals:
    recipients: int  # lines on the list (not excluded)
    over_cap: int  # lines refused for the cap, not overridden
    total: Decimal  # value of what may be handed out


def distribution_totals(lines: list[tuple[str, Decimal]]) -> Totals:
    """Figures of a list from (cap_state, amount) of its lines that are not excluded."""
    over = sum(1 for state, _amount in lines if not may_hand_out(state))
    total = sum((yuan(a) for state, a in lines if may_hand_out(state)), Decimal("0.00"))
    return Totals(len(lines), over, total)


@dataclass(frozen=True)
class CapPlan:
    """A list's cap decisions in two parts: the one for every member without spending on
    the item this year, and the members whose decision differs, grouped by (state, room)."""

    default_state: str
    default_room: Decimal | None
    changes: dict[tuple[str, Decimal | None], list[int]]


def plan_caps(*, spent: dict[int, Decimal], amount: Decimal, cap: Decimal | None) -> CapPlan:
    """The same decisions as ``plan_lines`` for any list of members, computed only for the
    members who have spending this year: the builder writes the default for everyone in
    one statement and corrects the few others."""
    [base] = plan_lines([0], spent={}, amount=amount, cap=cap)
    changes: dict[tuple[str, Decimal | None], list[int]] = {}
    for p in plan_lines(sorted(spent), spent=spent, amount=amount, cap=cap):
        if (p.cap_state, p.cap_room) != (base.cap_state, base.cap_room):
            changes.setdefault((p.cap_state, p.cap_room), []).append(p.member_id)
    return CapPlan(base.cap_state, base.cap_room, changes)


# ---- donations and insurance (k4) --------------------------------------------------------


@dataclass(frozen=True)
class DriveBalance:
    collected: Decimal
    given_out: Decimal
    balance: Decimal


def drive_balance(*, collected: Decimal, given_out: Decimal) -> DriveBalance:
    """What a drive still holds: everything donated less everything given out."""
    collected, given_out = yuan(collected), yuan(given_out)
    return DriveBalance(collected, given_out, collected - given_out)


@dataclass(frozen=True)
class UseDecision:
    allowed: bool
    balance: Decimal  # before this use
    reason: str = ""  # plain Chinese, for the refusal message


def use_check(*, collected: Decimal, given_out: Decimal, amount: Decimal) -> UseDecision:
    """A drive cannot give out more than it collected: the donors' money is all there is
    (倡议书 promise the money goes to the named purpose, so nothing is advanced from elsewhere).
    Amounts must be positive."""
    balance = drive_balance(collected=collected, given_out=given_out).balance
    amount = yuan(amount)
    if amount <= 0:
        return UseDecision(False, balance, "金额必须大于零")
    if amount > balance:
        return UseDecision(False, balance, f"本次 ¥{amount} 超过捐款余额 ¥{balance}")
    return UseDecision(True, balance)


def enrolment_rate(*, enrolled: int, eligible: int) -> Decimal:
    """Enrolled members as a percentage of active members, one decimal place, as union
    reports give it ("参保59人，参保率100%"). No eligible members gives 0."""
    if eligible <= 0:
        return Decimal("0.0")
    return (Decimal(enrolled) * 100 / Decimal(eligible)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def claim_amount_check(*, amount: Decimal, limit: Decimal | None) -> str:
    """ "" when an approved benefit is acceptable, else the reason in Chinese: it must be
    positive and, when the plan has one, within the plan's limit per claim."""
    amount = yuan(amount)
    if amount <= 0:
        return "金额必须大于零"
    if limit is not None and amount > yuan(limit):
        return f"核定金额 ¥{amount} 超过本计划每次理赔上限 ¥{yuan(limit)}"
    return ""


def renewal_due(*, period_end: date, reminder_on: date | None, today: date) -> bool:
    """A plan is due for renewal from its reminder date, or, without one, from 60 days
    before its cover ends (renewals fall in March–April for plans ending then)."""
    start = reminder_on if reminder_on is not None else period_end - timedelta(days=60)
    return today >= start


CLAIM_MOVES: dict[str, frozenset[str]] = {
    "submitted": frozenset({"approved", "rejected"}),
    "approved": frozenset({"paid"}),
    "rejected": frozenset(),
    "paid": frozenset(),
}


def claim_may_move(current: str, target: str) -> bool:
    """Claims go submitted → approved → paid, or submitted → rejected; nothing else."""
    return target in CLAIM_MOVES.get(current, frozenset())


# ---- health, rest, retirees (k5) ---------------------------------------------------------

# 疗休养 is commonly offered to each member once every few years; units set their own cycle.
DEFAULT_REST_EVERY_YEARS = 3


def rest_due(
    last_gone_year: int | None, year: int, every_years: int = DEFAULT_REST_EVERY_YEARS
) -> bool:
    """A member is due for rest and recuperation in ``year`` when they have never gone, or
    when at least ``every_years`` years have passed since the year they last went (union
    practice: one trip per member per cycle, the cycle set by the union)."""
    if every_years < 1:
        raise ValueError("every_years must be at least 1")
    if last_gone_year is None:
        return True
    return year - last_gone_year >= every_years


@dataclass(frozen=True)
class CheckProgress:
    """Where a health-check campaign stands. Excused members (on leave, checked elsewhere)
    are not expected, so the rate is done / (total - excused)."""

    total: int
    done: int
    excused: int
    scheduled: int
    rate: Decimal  # percent, one place


def completion_rate(done: int, expected: int) -> Decimal:
    """Percent with one place, rounded half up; 0.0 when nobody is expected."""
    if done < 0 or expected < 0 or done > expected:
        raise ValueError("done must lie between 0 and expected")
    if expected == 0:
        return Decimal("0.0")
    return (Decimal(done) * 100 / Decimal(expected)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def progress_of(*, total: int, done: int, excused: int) -> CheckProgress:
    """Progress from the counts of a campaign's checks."""
    if min(total, done, excused) < 0 or done + excused > total:
        raise ValueError("done and excused must add up to at most total")
    return CheckProgress(
        total=total,
        done=done,
        excused=excused,
        scheduled=total - done - excused,
        rate=completion_rate(done, total - excused),
    )


def check_progress(statuses: list[str]) -> CheckProgress:
    """Progress from the campaign's check statuses ("scheduled", "done", "excused")."""
    return progress_of(
        total=len(statuses), done=statuses.count("done"), excused=statuses.count("excused")
    )


def age_on(birth: date, on: date) -> int:
    """Full years of age on a day; someone born on 29 February turns a year older on
    1 March in common years."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years
