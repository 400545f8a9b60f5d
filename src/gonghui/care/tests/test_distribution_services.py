"""Distribution services: plan, build with cap checks, override, exclude, hand-out, close,
with their refusals and audit rows; and the demo distributions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.care import distributions as svc
from gonghui.care import rules
from gonghui.care.models import CarePayment, Distribution, DistributionLine
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, BackgroundJob
from gonghui.members.models import Member
from gonghui.testing.care_factories import CarePaymentFactory
from gonghui.testing.factories import MemberFactory, PersonFactory

MID_AUTUMN = date(2026, 9, 25)


def _audit(action: str, obj) -> AuditEvent | None:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).first()


def _plan(world, actor=None, **kw) -> Distribution:
    args = {
        "actor": actor or world.chair,
        "union": world.school,
        "title": "2026年中秋节慰问品",
        "kind": "festival",
        "cap_item": "festival",
        "given_on": MID_AUTUMN,
        "amount_per_person": Decimal("300"),
        "gift_description": "月饼、水果",
        "criteria": {"work_statuses": ["working"]},
    }
    args.update(kw)
    return svc.distribution_plan(**args)


def _built(world, actor=None, **kw) -> Distribution:
    d = _plan(world, **kw)
    svc.distribution_build(actor=actor or world.chair, distribution=d, run_now=True)
    d.refresh_from_db()
    return d


def _line(d: Distribution, member: Member) -> DistributionLine:
    return d.lines.select_related("distribution__union", "member__person").get(member=member)


def _near_cap(member: Member, spent: str = "1900.00") -> None:
    """Anhui's festival cap is ¥2,000 a year since 2021: ¥1,900 leaves room for ¥100."""
    CarePaymentFactory(member=member, gift_value=Decimal(spent), paid_on=date(2026, 2, 10))


# ---- plan ---------------------------------------------------------------------------------


def test_it_plans_a_draft_with_its_criteria_and_an_audit_row(world):
    d = _plan(world, criteria={"work_statuses": ["working"], "unit_ids": [world.group_a.pk]})
    assert d.status == Distribution.Status.DRAFT
    assert d.amount_per_person == Decimal("300.00")
    assert d.criteria["unit_ids"] == [world.group_a.pk]
    assert d.criteria["statuses"] == ["active"]
    assert _audit("care.distribution_plan", d).actor == world.chair


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"amount_per_person": Decimal("0")}, "amount_per_person"),
        ({"amount_per_person": "abc"}, "amount_per_person"),
        ({"gift_description": ""}, "gift_description"),
        ({"cap_item": "lottery"}, "cap_item"),
        ({"criteria": {"birth_month": 13}}, "birth_month"),
    ],
)
def test_it_refuses_a_bad_plan_naming_the_field(world, change, field):
    with pytest.raises(DomainError) as e:
        _plan(world, **change)
    assert e.value.field == field
    assert not Distribution.objects.exists()


def test_it_refuses_a_group_of_another_union(world):
    with pytest.raises(DomainError) as e:
        _plan(world, criteria={"unit_ids": [world.workshop.pk]})
    assert e.value.code == "bad_unit"
    assert "第一中学工会" in e.value.message


@pytest.mark.parametrize("persona", ["member", "group_leader", "other_chair", "upper_officer"])
def test_it_refuses_a_plan_by_someone_without_care_rights_there(world, persona):
    with pytest.raises(DomainError) as e:
        _plan(world, actor=world.personas()[persona])
    assert e.value.code == "forbidden"


# ---- build --------------------------------------------------------------------------------


def test_it_builds_the_list_through_the_task_with_progress(
    world, django_capture_on_commit_callbacks
):
    # given a planned Mid-Autumn distribution
    d = _plan(world)
    # when the build is started (the immediate task backend runs it after commit)
    with django_capture_on_commit_callbacks(execute=True):
        job = svc.distribution_build(actor=world.cadre, distribution=d)
    # then the job ran to the end and the list holds the school's two members only
    job.refresh_from_db()
    d.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert "2" in job.message
    assert d.status == Distribution.Status.READY
    assert set(d.lines.values_list("member_id", flat=True)) == {
        world.member_a.pk,
        world.member_b.pk,
    }
    assert (d.recipients_count, d.over_cap_count, d.total_amount) == (2, 0, Decimal("600.00"))
    assert _audit("care.distribution_build", d).after["recipients_count"] == 2


