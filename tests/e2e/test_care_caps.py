"""Journey: the system administrator enters 安徽's caps for next year from the provincial
federation's new document (prefilled from the caps in force, festival gifts raised), then
corrects a birthday cap entered wrongly, with a reason. The school's chair sees on the
union's care settings page which provincial rule applies and reads the province's table,
without any control to change it."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from gonghui.care.models import SpendingCap

from .conftest import login, shot

SOURCE = "皖工发〔2026〕30号《安徽省基层工会经费收支管理实施细则》"


def test_it_enters_next_years_caps_and_corrects_one(world, new_page):
    next_year = timezone.localdate().year + 1
    page = new_page()
    login(page, "admin")

    # given the provincial caps of 安徽 as built in
    page.goto("/care/caps/")
    page.locator("tr[data-province='安徽'] a").click()
    expect(page.locator("#province-caps tr[data-item=festival] td.table-success")).to_have_text(
        re.compile("2000.00")
    )
    shot(page, "caps-province")

    # when the administrator enters next year's caps, prefilled from the latest ones
    page.locator("#new-year").click()
    expect(page.locator("#id_amount_festival")).to_have_value("2000.00")
    expect(page.locator("#id_from_year")).to_have_value(str(next_year))
    page.fill("#id_amount_festival", "2200")
    page.fill("#id_source_note", SOURCE)
    shot(page, "caps-new-year")
    page.locator("form button[type=submit]").click()

    # then the table has the new year, not yet in force
    expect(page.locator(f"#province-caps th[data-year='{next_year}']")).to_contain_text(
        str(next_year)
    )
    cell = page.locator(f"#province-caps tr[data-item=festival] td[data-year='{next_year}']")
    expect(cell).to_contain_text("2200.00")

    # and a wrong birthday cap is corrected with a reason, which the change list shows
    page.locator("#province-caps tr[data-item=birthday] td[data-year='2018'] a").click()
    page.fill("#id_amount", "350")
    page.fill("#id_reason", "录入错误：文件规定生日慰问每人每年不超过350元")
    shot(page, "caps-correct")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#history")).to_contain_text("录入错误")
    shot(page, "caps-province-after")
    assert SpendingCap.objects.get(item="birthday", from_year=2018).amount == 350

    # the chair sees the provincial rule beside the union's own, and reads without controls
    chair = new_page()
    login(chair, "chair")
    chair.goto("/care/settings/")
    expect(
        chair.locator("#caps tr[data-item=birthday] [data-role=provincial-rule]")
    ).to_contain_text("2018")
    shot(chair, "caps-union-settings")
    chair.locator("#province-caps-link").click()
    expect(chair.locator("#province-caps")).to_be_visible()
    expect(chair.locator("#new-year")).to_have_count(0)
