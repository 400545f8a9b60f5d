"""Behaviour under concurrent requests, where PostgreSQL is the database that must be right.

Two cadres approving applications of the same union at the same moment must not hand out the
same member number: ``_activate`` locks the union row before reading the highest number.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from gonghui.members import services
from gonghui.members.models import Member, MemberStatus
from gonghui.testing.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def test_it_numbers_members_uniquely_when_approved_at_the_same_moment(world):
    # given eight pending applications in one union
    applicants = [
        Member.objects.create(
            person=PersonFactory(),
            union=world.school,
            unit=world.group_a,
            status=MemberStatus.APPLIED,
            applied_on=date(2026, 3, 1),
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(applicants))
    errors: list[BaseException] = []

    def approve(member: Member) -> None:
        try:
            barrier.wait(timeout=10)
            services.member_approve(actor=world.chair, member=member, on=date(2026, 3, 2))
        except BaseException as e:  # reported to the test thread below
            errors.append(e)
        finally:
            connections.close_all()

    # when they are approved by concurrent requests
    threads = [threading.Thread(target=approve, args=(m,)) for m in applicants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    # then every approval succeeded with its own number
    assert errors == []
    numbers = list(
        Member.objects.filter(pk__in=[m.pk for m in applicants]).values_list("member_no", flat=True)
    )
    assert len(set(numbers)) == 8
    assert all(n.startswith("SCH-") for n in numbers)


def test_every_member_service_that_locks_a_row_runs_in_its_own_transaction(world):
    # given: no surrounding transaction (as in a view: ATOMIC_REQUESTS is off), where
    # PostgreSQL refuses SELECT ... FOR UPDATE
    member = world.member_a
    # when: the general edit, which locks the member row, is called
    services.member_update(actor=world.chair, member=member, post="年级组长")
    # then
    member.refresh_from_db()
    assert member.post == "年级组长"
