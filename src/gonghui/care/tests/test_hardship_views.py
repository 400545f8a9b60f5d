"""The hardship pages as every persona: the access matrix (the heart of this capability),
read logging on every detail view, the chair's read log, masked and clear exports, the
member's own page, the upper union's counts, and the forms end to end."""

# ruff: noqa: F811 - the fixtures imported from the services tests are parameters here
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.care import hardship
from gonghui.care.models import AidRecord, HardshipFile, HardshipReview
from gonghui.core.models import AuditEvent
from gonghui.testing.factories import MemberFactory, PersonFactory
from gonghui.testing.personas import PERSONAS

from .test_hardship_services import (  # noqa: F401 - fixtures
    _clock,
    committee_person,
    open_file,
)

ALL = (*PERSONAS, "care_officer")
READ = "care.hardship_read"


@pytest.fixture
def users(world, care_officer):
    return {**world.personas(), "care_officer": care_officer}


@pytest.fixture
def school_file(world):
    """member_b's file in the school, with a family member, a re-check and aid."""
    f = open_file(world.chair, world.member_b, opened_on=date(2025, 1, 8))
    hardship.family_member_add(
        actor=world.chair, file=f, name="王小雨", relation="女儿", income_monthly=0
    )
    hardship.hardship_review(
        actor=world.chair, file=f, reviewed_on=date(2025, 11, 5), outcome="continue", income=3000
    )
    hardship.aid_record(
        actor=world.chair,
        file=f,
        kind="education",
        given_on=date(2025, 8, 20),
        amount="5000",
        student_name="王小雨",
        student_school="安徽大学",
    )
    f.refresh_from_db()
    return f


@pytest.fixture
def factory_file(world):
    return open_file(world.other_chair, world.outsider)


def _reads(**kw) -> int:
    return AuditEvent.objects.filter(action=READ, **kw).count()


def _xlsx(response) -> list[tuple]:
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(wb.active.iter_rows(values_only=True))


# ---- the access matrix -------------------------------------------------------------------

KEEPERS = {"chair": 200, "care_officer": 200}
LIST = {p: 403 for p in ALL} | KEEPERS | {"other_chair": 200}
# the school's file: another union's chair gets "not found", not "forbidden"
FILE_PAGE = {p: 403 for p in ALL} | KEEPERS | {"other_chair": 404}
NEW = LIST
MINE = {p: 404 for p in ALL} | {"member": 200}
COUNTS = {p: 403 for p in ALL} | KEEPERS | {"other_chair": 200, "upper_officer": 200}
OVERSEE = {p: 403 for p in ALL} | {"chair": 200, "other_chair": 200}
ARCHIVE = {p: {200: 302}.get(s, s) for p, s in FILE_PAGE.items()}


def _file_pages(f: HardshipFile) -> list[str]:
    person = f.family.first()
    return [
        reverse("care:hardship_detail", args=[f.pk]),
        reverse("care:hardship_edit", args=[f.pk]),
        reverse("care:hardship_review", args=[f.pk]),
        reverse("care:hardship_exit", args=[f.pk]),
        reverse("care:hardship_aid", args=[f.pk]),
        reverse("care:hardship_family_new", args=[f.pk]),
        reverse("care:hardship_family_edit", args=[f.pk, person.pk]),
    ]


@pytest.mark.parametrize("persona", ALL)
def test_it_answers_each_page_as_each_persona(client, world, users, school_file, persona):
    client.force_login(users[persona])
    assert client.get(reverse("care:hardship_list")).status_code == LIST[persona]
    assert client.get(reverse("care:hardship_new")).status_code == NEW[persona]
    for url in _file_pages(school_file):
        assert client.get(url).status_code == FILE_PAGE[persona], url
    archive = reverse(
        "care:hardship_family_archive", args=[school_file.pk, school_file.family.first().pk]
    )
    assert client.post(archive, {"reason": ""}).status_code == ARCHIVE[persona]
    assert client.get(reverse("care:hardship_mine")).status_code == MINE[persona]
    assert client.get(reverse("care:hardship_counts")).status_code == COUNTS[persona]
    assert client.get(reverse("care:hardship_reads")).status_code == OVERSEE[persona]
    assert client.get(reverse("care:hardship_export")).status_code == LIST[persona]
    assert client.get(reverse("care:hardship_export_full")).status_code == OVERSEE[persona]


