"""Typed request and response bodies of the core API (org units, committees) and the one
error shape every endpoint answers with."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from .models import CommitteeKind, CommitteePosition, PositionKind, UnitKind

UnitKindIn = Literal["federation", "sector", "joint", "grassroots", "branch", "group"]
CommitteeKindIn = Literal["union", "funds_audit", "women", "mediation", "labour_law"]
PositionKindIn = Literal["chair", "vice_chair", "standing", "member"]
PositionSourceIn = Literal["elected", "by_election", "appointed"]

assert set(UnitKindIn.__args__) == set(UnitKind.values)  # type: ignore[attr-defined]
assert set(CommitteeKindIn.__args__) == set(CommitteeKind.values)  # type: ignore[attr-defined]
assert set(PositionKindIn.__args__) == set(PositionKind.values)  # type: ignore[attr-defined]
assert set(PositionSourceIn.__args__) == set(  # type: ignore[attr-defined]
    CommitteePosition.Source.values
)


class ErrorOut(Schema):
    """Every refusal: ``code`` is stable for programs, ``message`` is for people (in the
    request's language), ``field`` names the input at fault when there is one."""

    code: str
    message: str
    field: str | None = None


# Documented on every operation; the handlers in core/api.py produce these bodies.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    kind_label: str
    parent_id: int | None
    path: str
    depth: int
    is_affiliated: bool
    staff_count: int | None
    sort_order: int
    established_on: date | None
    address: str
    archived: bool


class UnitPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[UnitOut]


class UnitDetailOut(UnitOut):
    ancestors: list[UnitRef]
    children: list[UnitRef]
    can_manage: bool


class TreeNodeOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    children: list[TreeNodeOut]


TreeNodeOut.model_rebuild()


class UnitCreateIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    code: str = Field(min_length=1, max_length=40)
    kind: UnitKindIn
    parent_id: int | None = None
    short_name: str = Field("", max_length=60)
    staff_count: int | None = Field(None, ge=0)
    is_affiliated: bool = False
    sort_order: int = Field(0, ge=0)


class UnitUpdateIn(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=120)
    short_name: str | None = Field(None, max_length=60)
    staff_count: int | None = Field(None, ge=0)
    is_affiliated: bool | None = None
    sort_order: int | None = Field(None, ge=0)
    address: str | None = Field(None, max_length=200)


class UnitMoveIn(Schema):
    parent_id: int


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class PositionOut(Schema):
    id: int
    person_id: int
    person_name: str
    position: str
    position_label: str
    source: str
    starts_on: date
    ends_on: date | None
    end_reason: str


class TermOut(Schema):
    id: int
    committee_id: int
    number: int
    starts_on: date
    planned_end_on: date
    ended_on: date | None
    note: str
    is_current: bool


class TermDetailOut(TermOut):
    union: UnitRef
    kind: str
    positions: list[PositionOut]


class CommitteeOut(Schema):
    id: int
    kind: str
    kind_label: str
    terms: list[TermOut]
    current_term_id: int | None
    current_positions: list[PositionOut]


class TermStartIn(Schema):
    unit_id: int
    kind: CommitteeKindIn
    number: int = Field(ge=1)
    starts_on: date
    years: int = 5
    note: str = Field("", max_length=200)


class PositionAssignIn(Schema):
    person_id: int
    position: PositionKindIn
    starts_on: date
    source: PositionSourceIn = "elected"


class PositionEndIn(Schema):
    ends_on: date
    reason: str = Field(min_length=1, max_length=100)
