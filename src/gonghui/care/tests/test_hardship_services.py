"""Hardship-file services: each write, its refusals and audit rows; the read log; re-check
reminders (reads, task and command); counts for upper unions; the demo seed."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gonghui.care import hardship, hardship_tasks
from gonghui.care.models import AidRecord, CarePayment, HardshipFile, HardshipReview
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.core.services import committee_term_start, position_assign
from gonghui.members.models import Member
from gonghui.testing.factories import MemberFactory, PersonFactory

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def committee_person(world):
    """A sitting member of the school's union committee: may be paired with a household."""
    term = committee_term_start(
        actor=None, union=world.school, kind="union", number=1, starts_on=date(2024, 1, 1)
    )
    person = PersonFactory(name="周老师")
    position_assign(
        actor=None, term=term, person=person, position="member", starts_on=date(2024, 1, 1)
    )
    return person


def open_file(actor, member, **kw) -> HardshipFile:
    data = {
        "tier": "relative",
        "primary_cause": "illness",
        "secondary_causes": ["schooling"],
        "household_size": 3,
        "household_income_monthly": Decimal("3000"),
        "hardship_costs_monthly": Decimal("1200"),
        "local_min_income_line": Decimal("760"),
        "needs": "医药费",
        "measures": "春节慰问",
        "opened_on": date(2026, 1, 10),
    }
    data.update(kw)
    return hardship.hardship_file_open(actor=actor, member=member, **data)


def _audit(action: str, obj) -> AuditEvent | None:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).first()


# ---- opening a file ------------------------------------------------------------------------


def test_it_opens_a_numbered_file_with_its_first_recheck_in_november(world):
    # when
    f = open_file(world.chair, world.member_a)
    # then
    assert f.file_no == "KN-2026-001"
    assert f.status == HardshipFile.Status.ACTIVE
    assert f.next_review_on == date(2026, 11, 1)
    assert f.union == world.school
    assert f.secondary_causes == ["schooling"]
    assert f.household_income_monthly == Decimal("3000.00")
    event = _audit("care.hardship_open", f)
    assert event is not None and event.actor == world.chair and event.unit == world.school
    assert event.object_repr == "KN-2026-001"  # never the member's name
    assert "李芳" not in event.object_repr


def test_it_marks_the_member_as_in_hardship_on_the_roster(world):
    open_file(world.chair, world.member_a)
    assert Member.objects.get(pk=world.member_a.pk).is_in_hardship is True


def test_it_numbers_files_in_sequence_within_a_union_and_year(world):
    a = open_file(world.chair, world.member_a)
    b = open_file(world.chair, world.member_b)
    c = open_file(world.other_chair, world.outsider)
    assert (a.file_no, b.file_no, c.file_no) == ("KN-2026-001", "KN-2026-002", "KN-2026-001")


def test_it_refuses_a_second_active_file_for_a_member(world):
    open_file(world.chair, world.member_a)
    with pytest.raises(DomainError) as e:
        open_file(world.chair, world.member_a)
    assert e.value.code == "hardship.file_exists" and e.value.field == "member"
    assert HardshipFile.objects.filter(member=world.member_a).count() == 1


def test_it_opens_a_new_file_after_the_old_one_was_closed(world):
    old = open_file(world.chair, world.member_a)
    hardship.hardship_exit(actor=world.chair, file=old, exited_on=TODAY, reason="再就业")
    new = open_file(world.chair, world.member_a, opened_on=TODAY)
    assert new.file_no == "KN-2026-002"
    assert Member.objects.get(pk=world.member_a.pk).is_in_hardship is True


@pytest.mark.parametrize(
    "primary, secondary",
    [
        ("illness", ["illness"]),
        ("illness", ["schooling", "schooling"]),
        ("illness", ["schooling", "disaster", "accident", "other"]),
        ("illness", ["no_such_cause"]),
        ("", []),
        ("bogus", []),
    ],
)
def test_it_refuses_bad_causes(world, primary, secondary):
    with pytest.raises(DomainError) as e:
        open_file(world.chair, world.member_a, primary_cause=primary, secondary_causes=secondary)
    assert e.value.field in ("primary_cause", "secondary_causes")
    assert not HardshipFile.objects.exists()


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"tier": "poor"}, "tier"),
        ({"household_size": 0}, "household_size"),
        ({"household_income_monthly": Decimal("-1")}, "household_income_monthly"),
        ({"opened_on": date(2026, 7, 1)}, "opened_on"),
    ],
)
def test_it_refuses_bad_figures_naming_the_field(world, kw, field):
    with pytest.raises(DomainError) as e:
        open_file(world.chair, world.member_a, **kw)
    assert e.value.field == field
    assert e.value.message


