"""Journey: the chair opens a hardship file, records a 金秋助学 grant (the student fields
appear only for education aid), and sees every opening of the file in the read log; the
member then sees their own file, reduced, on a phone."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from gonghui.core.models import AuditEvent

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_lets_the_chair_open_a_file_give_education_aid_and_see_the_reads(world, new_page):
    today = date.today().isoformat()
    # given the chair on the hardship list
    page = new_page()
    login(page, "chair")
    page.goto("/care/hardship/")
    # when they open a file for 李芳 through the form
    page.locator("a[href='/care/hardship/new/']").click()
    page.fill("#id_member", world.member_a.member_no)
    page.fill("#id_opened_on", today)
    page.select_option("#id_tier", "deep")
    page.select_option("#id_primary_cause", "illness")
    page.check("input[name=secondary_causes][value=schooling]")
    page.fill("#id_household_size", "3")
    page.fill("#id_household_income_monthly", "2400")
    page.fill("#id_hardship_costs_monthly", "600")
    page.fill("#id_local_min_income_line", "760")
    page.fill("#id_needs", "丈夫住院，女儿将读大学")
    shot(page, "hardship-open-form")
    page.locator("form button[type=submit]").click()
    # then the file page shows it, with its number and tier
    expect(page.locator("h1")).to_contain_text("李芳")
    file_no = page.locator("h1").inner_text().split(" · ")[0]
    assert file_no.startswith("KN-")
    expect(page.locator("#tier")).to_be_visible()

    # when they record education aid: the student fields show only for that kind
    page.locator("a[href$='/aid/']").click()
    student = page.locator("[data-field=student_name]")
    expect(student).to_be_hidden()
    page.select_option("#id_kind", "education")
    expect(student).to_be_visible()
    page.fill("#id_given_on", today)
    page.fill("#id_amount", "5000")
    page.fill("#id_student_name", "张小雨")
    page.fill("#id_student_school", "安徽大学")
    page.fill("#id_description", "金秋助学")
    shot(page, "hardship-aid-form")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#aid")).to_contain_text("安徽大学")
    expect(page.locator("#aid")).to_contain_text("5000.00")
    shot(page, "hardship-file-detail")

    # then the read log lists each opening of the file by the chair
    page.locator("a[href*='/care/hardship/reads/?file=']").click()
    rows = page.locator("#reads tbody tr")
    expect(rows).to_have_count(2)  # after opening, after recording aid
    expect(rows.first).to_contain_text("chair")
    expect(rows.first).to_contain_text(file_no)
    assert AuditEvent.objects.filter(action="care.hardship_read").count() == 2
    shot(page, "hardship-read-log")

    # and the member sees their own file on a phone, without the household figures
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    phone.goto("/care/hardship/mine/")
    main = phone.locator("main")
    expect(main).to_contain_text(file_no)
    expect(main).to_contain_text("安徽大学")
    expect(main).not_to_contain_text("2400")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "hardship-mine-phone")
