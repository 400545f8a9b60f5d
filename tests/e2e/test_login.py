"""Journey: log in (after a wrong password), see the dashboard with its figures and charts,
switch the interface to English and back, log out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot


def test_it_logs_in_shows_the_dashboard_switches_language_and_logs_out(world, new_page):
    page = new_page()

    # given a wrong password, the login page says so and stays where it is
    page.goto("/login/")
    page.fill("#id_username", "chair")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    error = page.locator(".alert-danger")
    expect(error).to_be_visible()
    # English source text, or the Chinese translation once it lands
    expect(error).to_have_text(re.compile(r"Wrong username or password|用户名.*密码"))
    expect(page).to_have_url("/login/")
    expect(page.locator("nav.navbar")).to_have_count(0)
    shot(page, "login-wrong-password")

    # when the chair logs in with the right one, the dashboard of the school union shows
    login(page, "chair", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text("第一中学工会")
    expect(page.locator("[data-figure=total] .value")).to_have_text("2")
    expect(page.locator("[data-figure=new_this_year] .value")).to_have_text("0")
    # then each of the four ECharts containers holds a drawn canvas
    charts = page.locator(".chart[data-chart]")
    expect(charts).to_have_count(4)
    for key in ("group", "gender", "age", "employment"):
        expect(page.locator(f".chart[data-chart={key}] canvas").first).to_be_visible()
    # the figures behind the "by unit" chart name both groups of the school
    group_table = page.locator("table[data-table=group]")
    expect(group_table).to_contain_text("语文教研组")
    expect(group_table).to_contain_text("数学教研组")
    shot(page, "dashboard-chair-zh")

    # when switching to English, the same page comes back in English
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#mainnav")).to_contain_text("Dashboard")
    expect(page.locator("#mainnav")).to_contain_text("Log out")
    expect(page.locator("[data-figure=total] .value")).to_have_text("2")
    expect(page.locator(".chart[data-chart=gender] canvas").first).to_be_visible()
    shot(page, "dashboard-chair-en")

    # and back to Chinese
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="English")).to_be_visible()

    # when logging out, the login page shows and the dashboard asks for a login again
    page.locator("#mainnav form[action='/logout/'] button").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url("/login/")
    expect(page.locator("#id_username")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    shot(page, "logged-out")