@pytest.mark.parametrize("persona", ["cadre", "group_leader", "member", "auditor", "admin"])
def test_it_refuses_people_who_do_not_keep_hardship_files(world, persona):
    with pytest.raises(DomainError) as e:
        open_file(world.personas()[persona], world.member_a)
    assert e.value.code == "hardship.forbidden"
    assert not HardshipFile.objects.exists()


def test_it_refuses_another_unions_chair(world):
    with pytest.raises(DomainError):
        open_file(world.other_chair, world.member_a)


def test_it_refuses_the_upper_union_officer(world):
    with pytest.raises(DomainError):
        open_file(world.upper_officer, world.member_a)


def test_it_lets_a_named_care_officer_keep_files(world, care_officer):
    f = open_file(care_officer, world.member_a)
    assert _audit("care.hardship_open", f).actor == care_officer


def test_it_refuses_a_member_who_is_not_active(world):
    gone = MemberFactory(union=world.school, status="left")
    with pytest.raises(DomainError) as e:
        open_file(world.chair, gone)
    assert e.value.code == "hardship.member_inactive"


# ---- pairing -------------------------------------------------------------------------------


def test_it_pairs_a_household_with_a_committee_member(world, committee_person):
    f = open_file(world.chair, world.member_a, pair_cadre=committee_person)
    assert f.pair_cadre == committee_person
    f = hardship.hardship_pair(actor=world.chair, file=f, cadre=None)
    assert f.pair_cadre is None
    event = _audit("care.hardship_pair", f)
    assert event.before == {"pair_cadre_id": committee_person.pk}


def test_it_refuses_pairing_with_someone_outside_the_unions_cadres(world):
    stranger = PersonFactory(name="路人")
    with pytest.raises(DomainError) as e:
        open_file(world.chair, world.member_a, pair_cadre=stranger)
    assert e.value.field == "pair_cadre"


def test_it_accepts_a_cadre_user_of_the_union_as_pair(world):
    cadre_person = PersonFactory(name="吴干事")
    world.cadre.person = cadre_person
    world.cadre.save()
    assert cadre_person in hardship.pairing_candidates(world.school)
    assert cadre_person not in hardship.pairing_candidates(world.factory_union)


# ---- updating, family ------------------------------------------------------------------------


def test_it_updates_figures_and_audits_before_and_after(world):
    f = open_file(world.chair, world.member_a)
    f = hardship.hardship_file_update(
        actor=world.chair, file=f, tier="deep", household_income_monthly=Decimal("2000")
    )
    assert f.tier == "deep" and f.household_income_monthly == Decimal("2000.00")
    event = _audit("care.hardship_update", f)
    assert event.before == {"tier": "relative", "household_income_monthly": "3000.00"}
    assert event.after == {"tier": "deep", "household_income_monthly": "2000.00"}


def test_it_refuses_changes_to_a_closed_file(world):
    f = open_file(world.chair, world.member_a)
    hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="就业")
    with pytest.raises(DomainError) as e:
        hardship.hardship_file_update(actor=world.chair, file=f, tier="deep")
    assert e.value.code == "hardship.closed"


def test_it_refuses_an_update_by_a_cadre(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError):
        hardship.hardship_file_update(actor=world.cadre, file=f, tier="deep")
    assert HardshipFile.objects.get(pk=f.pk).tier == "relative"


def test_it_adds_updates_and_archives_family_members_without_deleting(world):
    f = open_file(world.chair, world.member_a)
    p = hardship.family_member_add(
        actor=world.chair, file=f, name="张伟", relation="配偶", income_monthly="1500"
    )
    p = hardship.family_member_update(actor=world.chair, family_member=p, health="慢性病")
    assert p.health == "慢性病" and p.income_monthly == Decimal("1500.00")
    with pytest.raises(DomainError) as e:
        hardship.family_member_archive(actor=world.chair, family_member=p, reason=" ")
    assert e.value.field == "reason"
    p = hardship.family_member_archive(actor=world.chair, family_member=p, reason="迁出")
    assert p.archived_at is not None and p.archive_reason == "迁出"
    assert f.family.count() == 1
    for action in ("add", "update", "archive"):
        assert _audit(f"care.hardship_family_{action}", p) is not None
    with pytest.raises(DomainError):
        hardship.family_member_update(actor=world.chair, family_member=p, health="好转")


