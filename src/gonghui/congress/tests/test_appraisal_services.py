"""Appraisal services: define, open, rate once online, enter paper forms, close, results;
and the refusals (not a rater, twice, a subject missing, closed, paper counts too high)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from gonghui.congress import appraisal as svc
from gonghui.congress.models.appraisal import (
    Appraisal,
    AppraisalRating,
    AppraisalReceipt,
    AppraisalSubject,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, User
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 5)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@dataclass
class Setup:
    appraisal: Appraisal
    subjects: list[AppraisalSubject]
    raters: list[User]


def build(world, *, raters: int = 3, leaders: int = 2, open_it: bool = True) -> Setup:
    """A December appraisal of ``leaders`` leaders by the ``raters`` delegates of a term."""
    term = CongressTermFactory(congress=CongressFactory(union=world.school))
    delegation = DelegationFactory(term=term)
    users = []
    for i in range(raters):
        d = DelegateFactory(delegation=delegation)
        users.append(UserFactory(username=f"rater{i}", person=d.person))
    a = svc.appraisal_create(
        actor=world.chair,
        union=world.school,
        title="2025年度中层干部民主测评",
        year=2025,
        rater_base="delegates",
        term=term,
        opens_on=date(2025, 12, 1),
        closes_on=date(2025, 12, 10),
    )
    subjects = [
        svc.subject_add(
            actor=world.chair,
            appraisal=a,
            person=MemberFactory(union=world.school).person,
            post=f"副校长{i}",
        )
        for i in range(leaders)
    ]
    if open_it:
        a = svc.appraisal_open(actor=world.chair, appraisal=a)
    return Setup(a, subjects, users)


def test_it_defines_an_appraisal_with_the_default_scale_and_audits_it(world):
    s = build(world, open_it=False)
    assert s.appraisal.labels == ["优秀", "称职", "基本称职", "不称职"]
    assert s.appraisal.weights == [100, 80, 60, 0]
    assert s.appraisal.status == "draft"
    assert AuditEvent.objects.filter(action="congress.appraisal_create").count() == 1
    assert AuditEvent.objects.filter(action="congress.appraisal_subject_add").count() == 2


def test_it_refuses_a_definition_by_a_member_or_with_a_bad_scale(world):
    with pytest.raises(DomainError) as e:
        svc.appraisal_create(
            actor=world.member,
            union=world.school,
            title="x",
            year=2025,
            rater_base="members",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert e.value.code == "forbidden"
    with pytest.raises(DomainError) as e:
        svc.appraisal_create(
            actor=world.chair,
            union=world.school,
            title="x",
            year=2025,
            rater_base="members",
            scale=[{"label": "好", "weight": 100}, {"label": "好", "weight": 0}],
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert e.value.code == "appraisal.scale_duplicate_label" and e.value.field == "scale"
    with pytest.raises(DomainError) as e:
        svc.appraisal_create(
            actor=world.chair,
            union=world.school,
            title="x",
            year=2025,
            rater_base="delegates",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert e.value.field == "term"


def test_it_opens_with_the_number_of_eligible_raters_and_freezes_subjects(world):
    s = build(world, raters=3)
    assert s.appraisal.status == "open" and s.appraisal.eligible_count == 3
    with pytest.raises(DomainError) as e:
        svc.subject_remove(actor=world.chair, subject=s.subjects[0])
    assert e.value.code == "appraisal.not_draft"


def test_it_refuses_to_open_without_subjects(world):
    s = build(world, leaders=0, open_it=False)
    with pytest.raises(DomainError) as e:
        svc.appraisal_open(actor=world.chair, appraisal=s.appraisal)
    assert e.value.code == "appraisal.no_subjects"


def test_it_removes_a_subject_of_a_draft(world):
    s = build(world, open_it=False)
    svc.subject_remove(actor=world.cadre, subject=s.subjects[0])
    assert list(s.appraisal.subjects.all()) == [s.subjects[1]]


def test_it_records_a_rating_as_a_receipt_and_anonymous_rating_rows(world):
    s = build(world)
    a, b = s.subjects
    svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades={a.pk: 0, b.pk: 1})
    assert AppraisalReceipt.objects.filter(appraisal=s.appraisal).count() == 1
    assert AppraisalRating.objects.filter(appraisal=s.appraisal).count() == 2
    event = AuditEvent.objects.get(action="congress.appraisal_rate")
    assert event.after == {"appraisal_id": s.appraisal.pk}  # who, never how
    assert svc.has_rated(s.raters[0], s.appraisal)


def test_it_stores_no_rater_and_no_time_on_a_rating_row():
    names = {f.name for f in AppraisalRating._meta.get_fields()}
    assert names == {"id", "appraisal", "subject", "grade"}
    assert AppraisalRating._meta.pk.get_internal_type() == "UUIDField"


def test_it_refuses_a_second_submission(world):
    s = build(world)
    grades = {x.pk: 1 for x in s.subjects}
    svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades=grades)
    with pytest.raises(DomainError) as e:
        svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades=grades)
    assert e.value.code == "appraisal.already_rated"
    assert AppraisalRating.objects.count() == 2


def test_it_refuses_someone_who_is_not_a_rater(world):
    s = build(world)
    with pytest.raises(DomainError) as e:
        svc.rating_submit(
            user=world.member, appraisal=s.appraisal, grades={x.pk: 0 for x in s.subjects}
        )
    assert e.value.code == "appraisal.not_rater"
    assert not AppraisalReceipt.objects.exists()


def test_it_refuses_a_submission_with_a_subject_missing_or_a_bad_grade(world):
    s = build(world)
    a, b = s.subjects
    with pytest.raises(DomainError) as e:
        svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades={a.pk: 0})
    assert e.value.code == "appraisal.missing_subject"
    with pytest.raises(DomainError) as e:
        svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades={a.pk: 0, b.pk: 9})
    assert e.value.code == "appraisal.bad_grade"
    assert not AppraisalReceipt.objects.exists() and not AppraisalRating.objects.exists()


def test_it_refuses_ratings_after_closing_and_before_opening(world):
    s = build(world)
    grades = {x.pk: 0 for x in s.subjects}
    svc.appraisal_close(actor=world.chair, appraisal=s.appraisal)
    with pytest.raises(DomainError) as e:
        svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades=grades)
    assert e.value.code == "appraisal.closed"
    draft = build(world, open_it=False)
    with pytest.raises(DomainError) as e:
        svc.rating_submit(user=s.raters[1], appraisal=draft.appraisal, grades=grades)
    assert e.value.code in ("appraisal.not_open", "appraisal.not_rater")


def test_it_refuses_ratings_after_the_closing_date(world):
    s = build(world)
    with time_machine.travel(date(2025, 12, 11), tick=False), pytest.raises(DomainError) as e:
        svc.rating_submit(
            user=s.raters[0], appraisal=s.appraisal, grades={x.pk: 0 for x in s.subjects}
        )
    assert e.value.code == "appraisal.closed"


def test_it_lets_all_active_members_rate_when_members_are_the_raters(world):
    a = svc.appraisal_create(
        actor=world.cadre,
        union=world.school,
        title="全员测评",
        year=2025,
        rater_base="members",
        opens_on=TODAY,
        closes_on=TODAY,
    )
    subject = svc.subject_add(
        actor=world.cadre, appraisal=a, person=world.member_b.person, post="工会主席"
    )
    svc.appraisal_open(actor=world.cadre, appraisal=a)
    svc.rating_submit(user=world.member, appraisal=a, grades={subject.pk: 0})
    assert [t.appraisal for t in svc.tasks_for(world.member, TODAY)] == [a]
    assert svc.tasks_for(world.member, TODAY)[0].done
    with pytest.raises(DomainError):
        svc.rating_submit(user=world.other_chair, appraisal=a, grades={subject.pk: 0})


def test_it_enters_paper_forms_and_refuses_counts_above_the_forms(world):
    s = build(world)
    a, b = s.subjects
    with pytest.raises(DomainError) as e:
        svc.paper_enter(
            actor=world.cadre,
            appraisal=s.appraisal,
            forms=5,
            counts={a.pk: [3, 2, 1, 0], b.pk: [5, 0, 0, 0]},
        )
    assert e.value.code == "appraisal.paper_too_many"
    assert a.person.name in e.value.message
    batch = svc.paper_enter(
        actor=world.cadre,
        appraisal=s.appraisal,
        forms=5,
        counts={a.pk: [3, 2, 0, 0], b.pk: [1, 3, 0, 1]},
    )
    assert batch.forms_count == 5
    assert AuditEvent.objects.filter(action="congress.appraisal_paper").count() == 1
    with pytest.raises(DomainError) as e:
        svc.paper_enter(actor=world.member, appraisal=s.appraisal, forms=1, counts={})
    assert e.value.code == "forbidden"


def test_it_combines_online_and_paper_in_the_results(world):
    # given 3 online raters and 5 paper forms of 10 eligible delegates
    s = build(world, raters=10)
    a, b = s.subjects
    for user, ga, gb in [(s.raters[0], 0, 1), (s.raters[1], 0, 2), (s.raters[2], 1, 3)]:
        svc.rating_submit(user=user, appraisal=s.appraisal, grades={a.pk: ga, b.pk: gb})
    svc.paper_enter(
        actor=world.cadre,
        appraisal=s.appraisal,
        forms=5,
        counts={a.pk: [3, 2, 0, 0], b.pk: [1, 3, 0, 1]},
    )
    svc.appraisal_close(actor=world.chair, appraisal=s.appraisal)
    # when
    r = svc.results(s.appraisal)
    # then
    row_a, row_b = r.rows
    assert row_a.online == [2, 1, 0, 0] and row_a.paper == [3, 2, 0, 0]
    assert row_a.counts == [5, 3, 0, 0] and row_a.total == 8
    assert row_a.shares == [Decimal("62.5"), Decimal("37.5"), 0, 0]
    assert row_a.score == Decimal("92.50")  # (500 + 240) / 8
    assert row_b.counts == [1, 4, 1, 2]
    assert row_b.score == Decimal("60.00")  # (100 + 320 + 60) / 8
    assert (row_a.rank, row_b.rank) == (1, 2)
    assert r.receipts == 3 and r.paper_forms == 5
    assert r.participation.rate == Decimal("80.0")
    assert r.ratings_match
    assert r.chart()["series"][0] == {"name": "优秀", "data": [62.5, 12.5]}


def test_it_closes_only_an_open_appraisal(world):
    s = build(world)
    svc.appraisal_close(actor=world.chair, appraisal=s.appraisal)
    with pytest.raises(DomainError) as e:
        svc.appraisal_close(actor=world.chair, appraisal=s.appraisal)
    assert e.value.code == "appraisal.not_open"
    assert AuditEvent.objects.filter(action="congress.appraisal_close").count() == 1


def test_it_shows_upper_unions_counts_only(world):
    s = build(world, raters=4)
    svc.rating_submit(user=s.raters[0], appraisal=s.appraisal, grades={x.pk: 0 for x in s.subjects})
    rows = {r.union: r for r in svc.overview(world.upper_officer, 2025)}
    school = rows[world.school]
    assert (school.appraisals, school.subjects) == (1, 2)
    assert school.participation.rate == Decimal("25.0")
    assert rows[world.factory_union].appraisals == 0


def test_it_publishes_results_of_a_closed_appraisal_once(world):
    s = build(world)
    with pytest.raises(DomainError) as e:
        svc.appraisal_publish(actor=world.chair, appraisal=s.appraisal)
    assert e.value.code == "appraisal.not_closed"
    svc.appraisal_close(actor=world.chair, appraisal=s.appraisal)
    with pytest.raises(DomainError) as e:
        svc.appraisal_publish(actor=world.member, appraisal=s.appraisal)
    assert e.value.code == "forbidden"
    a = svc.appraisal_publish(actor=world.cadre, appraisal=s.appraisal)
    assert a.published_at is not None
    assert list(svc.published_of(world.school)) == [a]
    with pytest.raises(DomainError) as e:
        svc.appraisal_publish(actor=world.chair, appraisal=s.appraisal)
    assert e.value.code == "appraisal.published"
    assert AuditEvent.objects.filter(action="congress.appraisal_publish").count() == 1
