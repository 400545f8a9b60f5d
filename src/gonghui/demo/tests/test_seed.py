"""The seed: the demo world runs on an empty database and holds every shape the pages need;
``--members N`` adds bulk unions of the same shape; two runs give the same people.

``gonghui seed --members 2000`` (the demo world plus bulk unions) is built once for the
module, inside a transaction rolled back at the end, because it takes a few seconds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import RequestFactory, override_settings

from gonghui.core import rules
from gonghui.core.models import (
    AuditEvent,
    Committee,
    CommitteePosition,
    LegalPersonRegistration,
    OrgUnit,
    Person,
    Role,
    UnitKind,
)
from gonghui.demo.large import seed_large
from gonghui.demo.logins import DEMO_LOGINS, logins_table
from gonghui.demo.people import Folk
from gonghui.demo.seed import DemoWorld
from gonghui.members.models import (
    EmploymentType,
    Member,
    MembershipEvent,
    MemberStatus,
    ProfileChangeRequest,
)

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# One worker builds the data set once for the whole module.
pytestmark = pytest.mark.xdist_group("demo_seed")


@dataclass
class Seeded:
    world: DemoWorld
    roll: list[tuple[str, str | None, str]]  # every member's name, ID number, number


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Seeded]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        world = seed_large(members=2000)
        yield Seeded(world, roll())
        transaction.set_rollback(True)


def roll() -> list[tuple[str, str | None, str]]:
    return list(
        Member.objects.order_by("person__id_number").values_list(
            "person__name", "person__id_number", "member_no"
        )
    )


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_it_builds_the_county_tree(demo, db):
    fed = unit("QSX")
    edu = unit("QSX-JY")
    assert (fed.name, fed.kind, fed.parent_id) == ("青山县总工会", UnitKind.FEDERATION, None)
    assert (edu.name, edu.kind, edu.parent_id) == ("青山县教育工会", UnitKind.SECTOR_UNION, fed.pk)
    for code in ("QSX-JY-ZX", "QSX-JY-YZ"):
        assert unit(code).parent_id == edu.pk
        assert unit(code).kind == UnitKind.GRASSROOTS_UNION
    assert unit("QSX-QSJX").name == "青山机械有限公司工会"
    assert unit("QSX-QSJX").path.startswith(fed.path)


def test_it_gives_the_central_school_three_branch_schools_with_groups(demo, db):
    center = unit("QSX-JY-ZX")
    branches = OrgUnit.objects.filter(parent=center, kind=UnitKind.BRANCH_UNION)
    assert sorted(b.name for b in branches) == [
        "东岭完小分工会",
        "柳溪完小分工会",
        "石桥完小分工会",
    ]
    for b in branches:
        groups = OrgUnit.objects.filter(parent=b, kind=UnitKind.UNION_GROUP)
        assert groups.count() >= 2
        assert Member.objects.filter(unit__in=groups, status=MemberStatus.ACTIVE).exists()


def test_it_gives_the_middle_school_twelve_groups(demo, db):
    groups = OrgUnit.objects.filter(parent=unit("QSX-JY-YZ"), kind=UnitKind.UNION_GROUP)
    names = set(groups.values_list("name", flat=True))
    assert len(names) == 12
    assert {"语文教研组", "数学教研组", "高三年级组", "行政后勤组", "离退休教工组"} <= names
    for g in groups:
        assert Member.objects.filter(unit=g, status=MemberStatus.ACTIVE).exists(), g.name


def test_it_gives_the_enterprise_workshops_and_every_employment_type(demo, db):
    factory = unit("QSX-QSJX")
    teams = OrgUnit.objects.filter(path__startswith=factory.path, kind=UnitKind.UNION_GROUP)
    assert teams.filter(name__startswith="一车间").count() == 2
    types = set(
        Member.objects.filter(union=factory, status=MemberStatus.ACTIVE).values_list(
            "employment_type", flat=True
        )
    )
    assert {
        EmploymentType.SEASONAL,
        EmploymentType.DISPATCHED,
        EmploymentType.MIGRANT,
        EmploymentType.CONTRACT,
    } <= types


def test_it_sets_realistic_enrolment_rates(demo, db):
    for code in ("QSX-JY-ZX", "QSX-JY-YZ", "QSX-QSJX"):
        u = unit(code)
        active = Member.objects.filter(union=u, status=MemberStatus.ACTIVE).count()
        assert u.staff_count
        assert 0.95 <= active / u.staff_count <= 1.0, code


def test_it_has_members_in_every_status_and_kind(demo, db):
    members = Member.objects.filter(union__code__startswith="QSX")  # the demo world
    assert 400 < members.count() < 500
    assert set(members.values_list("status", flat=True)) == set(MemberStatus.values)
    assert members.filter(status=MemberStatus.DECEASED).count() == 1
    assert members.filter(work_status="retired", status=MemberStatus.ACTIVE).count() >= 20
    assert members.filter(is_model_worker=True).exists()
    assert members.filter(is_in_hardship=True).exists()
    assert members.filter(is_survivor=True).exists()
    assert members.filter(person__gender="F").exists()


def test_it_gives_people_valid_id_numbers_and_phones(demo, db):
    for p in Person.objects.all():
        check = rules.check_id_number(p.id_number, today=date(2026, 11, 1))
        assert check.ok, (p.name, p.id_number, check.reason)
        assert (check.birth_date, check.gender) == (p.birth_date, p.gender)
        assert rules.normalise_phone(p.phone)[1]
        assert 2 <= len(p.name) <= 3


def test_it_records_three_years_of_history(demo, db):
    for year in (2024, 2025, 2026):
        kinds = set(MembershipEvent.objects.filter(on__year=year).values_list("kind", flat=True))
        assert {"applied", "approved"} <= kinds, year
    kinds = set(MembershipEvent.objects.values_list("kind", flat=True))
    assert {
        "transferred_out",
        "transferred_in",
        "retired",
        "left",
        "died",
        "rejected",
        "moved",
        "reinstated",
    } <= kinds
    transferred = MembershipEvent.objects.filter(kind="transferred_in").select_related("member")
    assert {e.member.union.code for e in transferred} == {"QSX-JY-ZX", "QSX-JY-YZ"}
    assert not MembershipEvent.objects.filter(on__gt=date(2026, 11, 1)).exists()


def test_it_leaves_applications_and_change_requests_pending(demo, db):
    assert Member.objects.filter(status=MemberStatus.APPLIED).count() >= 3
    assert ProfileChangeRequest.objects.filter(status="pending").count() == 2
    assert ProfileChangeRequest.objects.filter(status="approved").count() == 1


def test_it_builds_committee_terms_with_history(demo, db):
    committee = Committee.objects.get(union__code="QSX-JY-YZ", kind="union")
    t8, t7 = committee.terms.order_by("-number")
    assert (t8.number, t7.number) == (8, 7)
    assert t7.ended_on == t8.starts_on and t8.ended_on is None
    assert t8.positions.filter(position="chair", ends_on__isnull=True).count() == 1
    assert t8.positions.filter(position="vice_chair").count() == 2
    assert t8.positions.filter(source=CommitteePosition.Source.BY_ELECTION).count() == 1
    assert t8.positions.exclude(ends_on=None).count() == 1
    kinds = set(Committee.objects.filter(union__code="QSX-JY-YZ").values_list("kind", flat=True))
    assert {"union", "funds_audit", "women"} <= kinds
    regs = LegalPersonRegistration.objects.filter(union__code="QSX-JY-YZ")
    assert regs.count() == 2 and regs.first().change_note


def test_it_creates_one_login_per_role_that_can_log_in(demo, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    roles = set()
    for d in DEMO_LOGINS:
        user = demo.world.users[d.username]
        assert user.grants.filter(role=d.role, unit__code=d.unit_code).exists()
        request = RequestFactory().post("/login/")
        logged_in = authenticate(request, username=d.username, password=d.password)
        assert logged_in == user, d.username
        roles.add(d.role)
    assert roles == set(Role.values)
    assert demo.world.users["member"].person_id == demo.world.people["member"].person_id
    assert demo.world.users["factory"].grants.get().unit.code == "QSX-QSJX"


def test_it_prints_the_demo_logins(demo, db, capsys):
    _table, count = logins_table()
    assert count == len(DEMO_LOGINS)
    call_command("demo_logins", skip_checks=True)
    out = capsys.readouterr().out
    assert "chair-demo" in out and "青山县第一中学工会" in out


def test_it_refuses_to_seed_over_existing_data(demo, db, capsys):
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed", skip_checks=True)
    call_command("seed", "--if-empty", skip_checks=True)
    assert "not loaded" in capsys.readouterr().out


def test_it_makes_the_same_people_from_the_same_seed():
    def people(seed: int) -> list[tuple[str, str]]:
        folk = Folk(random.Random(seed))
        return [
            (p["name"], p["id_number"]) for p in (folk.person(date(2026, 11, 1)) for _ in range(50))
        ]

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_it_adds_bulk_unions_of_the_same_shape(demo, db):
    assert Member.objects.count() == 2000
    bulk = Member.objects.filter(union__code__startswith="B")
    assert bulk.count() > 1000
    unions = OrgUnit.objects.filter(code__startswith="B", kind=UnitKind.GRASSROOTS_UNION)
    assert unions.count() >= 1
    for u in unions:
        groups = OrgUnit.objects.filter(path__startswith=u.path, kind=UnitKind.UNION_GROUP)
        assert groups.count() == 12
        active = Member.objects.filter(union=u, status=MemberStatus.ACTIVE).count()
        assert u.staff_count and 0.95 <= active / u.staff_count <= 1.01
    per_member = (
        MembershipEvent.objects.filter(member__in=bulk).values("member").annotate(n=Count("id"))
    )
    assert {r["n"] for r in per_member} == {1}
    assert set(bulk.values_list("status", flat=True)) >= {
        MemberStatus.ACTIVE,
        MemberStatus.APPLIED,
        MemberStatus.LEFT,
    }
    assert AuditEvent.objects.filter(action="seed.large").count() == 1


def test_it_makes_the_same_data_when_run_again(demo, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    try:
        # when it runs again from an empty database (--reset flushes it). PostgreSQL refuses
        # to TRUNCATE tables with deferred foreign-key checks pending, so run them now.
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("seed", "--members", "2000", "--reset", skip_checks=True)
        # then the same people come out, with the same numbers
        assert roll() == demo.roll
    finally:
        # The flush re-created content types that the test's rollback removes again.
        ContentType.objects.clear_cache()


def test_it_refuses_fewer_members_than_the_demo_has(demo, db):
    with pytest.raises(CommandError, match="at least"):
        call_command("seed", "--members", "10", "--reset", skip_checks=True)