def test_it_flags_a_member_whose_gift_would_pass_the_cap(world):
    _near_cap(world.member_a)
    d = _built(world)
    line = _line(d, world.member_a)
    assert line.cap_state == DistributionLine.CapState.OVER
    assert line.cap_room == Decimal("100.00")
    assert _line(d, world.member_b).cap_state == DistributionLine.CapState.OK
    assert _line(d, world.member_b).cap_room == Decimal("2000.00")
    assert (d.recipients_count, d.over_cap_count, d.total_amount) == (2, 1, Decimal("300.00"))


def test_it_never_includes_another_unions_member(world):
    CarePaymentFactory(member=world.outsider, gift_value=Decimal("1990"))
    d = _built(world)
    assert not d.lines.filter(member=world.outsider).exists()
    assert not d.lines.filter(member__union=world.factory_union).exists()


def test_it_selects_exactly_the_members_the_rule_selects(world):
    # given members with every combination that the criteria look at
    people = []
    for i, (status, work, emp, unit, month, post) in enumerate(
        [
            ("active", "working", "permanent", world.group_a, 9, "语文教师"),
            ("active", "working", "contract", world.group_b, 9, "户外安保"),
            ("active", "retired", "permanent", world.group_a, 10, ""),
            ("left", "working", "permanent", world.group_a, 9, "语文教师"),
            ("active", "working", "dispatched", world.school, 2, "锅炉工"),
            ("transferred_out", "retired", "permanent", world.group_b, 9, ""),
            ("active", "working", "permanent", world.group_b, 2, "高温车间"),
        ]
    ):
        # the February ones are born on 29 February of a leap year
        birth = date(1976 if month == 2 else 1970 + i, month, 29 if month == 2 else 3)
        people.append(
            MemberFactory(
                union=world.school,
                unit=unit,
                status=status,
                work_status=work,
                employment_type=emp,
                post=post,
                person=PersonFactory(birth_date=birth),
            )
        )
    cases = [
        {"work_statuses": ["working"]},
        {"work_statuses": ["retired"]},
        {"employment_types": ["contract", "dispatched"]},
        {"unit_ids": [world.group_b.pk]},
        {"birth_month": 2},
        {"birth_month": 9, "unit_ids": [world.group_a.pk]},
        {"posts": ["户外", "高温", "锅炉"]},
        {"statuses": ["active", "left"], "work_statuses": ["working"]},
    ]
    members = list(Member.objects.filter(union=world.school).select_related("person", "unit"))
    for criteria in cases:
        # when a list is built from the criteria
        d = _built(world, criteria=criteria)
        # then it holds exactly the members the pure rule selects, and the counts agree
        c = rules.criteria_from_json(criteria)
        paths = tuple(u.path for u in (world.group_a, world.group_b) if u.pk in c.unit_ids)
        expected = {
            m.pk
            for m in members
            if rules.member_selected(
                rules.MemberFacts(
                    m.status,
                    m.work_status,
                    m.employment_type,
                    m.unit.path,
                    m.person.birth_date,
                    m.post,
                ),
                c,
                unit_paths=paths,
                year=2026,
            )
        }
        got = set(d.lines.values_list("member_id", flat=True))
        assert got == expected, criteria
        assert d.recipients_count == len(expected)


def test_it_rebuilds_a_list_before_anything_is_handed_out(world):
    d = _built(world)
    newcomer = MemberFactory(union=world.school, unit=world.group_b)
    svc.distribution_build(actor=world.chair, distribution=d, run_now=True)
    d.refresh_from_db()
    assert d.recipients_count == 3
    assert d.lines.filter(member=newcomer).exists()
    assert d.lines.count() == 3  # replaced, not added to


def test_it_refuses_to_rebuild_after_a_hand_out(world):
    d = _built(world)
    svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    with pytest.raises(DomainError) as e:
        svc.distribution_build(actor=world.chair, distribution=d, run_now=True)
    assert e.value.code == "handed_out"
    assert d.lines.count() == 2


