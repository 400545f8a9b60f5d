"""Journey: a cadre drafts a disclosure item, publishes it and revises it with a reason; a
member on a phone finds the revised item on the board and reads its history."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from gonghui.congress import disclosure

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_publishes_and_revises_an_item_that_a_member_reads_on_a_phone(world, new_page):
    # given the school's board has its preset categories (status words are checked in
    # either language: the translations are compiled by the lead)
    disclosure.categories_add_presets(actor=world.chair, union=world.school, kind="school")
    desk = new_page()
    login(desk, "cadre")

    # when the cadre drafts an item in 财务收支 and publishes it
    desk.goto(f"/congress/disclosure/manage/?union={world.school.pk}")
    desk.click("#new-item")
    desk.select_option("#id_category", label="财务收支")
    desk.fill("#id_title", "2026年上半年工会经费收支情况")
    desk.fill("#id_body", "会费收入：8.6万元\n慰问支出：3.2万元\n活动支出：4.1万元")
    desk.select_option("#id_stage", value="result")
    desk.click("#save-btn")
    expect(desk.locator("#item-status")).to_contain_text(re.compile("草稿|Draft"))
    desk.click("#publish-btn")
    expect(desk.locator(".alert-success")).to_be_visible()
    expect(desk.locator("#item-status")).to_contain_text(re.compile("已发布|Published"))

    # and revises it, giving the reason
    desk.click("#revise-link")
    desk.fill("#id_body", "会费收入：8.6万元\n慰问支出：3.5万元\n活动支出：4.1万元")
    desk.fill("#id_reason", "慰问支出漏记一笔，更正")
    shot(desk, "disclosure-revise-form")
    desk.click("#save-btn")
    expect(desk.locator("#item-body")).to_contain_text("3.5万元")
    expect(desk.locator("#revised-badge")).to_be_visible()
    shot(desk, "disclosure-item-cadre")

    # then a member on a phone sees the revised item on the board
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    phone.goto("/congress/disclosure/")
    card = phone.locator("a.list-group-item", has_text="2026年上半年工会经费收支情况")
    expect(card).to_be_visible()
    expect(card.locator(".badge.text-bg-warning")).to_be_visible()  # revised once
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "disclosure-board-phone")
    card.click()
    expect(phone.locator("#item-body")).to_contain_text("慰问支出：3.5万元")
    expect(phone.locator("#publish-btn")).to_have_count(0)  # members do not manage

    # and reads its history: the reason and what changed
    phone.click("#history-link")
    expect(phone.locator(".revision-reason")).to_have_text("慰问支出漏记一笔，更正")
    current = phone.locator("section[data-version='2']")
    expect(current.locator(".text-danger")).to_contain_text("慰问支出：3.2万元")
    expect(current.locator(".text-success")).to_contain_text("慰问支出：3.5万元")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "disclosure-history-phone")
