"""Journey: a chair with two unread notices sees "2" on the bell, opens the inbox, clicks the
overdue visit and lands on the care page with "1" on the bell; on a phone the bell is in the
top bar without opening the menu, and the inbox fits the screen."""

from __future__ import annotations

from playwright.sync_api import expect

from gonghui.core.notifications import notify

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def _two_notices(world) -> None:
    notify(
        [world.chair],
        kind="care.visit_due",
        title="慰问提醒：李芳（住院）应于 2026-11-05 前慰问，已逾期 2 天",
        body="慰问人：工会主席、小组长\n标准：¥500.00 + 水果",
        url="/care/",
        unit=world.school,
        key="e2e:visit",
    )
    notify(
        [world.chair],
        kind="congress.proposal_review",
        title="提案待审查：关于增设教师休息室的提案",
        body="提案已提交，请审查是否立案并确定承办部门。",
        unit=world.school,
        key="e2e:proposal",
    )


def test_it_takes_the_chair_from_the_bell_to_the_work(world, new_page):
    # given a chair with two unread notices
    _two_notices(world)
    page = new_page()
    login(page, "chair")
    # then the bell in the top bar shows 2
    expect(page.locator("#bell-count")).to_have_text("2")
    # when they open the inbox
    page.locator("#bell").click()
    expect(page).to_have_url("/notifications/")
    items = page.locator("#notice-list [data-notice]")
    expect(items).to_have_count(2)
    expect(page.locator("#notice-list [data-unread='1']")).to_have_count(2)
    expect(items.first).to_contain_text("第一中学工会")
    shot(page, "notifications-inbox")
    # and click the overdue visit
    page.locator("#notice-list button", has_text="慰问提醒").click()
    # then they are on the care page and the bell shows 1
    expect(page).to_have_url("/care/")
    expect(page.locator("#bell-count")).to_have_text("1")
    # and back in the inbox the visit is read, the proposal still bold
    page.locator("#bell").click()
    expect(page.locator("#notice-list [data-unread='1']")).to_have_count(1)
    expect(page.locator("#notice-list [data-unread='1']")).to_contain_text("提案待审查")
    # when they mark all read, the badge goes away
    page.locator("#mark-all-read").click()
    expect(page.locator("#bell-count")).to_have_count(0)
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "notifications-all-read")


def test_the_bell_is_in_reach_on_a_phone(world, new_page):
    _two_notices(world)
    phone = new_page(viewport=PHONE)
    login(phone, "chair")
    # the bell is visible with the menu collapsed
    expect(phone.locator("#bell")).to_be_visible()
    expect(phone.locator("#bell-count")).to_have_text("2")
    expect(phone.locator("#mainnav")).not_to_be_visible()
    shot(phone, "notifications-bell-phone")
    phone.locator("#bell").click()
    expect(phone.locator("#notice-list [data-notice]")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "notifications-inbox-phone")
    # the notice without a link returns to the inbox, read
    phone.locator("#notice-list button", has_text="提案待审查").click()
    expect(phone).to_have_url("/notifications/")
    expect(phone.locator("#bell-count")).to_have_text("1")
