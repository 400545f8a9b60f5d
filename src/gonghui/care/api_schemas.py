"""Typed request and response bodies of the care API (/care). Amounts are strings with two
decimals (yuan), dates ISO. Nothing here describes a hardship file, its family or its aid
records: the only hardship figures are the counts in ``HardshipCountsOut`` (decision 0010)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from gonghui.core.schemas import UnitRef

from .models import CapItem, Distribution, EventKind, LifeEvent, VisitTask

EventKindIn = Literal[
    "hospital",
    "death_member",
    "death_relative",
    "wedding",
    "childbirth",
    "retirement",
    "misfortune",
    "hardship",
]
CapItemIn = Literal[
    "festival",
    "birthday",
    "wedding",
    "childbirth",
    "hospital",
    "death_member",
    "death_relative",
    "retirement",
    "heat_relief",
    "hardship",
    "other",
]
EventStatusIn = Literal["open", "visited", "closed"]
TaskStatusIn = Literal["open", "done", "cancelled"]
DistributionStatusIn = Literal["draft", "building", "ready", "closed"]

assert set(EventKindIn.__args__) == set(EventKind.values)  # type: ignore[attr-defined]
assert set(CapItemIn.__args__) == set(CapItem.values)  # type: ignore[attr-defined]
assert set(EventStatusIn.__args__) == set(LifeEvent.Status.values)  # type: ignore[attr-defined]
assert set(TaskStatusIn.__args__) == set(VisitTask.Status.values)  # type: ignore[attr-defined]
assert set(DistributionStatusIn.__args__) == set(  # type: ignore[attr-defined]
    Distribution.Status.values
)

Money = Annotated[
    str,
    Field(pattern=r"^-?\d+\.\d{2}$", examples=["200.00"], description="Yuan, two decimals"),
]
MoneyIn = Annotated[Decimal, Field(max_digits=10, decimal_places=2, description="Yuan")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Limit = Annotated[int, Field(ge=1, le=200)]
Offset = Annotated[int, Field(ge=0)]


class _Page(Schema):
    """What every list answers besides its items: the whole count and the page asked for."""

    total: int
    limit: int
    offset: int


class MemberRef(Schema):
    id: int
    name: str
    unit: UnitRef


# ---- events and tasks ---------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    union: UnitRef
    member: MemberRef
    event_id: int
    event_kind: str
    event_kind_label: str
    occurred_on: date
    relative: str
    due_on: date
    who_visits: str
    standard_cash: Money
    standard_gift: str
    cap_item: str
    cap_item_label: str
    status: str
    status_label: str
    overdue: bool = Field(description="Open and past the due date")
    days_late: int = Field(description="Days past the due date; 0 unless overdue")
    done_at: datetime | None
    cancel_reason: str


class EventOut(Schema):
    """A life event as lists show it: what happened and when, not the free-text details."""

    id: int
    union: UnitRef
    member: MemberRef
    kind: str
    kind_label: str
    occurred_on: date
    relative: str
    status: str
    status_label: str
    reported_at: datetime
    reported_by: str | None
    task: TaskOut | None = Field(description="The visit task the must-visit rule created")


class EventPage(_Page):
    items: list[EventOut]


class EventFilters(Schema):
    union: int | None = Field(None, description="A union (or a unit above unions) in reach")
    kind: EventKindIn | None = None
    status: EventStatusIn | None = None
    date_from: date | None = Field(None, description="Events on or after this date")
    date_to: date | None = Field(None, description="Events on or before this date")
    limit: Limit = 50
    offset: Offset = 0


class EventIn(Schema):
    member_id: int
    kind: EventKindIn
    occurred_on: date
    relative: str = Field("", max_length=40, description="For a relative's death: e.g. 父亲")
    details: str = Field("", max_length=2000, description="Hospital and ward, what is needed")


class TaskFilters(Schema):
    union: int | None = None
    status: TaskStatusIn | None = Field(None, description="Every status when left out")
    overdue: bool | None = Field(None, description="true: open tasks past their due date")
    limit: Limit = 50
    offset: Offset = 0


class TaskPage(_Page):
    items: list[TaskOut]


# ---- visits -------------------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    union: UnitRef
    member: MemberRef
    task_id: int | None
    kind: str
    kind_label: str
    visited_on: date
    visitors: str
    cash: Money
    gift_description: str
    gift_value: Money
    amount: Money = Field(description="cash + gift_value")
    receipt_signed: bool
    photos: int = Field(description="Number of photos (the files are on the pages only)")
    override_reason: str = Field(description="The chair's reason when allowed over the cap")
    recorded_by: str | None
    recorded_at: datetime


class VisitDetailOut(VisitOut):
    notes: str


class TaskDetailOut(TaskOut):
    """One task with its event's details and the visit that closed it (a logged read)."""

    details: str
    reported_at: datetime
    reported_by: str | None
    visits: list[VisitDetailOut]


