"""API for the caller's own notification inbox (/notifications).

Every caller has an inbox and reaches only their own notices; no role is needed. An id of
another user's notice answers 404, exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from . import notifications
from .api_common import user_of
from .models import Notification
from .schemas import ERRORS, UnitRef

router = Router()

MAX_IDS = 500


class NotificationOut(Schema):
    id: int
    kind: str = Field(description='What the notice is about, e.g. "care.visit_due"')
    title: str
    body: str
    url: str = Field(description="A path on this site to open, or empty")
    unit: UnitRef | None
    created_at: datetime
    read_at: datetime | None
    read: bool


class NotificationPage(Schema):
    total: int
    unread: int = Field(description="All unread notices of the caller, whatever the filter")
    limit: int
    offset: int
    items: list[NotificationOut]


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only the notices not read yet")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class NotificationReadIn(Schema):
    """Either ``ids`` (the caller's notices to mark read) or ``all: true``."""

    ids: list[int] | None = Field(None, min_length=1, max_length=MAX_IDS)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if self.all == (self.ids is not None):
            raise ValueError(_("Send either the ids of the notices or all: true."))
        return self


class NotificationReadOut(Schema):
    marked: int = Field(description="Notices marked read now (already read ones not counted)")
    unread: int = Field(description="Unread notices left")


def notification_out(n: Notification) -> NotificationOut:
    unit = n.unit
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        url=n.url if notifications.is_local_path(n.url) else "",
        unit=UnitRef(id=unit.pk, name=unit.name, kind=unit.kind) if unit else None,
        created_at=n.created_at,
        read_at=n.read_at,
        read=n.read_at is not None,
    )


@router.get(
    "",
    response={200: NotificationPage, **ERRORS},
    summary="The caller's notices, newest first",
)
@router.get("/", response={200: NotificationPage, **ERRORS}, include_in_schema=False)
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> NotificationPage:
    user = user_of(request)
    qs = notifications.inbox(user)
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    window = qs[filters.offset : filters.offset + filters.limit]
    return NotificationPage(
        total=qs.count(),
        unread=notifications.unread_count(user),
        limit=filters.limit,
        offset=filters.offset,
        items=[notification_out(n) for n in window],
    )


@router.post(
    "/read",
    response={200: NotificationReadOut, **ERRORS},
    summary="Mark the caller's notices read: some by id, or all",
)
def notification_read(request: HttpRequest, payload: NotificationReadIn) -> NotificationReadOut:
    user = user_of(request)
    ids = None
    if payload.ids is not None:
        ids = set(payload.ids)
        own = set(notifications.inbox(user).filter(pk__in=ids).values_list("pk", flat=True))
        if own != ids:
            # Another user's id looks exactly like a missing one; nothing is marked.
            raise Http404("ids")
    marked = notifications.mark_read(user, ids)
    return NotificationReadOut(marked=marked, unread=notifications.unread_count(user))