def test_it_goes_back_to_draft_when_the_build_fails(world, monkeypatch):
    d = _plan(world)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc.rules, "plan_caps", boom)
    with pytest.raises(RuntimeError):
        svc.distribution_build(actor=world.chair, distribution=d, run_now=True)
    d.refresh_from_db()
    assert d.status == Distribution.Status.DRAFT
    assert d.job.status == BackgroundJob.Status.FAILED
    assert not d.lines.exists()
    assert _audit("care.distribution_build_failed", d) is not None


# ---- override and exclude -----------------------------------------------------------------


def test_it_refuses_an_override_by_a_cadre(world):
    _near_cap(world.member_a)
    d = _built(world)
    with pytest.raises(DomainError) as e:
        svc.line_override(actor=world.cadre, line=_line(d, world.member_a), reason="家庭困难")
    assert e.value.code == "forbidden"
    assert _line(d, world.member_a).cap_state == DistributionLine.CapState.OVER


def test_it_refuses_an_override_without_a_reason(world):
    _near_cap(world.member_a)
    d = _built(world)
    with pytest.raises(DomainError) as e:
        svc.line_override(actor=world.chair, line=_line(d, world.member_a), reason="  ")
    assert e.value.field == "reason"


def test_it_lets_the_chair_override_with_an_audited_reason(world):
    _near_cap(world.member_a)
    d = _built(world)
    line = svc.line_override(actor=world.chair, line=_line(d, world.member_a), reason="患病住院")
    d.refresh_from_db()
    assert line.cap_state == DistributionLine.CapState.OVERRIDDEN
    assert (d.over_cap_count, d.total_amount) == (0, Decimal("600.00"))
    event = _audit("care.distribution_override", line)
    assert event.actor == world.chair
    assert event.note == "患病住院"


def test_it_takes_a_person_off_the_list_with_a_reason(world):
    d = _built(world)
    line = svc.line_exclude(actor=world.cadre, line=_line(d, world.member_b), reason="长期病假")
    d.refresh_from_db()
    assert line.excluded_at is not None
    assert (d.recipients_count, d.total_amount) == (1, Decimal("300.00"))
    assert _audit("care.distribution_exclude", line).note == "长期病假"
    with pytest.raises(DomainError) as e:
        svc.handout_mark(actor=world.cadre, lines=[line], on=MID_AUTUMN)
    assert e.value.code == "excluded"


# ---- hand-out -----------------------------------------------------------------------------


def test_it_ticks_off_a_person_and_posts_the_gift_to_the_ledger(world):
    d = _built(world)
    [line] = svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    d.refresh_from_db()
    p = line.payment
    assert (p.cash, p.gift_value, p.amount) == (
        Decimal("0.00"),
        Decimal("300.00"),
        Decimal("300.00"),
    )
    assert (p.member, p.cap_item, p.year, p.source) == (
        world.member_b,
        "festival",
        2026,
        "distribution",
    )
    assert line.handed_out_by == world.cadre
    assert d.handed_out_count == 1
    assert _audit("care.distribution_handout", d).after["lines"] == [line.pk]


def test_it_refuses_an_over_cap_hand_out_and_changes_nothing(world):
    _near_cap(world.member_a)
    d = _built(world)
    lines = [_line(d, world.member_b), _line(d, world.member_a)]
    with pytest.raises(DomainError) as e:
        svc.handout_mark(actor=world.chair, lines=lines, on=MID_AUTUMN)
    assert e.value.code == "over_cap"
    assert "李芳" in e.value.message
    assert not d.lines.filter(handed_out_at__isnull=False).exists()
    assert CarePayment.objects.filter(source="distribution", source_id=d.pk).count() == 0


def test_it_hands_out_an_overridden_line_by_a_cadre_under_the_chairs_approval(world):
    _near_cap(world.member_a)
    d = _built(world)
    svc.line_override(actor=world.chair, line=_line(d, world.member_a), reason="患病住院")
    [line] = svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_a)], on=MID_AUTUMN)
    assert line.payment.override_reason == "患病住院"
    # the ledger records who handed it out and names the chair who approved it
    assert line.payment.recorded_by == world.cadre
    assert line.handed_out_by == world.cadre
    override = AuditEvent.objects.get(action="care.cap_override")
    assert override.actor == world.cadre and str(world.chair) in override.note


