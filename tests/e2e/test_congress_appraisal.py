"""Journey: a chair opens a democratic appraisal, a member rates on a phone, the chair
closes it and sees the result."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from gonghui.congress import appraisal as svc
from gonghui.testing.factories import MemberFactory

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_opens_an_appraisal_a_member_rates_on_a_phone_and_the_chair_sees_the_result(
    world, new_page
):
    # given a draft appraisal of two leaders, rated by all members
    today = timezone.localdate()
    a = svc.appraisal_create(
        actor=world.chair,
        union=world.school,
        title="年度领导班子民主测评",
        year=today.year,
        rater_base="members",
        opens_on=today,
        closes_on=today,
    )
    for name, post in [("张校长", "校长"), ("刘书记", "党委书记")]:
        person = MemberFactory(union=world.school, person__name=name).person
        svc.subject_add(actor=world.chair, appraisal=a, person=person, post=post)
    desk = new_page()
    login(desk, "chair")

    # when the chair opens it
    desk.goto(f"/congress/appraisal/{a.pk}/")
    desk.click("#open-appraisal")
    expect(desk.locator("#status")).to_contain_text(re.compile("Open|开放|评议中|测评中"))
    shot(desk, "appraisal-detail-open")

    # and a member rates both leaders on a phone
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    phone.goto("/congress/appraisal/tasks/")
    phone.click("#tasks a", timeout=5000)
    expect(phone.locator("#rating-form .card")).to_have_count(2)
    cards = phone.locator("#rating-form .card")
    cards.nth(0).locator("label").nth(0).click()  # 优秀
    cards.nth(1).locator("label").nth(1).click()  # 称职
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "appraisal-rate-phone")
    phone.click("#submit-ratings")
    expect(phone.locator("#thanks")).to_be_visible()
    shot(phone, "appraisal-thanks-phone")

    # and the chair types in a pile of 2 paper forms (each gave 张校长 优秀)
    desk.goto(f"/congress/appraisal/{a.pk}/paper/")
    desk.fill("#id_forms_count", "2")
    first_row = desk.locator("#paper-form tbody tr").nth(0)
    first_row.locator("input").nth(0).fill("2")
    second_row = desk.locator("#paper-form tbody tr").nth(1)
    second_row.locator("input").nth(2).fill("2")
    shot(desk, "appraisal-paper")
    desk.click("#paper-form button")
    expect(desk.locator("#paper-batches")).to_contain_text("2")

    # then the chair closes rating and sees the combined result
    desk.goto(f"/congress/appraisal/{a.pk}/")
    desk.click("#close-appraisal")
    expect(desk.locator("#results-table")).to_be_visible()
    rows = desk.locator("#results-table tbody tr")
    expect(rows.nth(0)).to_contain_text("张校长")
    expect(rows.nth(0)).to_contain_text("100.0%")
    expect(rows.nth(0)).to_contain_text("3 (100.0%)")
    expect(rows.nth(1)).to_contain_text("刘书记")
    expect(rows.nth(1)).to_contain_text("2 (66.7%)")  # 基本称职 on both paper forms
    expect(desk.locator("#results-chart canvas")).to_have_count(1)
    shot(desk, "appraisal-results")

    # and shows the results to members, which the member reads on the phone
    desk.click("#publish-results")
    expect(desk.locator(".alert-success")).to_be_visible()
    phone.goto("/congress/appraisal/tasks/")
    phone.click("#published a")
    expect(phone.locator("#public-results .card")).to_have_count(2)
    expect(phone.locator("#public-results")).to_contain_text("66.7%")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "appraisal-published-phone")
