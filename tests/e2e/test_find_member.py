"""Journey: a cadre finds a member by name in the list (htmx updates the table), opens the
record, reveals the ID number, and exports the filtered list to Excel (masked by default)."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from gonghui.core import rules
from gonghui.testing.factories import MemberFactory, PersonFactory

from .conftest import login, shot


def test_it_finds_a_member_reveals_the_id_and_exports_the_filtered_list(world, new_page, tmp_path):
    # given the school has two members whose names start with 李 among others, and the
    # factory union (out of the cadre's reach) has one too
    li_ming = MemberFactory(
        union=world.school, unit=world.group_b, person=PersonFactory(name="李明")
    )
    for name in ("陈静", "刘洋"):
        MemberFactory(union=world.school, unit=world.group_a, person=PersonFactory(name=name))
    MemberFactory(union=world.factory_union, unit=world.workshop, person=PersonFactory(name="李娜"))
    page = new_page()
    login(page, "cadre")

    # when the cadre opens the member list, every active member of the school shows
    page.goto("/members/")
    rows = page.locator("#member-table tbody tr")
    expect(rows).to_have_count(5)  # 李芳, 王强, 李明, 陈静, 刘洋
    expect(page.locator("#member-table")).not_to_contain_text("李娜")
    page.evaluate("window.__samePage = true")  # survives htmx swaps, not a page load

    # and types a name: after a short pause htmx replaces the table in place and pushes the
    # filtered URL (fill + keyup is what typing 李 through an input method amounts to)
    page.fill("#id_q", "李")
    with page.expect_response(lambda r: "/members/?" in r.url and "q=" in r.url) as resp:
        page.dispatch_event("#id_q", "keyup")
    assert resp.value.request.headers.get("hx-request") == "true"
    expect(rows).to_have_count(2)
    expect(page.locator("#member-table")).to_contain_text("李芳")
    expect(page.locator("#member-table")).to_contain_text("李明")
    expect(page.locator("#member-table")).not_to_contain_text("王强")
    assert page.evaluate("window.__samePage") is True
    assert "q=%E6%9D%8E" in page.url
    shot(page, "member-list-filtered")

    # then opening the member shows the ID number masked, with a "show" button
    page.get_by_role("link", name="李明", exact=True).click()
    expect(page.locator("h1")).to_have_text("李明")
    idn = li_ming.person.id_number
    sensitive = page.locator(f"#sensitive-{li_ming.pk}")
    expect(sensitive.locator(".masked").first).to_have_text(rules.mask_id_number(idn))
    expect(sensitive).not_to_contain_text(idn)
    shot(page, "member-detail-masked")

    # when the cadre clicks "show", the clear ID number and phone replace the masked ones
    sensitive.locator("button[hx-post]").click()
    expect(sensitive).to_contain_text(idn)
    expect(sensitive).to_contain_text(li_ming.person.phone)
    expect(sensitive.locator(".masked")).to_have_count(0)
    shot(page, "member-detail-revealed")

    # then back on the filtered list, the export holds the two rows, masked by default
    page.goto("/members/?q=李")
    expect(rows).to_have_count(2)
    expect(page.locator("#export-sensitive")).not_to_be_checked()
    with page.expect_download() as info:
        page.locator("form[action='/members/export.xlsx'] button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)

    ws = load_workbook(path, read_only=True).active
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    header, body = table[0], table[1:]
    assert header[:6] == ["会员编号", "姓名", "性别", "出生日期", "身份证号", "手机号码"]
    col = {title: i for i, title in enumerate(header)}
    by_name = {r[col["姓名"]]: r for r in body}
    assert sorted(by_name) == ["李明", "李芳"]
    for member in (li_ming, world.member_a):
        row = by_name[member.person.name]
        assert row[col["身份证号"]] == rules.mask_id_number(member.person.id_number)
        assert row[col["手机号码"]] == rules.mask_phone(member.person.phone)
        assert row[col["所属工会"]] == "第一中学工会"
        assert row[col["会籍状态"]] == "在册"
    assert by_name["李明"][col["工会小组/分会"]] == "数学教研组"
    assert by_name["李芳"][col["工会小组/分会"]] == "语文教研组"