def test_it_checks_the_cap_again_at_hand_out(world):
    # given a list built while member B had nothing this year
    d = _built(world)
    # when B is given ¥1,800 of festival gifts elsewhere before the hand-out
    _near_cap(world.member_b, "1800.00")
    # then handing out B's ¥300 is refused by the ledger
    with pytest.raises(DomainError) as e:
        svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    assert e.value.code == "over_cap"
    assert "王强" in e.value.message


def test_it_refuses_to_tick_off_twice(world):
    d = _built(world)
    svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    with pytest.raises(DomainError) as e:
        svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    assert e.value.code == "handed_out"
    assert CarePayment.objects.filter(member=world.member_b).count() == 1


def test_it_refuses_a_hand_out_by_another_unions_chair(world):
    d = _built(world)
    with pytest.raises(DomainError) as e:
        svc.handout_mark(actor=world.other_chair, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    assert e.value.code == "forbidden"


# ---- close --------------------------------------------------------------------------------


def test_it_closes_and_then_refuses_ticks_and_rebuilds(world):
    d = _built(world)
    svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    closed = svc.distribution_close(actor=world.cadre, distribution=d)
    assert closed.status == Distribution.Status.CLOSED
    assert _audit("care.distribution_close", d).note == "未签领 1 人"
    with pytest.raises(DomainError):
        svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_a)], on=MID_AUTUMN)
    with pytest.raises(DomainError) as e:
        svc.distribution_build(actor=world.chair, distribution=closed, run_now=True)
    assert e.value.code == "closed"


# ---- reads --------------------------------------------------------------------------------


def test_it_counts_by_union_within_the_statistical_reach(world):
    d = _built(world)
    svc.handout_mark(actor=world.cadre, lines=[_line(d, world.member_b)], on=MID_AUTUMN)
    [row] = svc.counts_by_union(world.upper_officer, 2026)
    assert (row.name, row.distributions, row.recipients, row.handed_out, row.total) == (
        "第一中学工会",
        1,
        2,
        1,
        Decimal("600.00"),
    )
    assert svc.counts_by_union(world.other_chair, 2026) == []
    assert svc.counts_by_union(world.upper_officer, 2025) == []


def test_it_sums_groups_for_the_tick_all_buttons(world):
    _near_cap(world.member_a)
    d = _built(world)
    figures = {g.name: (g.lines, g.handed, g.waiting) for g in svc.group_figures(d)}
    assert figures == {"语文教研组": (1, 0, 0), "数学教研组": (1, 0, 1)}
    assert [ln.member for ln in svc.waiting_lines(d, world.group_b.pk)] == [world.member_b]
    assert svc.waiting_lines(d, world.group_a.pk) == []


# ---- demo ---------------------------------------------------------------------------------


def test_it_seeds_the_demo_distributions_through_the_services(world):
    from gonghui.demo.care_distribution_demo import seed_distributions

    MemberFactory(union=world.factory_union, unit=world.workshop, post="锻造工（高温）")
    seed_distributions(
        union=world.school,
        actor=world.chair,
        today=date(2026, 11, 1),
        enterprise=world.factory_union,
        enterprise_actor=world.other_chair,
    )
    by_title = {d.title: d for d in Distribution.objects.all()}
    assert {"2025年中秋节慰问品", "2026年中秋节慰问品", "2026年春节慰问品"} <= set(by_title)
    mid_autumn = by_title["2026年中秋节慰问品"]
    assert mid_autumn.handed_out_count == mid_autumn.recipients_count == 2
    heat = next(d for d in by_title.values() if d.kind == "heat_relief")
    assert heat.union == world.factory_union
    assert heat.recipients_count == 1  # only the high-temperature post, not 赵敏
    assert any(d.kind == "birthday" for d in by_title.values())
    # every hand-out went to the ledger and stayed within the cap
    assert CarePayment.objects.filter(source="distribution").count() == sum(
        d.handed_out_count for d in by_title.values()
    )
    assert not CarePayment.objects.exclude(override_reason="").exists()
