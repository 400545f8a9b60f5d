"""Journey: the cadre opens a drive for a colleague and types the collection sheet into the
grid; 李芳 opens the thank-you list on her phone and sees the anonymous gift as 爱心人士;
then, enrolled in the in-patient plan, she submits a claim with a photo of her invoice."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from gonghui.care import insurance
from gonghui.care.models.donations import Donation, InsuranceClaim

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_runs_a_drive_and_a_claim_from_a_phone(world, new_page, tmp_path):
    today = timezone.localdate()
    page = new_page()
    login(page, "cadre")

    # given the cadre opens a drive
    page.goto("/care/donations/new/")
    page.fill("#id_title", "为王强老师爱心捐款")
    page.fill("#id_starts_on", today.isoformat())
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/care/donations/\d+/$"))

    # when the collection sheet is typed into the grid
    page.locator("#entry-link").click()
    page.fill("#id_row-0-donor_name", "李芳")
    page.fill("#id_row-0-amount", "200")
    page.fill("#id_row-1-donor_name", "张三")
    page.fill("#id_row-1-amount", "100")
    page.check("#id_row-1-anonymous")
    page.fill("#id_row-2-donor_name", "党支部")
    page.select_option("#id_row-2-source", "party_members")
    page.fill("#id_row-2-amount", "1000")
    shot(page, "donation-grid")
    page.locator("form button[type=submit]").click()

    # then the drive shows the totals
    expect(page.locator("#balance")).to_contain_text("1300.00")
    assert Donation.objects.count() == 3
    shot(page, "donation-drive")

    # and 李芳 sees the thank-you list on her phone, the anonymous gift unnamed
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    phone.goto("/care/donations/")
    phone.get_by_text("为王强老师爱心捐款").click()
    expect(phone.locator("#thanks")).to_contain_text("爱心人士")
    expect(phone.locator("#thanks")).not_to_contain_text("张三")
    shot(phone, "donation-thanks-phone")

    # when she is enrolled and claims from "my insurance"
    plan = insurance.plan_create(
        actor=world.chair,
        union=world.school,
        kind="inpatient",
        name="住院医疗互助保障",
        year=today.year,
        premium_per_person=Decimal("50"),
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
    )
    insurance.enrol_bulk(actor=world.chair, plan=plan, paid_by="union", enrolled_on=today)
    invoice = tmp_path / "发票.jpg"
    invoice.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    phone.goto("/care/insurance/mine/")
    phone.locator("#my-enrolments .claim-link").first.click()
    phone.fill("#id_illness_or_event", "阑尾炎住院")
    phone.fill("#id_claimed_amount", "2400")
    phone.set_input_files("#documents", str(invoice))
    shot(phone, "insurance-claim-phone")
    phone.locator("form button[type=submit]").click()

    # then the claim is stored with its document, and she can read it back
    expect(phone.locator("#status")).to_be_visible()
    claim = InsuranceClaim.objects.get()
    assert claim.documents[0]["label"] == "发票.jpg"
    assert claim.enrolment.member == world.member_a