@pytest.mark.parametrize("persona", ALL)
def test_it_refuses_another_unions_file_by_guessed_id(client, users, factory_file, persona):
    client.force_login(users[persona])
    expected = {"other_chair": 200, "chair": 404, "care_officer": 404}.get(persona, 403)
    for url in _file_pages_without_family(factory_file):
        assert client.get(url).status_code == expected, url
    r = client.get(reverse("care:hardship_reads"), {"file": factory_file.pk})
    assert r.status_code == {"other_chair": 200, "chair": 404}.get(persona, 403)


def _file_pages_without_family(f: HardshipFile) -> list[str]:
    return [
        reverse(f"care:hardship_{name}", args=[f.pk])
        for name in ("detail", "edit", "review", "exit", "aid", "family_new")
    ]


@pytest.mark.parametrize("persona", [p for p in ALL if p != "other_chair"])
def test_it_never_shows_another_unions_files_in_lists_or_exports(
    client, users, factory_file, persona
):
    client.force_login(users[persona])
    html = client.get(reverse("care:hardship_list")).content.decode()
    assert "赵敏" not in html and factory_file.file_no not in html
    r = client.get(reverse("care:hardship_export"))
    if r.status_code == 200:
        assert _xlsx(r)[1:] == []
    assert _reads(object_id=str(factory_file.pk)) == 0


