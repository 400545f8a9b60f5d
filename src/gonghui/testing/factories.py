"""factory_boy factories shared by every app's tests (and usable by benchmarks)."""

from __future__ import annotations

import itertools
from datetime import date

import factory

from gonghui.core import rules
from gonghui.core.models import OrgUnit, Person, User
from gonghui.members.models import Member, MemberStatus


def valid_id_number(birth: date, seq: int, gender: str = "F", region: str = "110105") -> str:
    """A resident ID number with a correct check digit (for tests and demo data only)."""
    gender_digit = (seq % 5) * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq % 100:02d}{gender_digit}"
    return first17 + rules.id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pass-Word-123")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{'伟芳娜敏静丽强磊军洋'[n % 10]}{n}")
    gender = factory.Sequence(lambda n: "F" if n % 2 else "M")
    birth_date = factory.Sequence(lambda n: date(1965 + n % 35, 1 + n % 12, 1 + n % 28))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: valid_id_number(o.birth_date, n, o.gender, region=f"{110000 + n // 100:06d}")
    )
    phone = factory.Sequence(lambda n: f"139{n:08d}")


_unit_codes = itertools.count(1)


def make_unit(name: str, kind: str, parent: OrgUnit | None = None, code: str = "", **kw) -> OrgUnit:
    """Create a unit through the service so its path is right."""
    from gonghui.core.services import unit_create

    return unit_create(
        actor=None,
        name=name,
        code=code or f"U{next(_unit_codes):06d}",
        kind=kind,
        parent=parent,
        **kw,
    )


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    person = factory.SubFactory(PersonFactory)
    union = None  # required: pass union=
    unit = factory.LazyAttribute(lambda o: o.union)
    status = MemberStatus.ACTIVE
    joined_on = date(2020, 9, 1)
    member_no = factory.Sequence(lambda n: f"M{n:06d}")
