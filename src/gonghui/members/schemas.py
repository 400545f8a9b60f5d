"""Typed request and response bodies of the members API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from gonghui.core.schemas import UnitRef

from .models import EmploymentType, MemberStatus, WorkStatus

StatusIn = Literal["applied", "active", "transferred_out", "left", "deceased", "rejected"]
EmploymentTypeIn = Literal[
    "permanent", "contract", "dispatched", "seasonal", "migrant", "temporary"
]
WorkStatusIn = Literal["working", "retired"]
GenderIn = Literal["M", "F"]
CategoryIn = Literal["women", "young", "model_worker", "hardship", "survivor", "retired"]

assert set(StatusIn.__args__) == set(MemberStatus.values)  # type: ignore[attr-defined]
assert set(EmploymentTypeIn.__args__) == set(EmploymentType.values)  # type: ignore[attr-defined]
assert set(WorkStatusIn.__args__) == set(WorkStatus.values)  # type: ignore[attr-defined]


class MemberFilters(Schema):
    """The list's filters: the same as the member pages (members.queries.MemberFilter)."""

    q: str = Field("", description="Start of the name, a member number, or phone's last digits")
    unit: int | None = Field(None, description="This unit and everything below it")
    status: StatusIn | Literal["any"] = Field("active", description='"any" = every status')
    employment_type: EmploymentTypeIn | None = None
    work_status: WorkStatusIn | None = None
    gender: GenderIn | None = None
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150, description="Inclusive")
    birth_month: int | None = Field(None, ge=1, le=12)
    category: CategoryIn | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    reveal: bool = Field(
        False, description="Show ID numbers and phones in clear (needs the permission; logged)"
    )


class MemberOut(Schema):
    id: int
    member_no: str
    status: str
    status_label: str
    union: UnitRef
    unit: UnitRef
    person_id: int
    name: str
    gender: str
    birth_date: date | None
    id_number: str = Field(description="Masked unless sensitive_revealed")
    phone: str = Field(description="Masked unless sensitive_revealed")
    sensitive_revealed: bool
    employment_type: str
    work_status: str
    post: str
    department: str
    joined_on: date | None
    is_model_worker: bool
    is_in_hardship: bool | None = Field(
        description="Null unless the caller may open the union's hardship files"
    )
    is_survivor: bool


class MemberPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[MemberOut]


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    on: date
    from_unit: UnitRef | None
    to_unit: UnitRef | None
    note: str
    actor: str | None


class MemberDetailOut(MemberOut):
    ethnicity: str
    political_status: str
    education: str
    applied_on: date | None
    status_changed_on: date | None
    retired_on: date | None
    note: str
    events: list[EventOut]


class PersonIn(Schema):
    """Birth date and gender are taken from the ID number when it is given."""

    name: str = Field(min_length=1, max_length=50)
    gender: GenderIn | None = None
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=30)
    ethnicity: str | None = Field(None, max_length=20)
    political_status: str | None = Field(None, max_length=20)
    education: str | None = Field(None, max_length=20)


class MemberCreateIn(Schema):
    mode: Literal["enrol", "apply"] = Field(
        "enrol", description="enrol: an existing member enters the roll; apply: an application"
    )
    unit_id: int = Field(description="The union, or a branch or group of it")
    on: date = Field(description="Join date (enrol) or application date (apply)")
    person: PersonIn
    member_no: str = Field("", max_length=30, description="Empty: the next number of the union")
    employment_type: EmploymentTypeIn = "permanent"
    work_status: WorkStatusIn = "working"
    post: str = Field("", max_length=60)
    department: str = Field("", max_length=60)
    is_model_worker: bool = False
    is_in_hardship: bool = Field(
        False, description="Only those who may open the union's hardship files may set it"
    )
    is_survivor: bool = False
    note: str = Field("", max_length=200)


class MemberUpdateIn(Schema):
    """Only the fields sent are changed; null clears the ID number, birth or join date."""

    name: str | None = Field(None, min_length=1, max_length=50)
    gender: GenderIn | None = None
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=30)
    ethnicity: str | None = Field(None, max_length=20)
    political_status: str | None = Field(None, max_length=20)
    education: str | None = Field(None, max_length=20)
    member_no: str | None = Field(None, max_length=30)
    employment_type: EmploymentTypeIn | None = None
    work_status: WorkStatusIn | None = None
    post: str | None = Field(None, max_length=60)
    department: str | None = Field(None, max_length=60)
    is_model_worker: bool | None = None
    is_in_hardship: bool | None = Field(
        None, description="Only those who may open the union's hardship files may change it"
    )
    is_survivor: bool | None = None
    joined_on: date | None = None
    note: str | None = Field(None, max_length=200)


# ---- lifecycle steps: "on" defaults to today ---------------------------------------------


class StepIn(Schema):
    on: date | None = None


class ApproveIn(StepIn):
    member_no: str = Field("", max_length=30)


class ReasonStepIn(StepIn):
    reason: str = Field(min_length=1, max_length=200)


class NoteStepIn(StepIn):
    note: str = Field("", max_length=200)


class MoveIn(StepIn):
    to_unit_id: int


class TransferOutIn(NoteStepIn):
    to_union_id: int | None = Field(None, description="The receiving union, when in the system")


class TransferInIn(NoteStepIn):
    id_number: str = Field(min_length=1, max_length=30, description="From the transfer letter")
    unit_id: int = Field(description="The receiving union, or a branch or group of it")


# ---- statistics ------------------------------------------------------------------------


class CountOut(Schema):
    key: str
    label: str
    count: int


class UnionCountOut(Schema):
    unit: UnitRef
    members: int
    women: int
    staff_count: int | None
    enrolment_rate: float | None


class StatisticsOut(Schema):
    """Aggregates over the unit's subtree (members.stats, the dashboard's figures).
    ``by_status`` counts every membership row; everything else counts active members (在册)."""

    unit: UnitRef
    on: date
    active: int
    women: int
    retired: int
    young: int = Field(description="Under 35")
    model_workers: int
    joined_this_year: int
    by_status: list[CountOut]
    by_group: list[CountOut] = Field(description="Per direct child unit")
    by_gender: list[CountOut]
    by_age_band: list[CountOut]
    by_employment_type: list[CountOut]
    staff_count: int | None = Field(description="Staff of the unions with a known staff count")
    enrolment_rate: float | None = Field(description="Active members / staff, 0..1")
    unions: list[UnionCountOut] = Field(description="Each union of the subtree")
