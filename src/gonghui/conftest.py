"""Shared personas for every test: a small union world and one user per role.

World: 县总工会 (federation) → 县教育工会 (sector) → 第一中学工会 (grassroots, with two
groups) and 红星机械厂工会 (another grassroots union, for "other union" refusals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, settings

from gonghui.core.models import OrgUnit, Role, User
from gonghui.core.services import role_grant
from gonghui.members.models import Member
from gonghui.testing.factories import MemberFactory, PersonFactory, UserFactory, make_unit

# The suite runs on a shared 2-core machine (and in CI twice): a slow example is not a bug,
# so no per-example deadline; the number of examples stays hypothesis's default.
settings.register_profile("gonghui", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gonghui")


@dataclass
class World:
    county: OrgUnit
    edu: OrgUnit
    school: OrgUnit
    group_a: OrgUnit
    group_b: OrgUnit
    factory_union: OrgUnit
    workshop: OrgUnit
    member_a: Member  # in group A of the school, linked to the member user
    member_b: Member  # in group B of the school
    outsider: Member  # in the factory union
    chair: User
    cadre: User
    group_leader: User  # leads group A
    member: User
    other_chair: User  # chair of the factory union
    upper_officer: User  # county federation, aggregates only
    auditor: User
    admin: User

    def personas(self) -> dict[str, User]:
        return {
            "chair": self.chair,
            "cadre": self.cadre,
            "group_leader": self.group_leader,
            "member": self.member,
            "other_chair": self.other_chair,
            "upper_officer": self.upper_officer,
            "auditor": self.auditor,
            "admin": self.admin,
        }


def _user(username: str, role: str | None, unit: OrgUnit | None, **kw) -> User:
    user = UserFactory(username=username, display_name=username)
    if role and unit:
        role_grant(actor=None, user=user, role=role, unit=unit, **kw)
    return user


@pytest.fixture
def world(db) -> World:
    county = make_unit("县总工会", "federation", code="FED")
    edu = make_unit("县教育工会", "sector", county, code="EDU")
    school = make_unit("第一中学工会", "grassroots", edu, code="SCH", staff_count=120)
    group_a = make_unit("语文教研组", "group", school, code="SCH-A")
    group_b = make_unit("数学教研组", "group", school, code="SCH-B")
    factory_union = make_unit("红星机械厂工会", "grassroots", county, code="FAC", staff_count=300)
    workshop = make_unit("一车间", "group", factory_union, code="FAC-1")
    # Fixed people, so filters by gender and age give the same answer under any test order.
    member_a = MemberFactory(
        union=school,
        unit=group_a,
        person=PersonFactory(name="李芳", gender="F", birth_date=date(1980, 5, 12)),
    )
    member_b = MemberFactory(
        union=school,
        unit=group_b,
        person=PersonFactory(name="王强", gender="M", birth_date=date(1975, 3, 8)),
    )
    outsider = MemberFactory(
        union=factory_union,
        unit=workshop,
        person=PersonFactory(name="赵敏", gender="F", birth_date=date(1990, 7, 1)),
    )
    member_user = _user("member", Role.MEMBER, school)
    member_user.person = member_a.person
    member_user.save()
    return World(
        county=county,
        edu=edu,
        school=school,
        group_a=group_a,
        group_b=group_b,
        factory_union=factory_union,
        workshop=workshop,
        member_a=member_a,
        member_b=member_b,
        outsider=outsider,
        chair=_user("chair", Role.CHAIR, school),
        cadre=_user("cadre", Role.CADRE, school),
        group_leader=_user("leader", Role.GROUP_LEADER, group_a),
        member=member_user,
        other_chair=_user("other_chair", Role.CHAIR, factory_union),
        upper_officer=_user("upper", Role.UPPER_OFFICER, county),
        auditor=_user("auditor", Role.AUDITOR, school),
        admin=_user("admin", Role.ADMIN, county),
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Row locks and concurrent writers behave as production only on PostgreSQL.
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (row locks, concurrency)")


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    # Uploads land under MEDIA_ROOT; parallel workers must not see each other's files
    # (tests check that a refused upload leaves nothing behind).
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counts and throttles live in the cache; a test must not meet another test's entries.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # argon2 is the product's hasher; tests use MD5 for speed except where they check it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