def test_it_sends_anonymous_visitors_to_the_login_page(client, school_file):
    urls = [
        reverse("care:hardship_list"),
        reverse("care:hardship_new"),
        reverse("care:hardship_mine"),
        reverse("care:hardship_counts"),
        reverse("care:hardship_reads"),
        reverse("care:hardship_export"),
        reverse("care:hardship_export_full"),
        *_file_pages(school_file),
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url
    assert _reads() == 0


def test_it_answers_wrong_methods_with_405(client, world, school_file):
    client.force_login(world.chair)
    assert client.post(reverse("care:hardship_list")).status_code == 405
    assert client.post(reverse("care:hardship_detail", args=[school_file.pk])).status_code == 405
    assert client.post(reverse("care:hardship_counts")).status_code == 405
    assert client.post(reverse("care:hardship_export")).status_code == 405
    assert client.delete(reverse("care:hardship_edit", args=[school_file.pk])).status_code == 405
    archive = reverse(
        "care:hardship_family_archive", args=[school_file.pk, school_file.family.first().pk]
    )
    assert client.get(archive).status_code == 405


# ---- read logging --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL)
def test_it_logs_exactly_one_read_per_detail_view_and_none_when_refused(
    client, users, school_file, persona
):
    client.force_login(users[persona])
    before = _reads()
    r = client.get(reverse("care:hardship_detail", args=[school_file.pk]))
    if r.status_code == 200:
        assert _reads() == before + 1
        event = AuditEvent.objects.filter(action=READ).latest("id")
        assert event.actor == users[persona]
        assert event.object_id == str(school_file.pk) and event.object_repr == school_file.file_no
    else:
        assert _reads() == before


def test_it_lists_each_read_on_the_chairs_log_page(client, world, care_officer, school_file):
    # given a care officer opens the file twice
    client.force_login(care_officer)
    client.get(reverse("care:hardship_detail", args=[school_file.pk]))
    client.get(reverse("care:hardship_detail", args=[school_file.pk]))
    # when the chair opens the read log for that file
    client.force_login(world.chair)
    r = client.get(reverse("care:hardship_reads"), {"file": school_file.pk})
    # then both reads are there, with who, which file and the member's name
    assert r.status_code == 200
    rows = r.context["page"].object_list
    assert [(e.actor, e.object_repr) for e in rows] == [(care_officer, school_file.file_no)] * 2
    html = r.content.decode()
    assert "care_officer" in html and school_file.file_no in html and "王强" in html
    assert _reads(actor=world.chair) == 0  # reading the log is not a read of a file


def test_it_keeps_the_read_log_from_the_care_officer_and_the_admin(
    client,
    world,
    care_officer,
    school_file,
):
    for user in (care_officer, world.admin, world.cadre):
        client.force_login(user)
        assert client.get(reverse("care:hardship_reads")).status_code == 403


def test_it_shows_the_member_their_own_file_reduced_and_logs_it(client, world):
    f = open_file(world.chair, world.member_a)
    hardship.family_member_add(
        actor=world.chair, file=f, name="张伟", relation="配偶", income_monthly="1888"
    )
    hardship.aid_record(
        actor=world.chair, file=f, kind="festival", given_on=date(2026, 1, 20), amount="800"
    )
    client.force_login(world.member)
    r = client.get(reverse("care:hardship_mine"))
    html = r.content.decode()
    assert r.status_code == 200
    assert f.file_no in html and "800.00" in html and "春节慰问" in html
    assert "张伟" not in html and "1888" not in html  # the family's details stay with keepers
    assert "3000" not in html  # no household income either
    assert _reads(actor=world.member, object_id=str(f.pk)) == 1


def test_it_tells_a_member_without_a_file_how_to_ask(client, world):
    client.force_login(world.member)
    r = client.get(reverse("care:hardship_mine"))
    assert r.status_code == 200 and r.context["file"] is None
    assert _reads() == 0


# ---- the list --------------------------------------------------------------------------------


def test_it_lists_files_with_filters_and_the_due_badge(client, world, school_file):
    fresh = open_file(world.chair, world.member_a, tier="deep")
    client.force_login(world.chair)
    r = client.get(reverse("care:hardship_list"))
    assert [f.pk for f in r.context["rows"]] == [school_file.pk, fresh.pk]
    assert r.context["due_count"] == 0  # school_file re-checked in Nov 2025
    r = client.get(reverse("care:hardship_list"), {"tier": "deep"})
    assert [f.pk for f in r.context["rows"]] == [fresh.pk]
    HardshipFile.objects.filter(pk=school_file.pk).update(next_review_on=date(2026, 6, 1))
    r = client.get(reverse("care:hardship_list"), {"due": "on"})
    assert [f.pk for f in r.context["rows"]] == [school_file.pk]
    assert r.context["due_count"] == 1 and 'id="due-badge"' in r.content.decode()
    r = client.get(reverse("care:hardship_list"), {"status": "exited"})
    assert r.context["rows"] == []


def test_it_answers_the_list_filter_with_the_table_partial(client, world, school_file):
    client.force_login(world.chair)
    r = client.get(reverse("care:hardship_list"), {"tier": "relative"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "<html" not in r.content.decode() and school_file.file_no in r.content.decode()


def test_it_lists_many_files_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(30):
        open_file(world.chair, MemberFactory(union=world.school, unit=world.group_a))
    client.force_login(world.chair)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("care:hardship_list"))
    assert len(r.context["rows"]) == 30


# ---- exports ---------------------------------------------------------------------------------


def test_it_exports_masked_without_names_or_id_numbers_and_logs_each_file(
    client,
    world,
    care_officer,
    school_file,
):
    client.force_login(care_officer)
    r = client.get(reverse("care:hardship_export"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    rows = _xlsx(r)
    text = repr(rows)
    assert rows[0][:3] == ("档案编号", "所属工会", "姓名")
    assert rows[1][0] == school_file.file_no and rows[1][2] == "王*"
    assert "王强" not in text
    assert world.member_b.person.id_number not in text
    assert "身份证" not in text
    assert rows[1][7] == "500–1000"  # (3000 − 1200) / 3 = 600 per head, as a band
    assert "3000" not in text and "王小雨" not in text
    assert _reads(actor=care_officer, object_id=str(school_file.pk)) == 1


def test_it_exports_in_clear_only_for_the_chair_after_confirming(client, world, school_file):
    client.force_login(world.chair)
    url = reverse("care:hardship_export_full")
    # without the confirmation: the form again, nothing exported, nothing logged
    r = client.post(url, {"reason": "春节慰问名单"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
    assert _reads() == 0
    r = client.post(url, {"reason": "春节慰问名单", "confirm": "on"})
    assert r.status_code == 200
    rows = _xlsx(r)
    text = repr(rows)
    assert rows[1][2] == "王强" and "医药费" in text
    assert world.member_b.person.id_number not in text
    event = AuditEvent.objects.get(action=READ, object_id=str(school_file.pk))
    assert event.actor == world.chair and "春节慰问名单" in event.note


def test_it_keeps_filters_on_the_clear_export(client, world, school_file):
    open_file(world.chair, world.member_a, tier="deep")
    client.force_login(world.chair)
    r = client.post(
        reverse("care:hardship_export_full"), {"reason": "x", "confirm": "on", "tier": "deep"}
    )
    rows = _xlsx(r)
    assert [row[2] for row in rows[1:]] == ["李芳"]
    assert _reads() == 1


def test_it_refuses_the_clear_export_to_a_care_officer(client, care_officer, school_file):
    client.force_login(care_officer)
    r = client.post(reverse("care:hardship_export_full"), {"reason": "x", "confirm": "on"})
    assert r.status_code == 403
    assert _reads() == 0


# ---- counts for upper unions -----------------------------------------------------------------


def test_it_shows_the_upper_union_counts_without_names(client, world, school_file, factory_file):
    client.force_login(world.upper_officer)
    r = client.get(reverse("care:hardship_counts"), {"year": "2025"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "第一中学工会" in html and "红星机械厂工会" in html
    assert "王强" not in html and "赵敏" not in html and school_file.file_no not in html
    assert r.context["total_active"] == 2
    assert r.context["total_aid"] == Decimal("5000.00")
    charts = r.context["charts"]
    assert {d["value"] for d in charts["tier"]["data"]} == {0, 2}
    assert 'id="hardship-charts"' in html
    assert _reads() == 0


# ---- forms end to end ------------------------------------------------------------------------


def test_it_opens_a_file_from_the_form(client, world, committee_person):
    client.force_login(world.chair)
    r = client.post(
        reverse("care:hardship_new"),
        {
            "member": world.member_a.member_no,
            "opened_on": "2026-06-01",
            "tier": "deep",
            "primary_cause": "illness",
            "secondary_causes": ["schooling", "disaster"],
            "household_size": "2",
            "household_income_monthly": "1500",
            "hardship_costs_monthly": "300",
            "local_min_income_line": "760",
            "needs": "药费",
            "measures": "结对帮扶",
            "pair_cadre": str(committee_person.pk),
        },
    )
    f = HardshipFile.objects.get(member=world.member_a)
    assert r.status_code == 302 and r["Location"] == reverse("care:hardship_detail", args=[f.pk])
    assert f.secondary_causes == ["schooling", "disaster"] and f.pair_cadre == committee_person


def test_it_shows_the_service_refusal_on_the_form(client, world, school_file):
    client.force_login(world.chair)
    r = client.post(
        reverse("care:hardship_new"),
        {
            "member": world.member_b.member_no,
            "opened_on": "2026-06-01",
            "tier": "deep",
            "primary_cause": "illness",
            "household_size": "2",
            "household_income_monthly": "1500",
            "hardship_costs_monthly": "300",
        },
    )
    assert r.status_code == 400
    assert "已有" in r.content.decode() or "already" in r.content.decode()
    assert HardshipFile.objects.filter(member=world.member_b).count() == 1


def test_it_will_not_open_a_file_for_another_unions_member(client, world):
    client.force_login(world.chair)
    r = client.post(
        reverse("care:hardship_new"),
        {
            "member": world.outsider.member_no,
            "opened_on": "2026-06-01",
            "tier": "deep",
            "primary_cause": "illness",
            "household_size": "1",
            "household_income_monthly": "0",
            "hardship_costs_monthly": "0",
        },
    )
    assert r.status_code == 400 and not HardshipFile.objects.exists()


def test_it_records_education_aid_review_family_and_exit_from_the_forms(client, world, school_file):
    client.force_login(world.chair)
    pk = school_file.pk
    r = client.post(
        reverse("care:hardship_aid", args=[pk]),
        {
            "kind": "education",
            "given_on": "2026-06-10",
            "amount": "3000",
            "student_name": "王小雨",
            "student_school": "合肥工业大学",
        },
    )
    assert r.status_code == 302
    assert AidRecord.objects.filter(file=school_file, student_school="合肥工业大学").exists()
    r = client.post(
        reverse("care:hardship_family_new", args=[pk]),
        {"name": "刘梅", "relation": "配偶", "income_monthly": "1200"},
    )
    assert r.status_code == 302 and school_file.family.filter(name="刘梅").exists()
    r = client.post(
        reverse("care:hardship_review", args=[pk]),
        {"reviewed_on": "2026-06-12", "outcome": "retier", "tier_after": "deep", "income": "2000"},
    )
    assert r.status_code == 302 and HardshipReview.objects.filter(file=school_file).count() == 2
    r = client.post(
        reverse("care:hardship_exit", args=[pk]), {"exited_on": "2026-06-14", "reason": "就业"}
    )
    school_file.refresh_from_db()
    assert r.status_code == 302 and school_file.status == "exited" and school_file.tier == "deep"
    # a closed file shows no edit buttons
    r = client.get(reverse("care:hardship_detail", args=[pk]))
    assert reverse("care:hardship_edit", args=[pk]) not in r.content.decode()


def test_it_shows_the_form_error_when_education_aid_lacks_the_school(client, world, school_file):
    client.force_login(world.chair)
    r = client.post(
        reverse("care:hardship_aid", args=[school_file.pk]),
        {"kind": "education", "given_on": "2026-06-10", "amount": "3000", "student_name": "王"},
    )
    assert r.status_code == 400 and "student_school" in r.context["form"].errors


def test_it_edits_figures_and_pairing_together(client, world, school_file, committee_person):
    client.force_login(world.chair)
    data = {
        "tier": "deep",
        "primary_cause": "illness",
        "secondary_causes": ["schooling"],
        "household_size": "3",
        "household_income_monthly": "2000",
        "hardship_costs_monthly": "1200",
        "local_min_income_line": "760",
        "needs": "医药费",
        "measures": "春节慰问",
        "pair_cadre": str(committee_person.pk),
    }
    r = client.post(reverse("care:hardship_edit", args=[school_file.pk]), data)
    school_file.refresh_from_db()
    assert r.status_code == 302
    assert school_file.tier == "deep" and school_file.pair_cadre == committee_person
    assert AuditEvent.objects.filter(action="care.hardship_pair").count() == 1


def test_it_archives_a_family_member_from_the_detail_page(client, world, school_file):
    person = school_file.family.first()
    client.force_login(world.chair)
    url = reverse("care:hardship_family_archive", args=[school_file.pk, person.pk])
    r = client.post(url, {"reason": "外出务工"})
    person.refresh_from_db()
    assert r.status_code == 302 and person.archived_at is not None
    detail = client.get(reverse("care:hardship_detail", args=[school_file.pk])).content.decode()
    assert "外出务工" in detail


def test_it_shows_the_tier_the_figures_point_to_on_the_detail(client, world):
    f = open_file(
        world.chair,
        world.member_a,
        household_size=1,
        household_income_monthly=Decimal("700"),
        hardship_costs_monthly=Decimal("0"),
    )
    client.force_login(world.chair)
    r = client.get(reverse("care:hardship_detail", args=[f.pk]))
    assert str(r.context["advice"]) in ("Deep hardship", "深度困难")
    assert r.context["per_head"] == Decimal("700.00")


def test_it_offers_only_the_unions_cadres_for_pairing(client, world, committee_person):
    outsider_person = PersonFactory(name="外人")
    client.force_login(world.chair)
    r = client.get(reverse("care:hardship_new"))
    choices = list(r.context["form"].fields["pair_cadre"].queryset)
    assert committee_person in choices and outsider_person not in choices
