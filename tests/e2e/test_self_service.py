"""Journey: a member on a phone corrects their own details; the phone changes at once, the
name waits for the chair, who approves it from a second browser; the member then sees it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from gonghui.core import rules

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_lets_a_member_correct_details_and_the_chair_approve_the_name(world, new_page):
    # given the member logs in on a phone-sized screen
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    # the menu is collapsed behind the toggler on a narrow screen
    expect(phone.locator("#mainnav")).not_to_be_visible()
    phone.locator("button.navbar-toggler").click()
    phone.locator("#mainnav a.dropdown-toggle", has_text="我的").click()
    my_profile = phone.locator("#mainnav a[href='/members/me/']")
    expect(my_profile).to_be_visible()
    my_profile.click()
    expect(phone).to_have_url("/members/me/")
    profile = phone.locator("main")
    expect(profile.locator(".fs-5")).to_have_text("李芳")
    old_phone = world.member_a.person.phone
    expect(profile).to_contain_text(rules.mask_phone(old_phone))
    # nothing overflows sideways on the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "self-service-profile-phone")

    # when the member changes the phone number, it applies at once
    save = profile.locator("form[method=post] button[type=submit]")
    phone.fill("#id_phone", "13800138000")
    save.click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(profile).to_contain_text("138****8000")
    expect(profile).not_to_contain_text(rules.mask_phone(old_phone))
    expect(phone.locator("#id_phone")).to_have_value("13800138000")

    # and asks for a name correction, which waits for approval
    phone.fill("#id_name", "李芳芳")
    phone.fill("#id_reason", "户口本上的名字")
    save.click()
    expect(phone.locator(".alert-info")).to_be_visible()
    expect(profile.locator(".fs-5")).to_have_text("李芳")
    correction = profile.locator(".border-bottom", has_text="李芳芳")
    expect(correction).to_have_count(1)
    expect(correction.locator(".badge")).to_have_class(re.compile(r"text-bg-warning"))
    expect(profile.locator(".alert-warning")).to_be_visible()  # a correction is pending
    shot(phone, "self-service-pending-phone")

    # then the chair, in another browser, sees the request on the approvals page
    desk = new_page()
    login(desk, "chair")
    desk.goto("/members/approvals/")
    decide = desk.locator("form[action^='/members/approvals/change/']")
    expect(decide).to_have_count(1)
    request = desk.locator(".border-bottom", has=decide)
    expect(request).to_contain_text("李芳")
    expect(request.locator("li")).to_have_count(1)  # only the name: the phone did not wait
    expect(request.locator("li strong")).to_have_text("李芳芳")
    expect(request).to_contain_text("户口本上的名字")
    shot(desk, "approvals-chair")

    # when the chair approves it
    decide.locator("button[name=decision][value=approve]").click()
    expect(desk.locator(".alert-success")).to_contain_text("李芳")
    expect(desk.locator("form[action^='/members/approvals/change/']")).to_have_count(0)

    # then the member reloads and sees the new name, the correction marked approved
    phone.reload()
    expect(profile.locator(".fs-5")).to_have_text("李芳芳")
    expect(correction.locator(".badge")).to_have_class(re.compile(r"text-bg-success"))
    expect(profile.locator(".alert-warning")).to_have_count(0)
    shot(phone, "self-service-approved-phone")
