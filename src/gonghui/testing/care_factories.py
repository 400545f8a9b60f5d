"""factory_boy factories for care records. Pass the member (and union) in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from gonghui.care.models import (
    CarePayment,
    EventKind,
    HardshipCause,
    HardshipFile,
    HardshipTier,
    LifeEvent,
)


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent

    member = None  # required: pass member=
    union = factory.LazyAttribute(lambda o: o.member.union)
    kind = EventKind.HOSPITAL
    occurred_on = date(2026, 11, 20)


class CarePaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarePayment

    member = None  # required: pass member=
    union = factory.LazyAttribute(lambda o: o.member.union)
    cap_item = "festival"
    paid_on = date(2026, 9, 20)
    year = factory.LazyAttribute(lambda o: o.paid_on.year)
    cash = Decimal("0.00")
    gift_value = Decimal("200.00")
    amount = factory.LazyAttribute(lambda o: o.cash + o.gift_value)
    source = CarePayment.Source.DISTRIBUTION
    # Far from the ids real distributions get in a test, so a factory payment is never
    # taken for a line of the distribution under test.
    source_id = factory.Sequence(lambda n: 900_000_000 + n)


class HardshipFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardshipFile

    member = None  # required: pass member=
    union = factory.LazyAttribute(lambda o: o.member.union)
    tier = HardshipTier.RELATIVE
    primary_cause = HardshipCause.ILLNESS
    household_size = 3
    household_income_monthly = Decimal("3000.00")
    hardship_costs_monthly = Decimal("1200.00")
    local_min_income_line = Decimal("760.00")
    opened_on = date(2026, 1, 10)
    next_review_on = date(2026, 11, 1)
