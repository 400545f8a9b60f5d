"""Service tests of the roster import: files are generated in tmp_path at test time."""

from __future__ import annotations

import csv
import random
import struct
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook

from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, Person
from gonghui.members import importing, rules
from gonghui.members.importing import analysis, pgarray, planning, writing
from gonghui.members.models import Member, MembershipEvent, MemberStatus, RosterImport
from gonghui.members.services import member_transfer_out
from gonghui.testing.factories import valid_id_number

TODAY = date(2025, 3, 1)
HEADER = ["姓名", "身份证号", "性别", "手机号码", "工会小组", "用工性质", "入会时间"]


def person_row(n: int, **over: Any) -> list[Any]:
    gender = "M" if n % 2 else "F"
    born = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    values = {
        "姓名": f"测试{n}",
        "身份证号": valid_id_number(born, n, gender, region=f"{320100 + n // 100:06d}"),
        "性别": "男" if gender == "M" else "女",
        "手机号码": f"138{n:08d}",
        "工会小组": "语文教研组",
        "用工性质": "正式",
        "入会时间": "2015-09-01",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def write_xlsx(path: Path, rows: list[list[Any]], *, above: list[list[Any]] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in [*above, *rows]:
        ws.append(row)
    wb.save(path)
    return path


def roster(tmp_path: Path, n: int = 3, name: str = "roster.xlsx", **kw: Any) -> Path:
    return write_xlsx(tmp_path / name, [HEADER, *[person_row(i) for i in range(1, n + 1)]], **kw)


def upload(world: Any, path: Path, union: Any = None) -> RosterImport:
    return importing.roster_upload_path(actor=world.cadre, union=union or world.school, path=path)


def check(world: Any, path: Path) -> RosterImport:
    return importing.roster_check(actor=world.cadre, roster_import=upload(world, path), today=TODAY)


def commit(world: Any, path: Path) -> RosterImport:
    return importing.roster_commit(
        actor=world.cadre, roster_import=upload(world, path), today=TODAY
    )


def codes(ri: RosterImport) -> list[str]:
    return [e["code"] for e in ri.errors_sample]


def failed_commit(world: Any, path: Path) -> RosterImport:
    ri = upload(world, path)
    with pytest.raises(DomainError) as exc:
        importing.roster_commit(actor=world.cadre, roster_import=ri, today=TODAY)
    assert exc.value.code == "import.has_errors"
    ri.refresh_from_db()
    return ri


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# ---- happy path and idempotence -------------------------------------------------------


def test_it_imports_new_members(world, tmp_path):
    # given
    path = roster(tmp_path, 3)
    # when
    ri = commit(world, path)
    # then
    assert (ri.status, ri.rows_total, ri.rows_new, ri.error_count) == ("committed", 3, 3, 0)
    members = Member.objects.filter(union=world.school, person__name__startswith="测试")
    assert members.count() == 3
    m = members.select_related("person").get(person__name="测试1")
    assert m.unit == world.group_a and m.status == MemberStatus.ACTIVE
    assert m.person.gender == "M" and m.person.phone == "13800000001"
    assert m.joined_on == date(2015, 9, 1)
    assert m.member_no.startswith("SCH-")
    assert MembershipEvent.objects.filter(member=m, kind="imported").count() == 1
    audit = AuditEvent.objects.filter(action="member.import")
    assert audit.count() == 1
    assert audit.get().after["new"] == 3 and audit.get().after["sha256"] == ri.sha256


def test_it_changes_nothing_when_the_same_file_is_imported_again(world, tmp_path):
    # given
    path = roster(tmp_path, 5)
    commit(world, path)
    people, events = Person.objects.count(), MembershipEvent.objects.count()
    # when
    ri = commit(world, path)
    # then
    assert (ri.rows_new, ri.rows_updated, ri.rows_unchanged) == (0, 0, 5)
    assert Person.objects.count() == people
    assert MembershipEvent.objects.count() == events


def test_it_updates_a_changed_phone_only(world, tmp_path):
    # given
    commit(world, roster(tmp_path, 3))
    rows = [HEADER, person_row(1), person_row(2, 手机号码="13699999999"), person_row(3)]
    # when
    ri = commit(world, write_xlsx(tmp_path / "v2.xlsx", rows))
    # then
    assert (ri.rows_new, ri.rows_updated, ri.rows_unchanged) == (0, 1, 2)
    assert Person.objects.get(name="测试2").phone == "13699999999"


def test_it_moves_a_member_to_another_group_with_an_event(world, tmp_path):
    commit(world, roster(tmp_path, 1))
    rows = [HEADER, person_row(1, 工会小组="数学教研组")]
    ri = commit(world, write_xlsx(tmp_path / "v2.xlsx", rows))
    m = Member.objects.get(person__name="测试1")
    assert ri.rows_updated == 1 and m.unit == world.group_b
    assert m.events.filter(kind="moved", from_unit=world.group_a, to_unit=world.group_b).exists()


def test_it_previews_without_writing(world, tmp_path):
    ri = check(world, roster(tmp_path, 4))
    assert (ri.status, ri.rows_new, ri.error_count) == ("checked", 4, 0)
    assert not Person.objects.filter(name__startswith="测试").exists()
    cols = {c["header"]: c["field"] for c in ri.header_map["columns"]}
    assert cols["身份证号"] == "id_number" and cols["工会小组"] == "group"
    assert ri.header_map["missing"] == []


def test_it_numbers_new_members_after_the_last_number(world, tmp_path):
    Member.objects.filter(pk=world.member_a.pk).update(member_no="SCH-00041")
    commit(world, roster(tmp_path, 2))
    numbers = sorted(
        Member.objects.filter(person__name__startswith="测试").values_list("member_no", flat=True)
    )
    assert numbers == ["SCH-00042", "SCH-00043"]


# ---- error kinds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"身份证号": "110105199003071234"}, "id_check_digit"),
        ({"身份证号": "11010519900230123X"}, "id_birth_date"),
        ({"身份证号": "1101051990"}, "id_length"),
        ({"手机号码": "1380000"}, "phone_invalid"),
        ({"工会小组": "不存在的小组"}, "group_unknown"),
        ({"姓名": ""}, "required"),
        ({"身份证号": ""}, "required"),
        ({"性别": "男"}, "gender_mismatch"),
        ({"性别": "未知"}, "gender_unknown"),
        ({"用工性质": "外包"}, "employment_unknown"),
        ({"入会时间": "2020-02-30"}, "date_invalid"),
        ({"入会时间": "2030-01-01"}, "date_future"),
        ({"身份证号": 110105199003071234}, "id_numeric"),
    ],
)
def test_it_reports_each_error_kind(world, tmp_path, over, code):
    # given one good row and one bad row
    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, person_row(1), person_row(2, **over)])
    # when
    ri = failed_commit(world, path)
    # then nothing is written and the error names row 3 as Excel shows it
    assert code in codes(ri)
    err = next(e for e in ri.errors_sample if e["code"] == code)
    assert err["row"] == 3 and err["reason"] and err["header"]
    assert not Person.objects.filter(name__startswith="测试").exists()


