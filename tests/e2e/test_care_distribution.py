"""Journey: the chair plans a Mid-Autumn distribution from the preset while 李芳 has already
had ¥1,900 of festival gifts this year (the cap is ¥2,000). Building the list shows a
progress bar, then the list: 李芳 is flagged over the cap with no tick-off button, 王强 is
fine. The receipt sheet lists 王强 only; the chair ticks 王强 off, then allows 李芳's gift
with a written reason and ticks her off too."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from gonghui.care.distribution_tasks import run_build
from gonghui.care.models import CarePayment, Distribution
from gonghui.testing.care_factories import CarePaymentFactory

from .conftest import login, shot


def test_it_builds_a_mid_autumn_list_within_the_cap(world, new_page, settings, tmp_path):
    # The build stays queued until the test runs it, so the page shows the progress bar.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    year = timezone.localdate().year
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("1900"), paid_on=date(year, 2, 1))
    page = new_page()
    login(page, "chair")

    # given the chair starts from the Mid-Autumn preset
    page.goto("/care/distributions/")
    page.locator("a[href$='?preset=mid_autumn']").first.click()
    expect(page.locator("#id_title")).to_have_value(re.compile("中秋节慰问品"))
    page.fill("#id_given_on", f"{year}-09-25")
    page.fill("#id_title", f"{year}年中秋节慰问品")
    shot(page, "distribution-plan")
    page.locator("#plan-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/care/distributions/\d+/$"))

    # when the list is built, a progress bar shows while the task waits and runs
    page.locator("#build-button").click()
    expect(page.locator("#build-progress .progress")).to_be_visible()
    shot(page, "distribution-building")
    d = Distribution.objects.get()
    run_build(d.job_id)

    # then the page reloads itself with the list and the figures
    expect(page.locator("#line-table")).to_be_visible(timeout=10000)
    expect(page.locator("[data-figure=recipients]")).to_have_text("2")
    expect(page.locator("[data-figure=over_cap]")).to_have_text("1")
    over = page.locator("#line-table tbody tr", has_text="李芳")
    expect(over).to_have_class(re.compile("table-danger"))
    expect(over).to_contain_text("100.00")
    expect(over.locator("[data-action=tick]")).to_have_count(0)
    shot(page, "distribution-list-over-cap")

    # and the receipt sheet lists only the person within the cap
    with page.expect_download() as info:
        page.locator("#receipts-docx").click()
    path = tmp_path / "receipts.docx"
    info.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    names = [row.cells[1].text for row in doc.tables[0].rows[1:-1]]
    assert names == ["王强"]

    # when the chair ticks off 王强
    fine = page.locator("#line-table tbody tr", has_text="王强")
    fine.locator("[data-action=tick]").click()
    expect(fine.locator(".bi-check-circle-fill")).to_be_visible()
    shot(page, "distribution-ticked")
    assert CarePayment.objects.filter(member=world.member_b).count() == 1

    # and allows 李芳's gift over the cap with a reason, then ticks her off
    over.locator("[data-action=override] input[name=reason]").fill("患病住院，家庭困难")
    over.locator("[data-action=override] button").click()
    over = page.locator("#line-table tbody tr", has_text="李芳")
    expect(over).to_contain_text("患病住院，家庭困难")
    over.locator("[data-action=tick]").click()
    expect(over.locator(".bi-check-circle-fill")).to_be_visible()
    expect(page.locator("[data-figure=handed_out]")).to_have_text("2")  # redrawn after the tick
    shot(page, "distribution-override-ticked")
    payment = d.lines.get(member=world.member_a).payment
    assert payment.override_reason == "患病住院，家庭困难"
