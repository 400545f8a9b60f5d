"""The demo inboxes: the chairs are told of the work that waits in their unions' records,
dated on the demo's day, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from gonghui.care import services as care
from gonghui.congress.tests.test_proposal_services import build, submitted
from gonghui.core.models import Notification
from gonghui.demo.notifications import seed_notifications
from gonghui.members.models import MemberStatus
from gonghui.testing.care_factories import HardshipFileFactory
from gonghui.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def _inbox(user) -> dict[str, Notification]:
    return {n.kind: n for n in Notification.objects.filter(recipient=user)}


def test_it_fills_the_chairs_inboxes_from_the_records(world):
    # given an overdue hospital visit, a hardship file due, a proposal awaiting review in
    # the school, and an application waiting in the factory union
    ten_days_ago = TODAY - timedelta(days=10)
    with time_machine.travel(ten_days_ago, tick=False):
        event = care.event_report(
            user=world.group_leader,
            member=world.member_a,
            kind="hospital",
            occurred_on=ten_days_ago,
        )
    HardshipFileFactory(member=world.member_b, next_review_on=date(2026, 11, 1))
    proposal = submitted(world, build(world))
    MemberFactory(union=world.factory_union, unit=world.workshop, status=MemberStatus.APPLIED)
    users = {"chair": world.chair, "factory": world.other_chair, "cadre": world.cadre}
    # when the demo notices are seeded, twice
    with time_machine.travel(TODAY, tick=False):
        total = seed_notifications(users=users, today=TODAY)
        assert seed_notifications(users=users, today=TODAY) == total
    # then the school's chair has the overdue visit and the re-check as today's reminders
    chair = _inbox(world.chair)
    assert {"care.visit_due", "care.hardship_recheck", "congress.proposal_review"} <= set(chair)
    due = chair["care.visit_due"]
    assert due.url.endswith(f"?task={event.task.pk}") and due.read_at is None
    assert timezone.localtime(due.created_at).date() == TODAY
    assert chair["congress.proposal_review"].url == f"/congress/proposals/{proposal.pk}/"
    assert proposal.title in chair["congress.proposal_review"].title
    # the cadre manages care too, and was told of the new task when it was reported
    cadre = _inbox(world.cadre)
    assert "care.visit_due" in cadre
    assert cadre["care.task_new"].read_at is not None
    assert "congress.proposal_review" not in cadre
    # the factory's chair hears of their own union only
    factory = _inbox(world.other_chair)
    assert set(factory) == {"members.approvals"}
    assert "入会申请 1 人" in factory["members.approvals"].title
    assert factory["members.approvals"].unit == world.factory_union
    # every notice is dated on or before the demo's day
    assert all(timezone.localtime(n.created_at).date() <= TODAY for n in Notification.objects.all())