def test_it_reports_a_birth_date_contradicting_the_id(world, tmp_path):
    header = [*HEADER, "出生日期"]
    rows = [header, [*person_row(1), "1999-01-01"], [*person_row(2), date(1972, 3, 3)]]
    ri = check(world, write_xlsx(tmp_path / "b.xlsx", rows))
    assert codes(ri) == ["birth_date_mismatch"]
    assert ri.errors_sample[0]["row"] == 2 and "1971-02-02" in ri.errors_sample[0]["reason"]


def test_it_reports_duplicate_ids_within_the_file(world, tmp_path):
    rows = [HEADER, person_row(1), person_row(2), person_row(1, 姓名="重复")]
    ri = check(world, write_xlsx(tmp_path / "d.xlsx", rows))
    assert codes(ri) == ["duplicate_id"]
    assert ri.errors_sample[0]["row"] == 4 and "2" in ri.errors_sample[0]["reason"]


def test_it_refuses_a_member_of_another_union(world, tmp_path):
    # given an ID number of the factory union's active member
    outsider = world.outsider.person
    rows = [HEADER, person_row(1, 身份证号=outsider.id_number, 姓名=outsider.name, 性别="")]
    # when
    ri = failed_commit(world, write_xlsx(tmp_path / "o.xlsx", rows))
    # then
    assert codes(ri) == ["other_union"]
    assert "红星机械厂工会" in ri.errors_sample[0]["reason"]
    assert Member.objects.get(pk=world.outsider.pk).union == world.factory_union