def test_it_refuses_a_family_member_without_name_or_relation(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError) as e:
        hardship.family_member_add(actor=world.chair, file=f, name="", relation="子")
    assert e.value.field == "name"
    with pytest.raises(DomainError) as e:
        hardship.family_member_add(actor=world.chair, file=f, name="张一", relation="")
    assert e.value.field == "relation"


# ---- re-checks and exit ----------------------------------------------------------------------


def test_it_records_a_recheck_and_moves_the_next_one_to_november(world):
    f = open_file(world.chair, world.member_a, opened_on=date(2025, 1, 10))
    r = hardship.hardship_review(
        actor=world.chair,
        file=f,
        reviewed_on=date(2025, 11, 5),
        outcome="continue",
        income=Decimal("3100"),
    )
    f.refresh_from_db()
    assert (r.tier_before, r.tier_after) == ("relative", "relative")
    assert f.next_review_on == date(2026, 11, 1)
    assert f.household_income_monthly == Decimal("3100.00")
    assert _audit("care.hardship_review", f).after["next_review_on"] == "2026-11-01"


def test_it_changes_the_tier_on_a_retier_recheck(world):
    f = open_file(world.chair, world.member_a)

    def retier_to_deep() -> None:
        hardship.hardship_review(
            actor=world.chair,
            file=f,
            reviewed_on=TODAY,
            outcome="retier",
            tier_after="deep",
            income=Decimal("1800"),
        )

    retier_to_deep()
    f.refresh_from_db()
    assert f.tier == "deep"
    with pytest.raises(DomainError) as e:
        retier_to_deep()  # to the tier it has already
    assert e.value.field == "tier_after"


def test_it_closes_the_file_on_an_exit_recheck_and_keeps_the_reviews(world):
    f = open_file(world.chair, world.member_a)
    hardship.hardship_review(
        actor=world.chair, file=f, reviewed_on=date(2026, 3, 1), outcome="continue", income=3000
    )
    with pytest.raises(DomainError) as e:
        hardship.hardship_review(
            actor=world.chair, file=f, reviewed_on=TODAY, outcome="exit", income=8000
        )
    assert e.value.field == "note"
    hardship.hardship_review(
        actor=world.chair, file=f, reviewed_on=TODAY, outcome="exit", income=8000, note="就业"
    )
    f.refresh_from_db()
    assert f.status == "exited" and f.exited_on == TODAY and f.exit_reason == "就业"
    assert HardshipReview.objects.filter(file=f).count() == 2
    assert Member.objects.get(pk=world.member_a.pk).is_in_hardship is False
    assert _audit("care.hardship_exit", f) is not None


def test_it_refuses_a_recheck_dated_before_the_file(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError) as e:
        hardship.hardship_review(
            actor=world.chair, file=f, reviewed_on=date(2025, 1, 1), outcome="continue", income=1
        )
    assert e.value.field == "reviewed_on"


def test_it_exits_a_file_with_a_reason(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError) as e:
        hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="")
    assert e.value.field == "reason"
    f = hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="子女工作")
    assert f.status == "exited"
    with pytest.raises(DomainError):
        hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="again")


# ---- aid -------------------------------------------------------------------------------------


def test_it_posts_money_aid_to_the_care_ledger(world, committee_person):
    f = open_file(world.chair, world.member_a)
    aid = hardship.aid_record(
        actor=world.chair,
        file=f,
        kind="medical",
        given_on=date(2026, 3, 2),
        amount="2000",
        description="住院",
        responsible=committee_person,
    )
    p = aid.payment
    assert p is not None
    assert (p.cap_item, p.source, p.source_id) == ("hardship", CarePayment.Source.AID, aid.pk)
    assert p.amount == Decimal("2000.00") and p.member == world.member_a
    assert p.responsible == committee_person
    assert _audit("care.hardship_aid", aid) is not None


def test_it_records_education_aid_with_the_student_and_college(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError) as e:
        hardship.aid_record(
            actor=world.chair, file=f, kind="education", given_on=TODAY, amount=5000
        )
    assert e.value.field == "student_name"
    with pytest.raises(DomainError) as e:
        hardship.aid_record(
            actor=world.chair,
            file=f,
            kind="education",
            given_on=TODAY,
            amount=5000,
            student_name="张小雨",
        )
    assert e.value.field == "student_school"
    aid = hardship.aid_record(
        actor=world.chair,
        file=f,
        kind="education",
        given_on=TODAY,
        amount=5000,
        student_name="张小雨",
        student_school="安徽大学",
    )
    assert (aid.student_name, aid.student_school) == ("张小雨", "安徽大学")


