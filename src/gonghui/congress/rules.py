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


# ---- proposal handling (m3) -------------------------------------------------------------

# Days a department gets for a new round after the proposer finds a reply unsatisfying.
# Local implementing rules name 15 to 30 days; managers may set another date by reassigning.
REHANDLING_DAYS = 15


@dataclass(frozen=True)
class WindowCheck:
    open: bool
    reason: str  # "open", "not_yet" or "closed"
    opens_on: date | None
    closes_on: date


def proposal_window(
    today: date,
    *,
    opens_on: date | None,
    closes_on: date | None,
    session_day: date,
    rules: RuleSet = NATIONAL_DEFAULTS,
) -> WindowCheck:
    """Proposals are collected from ``opens_on`` (no limit when unset) to ``closes_on``
    inclusive; without a closing date the window closes ``proposal_close_days`` before the
    session (学校教职工代表大会规定 and school implementing rules: about 15 days)."""
    closes = closes_on if closes_on is not None else proposals_close_on(session_day, rules)
    if opens_on is not None and today < opens_on:
        return WindowCheck(False, "not_yet", opens_on, closes)
    if today > closes:
        return WindowCheck(False, "closed", opens_on, closes)
    return WindowCheck(True, "open", opens_on, closes)


def status_after_cosign(status: str, cosigners: int, rules: RuleSet = NATIONAL_DEFAULTS) -> str:
    """A proposal collecting co-signers goes to the committee once it has enough (one
    proposer and at least ``cosigners_min`` co-signing delegates); any other status stays."""
    if status == "collecting" and cosigners_enough(cosigners, rules):
        return "submitted"
    return status


def status_after_rating(rating: str) -> str:
    """满意 and 基本满意 close a proposal; 不满意 sends it back to the department."""
    if rating in ("satisfied", "basic"):
        return "closed"
    if rating == "unsatisfied":
        return "rehandling"
    raise ValueError(f"unknown rating {rating!r}")


def rehandling_due_on(rated_on: date, days: int = REHANDLING_DAYS) -> date:
    return rated_on + timedelta(days=days)


def proposal_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Only proposals waiting for a department's reply can be late: accepted or sent back
    for re-handling (a reply moves them to 'replied', so no reply exists in this round)."""
    return status in ("accepted", "rehandling") and is_overdue(due_on, False, today)


# ---- disclosure (m4) ----------------------------------------------------------------------

DISCLOSURE_SOURCE = (
    "教育部《关于全面推进校务公开工作的意见》：校务公开分定期公开与随时公开，"
    "重大事项事前、事中、事后全过程公开，学校每年向教代会报告校务公开情况；"
    "《企业民主管理规定》：厂务公开的内容、形式和时间，职工代表大会听取厂务公开情况报告。"
)
# 10 MB: a scanned, signed table or a phone photo of the paper board fits well within it.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
ATTACHMENT_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
# Which step each item status allows, and the status it leads to.
DISCLOSURE_STEPS: dict[tuple[str, str], str] = {
    ("draft", "edit"): "draft",
    ("draft", "publish"): "published",
    ("published", "revise"): "published",
    ("published", "withdraw"): "withdrawn",
}


@dataclass(frozen=True)
class StepCheck:
    allowed: bool
    status: str  # the status after the step (unchanged when refused)
    reason: str  # "ok", "not_draft", "not_published"


def disclosure_step(status: str, step: str) -> StepCheck:
    """Drafts are edited and published; a published item is revised (its earlier text is
    kept) or withdrawn (it stays on record). Nothing leaves the withdrawn state, and a
    published text is never edited in place."""
    after = DISCLOSURE_STEPS.get((status, step))
    if after is not None:
        return StepCheck(True, after, "ok")
    return StepCheck(False, status, "not_draft" if step in ("edit", "publish") else "not_published")


def on_board(
    status: str, published_on: date | None, visible_until: date | None, today: date
) -> bool:
    """A published item is on the members' board from its publication day through its
    "shown until" day (open-ended when none is set)."""
    return (
        status == "published"
        and published_on is not None
        and published_on <= today
        and (visible_until is None or today <= visible_until)
    )


@dataclass(frozen=True)
class AttachmentCheck:
    ok: bool
    reason: str  # "ok", "extension", "empty", "too_large", "content"
    extension: str


def attachment_check(file_name: str, size: int, head: bytes) -> AttachmentCheck:
    """PDF, Word (.docx), Excel (.xlsx), JPEG or PNG, at most ``ATTACHMENT_MAX_BYTES``, and
    the first bytes must match the extension: the name alone is the client's claim."""
    dot = file_name.rfind(".")
    ext = file_name[dot:].lower() if dot >= 0 else ""
    if ext not in ATTACHMENT_MAGIC:
        return AttachmentCheck(False, "extension", ext)
    if size <= 0:
        return AttachmentCheck(False, "empty", ext)
    if size > ATTACHMENT_MAX_BYTES:
        return AttachmentCheck(False, "too_large", ext)
    if not any(head.startswith(magic) for magic in ATTACHMENT_MAGIC[ext]):
        return AttachmentCheck(False, "content", ext)
    return AttachmentCheck(True, "ok", ext)


@dataclass(frozen=True)
class DisclosureFacts:
    """One item as the annual report counts it."""

    category: str
    stage: str  # policy / process / result
    regularity: str  # regular / ad_hoc
    status: str  # draft / published / withdrawn
    published_on: date | None
    revisions: int  # times the published text was changed (revision - 1)


@dataclass(frozen=True)
class DisclosureTally:
    year: int
    total: int  # items disclosed in the year, withdrawn ones included
    on_record: int  # of which still published
    withdrawn: int
    regular: int
    ad_hoc: int
    by_stage: dict[str, int]
    by_category: dict[str, int]
    by_category_stage: dict[str, dict[str, int]]
    revised_items: int  # items changed at least once after publication
    revisions: int  # changes in all


DISCLOSURE_STAGES = ("policy", "process", "result")


def disclosure_tally(items: list[DisclosureFacts], year: int) -> DisclosureTally:
    """What a union disclosed in ``year``: every item first published that year, whether
    still shown or withdrawn since (a withdrawn item was disclosed all the same); drafts
    were never disclosed and do not count. Categories keep the order they first appear in."""
    counted = [
        i
        for i in items
        if i.status in ("published", "withdrawn")
        and i.published_on is not None
        and i.published_on.year == year
    ]
    by_stage = {s: 0 for s in DISCLOSURE_STAGES}
    by_category: dict[str, int] = {}
    by_category_stage: dict[str, dict[str, int]] = {}
    for i in counted:
        by_stage[i.stage] = by_stage.get(i.stage, 0) + 1
        by_category[i.category] = by_category.get(i.category, 0) + 1
        row = by_category_stage.setdefault(i.category, {s: 0 for s in DISCLOSURE_STAGES})
        row[i.stage] = row.get(i.stage, 0) + 1
    withdrawn = sum(i.status == "withdrawn" for i in counted)
    regular = sum(i.regularity == "regular" for i in counted)
    return DisclosureTally(
        year=year,
        total=len(counted),
        on_record=len(counted) - withdrawn,
        withdrawn=withdrawn,
        regular=regular,
        ad_hoc=len(counted) - regular,
        by_stage=by_stage,
        by_category=by_category,
        by_category_stage=by_category_stage,
        revised_items=sum(i.revisions > 0 for i in counted),
        revisions=sum(max(i.revisions, 0) for i in counted),
    )
