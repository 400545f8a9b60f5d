"""The roster import pages and the CLI: access, dry run then commit, error report download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from gonghui.core.models import AuditEvent, BackgroundJob
from gonghui.members import importing
from gonghui.members.models import Member, RosterImport
from gonghui.members.tests.test_import import HEADER, person_row


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_file(n: int = 3) -> io.BytesIO:
    f = io.BytesIO(xlsx_bytes([HEADER, *[person_row(i) for i in range(1, n + 1)]]))
    f.name = "花名册.xlsx"
    return f


def post_upload(client, world, f, union=None):
    return client.post(
        reverse("members:import_start"), {"union": (union or world.school).pk, "file": f}
    )


def test_it_shows_the_start_page_to_a_cadre(client, world):
    client.force_login(world.cadre)
    r = client.get(reverse("members:import_start"))
    assert r.status_code == 200
    assert list(r.context["form"].fields["union"].queryset) == [world.school]


@pytest.mark.parametrize("persona", ["member", "group_leader", "upper_officer", "auditor"])
def test_it_refuses_the_start_page_to_those_who_may_not_edit(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("members:import_start")).status_code == 403
    assert client.get(reverse("members:import_template")).status_code == 403


def test_it_refuses_an_upload_into_another_union(client, world):
    # given the factory union's chair posting the school's union id
    client.force_login(world.other_chair)
    r = post_upload(client, world, good_file())
    assert r.status_code == 200 and r.context["form"].errors["union"]
    assert not RosterImport.objects.exists()


def test_it_serves_the_template(client, world):
    client.force_login(world.cadre)
    r = client.get(reverse("members:import_template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["姓名", "身份证号"]


def test_it_checks_then_commits_through_the_web(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.cadre)
    # when the cadre uploads (the check runs as a task: immediately in tests)
    with django_capture_on_commit_callbacks(execute=True):
        r = post_upload(client, world, good_file(3))
    ri = RosterImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("members:import_preview", args=[ri.pk])
    # then the preview shows counts, mapping and the commit button
    page = client.get(r["Location"])
    assert page.status_code == 200
    ri.refresh_from_db()
    assert (ri.status, ri.rows_new, ri.job.status) == ("checked", 3, BackgroundJob.Status.DONE)
    assert page.context["may_commit"] and reverse("members:import_commit", args=[ri.pk]) in (
        page.content.decode()
    )
    assert Member.objects.filter(union=world.school).count() == 2
    # when the cadre commits
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:import_commit", args=[ri.pk]))
    assert r.status_code == 302
    result = client.get(r["Location"])
    assert result.status_code == 200
    ri.refresh_from_db()
    assert ri.status == "committed" and Member.objects.filter(union=world.school).count() == 5
    assert AuditEvent.objects.filter(action="member.import", actor=world.cadre).count() == 1
    # and the job's progress partial shows the outcome
    status = client.get(reverse("job_status", args=[ri.job_id]))
    assert status.status_code == 200 and b"every 1s" not in status.content


def test_it_reports_errors_and_serves_the_report(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.cadre)
    f = io.BytesIO(
        xlsx_bytes([HEADER, person_row(1), person_row(2, 手机号码="123"), person_row(3)])
    )
    f.name = "bad.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, world, f)
    ri = RosterImport.objects.get()
    page = client.get(reverse("members:import_preview", args=[ri.pk]))
    assert page.status_code == 200 and not page.context["may_commit"]
    # the commit is refused while there are errors
    client.post(reverse("members:import_commit", args=[ri.pk]))
    ri.refresh_from_db()
    assert ri.status == "checked" and ri.error_count == 1
    # the report is an xlsx with the bad row
    r = client.get(reverse("members:import_errors", args=[ri.pk]))
    assert r.status_code == 200
    content = b"".join(r.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[2][:4] == [3.0, "D", "手机号码", "123"]
    assert len(rows) == 3


def test_it_hides_another_unions_imports(client, world, tmp_path):
    # given an import of the school union
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, person_row(1), person_row(2, 手机号码="1")]))
    ri = importing.roster_check(
        actor=world.cadre,
        roster_import=importing.roster_upload_path(
            actor=world.cadre, union=world.school, path=path
        ),
    )
    client.force_login(world.other_chair)
    # then every page of it is "not found" for the factory union's chair
    for name in ("import_preview", "import_result", "import_errors"):
        assert client.get(reverse(f"members:{name}", args=[ri.pk])).status_code == 404
    assert client.post(reverse("members:import_commit", args=[ri.pk])).status_code == 404
    assert client.get(reverse("job_status", args=[ri.pk])).status_code in (403, 404)
    assert not client.get(reverse("members:import_start")).context["recent"]


def test_it_rejects_a_non_spreadsheet_upload_with_a_message(client, world):
    client.force_login(world.cadre)
    f = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    f.name = "photo.xlsx"
    r = post_upload(client, world, f)
    assert r.status_code == 200 and r.context["form"].errors["file"]
    assert not RosterImport.objects.exists()


def test_the_cli_imports_and_reports(world, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([HEADER, person_row(1), person_row(2)]))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([HEADER, person_row(3, 身份证号="110105199003071234")]))
    # a dry run writes nothing
    out = io.StringIO()
    call_command("members", "import", str(good), "--union", "SCH", "--dry-run", stdout=out)
    assert "2" in out.getvalue() and not Member.objects.filter(person__name="测试1").exists()
    # a real run imports
    call_command("members", "import", str(good), "--union", "SCH", stdout=io.StringIO())
    assert Member.objects.filter(person__name__in=["测试1", "测试2"]).count() == 2
    # errors: non-zero exit and the report on stdout
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("members", "import", str(bad), "--union", "SCH", stdout=out)
    assert exc.value.returncode == 2
    lines = out.getvalue().splitlines()
    assert any(line.startswith("2\tB\t身份证号\t110105199003071234\t") for line in lines)


def test_the_cli_refuses_an_unknown_union(world, tmp_path):
    path = Path(tmp_path / "x.xlsx")
    path.write_bytes(xlsx_bytes([HEADER, person_row(1)]))
    with pytest.raises(CommandError):
        call_command("members", "import", str(path), "--union", "NOPE", stdout=io.StringIO())


def test_the_preview_says_why_a_cadre_s_hardship_column_is_ignored(
    client, world, django_capture_on_commit_callbacks
):
    # given: a cadre, who may not open hardship files, uploading a roster with the column
    client.force_login(world.cadre)
    f = io.BytesIO(xlsx_bytes([[*HEADER, "困难职工"], [*person_row(1), "是"]]))
    f.name = "hardship.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, world, f)
    # when
    page = client.get(reverse("members:import_preview", args=[RosterImport.objects.get().pk]))
    # then
    assert page.status_code == 200
    assert "只有可查看本工会困难职工档案的人员才能设置" in page.content.decode()
