"""Congress rules: quorum, majorities, roster composition, proposals.

Pure functions over plain data; no Django, no clock ("today" is passed in). The national
defaults and their sources are in ``NATIONAL_DEFAULTS``; a union's ``CongressRuleSet`` row
overrides them (``RuleSet.from_row`` in services).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
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


# ---- opinions (m5) ---------------------------------------------------------------------

OPINION_OUTCOMES = ("rectified", "phone", "interview", "not_adopted", "adopted_rewarded")
# Which outcomes end which kind of item: an opinion is rectified, answered or declined; a
# rationalisation suggestion is adopted (and rewarded) or not adopted.
OUTCOMES_BY_KIND = {
    "opinion": ("rectified", "phone", "interview", "not_adopted"),
    "rationalisation": ("adopted_rewarded", "not_adopted"),
}


@dataclass(frozen=True)
class OpinionFact:
    kind: str  # "opinion" | "rationalisation"
    source: str
    received_on: date
    outcome: str = ""  # empty while open
    interview_count: int = 0
    reward: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class OpinionTally:
    year: int
    opinions: int  # 意见建议 collected in the year
    suggestions: int  # 合理化建议 received in the year
    by_source: dict[str, int]
    by_outcome: dict[str, int]  # opinions only, every outcome present (0 if none)
    open_opinions: int
    interviews: int  # 人次, summed over every item of the year
    suggestions_adopted: int
    suggestions_not_adopted: int
    rewards: Decimal


def opinion_tally(items: list[OpinionFact], year: int) -> OpinionTally:
    """The year's figures for the work report: items count in the year they were received;
    an item without an outcome is still being handled. Interviews count people (人次), since
    one complaint may lead to several talks."""
    counted = [i for i in items if i.received_on.year == year]
    opinions = [i for i in counted if i.kind == "opinion"]
    suggestions = [i for i in counted if i.kind == "rationalisation"]
    by_source: dict[str, int] = {}
    for i in counted:
        by_source[i.source] = by_source.get(i.source, 0) + 1
    by_outcome = {o: 0 for o in OUTCOMES_BY_KIND["opinion"]}
    for i in opinions:
        if i.outcome:
            by_outcome[i.outcome] = by_outcome.get(i.outcome, 0) + 1
    return OpinionTally(
        year=year,
        opinions=len(opinions),
        suggestions=len(suggestions),
        by_source=by_source,
        by_outcome=by_outcome,
        open_opinions=sum(not i.outcome for i in opinions),
        interviews=sum(max(i.interview_count, 0) for i in counted),
        suggestions_adopted=sum(i.outcome == "adopted_rewarded" for i in suggestions),
        suggestions_not_adopted=sum(i.outcome == "not_adopted" for i in suggestions),
        rewards=sum((i.reward for i in suggestions), Decimal("0.00")).quantize(Decimal("0.01")),
    )


def opinion_summary_sentence(t: OpinionTally) -> str:
    """The sentence union work reports use (工作总结), e.g. "共收集意见建议149条，已整改落实
    140条，电话答复9条，约谈30人次". It is a document phrase in Chinese whatever the page's
    language; parts with nothing to report are left out, except the total."""
    parts = [f"共收集意见建议{t.opinions}条"]
    if t.by_outcome.get("rectified"):
        parts.append(f"已整改落实{t.by_outcome['rectified']}条")
    if t.by_outcome.get("phone"):
        parts.append(f"电话答复{t.by_outcome['phone']}条")
    if t.interviews:
        parts.append(f"约谈{t.interviews}人次")
    if t.by_outcome.get("not_adopted"):
        parts.append(f"不予采纳{t.by_outcome['not_adopted']}条")
    if t.open_opinions:
        parts.append(f"正在办理{t.open_opinions}条")
    sentence = "，".join(parts)
    if t.suggestions:
        sentence += (
            f"；收到合理化建议{t.suggestions}条，采纳并奖励{t.suggestions_adopted}条，"
            f"奖励金额{t.rewards}元"
        )
    return sentence + "。"


def outcome_fits(kind: str, outcome: str, interview_count: int) -> str | None:
    """Why an outcome cannot close an item of this kind, or None when it can. "Interview
    held" needs at least one person interviewed."""
    if outcome not in OUTCOMES_BY_KIND.get(kind, ()):
        return "outcome"
    if interview_count < 0:
        return "interview_count"
    if outcome == "interview" and interview_count < 1:
        return "interview_count"
    return None


@dataclass(frozen=True)
class QuotaRow:
    key: str
    count: int
    target: int
    met: bool
    short: int  # how many more are needed (0 when met)


@dataclass(frozen=True)
class QuotaProgress:
    target: int
    rows: list[QuotaRow]
    met: int
    total: int

    @property
    def percent(self) -> int:
        """Share of people (or teams) who met the target, rounded down."""
        return self.met * 100 // self.total if self.total else 0


def quota_progress(counts: dict[str, int], target: int) -> QuotaProgress:
    """Progress towards a per-person or per-team target ("3510": every worker 3): each key
    with its count, met when the count reaches the target; a target of 0 means no quota, so
    everyone has met it. Rows are sorted by the shortfall, largest first, then by key."""
    rows = [
        QuotaRow(key=k, count=c, target=target, met=c >= target, short=max(target - c, 0))
        for k, c in counts.items()
    ]
    rows.sort(key=lambda r: (-r.short, r.key))
    return QuotaProgress(target=target, rows=rows, met=sum(r.met for r in rows), total=len(rows))


# ---- appraisal (m6) -----------------------------------------------------------------------