def test_it_takes_in_a_member_transferred_out_elsewhere(world, tmp_path):
    member_transfer_out(actor=None, member=world.outsider, on=TODAY, to_union=world.school)
    outsider = world.outsider.person
    rows = [HEADER, person_row(1, 身份证号=outsider.id_number, 姓名=outsider.name, 性别="")]
    ri = commit(world, write_xlsx(tmp_path / "t.xlsx", rows))
    member = Member.objects.get(pk=world.outsider.pk)
    assert ri.rows_updated == 1
    assert (member.union, member.status) == (world.school, MemberStatus.ACTIVE)
    assert member.events.filter(kind="imported", from_unit=world.workshop).exists()


def test_it_writes_nothing_when_one_row_of_many_is_bad(world, tmp_path):
    rows = [HEADER, *[person_row(i) for i in range(1, 40)], person_row(40, 手机号码="12")]
    ri = failed_commit(world, write_xlsx(tmp_path / "one-bad.xlsx", rows))
    assert ri.error_count == 1 and ri.status == "checked"
    assert not Person.objects.filter(name__startswith="测试").exists()
    assert not AuditEvent.objects.filter(action="member.import").exists()
    report = importing.read_error_report(importing.report_path(ri))
    assert report[0][:4] == [41.0, "D", "手机号码", "12"]


def test_its_own_inserts_give_the_rows_the_orm_would(world, tmp_path):
    # given: the import writes with plain INSERTs (COPY on PostgreSQL), not the ORM
    path = roster(tmp_path, 2)
    # when
    commit(world, path)
    # then: every column holds what the model and its defaults say
    m = Member.objects.select_related("person").get(person__name="测试2")
    p = m.person
    assert (p.id_number, p.gender, p.phone) == (person_row(2)[1], "F", "13800000002")
    assert p.birth_date == rules.core_rules.check_id_number(p.id_number).birth_date
    assert (m.union, m.unit, m.status, m.status_changed_on) == (
        world.school,
        world.group_a,
        MemberStatus.ACTIVE,
        TODAY,
    )
    assert (m.employment_type, m.work_status, m.joined_on) == (
        "permanent",
        "working",
        date(2015, 9, 1),
    )
    assert (m.applied_on, m.retired_on, m.post, m.department, m.note) == (None, None, "", "", "")
    assert not (m.is_model_worker or m.is_in_hardship or m.is_survivor)
    assert m.created_at is not None and m.created_at == m.updated_at
    event = m.events.get()
    assert (event.kind, event.on, event.from_unit, event.to_unit, event.actor) == (
        "imported",
        TODAY,
        None,
        world.group_a,
        world.cadre,
    )
    # the keys taken for the new rows leave the next ORM insert a free key
    other = Person.objects.create(name="后来者")
    assert other.pk > p.pk


def test_a_failure_while_writing_rolls_back_everything(world, tmp_path, monkeypatch):
    # given: the events' insert fails after the people and members went in
    people, members = Person.objects.count(), Member.objects.count()
    real = writing._Inserter.insert

    def failing(self, rows):
        if "membershipevent" in self.sql:
            raise RuntimeError("disk full")
        return real(self, rows)

    monkeypatch.setattr(writing._Inserter, "insert", failing)
    ri = upload(world, roster(tmp_path, 30))
    # when
    with pytest.raises(RuntimeError):
        importing.roster_commit(actor=world.cadre, roster_import=ri, today=TODAY)
    # then
    assert (Person.objects.count(), Member.objects.count()) == (people, members)
    assert not AuditEvent.objects.filter(action="member.import").exists()
    assert RosterImport.objects.get(pk=ri.pk).status != "committed"