def test_it_records_a_referral_without_money_and_without_a_payment(world):
    f = open_file(world.chair, world.member_a)
    aid = hardship.aid_record(actor=world.chair, file=f, kind="legal", given_on=TODAY)
    assert aid.payment is None and aid.amount == Decimal("0.00")
    with pytest.raises(DomainError) as e:
        hardship.aid_record(actor=world.chair, file=f, kind="daily", given_on=TODAY, amount=0)
    assert e.value.field == "amount"
    assert not CarePayment.objects.exists()


def test_it_refuses_aid_by_a_cadre_or_on_a_closed_file(world):
    f = open_file(world.chair, world.member_a)
    with pytest.raises(DomainError):
        hardship.aid_record(actor=world.cadre, file=f, kind="daily", given_on=TODAY, amount=100)
    hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="就业")
    with pytest.raises(DomainError):
        hardship.aid_record(actor=world.chair, file=f, kind="daily", given_on=TODAY, amount=100)
    assert not AidRecord.objects.exists()


# ---- reads and the read log ------------------------------------------------------------------


def test_it_logs_a_read_and_shows_it_to_the_chair_only(world, care_officer):
    f = open_file(world.chair, world.member_a)
    hardship.log_read(actor=care_officer, file=f, context="detail page")
    events = list(hardship.read_events(world.chair))
    assert [(e.actor, e.object_id, e.action) for e in events] == [
        (care_officer, str(f.pk), "care.hardship_read")
    ]
    assert not hardship.read_events(care_officer).exists()
    assert not hardship.read_events(world.admin).exists()
    assert not hardship.read_events(world.other_chair).exists()


def test_it_scopes_visible_files_to_the_keepers_union(world, care_officer):
    mine = open_file(world.chair, world.member_a)
    theirs = open_file(world.other_chair, world.outsider)
    assert list(hardship.files_visible(world.chair)) == [mine]
    assert list(hardship.files_visible(care_officer)) == [mine]
    assert list(hardship.files_visible(world.other_chair)) == [theirs]
    for persona in ("cadre", "group_leader", "member", "upper_officer", "auditor", "admin"):
        assert not hardship.files_visible(world.personas()[persona]).exists(), persona


def test_it_gives_a_member_their_own_newest_file(world):
    old = open_file(world.chair, world.member_a, opened_on=date(2025, 1, 5))
    hardship.hardship_exit(actor=world.chair, file=old, exited_on=date(2025, 6, 1), reason="x")
    new = open_file(world.chair, world.member_a)
    member, file = hardship.my_file(world.member)
    assert member == world.member_a and file == new
    assert hardship.my_file(world.chair) == (None, None)


# ---- re-checks due, the task and the command -------------------------------------------------


def test_it_lists_files_due_for_recheck(world):
    due = open_file(world.chair, world.member_a, opened_on=date(2025, 1, 5))  # due 2025-11-01
    later = open_file(world.chair, world.member_b)  # due 2026-11-01
    assert hardship.hardship_reviews_due(world.school, TODAY) == [due]
    assert hardship.hardship_reviews_due(world.county, TODAY) == [due]
    assert hardship.hardship_reviews_due(world.factory_union, TODAY) == []
    assert set(hardship.hardship_reviews_due(world.school, date(2026, 11, 1))) == {due, later}


def test_it_lists_in_november_every_file_not_rechecked_this_year(world):
    f = open_file(world.chair, world.member_a)
    # a re-check in spring moves next_review_on to November 2026: still due in the survey
    hardship.hardship_review(
        actor=world.chair, file=f, reviewed_on=date(2026, 3, 1), outcome="continue", income=3000
    )
    f.refresh_from_db()
    assert f.next_review_on == date(2026, 11, 1)
    # given a file whose date was pushed past November by hand-picked data
    HardshipFile.objects.filter(pk=f.pk).update(next_review_on=date(2027, 11, 1))
    assert hardship.hardship_reviews_due(world.school, date(2026, 10, 31)) == []
    assert hardship.hardship_reviews_due(world.school, date(2026, 11, 2)) == []  # checked in 2026
    HardshipReview.objects.filter(file=f).update(reviewed_on=date(2025, 12, 1))
    assert hardship.hardship_reviews_due(world.school, date(2026, 11, 2)) == [f]


