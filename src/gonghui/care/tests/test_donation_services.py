"""Donation drives: opening and closing, the entry grid (all or nothing), money given out
never above the balance and posted to the care ledger, totals, the thank-you list, counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.care import donations as svc
from gonghui.care.donations import DonationRow
from gonghui.care.models import CarePayment
from gonghui.care.models.donations import Donation, DonationDrive, DonationUse
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent

ON = date(2026, 3, 10)


def _audited(action: str, obj) -> bool:
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).exists()


@pytest.fixture
def drive(world) -> DonationDrive:
    return svc.drive_open(
        actor=world.chair, union=world.school, title="为王强老师爱心捐款", starts_on=ON
    )


def _give(world, drive, *rows):
    return svc.donations_record(actor=world.cadre, drive=drive, rows=list(rows))


def test_it_opens_a_drive_with_an_audit_row(world, drive):
    assert drive.status == DonationDrive.Status.OPEN
    assert _audited("care.drive_open", drive)


def test_it_refuses_a_drive_from_someone_outside_the_union(world):
    with pytest.raises(DomainError):
        svc.drive_open(actor=world.other_chair, union=world.school, title="x", starts_on=ON)
    with pytest.raises(DomainError) as e:
        svc.drive_open(actor=world.chair, union=world.school, title=" ", starts_on=ON)
    assert e.value.field == "title"


def test_it_records_a_grid_of_donations_and_totals_them_by_source(world, drive):
    # when
    _give(
        world,
        drive,
        DonationRow("", "staff", Decimal("200"), ON, donor=world.member_a.person),
        DonationRow("张三", "staff", Decimal("100.5"), ON, anonymous=True),
        DonationRow("党支部", "party_members", Decimal("1000"), ON),
        DonationRow("校工会", "union_funds", Decimal("2000"), ON),
    )
    # then
    t = svc.drive_totals(drive)
    assert [(s.source, s.amount) for s in t.by_source] == [
        ("staff", Decimal("300.50")),
        ("party_members", Decimal("1000.00")),
        ("union_funds", Decimal("2000.00")),
    ]
    assert t.collected == Decimal("3300.50") and t.balance == Decimal("3300.50")
    assert Donation.objects.get(donor=world.member_a.person).donor_name == "李芳"
    assert AuditEvent.objects.filter(action="care.donation_record").count() == 4


def test_it_saves_nothing_when_one_row_of_the_grid_is_bad(world, drive):
    with pytest.raises(DomainError) as e:
        _give(
            world,
            drive,
            DonationRow("甲", "staff", Decimal("50"), ON),
            DonationRow("乙", "staff", Decimal("-5"), ON),
        )
    assert "第2行" in e.value.message and e.value.field == "amount"
    assert not Donation.objects.exists()


def test_it_refuses_donations_to_a_closed_drive(world, drive):
    svc.drive_close(actor=world.chair, drive=drive)
    with pytest.raises(DomainError):
        _give(world, drive, DonationRow("甲", "staff", Decimal("50"), ON))
    assert _audited("care.drive_close", drive)


def test_it_hides_anonymous_names_on_the_thank_you_list(world, drive):
    _give(
        world,
        drive,
        DonationRow("张三", "staff", Decimal("100"), ON, anonymous=True),
        DonationRow("李四", "staff", Decimal("300"), ON),
    )
    lines = svc.thank_you_list(drive)
    assert [(x.name, x.amount) for x in lines] == [
        ("李四", Decimal("300.00")),
        ("爱心人士", Decimal("100.00")),
    ]


def test_it_gives_money_to_a_member_through_the_care_ledger(world, drive):
    _give(world, drive, DonationRow("甲", "staff", Decimal("5000"), ON))
    # when
    use = svc.donation_use_record(
        actor=world.chair,
        drive=drive,
        given_on=date(2026, 3, 20),
        amount=Decimal("3000"),
        recipient=world.member_b,
        description="住院治疗费用",
    )
    # then
    pay = CarePayment.objects.get(pk=use.payment_id)
    assert pay.source == "donation" and pay.source_id == use.pk and pay.member == world.member_b
    assert pay.cash == Decimal("3000.00") and pay.cap_item == "hardship"
    assert svc.drive_totals(drive).balance == Decimal("2000.00")
    assert _audited("care.donation_use_record", use)


def test_it_refuses_to_give_out_more_than_the_balance(world, drive):
    _give(world, drive, DonationRow("甲", "staff", Decimal("500"), ON))
    svc.donation_use_record(
        actor=world.chair,
        drive=drive,
        given_on=ON,
        amount=Decimal("400"),
        recipient_description="灾区",
    )
    with pytest.raises(DomainError) as e:
        svc.donation_use_record(
            actor=world.chair,
            drive=drive,
            given_on=ON,
            amount=Decimal("100.01"),
            recipient_description="灾区",
        )
    assert "余额 ¥100.00" in e.value.message
    assert DonationUse.objects.count() == 1


def test_it_refuses_a_recipient_of_another_union(world, drive):
    _give(world, drive, DonationRow("甲", "staff", Decimal("500"), ON))
    with pytest.raises(DomainError) as e:
        svc.donation_use_record(
            actor=world.chair,
            drive=drive,
            given_on=ON,
            amount=Decimal("10"),
            recipient=world.outsider,
        )
    assert e.value.field == "recipient"
    assert not CarePayment.objects.exists()


def test_it_counts_drives_per_union_for_the_upper_union(world, drive):
    _give(world, drive, DonationRow("甲", "staff", Decimal("500"), ON))
    svc.donation_use_record(
        actor=world.chair,
        drive=drive,
        given_on=ON,
        amount=Decimal("120"),
        recipient_description="灾区",
    )
    [row] = svc.counts_by_union(world.upper_officer, 2026)
    assert (row.name, row.drives, row.collected, row.given_out) == (
        "第一中学工会",
        1,
        Decimal("500.00"),
        Decimal("120.00"),
    )
    assert svc.counts_by_union(world.other_chair, 2026) == []


def test_it_shows_members_the_drives_of_their_union_only(world, drive):
    theirs = svc.drive_open(
        actor=world.other_chair, union=world.factory_union, title="红星厂捐款", starts_on=ON
    )
    assert list(svc.drives_visible(world.member)) == [drive]
    assert svc.drive_visible(world.member, theirs.pk) is None
    assert list(svc.drives_managed(world.member)) == []