# The usual four grades of 民主评议 and the points most units give them when they score
# (e.g. 中组部《党政领导干部考核工作条例》 uses 优秀/称职/基本称职/不称职; the points are
# a common local convention, editable per appraisal).
DEFAULT_APPRAISAL_SCALE: tuple[tuple[str, int], ...] = (
    ("优秀", 100),
    ("称职", 80),
    ("基本称职", 60),
    ("不称职", 0),
)
APPRAISAL_MIN_GRADES = 2
APPRAISAL_MAX_GRADES = 7


def shares_percent(counts: Sequence[int], places: int = 1) -> list[Decimal]:
    """Each count's share of the total in per cent with ``places`` decimals, rounded by the
    largest-remainder method so that the shares add up to exactly 100 (plain rounding can
    give 99.9 or 100.1, which a personnel office reads as an error). Ties in the remainder
    go to the earlier (better) grade. All zero when nothing was counted."""
    if any(c < 0 for c in counts):
        raise ValueError("counts must not be negative")
    unit = 10**places
    total = sum(counts)
    if total == 0:
        return [Decimal(0).scaleb(-places) for _ in counts]
    exact = [Fraction(c * 100 * unit, total) for c in counts]
    shares = [math.floor(e) for e in exact]
    left = 100 * unit - sum(shares)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return [Decimal(s).scaleb(-places) for s in shares]


def weighted_score(counts: Sequence[int], weights: Sequence[int]) -> Decimal | None:
    """The average points per rating (e.g. 优秀=100 … 不称职=0), to two places, half up;
    None when nobody rated."""
    total = sum(counts)
    if total == 0:
        return None
    exact = Fraction(sum(c * w for c, w in zip(counts, weights, strict=True)), total)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Participation:
    took_part: int
    eligible: int
    rate: Decimal | None  # per cent, one place; None without eligible raters
    over: bool  # more forms than raters: paper forms counted twice, or a wrong roster


def participation_rate(took_part: int, eligible: int) -> Participation:
    """Raters who took part (online receipts plus paper forms) over eligible raters, in per
    cent with one place, half up. Not capped: more forms than raters is shown, not hidden."""
    if eligible <= 0:
        return Participation(took_part, eligible, None, took_part > 0)
    rate = (Decimal(took_part) * 100 / Decimal(eligible)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Participation(took_part, eligible, rate, took_part > eligible)


def appraisal_rank_key(
    counts: Sequence[int], weights: Sequence[int], weighted: bool
) -> tuple[Fraction, ...]:
    """What ranks subjects, higher first: the weighted score; without scoring, the share of
    the best grade, then of the best two, and so on. Nobody rated ranks last."""
    total = sum(counts)
    if total == 0:
        return (Fraction(-1),)
    if weighted:
        return (Fraction(sum(c * w for c, w in zip(counts, weights, strict=True)), total),)
    running, key = 0, []
    for c in counts[:-1]:
        running += c
        key.append(Fraction(running, total))
    return tuple(key)


def competition_ranks(keys: Sequence[tuple[Fraction, ...]]) -> list[int]:
    """Standard competition ranking (1, 2, 2, 4): equal keys share a rank."""
    return [1 + sum(other > k for other in keys) for k in keys]


def scale_check(grades: Sequence[tuple[str, int]]) -> str | None:
    """A scale has 2–7 grades, best first, each with a distinct non-blank label and points
    from 0 to 100. Returns the reason it is not valid, or None."""
    if len(grades) < APPRAISAL_MIN_GRADES:
        return "too_few"
    if len(grades) > APPRAISAL_MAX_GRADES:
        return "too_many"
    labels = [label.strip() for label, _w in grades]
    if any(not label for label in labels):
        return "blank_label"
    if len(set(labels)) != len(labels):
        return "duplicate_label"
    if any(not 0 <= w <= 100 for _label, w in grades):
        return "weight_range"
    return None


def submission_check(
    subjects: Iterable[int], grades: Mapping[int, int], n_grades: int
) -> str | None:
    """An online rating grades every subject exactly once with a grade of the scale.
    Returns the reason it is not valid, or None."""
    expected = set(subjects)
    if set(grades) - expected:
        return "unknown_subject"
    if expected - set(grades):
        return "missing_subject"
    if any(not 0 <= g < n_grades for g in grades.values()):
        return "bad_grade"
    return None


@dataclass(frozen=True)
class PaperProblem:
    subject: int | None  # None: the batch as a whole
    reason: str  # forms_not_positive | negative | wrong_length | too_many


def paper_counts_check(
    forms: int, counts: Mapping[int, Sequence[int]], n_grades: int
) -> list[PaperProblem]:
    """Paper forms typed in: at least one form; per subject one non-negative count per grade,
    and no more grades than forms (a form may leave a subject blank, never grade it twice)."""
    problems: list[PaperProblem] = []
    if forms <= 0:
        problems.append(PaperProblem(None, "forms_not_positive"))
    for subject, row in counts.items():
        if len(row) != n_grades:
            problems.append(PaperProblem(subject, "wrong_length"))
        elif any(c < 0 for c in row):
            problems.append(PaperProblem(subject, "negative"))
        elif sum(row) > max(forms, 0):
            problems.append(PaperProblem(subject, "too_many"))
    return problems


def appraisal_window(status: str, opens_on: date, closes_on: date, today: date) -> str:
    """Whether ratings are taken today: "open", or why not ("draft", "not_yet", "closed")."""
    if status == "draft":
        return "draft"
    if status == "closed" or today > closes_on:
        return "closed"
    if today < opens_on:
        return "not_yet"
    return "open"