class VisitIn(Schema):
    visited_on: date
    visitors: str = Field(max_length=200)
    kind: CapItemIn | None = Field(None, description="The occasion; the task's item if left out")
    cash: MoneyIn = Decimal("0")
    gift_description: str = Field("", max_length=200)
    gift_value: MoneyIn = Decimal("0")
    notes: str = Field("", max_length=2000)
    receipt_signed: bool = False
    override_reason: str = Field(
        "", max_length=300, description="Chair only: allow a payment over the yearly cap"
    )


class VisitFilters(Schema):
    union: int | None = None
    year: Year | None = None
    member: int | None = None
    limit: Limit = 50
    offset: Offset = 0


class VisitPage(_Page):
    items: list[VisitOut]


# ---- distributions and insurance ------------------------------------------------------------


class BuildOut(Schema):
    """The background job that builds the recipient list."""

    status: str
    status_label: str
    percent: int
    message: str


class DistributionOut(Schema):
    id: int
    union: UnitRef
    title: str
    kind: str
    kind_label: str
    cap_item: str
    cap_item_label: str
    given_on: date
    amount_per_person: Money
    gift_description: str
    status: str
    status_label: str
    recipients: int = Field(description="People on the list (not those taken off)")
    over_cap: int = Field(description="Lines over the cap and not allowed by the chair")
    handed_out: int
    total_amount: Money = Field(description="Value of the lines that may be handed out")
    handed_out_percent: int = Field(description="Handed out of those that may be")
    build: BuildOut | None


class DistributionFilters(Schema):
    union: int | None = None
    year: Year | None = None
    status: DistributionStatusIn | None = None
    limit: Limit = 50
    offset: Offset = 0


class DistributionPage(_Page):
    items: list[DistributionOut]


class GroupProgressOut(Schema):
    unit_id: int
    name: str
    lines: int
    handed_out: int
    waiting: int = Field(description="May be handed out now")


class DistributionDetailOut(DistributionOut):
    criteria: dict[str, Any]
    groups: list[GroupProgressOut]
    created_at: datetime
    closed_at: datetime | None


class PlanOut(Schema):
    id: int
    union: UnitRef
    kind: str
    kind_label: str
    name: str
    year: int
    premium_per_person: Money
    period_start: date
    period_end: date
    insurer: str
    claim_limit: Money | None
    enrolled: int
    eligible: int
    enrolment_rate: str = Field(description="Percent, one decimal", examples=["85.5"])
    premiums: Money
    claims: int
    claims_paid: int
    paid_amount: Money


class PlanFilters(Schema):
    union: int | None = None
    year: Year | None = None
    limit: Limit = 50
    offset: Offset = 0


class PlanPage(_Page):
    items: list[PlanOut]


# ---- statistics ---------------------------------------------------------------------------


class CountOut(Schema):
    key: str
    label: str
    count: int


class KindFigureOut(Schema):
    kind: str
    label: str
    visits: int
    households: int
    amount: Money


class VisitFiguresOut(Schema):
    visits: int = Field(description="户次")
    households: int = Field(description="Distinct members visited")
    amount: Money = Field(description="Cash and gifts of the visits, net of corrections")
    cash: Money
    gift_value: Money
    by_kind: list[KindFigureOut]
    by_month: list[int] = Field(description="Visits in January .. December")
    open_tasks: int
    overdue_tasks: int


class DistributionFiguresOut(Schema):
    distributions: int
    handed_out: int = Field(description="人次")
    amount: Money


class HardshipCountsOut(Schema):
    """Counts only: no names, no file numbers, no family or income data."""

    active: int
    exited: int
    by_tier: list[CountOut]
    by_cause: list[CountOut] = Field(description="Active files by primary cause")
    aid_count: int
    aid_amount: Money


class InsuranceKindOut(Schema):
    kind: str
    label: str
    plans: int
    enrolled: int
    eligible: int
    enrolment_rate: str = Field(description="Percent, one decimal")
    claims_paid: int
    paid_amount: Money


class UnionFiguresOut(Schema):
    union: UnitRef
    visits: int
    households: int
    amount: Money
    overdue_tasks: int


class StatsFilters(Schema):
    union: int | None = Field(
        None, description="A union, or a unit above unions (every union under it is counted)"
    )
    year: Year | None = Field(None, description="This year when left out")


class CareStatsOut(Schema):
    unit: UnitRef
    year: int
    on: date
    unions: list[UnionFiguresOut] = Field(description="Each union counted, with its visits")
    visits: VisitFiguresOut
    distributions: DistributionFiguresOut
    hardship: HardshipCountsOut | None = Field(
        description="Only for those who may count hardship files of every union counted"
    )
    insurance: list[InsuranceKindOut]
