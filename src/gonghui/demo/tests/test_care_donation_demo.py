"""The demo drives and insurance years, made through the services."""

from __future__ import annotations

import random
from datetime import date

import pytest
import time_machine

from gonghui.care import donations, insurance
from gonghui.care.models import CarePayment
from gonghui.care.models.donations import DonationDrive, InsuranceClaim, InsurancePlan
from gonghui.demo.care_donation_demo import seed_donations_and_insurance
from gonghui.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@time_machine.travel(TODAY, tick=False)
def test_it_builds_drives_and_two_insurance_years(world):
    members = [world.member_a, world.member_b] + [
        MemberFactory(union=world.school, unit=world.group_a) for _ in range(28)
    ]
    seed_donations_and_insurance(
        union=world.school, members=members, actor=world.chair, today=TODAY, rng=random.Random(3)
    )
    drives = list(DonationDrive.objects.filter(union=world.school).order_by("starts_on"))
    assert [d.starts_on.year for d in drives] == [2025, 2026]
    assert all(d.status == "closed" for d in drives)
    flood, illness = (donations.drive_totals(d) for d in drives)
    assert flood.balance == 0 and flood.collected > 8200
    assert {s.source for s in flood.by_source} == {"staff", "party_members", "union_funds", "other"}
    assert illness.balance == 0
    # the colleague's money went through the care ledger
    paid = CarePayment.objects.filter(source="donation")
    assert paid.count() == 2 and sum(p.amount for p in paid) == illness.given_out
    plans = InsurancePlan.objects.filter(union=world.school)
    assert sorted(set(plans.values_list("year", flat=True))) == [2025, 2026]
    assert plans.count() == 8
    for p in plans:
        assert insurance.plan_figures(p).rate >= 95
    states = set(InsuranceClaim.objects.values_list("status", flat=True))
    assert states == {"submitted", "approved", "rejected", "paid"}
    assert insurance.claim_totals(world.school, 2025).claims == 4
    assert all(c.submitted_on <= TODAY for c in InsuranceClaim.objects.all())


@time_machine.travel(TODAY, tick=False)
def test_it_is_deterministic(world):
    def run(union):
        ms = [MemberFactory(union=union) for _ in range(12)]
        seed_donations_and_insurance(
            union=union, members=ms, actor=None, today=TODAY, rng=random.Random(8)
        )
        return [
            str(donations.drive_totals(d).collected)
            for d in DonationDrive.objects.filter(union=union).order_by("id")
        ]

    assert run(world.school) == run(world.factory_union)
