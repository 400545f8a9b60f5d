"""Journey: a cadre imports a roster built from the downloaded template. The first file has
a wrong ID check digit and an unknown union group: the preview lists both problems, offers
the error report and no commit. The fixed file previews as new rows, commits, and the
members show in the member list."""

from __future__ import annotations

import re
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect

from gonghui.testing.factories import valid_id_number

from .conftest import login, shot

# name, birth date, gender, group (blank: the union itself)
PEOPLE = [
    ("周一", date(1985, 3, 7), "男", "语文教研组"),
    ("吴二", date(1990, 11, 21), "女", "数学教研组"),
    ("郑三", date(1978, 6, 2), "男", "语文教研组"),  # first file: wrong check digit
    ("孙四", date(1995, 1, 30), "女", "物理教研组"),  # first file: no such group
    ("钱五", date(1982, 9, 15), "女", ""),
]
BAD_ID_ROW = 4  # spreadsheet rows: the header is row 1
BAD_GROUP_ROW = 5


def _id_number(i: int, birth: date, gender: str) -> str:
    return valid_id_number(birth, i + 1, "M" if gender == "男" else "F", region="320102")


def _wrong_check_digit(idn: str) -> str:
    return idn[:-1] + ("1" if idn[-1] != "1" else "2")


def _write_roster(template, out, *, broken: bool) -> dict[str, str]:
    """Fill the downloaded template (header kept, example row dropped); returns name -> ID."""
    wb = load_workbook(template)
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.delete_rows(2, ws.max_row)
    ids = {}
    for i, (name, birth, gender, group) in enumerate(PEOPLE):
        idn = ids[name] = _id_number(i, birth, gender)
        values = {
            "姓名": name,
            "身份证号": idn,
            "性别": gender,
            "手机号码": f"1370000{i:04d}",
            "工会小组": group,
            "用工性质": "正式",
            "入会时间": "2021-09-01",
        }
        if broken and i + 2 == BAD_ID_ROW:
            values["身份证号"] = _wrong_check_digit(idn)
        if broken and i + 2 == BAD_GROUP_ROW:
            values["工会小组"] = "物理教研组"
        elif not broken and group == "物理教研组":
            values["工会小组"] = "数学教研组"
        ws.append([values.get(h, "") for h in header])
    wb.save(out)
    return ids


def _upload(page, path) -> None:
    page.goto("/members/import/")
    page.set_input_files("#id_file", str(path))
    page.locator("form[enctype='multipart/form-data'] button").click()
    expect(page).to_have_url(re.compile(r"/members/import/\d+/$"))
    expect(page.locator("#import-counts")).to_be_visible()


def _counts(page) -> dict[str, str]:
    cells = page.locator("#import-counts [data-count]")
    return {
        cells.nth(i).get_attribute("data-count"): cells.nth(i).inner_text().strip()
        for i in range(cells.count())
    }


def test_it_imports_a_roster_after_the_errors_are_fixed(world, new_page, tmp_path):
    page = new_page()
    login(page, "cadre")

    # given the cadre downloads the template from the import page
    page.goto("/members/import/")
    shot(page, "import-start")
    with page.expect_download() as info:
        page.locator("a[href$='/members/import/template.xlsx']").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    header = [c.value for c in load_workbook(template).active[1]]
    assert header[:2] == ["姓名", "身份证号"]
    assert "工会小组" in header

    # when a roster with a wrong check digit and an unknown group is uploaded
    broken = tmp_path / "roster.xlsx"
    ids = _write_roster(template, broken, broken=True)
    _upload(page, broken)

    # then the preview names both problems (row, column, value, reason) and offers no commit
    assert _counts(page) == {
        "rows_total": "5",
        "rows_new": "3",
        "rows_updated": "0",
        "rows_unchanged": "0",
        "error_count": "2",
    }
    problems = page.locator("#import-errors tbody tr")
    expect(problems).to_have_count(2)
    bad_id = problems.filter(has_text=_wrong_check_digit(ids["郑三"]))
    expect(bad_id.locator("td").nth(0)).to_have_text(str(BAD_ID_ROW))
    expect(bad_id.locator("td").nth(1)).to_contain_text("身份证号")
    expect(bad_id.locator("td").nth(3)).to_have_text(re.compile(r"check digit|校验"))
    bad_group = problems.filter(has_text="物理教研组")
    expect(bad_group.locator("td").nth(0)).to_have_text(str(BAD_GROUP_ROW))
    expect(bad_group.locator("td").nth(1)).to_contain_text("工会小组")
    expect(bad_group.locator("td").nth(3)).to_contain_text("第一中学工会")
    expect(page.locator("form[action$='/commit/']")).to_have_count(0)
    # and the cadre, who may not open hardship files, sees the template's hardship column
    # ignored, with the reason
    expect(page.locator("tr", has_text="困难职工").locator("td").nth(2)).to_contain_text(
        "困难职工档案"
    )
    shot(page, "import-preview-errors")

    # and the error report lists the same two problems
    with page.expect_download() as info:
        page.locator("#import-errors a[href$='/errors.xlsx']").click()
    report = tmp_path / "errors.xlsx"
    info.value.save_as(report)
    lines = [
        list(r) for r in load_workbook(report, read_only=True).active.iter_rows(values_only=True)
    ]
    assert "roster.xlsx" in str(lines[0][0])
    by_row = {line[0]: line for line in lines[2:]}
    assert sorted(by_row) == [BAD_ID_ROW, BAD_GROUP_ROW]
    assert by_row[BAD_ID_ROW][2:4] == ["身份证号", _wrong_check_digit(ids["郑三"])]
    assert by_row[BAD_GROUP_ROW][2:4] == ["工会小组", "物理教研组"]
    assert all(line[4] for line in by_row.values())  # every problem has a reason

    # when the fixed file is uploaded, the preview shows five new rows and a commit button
    fixed = tmp_path / "roster-fixed.xlsx"
    _write_roster(template, fixed, broken=False)
    _upload(page, fixed)
    assert _counts(page)["rows_new"] == "5"
    assert _counts(page)["error_count"] == "0"
    expect(page.locator("#import-errors tbody tr")).to_have_count(0)
    commit = page.locator("form[action$='/commit/'] button")
    expect(commit).to_be_visible()
    shot(page, "import-preview-clean")

    # and committing shows the finished job and the counts
    commit.click()
    expect(page).to_have_url(re.compile(r"/members/import/\d+/result/$"))
    done = page.locator(".job-progress .alert-success")
    expect(done).to_be_visible()
    expect(done).to_contain_text("5")
    assert _counts(page)["rows_new"] == "5"
    shot(page, "import-result")

    # then the five people are active members of the school, in their groups
    page.goto("/members/")
    expect(page.locator("#member-table tbody tr")).to_have_count(7)  # 李芳, 王强 and the five
    for name, _birth, _gender, group in PEOPLE:
        row = page.locator("#member-table tbody tr", has_text=name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(group.replace("物理教研组", "数学教研组") or "第一中学工会")
    shot(page, "import-members-listed")
