"""Donation and insurance pages as every persona (200/403/404/405), no IDOR, anonymous
visitors sent to log in, the entry grid and claim forms, and the exports read back."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.care import donations, insurance
from gonghui.care.donations import DonationRow
from gonghui.care.models.donations import Donation, InsuranceClaim, InsuranceEnrolment
from gonghui.core.models import AuditEvent
from gonghui.testing.personas import PERSONAS

ON = date(2026, 3, 10)


@pytest.fixture
def drive(world):
    d = donations.drive_open(
        actor=world.chair, union=world.school, title="为王强老师爱心捐款", starts_on=ON
    )
    donations.donations_record(
        actor=world.chair,
        drive=d,
        rows=[
            DonationRow("李芳", "staff", Decimal("200"), ON),
            DonationRow("张三", "staff", Decimal("100"), ON, anonymous=True),
            DonationRow("党支部", "party_members", Decimal("1000"), ON),
        ],
    )
    return d


@pytest.fixture
def plan(world):
    p = insurance.plan_create(
        actor=world.chair,
        union=world.school,
        kind="inpatient",
        name="住院医疗互助保障",
        year=2026,
        premium_per_person=Decimal("50"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    insurance.enrol_bulk(actor=world.chair, plan=p, paid_by="union", enrolled_on=ON)
    return p


@pytest.fixture
def claim(world, plan):
    e = InsuranceEnrolment.objects.get(plan=plan, member=world.member_a)
    return insurance.claim_submit(
        actor=world.member,
        enrolment=e,
        submitted_on=date(2026, 6, 1),
        illness_or_event="阑尾炎住院",
        documents=[SimpleUploadedFile("发票.pdf", b"%PDF-1.4 x")],
    )


MANAGE = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
DETAIL = {**MANAGE, "other_chair": 404}
LIST = {**MANAGE, "group_leader": 200, "member": 200}
THANKS = {**DETAIL, "group_leader": 404, "member": 200, "upper_officer": 404, "auditor": 404}
COUNTS = {**{p: 200 for p in PERSONAS}, "member": 403}
CLAIM = {**THANKS, "member": 200}  # the member's own claim
MINE = {p: 200 for p in PERSONAS}
ACT = {p: {200: 302}.get(s, s) for p, s in DETAIL.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, drive, plan, claim, persona):
    client.force_login(world.personas()[persona])
    pages = [
        ("donation_drive_list", [], LIST),
        ("donation_drive_new", [], MANAGE),
        ("donation_counts", [], COUNTS),
        ("donation_drive_detail", [drive.pk], DETAIL),
        ("donation_entry", [drive.pk], DETAIL),
        ("donation_use_new", [drive.pk], DETAIL),
        ("donation_export", [drive.pk], DETAIL),
        ("donation_thanks", [drive.pk], THANKS),
        ("insurance_plan_list", [], MANAGE),
        ("insurance_plan_new", [], MANAGE),
        ("insurance_claim_list", [], MANAGE),
        ("insurance_mine", [], MINE),
        ("insurance_plan_detail", [plan.pk], DETAIL),
        ("insurance_enrolment_export", [plan.pk], DETAIL),
        ("insurance_claim_new", [claim.enrolment_id], CLAIM),
        ("insurance_claim_detail", [claim.pk], CLAIM),
        ("insurance_claim_document", [claim.pk, 0], CLAIM),
    ]
    for name, args, expected in pages:
        r = client.get(reverse(f"care:{name}", args=args))
        assert r.status_code == expected[persona], name


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_action_as_each_persona(client, world, drive, plan, claim, persona):
    client.force_login(world.personas()[persona])
    r = client.post(
        reverse("care:insurance_claim_decide", args=[claim.pk]),
        {"action": "approve", "amount": "800"},
    )
    assert r.status_code == ACT[persona]
    r = client.post(
        reverse("care:insurance_enrol", args=[plan.pk]),
        {"paid_by": "union", "enrolled_on": "2026-03-10"},
    )
    assert r.status_code == ACT[persona]
    r = client.post(reverse("care:donation_drive_close", args=[drive.pk]))
    assert r.status_code == ACT[persona]
    claim.refresh_from_db()
    drive.refresh_from_db()
    assert (claim.status == "approved") == (ACT[persona] == 302)
    assert (drive.status == "closed") == (ACT[persona] == 302)


def test_it_refuses_other_methods(client, world, drive, plan, claim):
    client.force_login(world.chair)
    assert client.get(reverse("care:donation_drive_close", args=[drive.pk])).status_code == 405
    assert client.get(reverse("care:insurance_enrol", args=[plan.pk])).status_code == 405
    assert client.get(reverse("care:insurance_claim_decide", args=[claim.pk])).status_code == 405
    assert client.post(reverse("care:donation_thanks", args=[drive.pk])).status_code == 405
    assert client.post(reverse("care:insurance_mine")).status_code == 405
    assert client.post(reverse("care:donation_counts")).status_code == 405


def test_it_sends_anonymous_visitors_to_the_login_page(client, drive, plan, claim):
    for url in (
        reverse("care:donation_drive_list"),
        reverse("care:donation_thanks", args=[drive.pk]),
        reverse("care:donation_export", args=[drive.pk]),
        reverse("care:insurance_mine"),
        reverse("care:insurance_claim_detail", args=[claim.pk]),
        reverse("care:insurance_claim_document", args=[claim.pk, 0]),
    ):
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["chair", "cadre", "member"])
def test_it_refuses_another_unions_records_by_guessed_id(client, world, persona):
    # given the factory union's own drive, plan and claim
    theirs = donations.drive_open(
        actor=world.other_chair, union=world.factory_union, title="红星厂捐款", starts_on=ON
    )
    p = insurance.plan_create(
        actor=world.other_chair,
        union=world.factory_union,
        kind="accident",
        name="意外伤害互助保障",
        year=2026,
        premium_per_person=Decimal("20"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    insurance.enrol_bulk(actor=world.other_chair, plan=p, paid_by="union", enrolled_on=ON)
    e = InsuranceEnrolment.objects.get(plan=p)
    c = insurance.claim_submit(
        actor=world.other_chair, enrolment=e, submitted_on=ON, illness_or_event="骨折"
    )
    client.force_login(world.personas()[persona])
    # then nothing of theirs opens
    for name, args in (
        ("donation_drive_detail", [theirs.pk]),
        ("donation_thanks", [theirs.pk]),
        ("donation_export", [theirs.pk]),
        ("insurance_plan_detail", [p.pk]),
        ("insurance_claim_detail", [c.pk]),
        ("insurance_claim_new", [e.pk]),
    ):
        assert client.get(reverse(f"care:{name}", args=args)).status_code in (403, 404), name
    r = client.post(
        reverse("care:insurance_claim_decide", args=[c.pk]), {"action": "reject", "note": "x"}
    )
    assert r.status_code in (403, 404)
    c.refresh_from_db()
    assert c.status == InsuranceClaim.Status.SUBMITTED
    assert "骨折" not in client.get(reverse("care:insurance_mine")).content.decode()


def test_it_shows_the_thank_you_list_to_members_with_anonymous_names_hidden(client, world, drive):
    client.force_login(world.member)
    page = client.get(reverse("care:donation_thanks", args=[drive.pk])).content.decode()
    assert "李芳" in page and "党支部" in page and "爱心人士" in page
    assert "张三" not in page
    assert "1300.00" in page


def test_it_shows_the_manager_the_totals_and_real_names(client, world, drive):
    client.force_login(world.cadre)
    page = client.get(reverse("care:donation_drive_detail", args=[drive.pk])).content.decode()
    assert "张三" in page and "pie-data" in page
    assert "1300.00" in page


def test_it_saves_the_entry_grid_and_skips_empty_rows(client, world, drive):
    client.force_login(world.cadre)
    data = {
        "row-TOTAL_FORMS": "3",
        "row-INITIAL_FORMS": "0",
        "donated_on": "2026-03-12",
        "row-0-donor_name": "王强",
        "row-0-source": "staff",
        "row-0-amount": "300",
        "row-1-donor_name": "",
        "row-1-source": "staff",
        "row-1-amount": "",
        "row-2-donor_name": "校工会",
        "row-2-source": "union_funds",
        "row-2-amount": "2000",
    }
    r = client.post(reverse("care:donation_entry", args=[drive.pk]), data)
    assert r.status_code == 302
    assert Donation.objects.filter(drive=drive).count() == 5
    # 王强 is a member: the donation is linked to him
    assert Donation.objects.get(donor_name="王强").donor == world.member_b.person


def test_it_shows_the_grid_error_and_saves_nothing(client, world, drive):
    client.force_login(world.cadre)
    data = {
        "row-TOTAL_FORMS": "2",
        "row-INITIAL_FORMS": "0",
        "donated_on": "2026-03-12",
        "row-0-donor_name": "甲",
        "row-0-source": "staff",
        "row-0-amount": "300",
        "row-1-donor_name": "",
        "row-1-source": "staff",
        "row-1-amount": "50",
    }
    r = client.post(reverse("care:donation_entry", args=[drive.pk]), data, follow=True)
    assert "第2行" in r.content.decode()
    assert Donation.objects.filter(drive=drive).count() == 3


def test_it_refuses_giving_out_more_than_the_balance_on_the_form(client, world, drive):
    client.force_login(world.chair)
    url = reverse("care:donation_use_new", args=[drive.pk])
    r = client.post(
        url,
        {
            "given_on": "2026-03-20",
            "amount": "1300.01",
            "recipient": world.member_b.pk,
            "cap_item": "hardship",
        },
    )
    assert r.status_code == 200 and "余额" in r.content.decode()
    r = client.post(
        url,
        {
            "given_on": "2026-03-20",
            "amount": "1000",
            "recipient": world.member_b.pk,
            "cap_item": "hardship",
        },
    )
    assert r.status_code == 302
    assert donations.drive_totals(drive).balance == Decimal("300.00")


def test_it_exports_the_donations_with_every_row(client, world, drive):
    client.force_login(world.cadre)
    r = client.get(reverse("care:donation_export", args=[drive.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["捐款明细"].iter_rows(min_row=3, values_only=True))
    assert [(x[2], x[4], x[5]) for x in rows] == [
        ("李芳", 200, None),
        ("张三", 100, "是"),
        ("党支部", 1000, None),
    ]
    summary = {r[0]: r[2] for r in wb["汇总"].iter_rows(values_only=True)}
    assert summary["合计"] == 1300


def test_it_exports_the_enrolment_list(client, world, plan):
    client.force_login(world.chair)
    r = client.get(reverse("care:insurance_enrolment_export", args=[plan.pk]))
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=3, max_row=4, values_only=True)]
    assert sorted(names) == ["李芳", "王强"]
    last = list(ws.iter_rows(values_only=True))[-1]
    assert last[1] == 2 and last[5] == 100


def test_it_lets_a_member_submit_a_claim_from_a_phone(client, world, plan):
    client.force_login(world.member)
    e = InsuranceEnrolment.objects.get(plan=plan, member=world.member_a)
    mine = client.get(reverse("care:insurance_mine")).content.decode()
    assert "住院医疗互助保障" in mine
    r = client.post(
        reverse("care:insurance_claim_new", args=[e.pk]),
        {
            "submitted_on": "2026-06-01",
            "illness_or_event": "骨折住院",
            "claimed_amount": "1200",
            "documents": [SimpleUploadedFile("诊断.jpg", b"\xff\xd8\xff\xe0xxxx")],
        },
    )
    assert r.status_code == 302
    claim = InsuranceClaim.objects.get()
    assert claim.documents[0]["label"] == "诊断.jpg"
    r = client.get(reverse("care:insurance_claim_document", args=[claim.pk, 0]))
    assert b"".join(r.streaming_content) == b"\xff\xd8\xff\xe0xxxx"


def test_it_refuses_a_renamed_document_on_the_claim_form(client, world, plan):
    client.force_login(world.member)
    e = InsuranceEnrolment.objects.get(plan=plan, member=world.member_a)
    r = client.post(
        reverse("care:insurance_claim_new", args=[e.pk]),
        {
            "submitted_on": "2026-06-01",
            "illness_or_event": "骨折住院",
            "documents": [SimpleUploadedFile("a.pdf", b"MZ not a pdf")],
        },
    )
    assert r.status_code == 200 and "不是 PDF" in r.content.decode()
    assert not InsuranceClaim.objects.exists()


def test_it_logs_a_managers_reading_of_a_claim_but_not_the_members(client, world, claim):
    client.force_login(world.member)
    client.get(reverse("care:insurance_claim_detail", args=[claim.pk]))
    assert not AuditEvent.objects.filter(action="read_sensitive").exists()
    client.force_login(world.cadre)
    page = client.get(reverse("care:insurance_claim_detail", args=[claim.pk])).content.decode()
    assert "阑尾炎住院" in page
    assert AuditEvent.objects.filter(action="read_sensitive", actor=world.cadre).count() == 1


def test_it_runs_the_claim_through_approve_and_pay_on_the_page(client, world, claim):
    client.force_login(world.cadre)
    url = reverse("care:insurance_claim_decide", args=[claim.pk])
    client.post(url, {"action": "approve", "amount": "900"})
    client.post(url, {"action": "pay", "paid_on": "2026-06-20"})
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount) == ("paid", Decimal("900.00"))


def test_it_shows_counts_without_names_to_the_upper_union(client, world, drive, claim):
    client.force_login(world.upper_officer)
    page = client.get(reverse("care:donation_counts"), {"year": 2026}).content.decode()
    assert "第一中学工会" in page and "1300.00" in page
    assert "李芳" not in page and "阑尾炎" not in page and "张三" not in page


def test_it_lists_many_plans_and_drives_in_few_queries(
    client, world, drive, plan, claim, django_assert_max_num_queries
):
    for n in range(5):
        donations.drive_open(actor=world.chair, union=world.school, title=f"捐款{n}", starts_on=ON)
        insurance.plan_create(
            actor=world.chair,
            union=world.school,
            kind="accident",
            name=f"意外{n}",
            year=2026,
            premium_per_person=Decimal("20"),
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
        )
    client.force_login(world.chair)
    for name in ("donation_drive_list", "insurance_plan_list", "insurance_claim_list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"care:{name}")).status_code == 200
