"""Congress rules: quorum, majorities, roster composition, proposals.

Pure functions over plain data; no Django, no clock ("today" is passed in). The national
defaults and their sources are in ``NATIONAL_DEFAULTS``; a union's ``CongressRuleSet`` row
overrides them (``RuleSet.from_row`` in services).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction


class PassBase(StrEnum):
    ALL_DELEGATES = "all"  # 全体代表 (the national default)
    PRESENT = "present"  # 到会代表
    CAST = "cast"  # 投票数


@dataclass(frozen=True)
class RuleSet:
    quorum: Fraction = Fraction(2, 3)
    pass_base: PassBase = PassBase.ALL_DELEGATES
    frontline_min: Fraction = Fraction(60, 100)
    leader_max: Fraction = Fraction(20, 100)
    cosigners_min: int = 2
    proposal_close_days: int = 15
    source: str = ""


NATIONAL_DEFAULTS = RuleSet(
    source=(
        "学校教职工代表大会规定（教育部令第32号）：到会代表须超过全体代表三分之二，"
        "选举和表决须获全体代表半数以上通过；一线教职工代表不低于60%；"
        "企业民主管理规定：中层以上管理人员一般不超过20%；提案须一名代表提出、两名以上代表附议，"
        "一般于会前15天截止。"
    )
)


# ---- quorum and majorities ----------------------------------------------------------


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    present: int
    total: int
    needed: int  # the least number present that meets the quorum


def quorum_needed(total: int, quorum: Fraction) -> int:
    """The smallest head-count that is at least ``quorum`` of ``total`` (2/3 of 30 is 20)."""
    if total <= 0:
        return 0
    needed = quorum * total
    return int(needed) if needed.denominator == 1 else int(needed) + 1


def quorum_met(present: int, total: int, quorum: Fraction = Fraction(2, 3)) -> QuorumResult:
    """At least ``quorum`` of ALL delegates must be present. A congress with no delegates
    has no quorum: nothing can be decided by nobody."""
    if present < 0 or total < 0 or present > total:
        raise ValueError("present must lie between 0 and total")
    needed = quorum_needed(total, quorum)
    return QuorumResult(
        met=total > 0 and present >= needed, present=present, total=total, needed=needed
    )


@dataclass(frozen=True)
class VoteResult:
    passed: bool
    yes: int
    no: int
    abstain: int
    base: int  # the head-count the majority is taken of
    needed: int  # least yes votes that pass (more than half of base)
    reason: str


def majority_needed(base: int) -> int:
    """More than half: 31 of 60, 31 of 61."""
    return base // 2 + 1


def vote_passes(
    *, yes: int, no: int, abstain: int, total: int, present: int, rules: RuleSet = NATIONAL_DEFAULTS
) -> VoteResult:
    """A resolution passes with yes votes from more than half of the base: by default ALL
    delegates (全体代表过半数), not those present. A tie never passes."""
    if min(yes, no, abstain, total, present) < 0:
        raise ValueError("counts cannot be negative")
    cast = yes + no + abstain
    if cast > present or present > total:
        raise ValueError("more votes than delegates present, or more present than delegates")
    base = {PassBase.ALL_DELEGATES: total, PassBase.PRESENT: present, PassBase.CAST: cast}[
        rules.pass_base
    ]
    needed = majority_needed(base)
    passed = base > 0 and yes >= needed
    reason = "passed" if passed else ("no_base" if base == 0 else "short_of_majority")
    return VoteResult(
        passed=passed, yes=yes, no=no, abstain=abstain, base=base, needed=needed, reason=reason
    )


# ---- roster composition ---------------------------------------------------------------


@dataclass(frozen=True)
class RosterPerson:
    frontline: bool
    leader: bool
    woman: bool
    young: bool  # under 35 on the day of the check


@dataclass(frozen=True)
class StaffShares:
    women: Fraction
    young: Fraction


@dataclass(frozen=True)
class CompositionCheck:
    total: int
    frontline: int
    leaders: int
    women: int
    young: int
    # Each warning: (code, plain words). Empty when every rule holds.
    warnings: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.warnings


def _pct(f: Fraction) -> str:
    return f"{float(f) * 100:.0f}%"


def composition_check(
    delegates: list[RosterPerson], staff: StaffShares | None, rules: RuleSet = NATIONAL_DEFAULTS
) -> CompositionCheck:
    """Front-line staff at least ``frontline_min`` of delegates, leaders at most
    ``leader_max``; women and young staff should be in proportion to their share of staff
    (warned when below it). An empty roster is itself a warning."""
    total = len(delegates)
    frontline = sum(d.frontline for d in delegates)
    leaders = sum(d.leader for d in delegates)
    women = sum(d.woman for d in delegates)
    young = sum(d.young for d in delegates)
    warnings: list[tuple[str, str]] = []
    if total == 0:
        warnings.append(("empty", "代表名单为空"))
    else:
        if Fraction(frontline, total) < rules.frontline_min:
            warnings.append(
                (
                    "frontline_low",
                    f"一线教职工代表 {frontline} 名，占 {_pct(Fraction(frontline, total))}，"
                    f"低于 {_pct(rules.frontline_min)}",
                )
            )
        if Fraction(leaders, total) > rules.leader_max:
            warnings.append(
                (
                    "leaders_high",
                    f"领导干部代表 {leaders} 名，占 {_pct(Fraction(leaders, total))}，"
                    f"超过 {_pct(rules.leader_max)}",
                )
            )
        if staff is not None and Fraction(women, total) < staff.women:
            warnings.append(
                (
                    "women_low",
                    f"女代表占 {_pct(Fraction(women, total))}，低于女职工占比 {_pct(staff.women)}",
                )
            )
        if staff is not None and Fraction(young, total) < staff.young:
            warnings.append(
                (
                    "young_low",
                    f"青年代表占 {_pct(Fraction(young, total))}，"
                    f"低于青年职工占比 {_pct(staff.young)}",
                )
            )
    return CompositionCheck(
        total=total,
        frontline=frontline,
        leaders=leaders,
        women=women,
        young=young,
        warnings=tuple(warnings),
    )


def seats_check(seats: int, serving: int) -> int:
    """Vacant seats of a delegation (negative: over-filled)."""
    return seats - serving


# ---- proposals --------------------------------------------------------------------------


def proposals_close_on(session_day: date, rules: RuleSet = NATIONAL_DEFAULTS) -> date:
    """The collection window closes ``proposal_close_days`` before the session."""
    return session_day - timedelta(days=rules.proposal_close_days)


def cosigners_enough(cosigners: int, rules: RuleSet = NATIONAL_DEFAULTS) -> bool:
    return cosigners >= rules.cosigners_min


def is_overdue(due_on: date | None, replied: bool, today: date) -> bool:
    """A handled proposal is overdue when its reply date has passed without a reply."""
    return due_on is not None and not replied and today > due_on


def should_use_all_staff_meeting(staff_count: int) -> bool:
    """Schools with fewer than 80 staff hold an all-staff meeting instead of a congress."""
    return staff_count < 80
