"""Mutual-aid insurance: plans, bulk enrolment and its rate, claims through their states
with documents checked, claim totals and renewal reminders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.care import insurance as svc
from gonghui.care.models.donations import InsuranceClaim, InsuranceEnrolment
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members.models import MemberStatus
from gonghui.testing.factories import MemberFactory

PDF = b"%PDF-1.4 test"


def _plan(world, union=None, actor=None, **kw):
    return svc.plan_create(
        actor=actor or world.chair,
        union=union or world.school,
        kind=kw.pop("kind", "inpatient"),
        name=kw.pop("name", "住院医疗互助保障"),
        year=kw.pop("year", 2026),
        premium_per_person=Decimal("50"),
        period_start=kw.pop("period_start", date(2026, 5, 1)),
        period_end=kw.pop("period_end", date(2027, 4, 30)),
        claim_limit=kw.pop("claim_limit", Decimal("5000")),
        **kw,
    )


@pytest.fixture
def plan(world):
    return _plan(world)


@pytest.fixture
def enrolment(world, plan):
    svc.enrol_bulk(actor=world.cadre, plan=plan, paid_by="union", enrolled_on=date(2026, 4, 20))
    return InsuranceEnrolment.objects.get(plan=plan, member=world.member_a)


def _claim(world, enrolment, actor=None, files=()):
    return svc.claim_submit(
        actor=actor or world.member,
        enrolment=enrolment,
        submitted_on=date(2026, 6, 1),
        illness_or_event="阑尾炎住院",
        claimed_amount=Decimal("3000"),
        documents=list(files),
    )


def test_it_creates_a_plan_with_an_audit_row(world, plan):
    assert plan.premium_per_person == Decimal("50.00")
    assert AuditEvent.objects.filter(action="care.insurance_plan_create").count() == 1
    with pytest.raises(DomainError) as e:
        _plan(world, period_end=date(2026, 1, 1))
    assert e.value.field == "period_end"


def test_it_enrols_every_active_member_once_and_gives_the_rate(world, plan):
    # given a member who left
    MemberFactory(union=world.school, status=MemberStatus.TRANSFERRED_OUT)
    # when enrolled twice
    n1 = svc.enrol_bulk(actor=world.cadre, plan=plan, paid_by="union", enrolled_on=date(2026, 4, 1))
    n2 = svc.enrol_bulk(actor=world.cadre, plan=plan, paid_by="union", enrolled_on=date(2026, 4, 2))
    # then
    assert (n1, n2) == (2, 0)
    f = svc.plan_figures(plan)
    assert (f.enrolled, f.eligible, f.rate, f.premiums) == (
        2,
        2,
        Decimal("100.0"),
        Decimal("100.00"),
    )
    assert AuditEvent.objects.filter(action="care.insurance_enrol").count() == 2


def test_it_enrols_only_women_in_the_womens_plan(world):
    plan = _plan(world, kind="women_special", name="女职工特殊疾病互助保障")
    svc.enrol_bulk(actor=world.cadre, plan=plan, paid_by="self", enrolled_on=date(2026, 4, 1))
    assert [e.member for e in plan.enrolments.all()] == [world.member_a]
    assert svc.plan_figures(plan).rate == Decimal("100.0")


def test_it_refuses_enrolment_by_another_unions_chair(world, plan):
    with pytest.raises(DomainError):
        svc.enrol_bulk(
            actor=world.other_chair, plan=plan, paid_by="union", enrolled_on=date(2026, 4, 1)
        )
    assert not InsuranceEnrolment.objects.exists()


def test_it_runs_a_claim_from_submitted_to_paid(world, enrolment):
    # given the member's own claim with a PDF
    claim = _claim(world, enrolment, files=[SimpleUploadedFile("发票.pdf", PDF)])
    assert claim.documents[0]["label"] == "发票.pdf"
    stored = Path(settings.MEDIA_ROOT) / claim.documents[0]["path"]
    assert stored.read_bytes() == PDF and "发票" not in stored.name
    # when the office approves and pays
    svc.claim_approve(actor=world.cadre, claim=claim, amount=Decimal("2400"))
    svc.claim_pay(actor=world.cadre, claim=claim, paid_on=date(2026, 6, 20))
    # then
    claim.refresh_from_db()
    assert claim.status == InsuranceClaim.Status.PAID and claim.paid_amount == Decimal("2400.00")
    totals = svc.claim_totals(world.school, 2026)
    assert totals.sentence() == "理赔1人次，金额¥2,400"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"care.insurance_claim_submit", "care.insurance_claim_pay"} <= actions
    # the illness is not copied into the audit trail
    assert not AuditEvent.objects.filter(after__icontains="阑尾炎").exists()


def test_it_refuses_an_approval_over_the_plan_limit_and_a_second_decision(world, enrolment):
    claim = _claim(world, enrolment)
    with pytest.raises(DomainError) as e:
        svc.claim_approve(actor=world.cadre, claim=claim, amount=Decimal("5000.01"))
    assert "上限" in e.value.message
    svc.claim_reject(actor=world.cadre, claim=claim, note="不在保障范围")
    with pytest.raises(DomainError):
        svc.claim_approve(actor=world.cadre, claim=claim, amount=Decimal("10"))
    claim.refresh_from_db()
    assert claim.status == InsuranceClaim.Status.REJECTED


def test_it_refuses_decisions_by_the_member(world, enrolment):
    claim = _claim(world, enrolment)
    with pytest.raises(DomainError):
        svc.claim_approve(actor=world.member, claim=claim, amount=Decimal("10"))


def test_it_refuses_a_claim_for_someone_else(world, plan, enrolment):
    other = InsuranceEnrolment.objects.get(plan=plan, member=world.member_b)
    with pytest.raises(DomainError):
        _claim(world, other, actor=world.member)
    with pytest.raises(DomainError):
        _claim(world, enrolment, actor=world.other_chair)


@pytest.mark.parametrize(
    "name,content",
    [
        ("x.exe", b"MZ"),
        ("renamed.pdf", b"\x89PNG\r\n\x1a\nxxx"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024)),
    ],
)
def test_it_refuses_bad_documents_and_keeps_nothing(world, enrolment, name, content):
    before = (
        set((Path(settings.MEDIA_ROOT) / "care" / "claims").glob("*"))
        if (Path(settings.MEDIA_ROOT) / "care" / "claims").exists()
        else set()
    )
    with pytest.raises(DomainError) as e:
        _claim(world, enrolment, files=[SimpleUploadedFile(name, content)])
    assert e.value.field == "documents"
    assert not InsuranceClaim.objects.exists()
    after = set((Path(settings.MEDIA_ROOT) / "care" / "claims").glob("*"))
    assert after == before


def test_it_reminds_each_plan_due_for_renewal_once(world):
    plan = _plan(
        world,
        year=2025,
        period_start=date(2025, 5, 1),
        period_end=date(2026, 4, 30),
        renewal_reminder_on=date(2026, 3, 1),
    )
    assert svc.renewal_remind(actor=None, today=date(2026, 2, 27)).reminded == []
    assert svc.renewal_remind(actor=None, today=date(2026, 3, 2)).reminded == [plan]
    assert svc.renewal_remind(actor=None, today=date(2026, 3, 3)).reminded == []
    assert AuditEvent.objects.filter(action="care.insurance_renewal_remind").count() == 1


def test_it_does_not_remind_a_plan_already_renewed(world):
    _plan(world, year=2025, period_start=date(2025, 5, 1), period_end=date(2026, 4, 30))
    _plan(world, year=2026)
    due = svc.renewals_due(date(2026, 4, 1))
    assert [p.year for p in due] == []


def test_it_counts_plans_for_the_upper_union_without_names(world, enrolment):
    claim = _claim(world, enrolment)
    svc.claim_approve(actor=world.cadre, claim=claim, amount=Decimal("1000"))
    svc.claim_pay(actor=world.cadre, claim=claim, paid_on=date(2026, 7, 1))
    [row] = svc.counts_by_union(world.upper_officer, 2026)
    assert (row.plans, row.enrolments, row.claims_paid, row.paid_amount) == (
        1,
        2,
        1,
        Decimal("1000.00"),
    )


def test_it_prints_the_renewals_from_the_command(world):
    from io import StringIO

    from django.core.management import call_command

    _plan(world, year=2025, period_start=date(2025, 5, 1), period_end=date(2026, 4, 30))
    out = StringIO()
    call_command("insurance", "remind", "--date", "2026-03-15", "--union", "SCH", stdout=out)
    assert "第一中学工会" in out.getvalue() and "2026-04-30" in out.getvalue()
    out = StringIO()
    call_command("insurance", "remind", "--date", "2026-03-16", stdout=out)
    assert "第一中学工会" not in out.getvalue()


def test_it_gives_the_list_the_same_figures_as_one_plan(world, enrolment):
    women = _plan(world, kind="women_special", name="女职工特殊疾病互助保障")
    svc.enrol_bulk(actor=world.cadre, plan=women, paid_by="self", enrolled_on=date(2026, 4, 1))
    claim = _claim(world, enrolment)
    svc.claim_approve(actor=world.cadre, claim=claim, amount=Decimal("700"))
    svc.claim_pay(actor=world.cadre, claim=claim, paid_on=date(2026, 7, 1))
    listed = {p.pk: p.figures for p in svc.plans_with_figures(world.chair)}
    assert listed == {p.pk: svc.plan_figures(p) for p in svc.plans_managed(world.chair)}
    assert len(listed) == 2


def test_it_words_the_claim_totals_as_reports_do():
    assert svc.ClaimTotals(7, Decimal("10900.00")).sentence() == "理赔7人次，金额¥10,900"
    assert svc.ClaimTotals(1, Decimal("1234.50")).sentence() == "理赔1人次，金额¥1,234.50"
