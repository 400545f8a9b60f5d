"""The import's foreign keys checked per table (importing/integrity.py, decision 0012): the
rows it writes with PostgreSQL's row triggers off are held to the same rule, and the same
locks, as the triggers would have held them to."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.models import Person
from gonghui.members.importing import WRITTEN_TABLES
from gonghui.members.importing.integrity import (
    foreign_keys_checked_per_table,
    row_triggers_may_be_skipped,
)
from gonghui.members.models import Member
from gonghui.testing.factories import MemberFactory, PersonFactory

postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="row triggers: PostgreSQL")


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


def new_member(world, **fields) -> Member:
    fields.setdefault("person", PersonFactory())
    fields.setdefault("unit", world.school)
    return Member.objects.create(union=world.school, member_no=uuid.uuid4().hex[:12], **fields)


@postgres
@pytest.mark.django_db
def test_the_triggers_are_off_while_the_import_writes_and_on_again_after(world):
    with transaction.atomic(), foreign_keys_checked_per_table(WRITTEN_TABLES):
        assert replication_role() == "replica"
        new_member(world)
    assert replication_role() == "origin"


@postgres
@pytest.mark.django_db
def test_a_member_of_a_person_who_does_not_exist_is_refused(world):
    with (
        pytest.raises(IntegrityError, match="person_id=987654321"),
        transaction.atomic(),
        foreign_keys_checked_per_table(WRITTEN_TABLES),
    ):
        # the insert itself goes through: no trigger checks it...
        new_member(world, person=None, person_id=987654321)
    # ...the check after does, and the whole write is undone
    assert not Member.objects.filter(person_id=987654321).exists()
    assert replication_role() == "origin"


@postgres
@pytest.mark.django_db
def test_an_updated_member_moved_to_a_unit_that_does_not_exist_is_refused(world):
    member = MemberFactory(union=world.school)
    with (
        pytest.raises(IntegrityError, match="unit_id=987654321"),
        transaction.atomic(),
        foreign_keys_checked_per_table(WRITTEN_TABLES) as written,
    ):
        Member.objects.filter(pk=member.pk).update(unit_id=987654321)
        written.updated(Member, [member.pk])
    member.refresh_from_db()
    assert member.unit_id == world.school.pk


@postgres
@pytest.mark.django_db
def test_a_failed_statement_inside_comes_out_as_itself(world):
    # given a person, and an insert of another with the same ID number while the triggers
    # are off (unique constraints are indexes, not triggers: they still hold)
    person = PersonFactory()
    with (
        pytest.raises(IntegrityError, match="person_id_number_unique"),
        transaction.atomic(),
        foreign_keys_checked_per_table(WRITTEN_TABLES),
    ):
        PersonFactory(id_number=person.id_number)
    # then the transaction's own error, not one from switching the triggers back on in a
    # failed transaction; and the savepoint's rollback switched them on
    assert replication_role() == "origin"


@postgres
@pytest.mark.django_db
def test_rows_that_refer_to_existing_rows_pass(world):
    person = PersonFactory()
    with transaction.atomic(), foreign_keys_checked_per_table(WRITTEN_TABLES):
        member = new_member(world, person=person, unit=world.group_a)
    assert Member.objects.get(pk=member.pk).person_id == person.pk


@postgres
@pytest.mark.django_db
def test_the_triggers_stay_on_when_a_table_has_a_trigger_of_its_own(world):
    assert row_triggers_may_be_skipped(WRITTEN_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION gonghui_test_noop() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER gonghui_test_noop BEFORE INSERT ON members_member"
            " FOR EACH ROW EXECUTE FUNCTION gonghui_test_noop()"
        )
    # (a trigger of anyone's would be skipped with the foreign keys' own: so no skipping)
    assert not row_triggers_may_be_skipped(WRITTEN_TABLES)
    with transaction.atomic(), foreign_keys_checked_per_table(WRITTEN_TABLES):
        assert replication_role() == "origin"


@postgres
@pytest.mark.django_db
def test_the_triggers_stay_on_for_a_role_that_may_not_turn_them_off(world):
    role = f"gonghui_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")  # rolled back with the test's transaction
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        assert not row_triggers_may_be_skipped(WRITTEN_TABLES)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgres
@pytest.mark.django_db
def test_a_plain_role_with_the_grant_may_turn_them_off(world):
    # the operator guide's GRANT, to a role that is not a superuser
    if connection.pg_version < 150000:
        pytest.skip("parameter privileges came with PostgreSQL 15")
    role = f"gonghui_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")  # rolled back with the test's transaction
        cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        assert row_triggers_may_be_skipped(WRITTEN_TABLES)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        assert replication_role() == "replica"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_person_an_import_refers_to_cannot_be_deleted_until_it_commits(world):
    # given a person who exists before the import
    person = PersonFactory(birth_date=date(1980, 5, 1))
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    try:
        with transaction.atomic():
            # when an import makes them a member, with the row triggers off
            with foreign_keys_checked_per_table(WRITTEN_TABLES):
                new_member(world, person=person)
            # then, as the trigger's lock would, the check's lock keeps anyone else from
            # deleting the person before the import commits
            other.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("DELETE FROM core_person WHERE id = %s", [person.pk])
    finally:
        other.close()
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_on_sqlite_nothing_changes(world):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's own case")
    assert not row_triggers_may_be_skipped(WRITTEN_TABLES)
    with transaction.atomic(), foreign_keys_checked_per_table(WRITTEN_TABLES) as written:
        written.updated(Member, [1])  # nothing is tracked
        new_member(world)