def test_it_looks_people_up_in_several_batches(world, tmp_path, monkeypatch):
    # given
    path = roster(tmp_path, 7)
    commit(world, path)
    monkeypatch.setattr(planning, "BATCH", 2)
    monkeypatch.setattr(planning, "PG_LOOKUP_BATCH", 3)
    # when
    ri = commit(world, path)
    # then
    assert (ri.rows_new, ri.rows_updated, ri.rows_unchanged) == (0, 0, 7)


def test_the_garbage_collector_is_on_again_after_an_import(world, tmp_path):
    import gc

    commit(world, roster(tmp_path, 2))
    assert gc.isenabled()
    failed_commit(world, write_xlsx(tmp_path / "bad.xlsx", [HEADER, person_row(9, 手机号码="1")]))
    assert gc.isenabled()


def test_a_large_import_refreshes_the_planner_statistics(world, tmp_path, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given: a threshold of 3 rows stands for the real one
    monkeypatch.setattr(writing, "ANALYZE_AFTER_ROWS", 3)
    # when
    with CaptureQueriesContext(connection) as small:
        commit(world, roster(tmp_path, 2, name="small.xlsx"))
    with CaptureQueriesContext(connection) as large:
        commit(world, write_xlsx(tmp_path / "large.xlsx", [HEADER, *map(person_row, range(3, 7))]))
    # then: ANALYZE on PostgreSQL only (SQLite has no autovacuum to stand in for)
    analyzed = [q["sql"] for q in large.captured_queries if q["sql"].startswith("ANALYZE")]
    assert not [q for q in small.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyzed) == 1 and '"members_member"' in analyzed[0]
    else:
        assert analyzed == []


# ---- file shapes ----------------------------------------------------------------------


def test_it_finds_the_header_below_a_title_row(world, tmp_path):
    path = roster(tmp_path, 2, above=[["第一中学工会会员花名册"], ["填表日期：2025年3月"]])
    ri = check(world, path)
    assert ri.header_map["header_row"] == 3 and ri.rows_new == 2


def test_it_reads_merged_two_level_headers(world, tmp_path):
    # given 姓名/身份证号 merged over two rows, 联系方式 merged over two columns
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "联系方式", None])
    ws.append([None, None, "手机", "邮箱"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:D1")
    row = person_row(1)
    ws.append([row[0], row[1], "13912345678", "a@b.cn"])
    wb.save(tmp_path / "merged.xlsx")
    # when
    ri = check(world, tmp_path / "merged.xlsx")
    # then
    assert ri.error_count == 0 and ri.rows_new == 1 and ri.header_map["header_rows"] == 2
    mapped = {c["column"]: c["field"] for c in ri.header_map["columns"]}
    assert mapped == {"A": "name", "B": "id_number", "C": "phone", "D": None}


def test_it_tolerates_messy_headers_and_values(world, tmp_path):
    header = [" 名字 ", "公民身份\n号码", "联系电话", "所在小组", "用工形式", "入会日期", "备  注*"]
    row = person_row(1)
    messy = [" 测试１ ", row[1], "138 0000 0001", "语文教研组 ", "劳务派遣人员", "2015.9.1", "Ｘ"]
    ri = commit(world, write_xlsx(tmp_path / "messy.xlsx", [header, messy]))
    m = Member.objects.select_related("person").get(person__id_number=row[1])
    assert ri.error_count == 0
    assert (m.person.name, m.person.phone, m.employment_type) == (
        "测试1",
        "13800000001",
        "dispatched",
    )
    assert m.note == "X" and m.unit == world.group_a


def test_it_lists_extra_columns_as_ignored_and_missing_required_ones(world, tmp_path):
    rows = [["姓名", "手机", "爱好"], ["张三", "13912345678", "乒乓球"]]
    ri = failed_commit(world, write_xlsx(tmp_path / "m.xlsx", rows))
    assert ri.header_map["missing"] == ["身份证号"]
    assert {c["header"]: c["field"] for c in ri.header_map["columns"]}["爱好"] is None
    assert codes(ri) == ["missing_column"]


def test_it_uses_the_first_sheet_with_a_header(world, tmp_path):
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["请按模板填写"])
    ws = wb.create_sheet("会员")
    for row in [HEADER, person_row(1)]:
        ws.append(row)
    wb.save(tmp_path / "two.xlsx")
    ri = check(world, tmp_path / "two.xlsx")
    assert ri.header_map["sheet"] == "会员" and ri.header_map["skipped_sheets"] == ["填表说明"]


def test_it_says_so_when_no_sheet_has_a_header(world, tmp_path):
    path = write_xlsx(tmp_path / "nohead.xlsx", [["a", "b"], [1, 2]])
    with pytest.raises(DomainError) as exc:
        check(world, path)
    assert exc.value.code == "import.no_header"
    assert RosterImport.objects.get().status == "failed"


def test_it_refuses_an_empty_file_and_a_header_only_file(world, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DomainError) as exc:
        upload(world, tmp_path / "empty.csv")
    assert exc.value.code == "import.empty"
    with pytest.raises(DomainError) as exc:
        check(world, write_xlsx(tmp_path / "h.xlsx", [HEADER]))
    assert exc.value.code == "import.no_rows"


def test_it_reads_cached_formula_values_and_flags_formulas_without_one(world, tmp_path):
    # given a workbook whose phone cell of row 2 holds a cached value, row 3 none
    path = write_xlsx(tmp_path / "f.xlsx", [HEADER, person_row(1), person_row(2, 姓名="=A2")])
    ri = check(world, path)
    assert codes(ri) == ["formula_no_value"]
    assert ri.errors_sample[0]["row"] == 3 and ri.errors_sample[0]["column"] == "A"
    # and a cached value is read like any value (rewrite the sheet XML with <v>)
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(cached, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A2</f><v></v>", b"<f>A2</f><v>x</v>")
                data = data.replace(b"<f>A2</f><v />", b"<f>A2</f><v>x</v>")
                data = data.replace(b"<f>A2</f>", b"<f>A2</f><v>x</v>")
                data = data.replace(
                    b't="str"><f>A2</f><v>x</v><v>x</v>', b't="str"><f>A2</f><v>x</v>'
                )
            dst.writestr(item, data)
    ri = check(world, cached)
    assert ri.error_count == 0


@pytest.mark.parametrize("sheet", ["first", "second"])
def test_it_flags_formulas_on_the_sheet_it_reads_one_column_in(world, tmp_path, sheet):
    # given a roster that starts in column B, on the first sheet or after a sheet of
    # instructions with a formula of its own (the scan of the first sheet starts before
    # calamine has found the roster)
    wb = Workbook()
    ws = wb.active
    if sheet == "second":
        ws.title = "填表说明"
        ws.append(["请按模板填写", "=1+1"])
        ws = wb.create_sheet("会员")
    for row in [HEADER, person_row(1), person_row(2, 姓名="=B2")]:
        ws.append([None, *row])
    wb.save(tmp_path / "offset.xlsx")
    # when
    ri = check(world, tmp_path / "offset.xlsx")
    # then: the roster's formula, in its own column
    assert [(e["row"], e["column"], e["code"]) for e in ri.errors_sample] == [
        (3, "B", "formula_no_value")
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_it_reads_csv_in_gbk_and_utf8_with_bom(world, tmp_path, encoding):
    path = tmp_path / f"roster-{encoding}.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerow(person_row(1))
        writer.writerow(person_row(2))
    ri = commit(world, path)
    assert (ri.rows_new, ri.error_count) == (2, 0)
    assert Person.objects.filter(name="测试2").exists()


def test_it_refuses_files_that_are_not_spreadsheets(world, tmp_path):
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    text = tmp_path / "notes.xlsx"
    text.write_text("姓名,身份证号\n", encoding="utf-8")
    plain_zip = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("readme.txt", "hello")
    for path in (png, text, plain_zip):
        with pytest.raises(DomainError) as exc:
            upload(world, path)
        assert exc.value.code == "import.not_spreadsheet"
    assert not list((tmp_path / "media" / "imports").iterdir())


def test_it_refuses_a_zip_bomb(world, tmp_path):
    # given a "workbook" whose sheet inflates 1000-fold
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(DomainError) as exc:
        upload(world, bomb)
    assert exc.value.code == "import.zip_bomb"


def understate_size(path: Path, member: str) -> None:
    """Rewrite the zip's headers so that ``member`` claims to unpack to twice its compressed
    size, as a crafted bomb does to slip past checks that trust the headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    claimed = info.compress_size * 2
    struct.pack_into("<I", data, info.header_offset + 22, claimed)  # local header
    # the central directory starts where the end-of-directory record says
    central = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)[0]
    while True:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46 : central + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, central + 24, claimed)
            break
        central += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(data))


def test_it_refuses_a_zip_bomb_that_understates_its_size(world, tmp_path):
    # given a real roster whose sheet carries 200 MB of padding and whose zip headers claim
    # the sheet is small (so the ratio check above passes)
    path = roster(tmp_path, 3)
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    at = parts[sheet].index(b"<sheetData>") + len(b"<sheetData>")
    parts[sheet] = parts[sheet][:at] + b" " * (200 * 1024 * 1024) + parts[sheet][at:]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    understate_size(path, sheet)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(sheet).file_size < 1024 * 1024
    # when / then the reader stops at the claimed size and refuses the file
    with pytest.raises(DomainError) as exc:
        check(world, path)
    assert exc.value.code == "import.zip_bomb"
    assert not Person.objects.filter(name__startswith="测试").exists()


def test_it_refuses_a_file_over_the_size_limit(world, tmp_path, settings):
    # given a ~20 MB CSV and a 10 MB limit (the default limit is 25 MB)
    settings.GONGHUI_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    big = tmp_path / "big.csv"
    line = ",".join(person_row(1)) + "\n"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(",".join(HEADER) + "\n")
        fh.write(line * (20 * 1024 * 1024 // len(line.encode())))
    assert big.stat().st_size > 19 * 1024 * 1024
    # when / then
    with pytest.raises(DomainError) as exc:
        upload(world, big)
    assert exc.value.code == "import.too_large" and "10 MB" in exc.value.message


def test_a_20_mb_workbook_within_the_default_limit_is_read(world, tmp_path, settings):
    # given the default 25 MB limit and a three-row roster carrying a 20 MB picture that does
    # not compress (a union's logo pasted in at print quality, say)
    assert settings.GONGHUI_MAX_UPLOAD_BYTES == 25 * 1024 * 1024
    path = roster(tmp_path, 3)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/image1.png", random.Random(2).randbytes(20 * 1024 * 1024))
    assert path.stat().st_size > 20 * 1024 * 1024
    # when
    ri = commit(world, path)
    # then it is neither too large nor a zip bomb, and its rows are in
    assert (ri.status, ri.rows_new, ri.error_count) == ("committed", 3, 0)


def test_it_reports_50000_bad_rows(world, tmp_path):
    # given 50,000 rows with a bad phone each, as CSV (fast to write)
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(1, 50_001):
            writer.writerow(person_row(i, 手机号码="123", 工会小组=""))
    # when
    ri = failed_commit(world, path)
    # then every row is in the report and the page sample is capped (how long it takes is
    # the benchmark's business: bench/bench_import.py)
    assert ri.error_count == 50_000 and len(ri.errors_sample) == importing.ERRORS_SAMPLE
    report = importing.read_error_report(importing.report_path(ri))
    assert len(report) == 50_000 and report[-1][0] == 50_001
    assert not Person.objects.filter(name__startswith="测试").exists()


def test_it_imports_real_date_cells_and_excel_serials(world, tmp_path):
    rows = [
        HEADER,
        person_row(1, 入会时间=date(2016, 9, 1)),
        person_row(2, 入会时间=rules.date_to_excel_serial(date(2017, 3, 5))),
        person_row(3, 入会时间="2018年5月"),
        person_row(4, 入会时间="20190102"),
    ]
    commit(world, write_xlsx(tmp_path / "dates.xlsx", rows))
    joined = dict(
        Member.objects.filter(person__name__startswith="测试").values_list(
            "person__name", "joined_on"
        )
    )
    assert joined == {
        "测试1": date(2016, 9, 1),
        "测试2": date(2017, 3, 5),
        "测试3": date(2018, 5, 1),
        "测试4": date(2019, 1, 2),
    }


def test_it_refuses_an_actor_without_edit_rights(world, tmp_path):
    path = roster(tmp_path, 1)
    for user in (world.member, world.group_leader, world.upper_officer, world.other_chair):
        with pytest.raises(DomainError) as exc:
            importing.roster_upload_path(actor=user, union=world.school, path=path)
        assert exc.value.code == "forbidden"


def test_the_template_is_recognised_and_its_example_row_is_valid(world, tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(importing.template_workbook())
    ri = check(world, path)
    assert ri.header_map["missing"] == [] and ri.error_count == 0 and ri.rows_new == 1
    # every column maps, except the hardship flag for the cadre, who may not set it
    unmapped = {c["header"]: c["note"] for c in ri.header_map["columns"] if not c["field"]}
    assert unmapped == {"困难职工": "withheld"}
    chair_ri = importing.roster_check(
        actor=world.chair, roster_import=upload(world, path), today=TODAY
    )
    assert all(c["field"] for c in chair_ri.header_map["columns"])


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_it_names_rows_as_the_file_numbers_them_across_blank_rows_and_chunks(
    world, tmp_path, monkeypatch, kind
):
    # given: a title row, blank rows between blocks, chunks of two rows, and two bad rows
    monkeypatch.setattr(analysis, "CHUNK", 2)
    rows = [
        ["第一中学工会会员花名册"],
        HEADER,
        person_row(1),
        [],
        ["", None],
        person_row(2, 手机号码="12"),
        person_row(3),
        [],
        person_row(4, 入会时间="坏日期"),
    ]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "gaps.xlsx", rows)
    else:
        path = tmp_path / "gaps.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["" if v is None else v for v in r] for r in rows])
    # when
    ri = failed_commit(world, path)
    # then: blank rows are no error, and each bad row is named by its line in the file
    assert ri.rows_total == 4
    assert [(e["row"], e["code"]) for e in ri.errors_sample] == [
        (6, "phone_invalid"),
        (9, "date_invalid"),
    ]


def test_it_numbers_the_rows_without_a_number_in_order_after_the_file_s_own(world, tmp_path):
    # given: three new members, the middle one with a number of its own
    rows = [[*HEADER, "会员编号"]]
    rows += [[*person_row(i), no] for i, no in ((1, ""), (2, "SCH-00007"), (3, None))]
    # when
    commit(world, write_xlsx(tmp_path / "numbers.xlsx", rows))
    # then: the others continue after the highest number, in the file's order
    numbers = dict(
        Member.objects.filter(person__name__startswith="测试").values_list(
            "person__name", "member_no"
        )
    )
    assert numbers == {"测试1": "SCH-00008", "测试2": "SCH-00007", "测试3": "SCH-00009"}


def test_numbers_in_use_are_skipped_one_by_one(world):
    # given: a union whose numbers have a gap filled by a number without the usual width
    source = writing._NumberSource(world.school, ["SCH-00002", "SCH-2"])
    source.n = 0  # as if the sequence started over below the numbers in use
    # when
    numbers = source.fill(["", "X-1", None, ""])
    # then
    assert numbers == ["SCH-00001", "X-1", "SCH-00003", "SCH-00004"]


def test_rows_spread_over_several_insert_statements_keep_their_own_values(
    world, tmp_path, monkeypatch
):
    # given: room for only a few rows per INSERT (SQLite), so that 7 rows take several
    # statements and a shorter last one
    monkeypatch.setattr(writing, "SQLITE_MAX_PARAMS", 40)
    rows = [
        HEADER,
        *[person_row(i, 工会小组="数学教研组" if i % 2 else "语文教研组") for i in range(1, 8)],
    ]
    # when
    commit(world, write_xlsx(tmp_path / "seven.xlsx", rows))
    # then: each member has its own person, unit and number, and one event to its unit
    members = Member.objects.filter(person__name__startswith="测试").select_related("person")
    got = {
        m.person.name: (m.person.id_number, m.unit_id, m.union_id, m.events.get().to_unit_id)
        for m in members
    }
    assert got == {
        f"测试{i}": (
            person_row(i)[1],
            (world.group_b if i % 2 else world.group_a).pk,
            world.school.pk,
            (world.group_b if i % 2 else world.group_a).pk,
        )
        for i in range(1, 8)
    }
    assert len({m.member_no for m in members}) == 7


def hardship_roster(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "hardship.xlsx",
        [[*HEADER, "困难职工"], [*person_row(1), "是"], [*person_row(2), "否"]],
    )


def test_a_cadre_s_import_reads_past_the_hardship_column(world, tmp_path):
    # given: a cadre (who may import but not open hardship files) and a roster marking one
    # member as in hardship
    path = hardship_roster(tmp_path)
    # when
    ri = commit(world, path)
    # then: the members are imported, none marked, and the preview says why the column
    # was ignored
    assert ri.rows_new == 2
    assert not Member.objects.filter(person__name__startswith="测试", is_in_hardship=True).exists()
    column = next(c for c in ri.header_map["columns"] if c["header"] == "困难职工")
    assert (column["field"], column["note"]) == (None, "withheld")


def test_a_cadre_s_re_import_leaves_the_hardship_flag_as_it_was(world, tmp_path):
    # given: a member the chair marked as in hardship, and the cadre's roster saying "no"
    importing.roster_commit(
        actor=world.chair, roster_import=upload(world, hardship_roster(tmp_path)), today=TODAY
    )
    rows = [[*HEADER, "困难职工"], [*person_row(1), "否"]]
    # when
    commit(world, write_xlsx(tmp_path / "again.xlsx", rows))
    # then
    assert Member.objects.get(person__name="测试1").is_in_hardship


def test_the_chair_s_import_sets_the_hardship_flag(world, tmp_path):
    # when: the chair, who may open the union's hardship files, imports the roster
    ri = importing.roster_commit(
        actor=world.chair, roster_import=upload(world, hardship_roster(tmp_path)), today=TODAY
    )
    # then
    flags = dict(
        Member.objects.filter(person__name__startswith="测试").values_list(
            "person__name", "is_in_hardship"
        )
    )
    assert flags == {"测试1": True, "测试2": False}
    column = next(c for c in ri.header_map["columns"] if c["header"] == "困难职工")
    assert column["field"] == "is_in_hardship"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences: PostgreSQL")
def test_keys_drawn_as_one_run_or_scattered_are_all_returned(db):
    # given: a run of keys, then a sequence that skips (as when another session draws keys
    # between ours)
    run = writing._allocate_ids(Person, 4)
    assert run == list(range(run[0], run[0] + 4))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('core_person', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")  # undone with the test
    # when
    scattered = writing._allocate_ids(Person, 4)
    # then: every key the sequence gave, none made up
    low = min(scattered)
    assert sorted(scattered) == [low + 3 * i for i in range(4)]
    assert low > run[-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's arrays")
@pytest.mark.parametrize(
    "values", [[], ["110101199003077777"], [f"32010119900307{i:03d}X" for i in range(500)]]
)
def test_long_lists_reach_the_server_as_the_arrays_they_were(db, values):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pgarray.text_array()}", [pgarray.joined(values)])
        assert cursor.fetchone()[0] == values
        keys = list(range(len(values)))
        cursor.execute(f"SELECT {pgarray.bigint_array()}", [pgarray.joined(keys)])
        assert cursor.fetchone()[0] == keys
