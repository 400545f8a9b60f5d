"""Demo donation drives and mutual-aid insurance, made through the services: a 2025
flood-relief drive (closed, all passed on to the disaster area), a 2026 drive for a
colleague's critical illness (money given to her through the care ledger), and two
insurance years of four plans each with 95–100% enrolment and claims in every state."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from gonghui.care import donations, insurance
from gonghui.care.donations import DonationRow
from gonghui.care.models.donations import DonationDrive, InsuranceEnrolment, InsurancePlan
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member

GIFTS = [Decimal(x) for x in ("50", "100", "100", "200", "200", "300", "500")]
PLANS = [
    ("inpatient", "在职职工住院医疗互助保障", Decimal("50"), Decimal("10000")),
    ("critical_illness", "重大疾病互助保障", Decimal("60"), Decimal("30000")),
    ("women_special", "女职工特殊疾病互助保障", Decimal("30"), Decimal("10000")),
    ("accident", "意外伤害互助保障", Decimal("20"), Decimal("20000")),
]
EVENTS = ["阑尾炎手术住院", "腰椎间盘突出住院治疗", "骨折住院", "肺炎住院", "乳腺疾病手术"]


def _donate(
    *,
    drive: DonationDrive,
    members: Sequence[Member],
    actor: User | None,
    on: date,
    rng: random.Random,
    share: float,
    party: Decimal,
    union_funds: Decimal,
) -> None:
    givers = [m for m in members if rng.random() < share]
    rows = [
        DonationRow(
            donor_name=m.person.name,
            donor=m.person,
            source="staff",
            amount=rng.choice(GIFTS),
            donated_on=on + timedelta(days=rng.randint(0, 5)),
            anonymous=rng.random() < 0.08,
        )
        for m in givers
    ]
    rows += [
        DonationRow("党员特殊党费", "party_members", party, on + timedelta(days=6)),
        DonationRow("校工会", "union_funds", union_funds, on + timedelta(days=6)),
        DonationRow("退休教师（不具名）", "other", Decimal("500"), on + timedelta(days=3), True),
    ]
    donations.donations_record(actor=actor, drive=drive, rows=rows)


def _flood_drive(union: OrgUnit, members: Sequence[Member], actor: User | None, rng) -> None:
    on = date(2025, 7, 14)
    drive = donations.drive_open(
        actor=actor,
        union=union,
        title="2025年抗洪救灾爱心捐款",
        purpose="响应县总工会倡议，为受洪涝灾害地区群众捐款，款项经县总工会统一转交灾区。",
        starts_on=on,
        ends_on=date(2025, 7, 25),
        target=Decimal("20000"),
    )
    _donate(
        drive=drive,
        members=members,
        actor=actor,
        on=on,
        rng=rng,
        share=0.85,
        party=Decimal("3200"),
        union_funds=Decimal("5000"),
    )
    balance = donations.drive_totals(drive).balance
    donations.donation_use_record(
        actor=actor,
        drive=drive,
        given_on=date(2025, 7, 28),
        amount=balance,
        recipient_description="受灾地区群众（经县总工会转交）",
        description="全额转交县总工会抗洪救灾专户",
    )
    donations.drive_close(actor=actor, drive=drive)


def _illness_drive(
    union: OrgUnit, members: Sequence[Member], actor: User | None, today: date, rng
) -> None:
    on = date(2026, 3, 9)
    patient = members[len(members) // 3]
    drive = donations.drive_open(
        actor=actor,
        union=union,
        title=f"为{patient.person.name}老师重病爱心捐款",
        purpose=f"{patient.person.name}老师罹患重病，治疗费用高昂，工会倡议全体教职工奉献爱心。",
        starts_on=on,
        ends_on=date(2026, 3, 20),
    )
    others = [m for m in members if m.pk != patient.pk]
    _donate(
        drive=drive,
        members=others,
        actor=actor,
        on=on,
        rng=rng,
        share=0.9,
        party=Decimal("2600"),
        union_funds=Decimal("3000"),
    )
    if today < date(2026, 3, 25):
        return
    total = donations.drive_totals(drive).collected
    first = (total * Decimal("0.6")).quantize(Decimal("1"))
    donations.donation_use_record(
        actor=actor,
        drive=drive,
        given_on=date(2026, 3, 25),
        amount=first,
        recipient=patient,
        description="第一次转交治疗费用",
    )
    if today >= date(2026, 5, 10):
        donations.donation_use_record(
            actor=actor,
            drive=drive,
            given_on=date(2026, 5, 10),
            amount=total - first,
            recipient=patient,
            description="第二次转交余款",
        )
        donations.drive_close(actor=actor, drive=drive)


def _insurance_year(
    union: OrgUnit, actor: User | None, year: int, rng: random.Random
) -> list[InsurancePlan]:
    plans = []
    for kind, name, premium, limit in PLANS:
        plan = insurance.plan_create(
            actor=actor,
            union=union,
            kind=kind,
            name=name,
            year=year,
            premium_per_person=premium,
            period_start=date(year, 5, 1),
            period_end=date(year + 1, 4, 30),
            insurer="省职工互助保障会",
            claim_limit=limit,
            renewal_reminder_on=date(year + 1, 3, 1),
        )
        eligible = list(insurance.eligible_members(plan).values_list("pk", flat=True))
        # A few decline each year (covered elsewhere, or on long leave): at most 5%.
        declined = set(rng.sample(eligible, rng.randint(0, len(eligible) // 20)))
        keep = [pk for pk in eligible if pk not in declined]
        insurance.enrol_bulk(
            actor=actor,
            plan=plan,
            paid_by="union" if kind != "women_special" else "employer",
            enrolled_on=date(year, 4, 20),
            member_ids=keep,
        )
        plans.append(plan)
    return plans


def _claims(
    plans: Sequence[InsurancePlan],
    actor: User | None,
    today: date,
    rng: random.Random,
    states: Sequence[str],
) -> None:
    for i, state in enumerate(states):
        plan = plans[i % 2]  # in-patient and critical illness plans carry the claims
        enrolments = list(InsuranceEnrolment.objects.filter(plan=plan).order_by("id"))
        e = enrolments[rng.randrange(len(enrolments))]
        on = min(plan.period_start + timedelta(days=30 + 40 * i), today)
        claim = insurance.claim_submit(
            actor=actor,
            enrolment=e,
            submitted_on=on,
            illness_or_event=rng.choice(EVENTS),
            claimed_amount=Decimal(rng.choice([800, 1200, 1500, 2400, 3000])),
        )
        if state == "submitted":
            continue
        if state == "rejected":
            insurance.claim_reject(actor=actor, claim=claim, note="不在保障责任范围内")
            continue
        approved = (claim.claimed_amount or Decimal("1000")) * Decimal("0.8")
        insurance.claim_approve(actor=actor, claim=claim, amount=approved)
        if state == "paid":
            insurance.claim_pay(
                actor=actor, claim=claim, paid_on=min(on + timedelta(days=20), today)
            )


def seed_donations_and_insurance(
    *,
    union: OrgUnit,
    members: Sequence[Member],
    actor: User | None,
    today: date,
    rng: random.Random,
) -> None:
    """Drives and insurance years of ``union`` up to ``today``, run by ``actor``."""
    members = list(members)
    if len(members) < 3:
        return
    if today >= date(2025, 8, 1):
        _flood_drive(union, members, actor, rng)
    if today >= date(2026, 3, 21):
        _illness_drive(union, members, actor, today, rng)
    if today >= date(2025, 12, 31):
        plans = _insurance_year(union, actor, 2025, rng)
        _claims(plans, actor, today, rng, ["paid", "paid", "paid", "rejected", "paid"])
    if today >= date(2026, 9, 1):
        plans = _insurance_year(union, actor, 2026, rng)
        _claims(plans, actor, today, rng, ["submitted", "approved", "paid", "rejected"])