def test_it_leaves_closed_files_out_of_the_reminders(world):
    f = open_file(world.chair, world.member_a, opened_on=date(2025, 1, 5))
    hardship.hardship_exit(actor=world.chair, file=f, exited_on=TODAY, reason="就业")
    assert hardship.hardship_reviews_due(world.school, TODAY) == []


def test_it_records_a_reminder_job_with_counts_per_union(world):
    open_file(world.chair, world.member_a, opened_on=date(2025, 1, 5))
    open_file(world.other_chair, world.outsider, opened_on=date(2025, 2, 5))
    open_file(world.chair, world.member_b)
    job_id = hardship_tasks.hardship_remind_task.enqueue(TODAY.isoformat()).return_value
    from gonghui.core.models import BackgroundJob

    job = BackgroundJob.objects.get(pk=job_id)
    assert job.kind == "hardship_remind" and job.status == "done"
    assert sorted((r["code"], r["due"]) for r in job.result["unions"]) == [("FAC", 1), ("SCH", 1)]
    assert "李芳" not in str(job.result) and "李芳" not in job.message


def test_it_prints_rechecks_due_from_the_command(world):
    f = open_file(world.chair, world.member_a, opened_on=date(2025, 1, 5))
    out = StringIO()
    call_command("hardship", "remind", "--date", "2026-06-15", stdout=out)
    assert "第一中学工会 (SCH): 1 re-checks due" in out.getvalue()
    out = StringIO()
    call_command("hardship", "remind", "--date", "2026-06-15", "--union", "SCH", stdout=out)
    assert f.file_no in out.getvalue() and "李芳" not in out.getvalue()


# ---- counts for upper unions -----------------------------------------------------------------


def test_it_counts_files_by_tier_and_cause_per_union_for_the_upper_union(world):
    a = open_file(world.chair, world.member_a, tier="deep")
    open_file(world.chair, world.member_b, primary_cause="disaster", secondary_causes=[])
    open_file(world.other_chair, world.outsider)
    hardship.aid_record(actor=world.chair, file=a, kind="daily", given_on=TODAY, amount="300")
    rows = {r.union.code: r for r in hardship.hardship_counts(world.upper_officer, year=2026)}
    assert set(rows) == {"SCH", "FAC"}
    school = rows["SCH"]
    assert school.active == 2 and school.by_tier == {"deep": 1, "relative": 1}
    assert school.by_cause == {"illness": 1, "disaster": 1}
    assert school.aid_amount == Decimal("300.00") and school.aid_count == 1
    assert rows["FAC"].active == 1 and rows["FAC"].aid_amount == Decimal("0.00")
    assert hardship.hardship_counts(world.upper_officer, year=2025)[0].aid_count == 0


@pytest.mark.parametrize(
    "persona, unions",
    [
        ("chair", {"SCH"}),
        ("other_chair", {"FAC"}),
        ("upper_officer", {"SCH", "FAC"}),
        ("cadre", set()),
        ("group_leader", set()),
        ("member", set()),
        ("auditor", set()),
        ("admin", set()),
    ],
)
def test_it_lets_only_upper_unions_and_keepers_count(world, persona, unions):
    got = {u.code for u in hardship.counted_unions(world.personas()[persona])}
    assert got == unions


# ---- the demo ----------------------------------------------------------------------------------


def test_it_seeds_demo_files_in_every_tier_with_history(world, committee_person):
    members = [MemberFactory(union=world.school, unit=world.group_a) for _ in range(8)]
    from gonghui.demo.care_hardship_demo import seed_hardship

    # when
    seed_hardship(
        union=world.school,
        members=members,
        chair=world.chair,
        today=date(2026, 6, 1),
        rng=random.Random(7),
    )
    # then
    files = HardshipFile.objects.filter(union=world.school)
    assert files.count() == 6
    assert set(files.values_list("tier", flat=True)) == {"deep", "relative", "accident"}
    assert files.values("primary_cause").distinct().count() >= 5
    assert files.filter(status="exited").count() == 1
    assert HardshipReview.objects.filter(file__union=world.school).count() >= 6
    edu = AidRecord.objects.filter(kind="education", file__union=world.school).first()
    assert edu is not None and edu.student_name and "大学" in edu.student_school
    assert AidRecord.objects.filter(kind__in=["legal", "min_income"]).exists()
    assert files.filter(family__isnull=False).distinct().count() == 6
    assert all(f.file_no.startswith("KN-20") for f in files)
    assert AuditEvent.objects.filter(action="care.hardship_open").count() == 6
