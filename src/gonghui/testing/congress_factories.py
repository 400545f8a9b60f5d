"""factory_boy factories for congress records. Pass the union (and term/session) in."""

from __future__ import annotations

from datetime import date

import factory

from gonghui.congress.models import (
    AgendaItem,
    Congress,
    CongressKind,
    CongressSession,
    CongressTerm,
    Delegate,
    Delegation,
)

from .factories import PersonFactory


class CongressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Congress

    union = None  # required: pass union=
    kind = CongressKind.TEACHERS
    name = factory.LazyAttribute(lambda o: f"{o.union.name}教职工代表大会")


class CongressTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CongressTerm

    congress = factory.SubFactory(CongressFactory)
    number = factory.Sequence(lambda n: 8 + n)
    starts_on = date(2024, 3, 1)
    planned_end_on = date(2029, 2, 28)


class CongressSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CongressSession

    term = factory.SubFactory(CongressTermFactory)
    number = factory.Sequence(lambda n: 1 + n)
    title = factory.LazyAttribute(lambda o: f"第{o.term.number}届第{o.number}次教代会")
    held_on = date(2026, 12, 20)
    checkin_code = factory.Sequence(lambda n: f"{100000 + n:06d}")


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    term = factory.SubFactory(CongressTermFactory)
    name = factory.Sequence(lambda n: f"第{n + 1}代表团")
    seats = 10


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    delegation = factory.SubFactory(DelegationFactory)
    term = factory.LazyAttribute(lambda o: o.delegation.term)
    person = factory.SubFactory(PersonFactory)
    elected_on = date(2024, 3, 1)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(CongressSessionFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = AgendaItem.Kind.ADOPT
    title = factory.Sequence(lambda n: f"审议通过《绩效工资分配方案（第{n + 1}稿）》")
    vote_mode = AgendaItem.VoteMode.SECRET
