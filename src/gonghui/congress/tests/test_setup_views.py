"""Congress set-up pages as every persona: the access matrix, other unions' records by
guessed id, anonymous users, and the journeys a chair and a member take through them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.congress import services
from gonghui.congress.models import (
    AgendaDocument,
    AgendaItem,
    CongressSession,
    Delegate,
    SessionOfficer,
)
from gonghui.core.models import AuditEvent
from gonghui.testing.factories import MemberFactory, PersonFactory
from gonghui.testing.personas import PERSONAS

TODAY = date(2026, 12, 1)


class Setup:
    """A school congress with one of everything, and the factory union's for refusals."""

    def __init__(self, world, media):
        chair = world.chair
        self.congress = services.congress_create(actor=chair, union=world.school, kind="teachers")
        self.term = services.term_start(
            actor=chair,
            congress=self.congress,
            number=8,
            starts_on=date(2024, 3, 1),
            planned_end_on=date(2029, 2, 28),
        )
        self.session = services.session_create(
            actor=chair, term=self.term, held_on=date(2026, 12, 20)
        )
        self.item = services.agenda_item_add(
            actor=chair, session=self.session, kind="adopt", title="审议绩效工资分配方案"
        )
        self.item2 = services.agenda_item_add(
            actor=chair, session=self.session, kind="report", title="听取工会工作报告"
        )
        self.draft = services.document_add(
            actor=chair,
            item=self.item,
            title="绩效工资分配方案",
            body="第一条\n班主任津贴300元",
            upload=services.Upload("方案.docx", [b"PK\x03\x04draft"]),
        )
        services.document_version_add(
            actor=chair,
            document=self.draft,
            body="第一条\n班主任津贴400元",
            change_note="根据代表意见修改",
        )
        self.adopted = services.document_add(
            actor=chair,
            item=self.item2,
            title="工会工作报告",
            body="报告正文",
            upload=services.Upload("报告.pdf", [b"%PDF-1.4 report"]),
        )
        self.adopted = services.document_adopt(actor=chair, document=self.adopted)
        self.delegation = services.delegation_create(
            actor=chair, term=self.term, name="语文组代表团", seats=3, unit=world.group_a
        )
        self.delegate = services.delegate_elect(
            actor=chair, delegation=self.delegation, person=world.member_a.person, elected_on=TODAY
        )
        self.officer = services.officer_add(
            actor=chair, session=self.session, person=world.member_b.person, kind="scrutineer"
        )
        other = services.congress_create(actor=None, union=world.factory_union, kind="staff")
        self.other_term = services.term_start(
            actor=None,
            congress=other,
            number=1,
            starts_on=date(2024, 1, 1),
            planned_end_on=date(2028, 12, 31),
        )
        self.other_congress = other
        self.other_session = services.session_create(
            actor=None, term=self.other_term, held_on=date(2026, 6, 1)
        )
        self.other_item = services.agenda_item_add(
            actor=None, session=self.other_session, kind="adopt", title="方案"
        )
        self.other_document = services.document_add(
            actor=None, item=self.other_item, title="方案", body="正文"
        )
        self.other_delegation = services.delegation_create(
            actor=None, term=self.other_term, name="一车间", seats=2
        )
        self.other_officer = services.officer_add(
            actor=None, session=self.other_session, person=world.outsider.person, kind="presidium"
        )
        self.other_delegate = services.delegate_elect(
            actor=None,
            delegation=self.other_delegation,
            person=world.outsider.person,
            elected_on=TODAY,
        )


@pytest.fixture
def s(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Setup(world, tmp_path)


def _c(client, user):
    client.force_login(user)
    return client


MANAGE = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 404,
    "member": 403,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
READ = {**MANAGE, "member": 200}
MANAGE_POST = {k: (302 if v == 200 else v) for k, v in MANAGE.items()}
HOME = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 302,
    "member": 200,
    "other_chair": 200,
    "upper_officer": 302,
    "auditor": 302,
    "admin": 200,
}
OVERVIEW = {**{p: 200 for p in PERSONAS}, "member": 403}
NEW_CONGRESS = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,
    "member": 403,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}


def _manage_pages(s) -> list[str]:
    return [
        reverse("congress:detail", args=[s.congress.pk]),
        reverse("congress:ruleset", args=[s.congress.pk]),
        reverse("congress:term_new", args=[s.congress.pk]),
        reverse("congress:session_new", args=[s.term.pk]),
        reverse("congress:roster", args=[s.term.pk]),
        reverse("congress:roster_export", args=[s.term.pk]),
        reverse("congress:session_edit", args=[s.session.pk]),
        reverse("congress:item_edit", args=[s.item.pk]),
        reverse("congress:document_new", args=[s.item.pk]),
        reverse("congress:document", args=[s.draft.pk]),
        reverse("congress:version_file", args=[s.draft.versions.get(number=1).pk]),
        reverse("congress:delegation", args=[s.delegation.pk]),
        reverse("congress:delegate_replace", args=[s.delegate.pk]),
        reverse("congress:people", args=[s.congress.union_id]) + "?q=李",
    ]


def _read_pages(s) -> list[str]:
    return [
        reverse("congress:session", args=[s.session.pk]),
        reverse("congress:version_file", args=[s.adopted.adopted_version.pk]),
    ]


def _post_only(s) -> list[str]:
    return [
        reverse("congress:term_end", args=[s.term.pk]),
        reverse("congress:roster_confirm", args=[s.term.pk]),
        reverse("congress:delegation_new", args=[s.term.pk]),
        reverse("congress:officer_add", args=[s.session.pk]),
        reverse("congress:item_add", args=[s.session.pk]),
        reverse("congress:item_move", args=[s.item.pk, "down"]),
        reverse("congress:version_add", args=[s.draft.pk]),
        reverse("congress:document_adopt", args=[s.draft.pk]),
        reverse("congress:delegate_elect", args=[s.delegation.pk]),
        reverse("congress:delegate_end", args=[s.delegate.pk]),
        reverse("congress:delegation_edit", args=[s.delegation.pk]),
        reverse("congress:officer_remove", args=[s.officer.pk]),
    ]


# ---- access matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, s, persona):
    c = _c(client, world.personas()[persona])
    assert c.get(reverse("congress:home")).status_code == HOME[persona]
    assert c.get(reverse("congress:overview")).status_code == OVERVIEW[persona]
    assert c.get(reverse("congress:new")).status_code == NEW_CONGRESS[persona]
    for url in _manage_pages(s):
        assert c.get(url).status_code == MANAGE[persona], url
    for url in _read_pages(s):
        assert c.get(url).status_code == READ[persona], url


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_change_as_each_persona(client, world, s, persona):
    c = _c(client, world.personas()[persona])
    # an item move is a harmless change that every manager may make
    r = c.post(reverse("congress:item_move", args=[s.item.pk, "down"]))
    assert r.status_code == MANAGE_POST[persona]
    moved = s.session.items.order_by("order").first() == s.item2
    assert moved == (MANAGE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_managers_edit_a_delegation_and_remove_an_officer(client, world, s, persona):
    c = _c(client, world.personas()[persona])
    r = c.post(
        reverse("congress:delegation_edit", args=[s.delegation.pk]),
        {"name": "语文组", "seats": 4, "unit": world.group_a.pk},
    )
    assert r.status_code == MANAGE_POST[persona]
    s.delegation.refresh_from_db()
    assert (s.delegation.seats == 4) == (MANAGE[persona] == 200)
    r = c.post(reverse("congress:officer_remove", args=[s.officer.pk]))
    assert r.status_code == MANAGE_POST[persona]
    gone = not SessionOfficer.objects.filter(pk=s.officer.pk).exists()
    assert gone == (MANAGE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_get_on_every_change(client, world, s, persona):
    c = _c(client, world.personas()[persona])
    for url in _post_only(s):
        assert c.get(url).status_code == 405, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_records_by_guessed_id(client, world, s, persona):
    c = _c(client, world.personas()[persona])
    theirs = {"other_chair": 200, "admin": 200, "upper_officer": 403}.get(persona, 404)
    urls = [
        reverse("congress:detail", args=[s.other_congress.pk]),
        reverse("congress:roster", args=[s.other_term.pk]),
        reverse("congress:session", args=[s.other_session.pk]),
        reverse("congress:document", args=[s.other_document.pk]),
        reverse("congress:delegation", args=[s.other_delegation.pk]),
        reverse("congress:delegate_replace", args=[s.other_delegate.pk]),
        reverse("congress:roster_export", args=[s.other_term.pk]),
    ]
    for url in urls:
        assert c.get(url).status_code == theirs, url
    r = c.post(
        reverse("congress:delegate_end", args=[s.other_delegate.pk]),
        {"on": "2026-12-01", "reason": "x"},
    )
    assert r.status_code == {200: 302}.get(theirs, theirs)
    r = c.post(
        reverse("congress:delegation_edit", args=[s.other_delegation.pk]),
        {"name": "二车间", "seats": 5},
    )
    assert r.status_code == {200: 302}.get(theirs, theirs)
    r = c.post(reverse("congress:officer_remove", args=[s.other_officer.pk]))
    assert r.status_code == {200: 302}.get(theirs, theirs)
    assert SessionOfficer.objects.filter(pk=s.other_officer.pk).exists() == (theirs != 200)
    s.other_delegate.refresh_from_db()
    assert (s.other_delegate.status == "left") == (theirs == 200)


def test_it_sends_anonymous_users_to_the_login_page(client, s):
    urls = [reverse("congress:home"), reverse("congress:overview"), reverse("congress:new")]
    urls += _manage_pages(s) + _read_pages(s)
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    for url in _post_only(s):
        r = client.post(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


# ---- the chair's journey ----------------------------------------------------------------------


def test_it_warns_before_creating_a_congress_for_a_small_school(client, world):
    world.school.staff_count = 60
    world.school.save()
    c = _c(client, world.chair)
    data = {"union": world.school.pk, "kind": "teachers", "name": ""}
    r = c.post(reverse("congress:new"), data)
    assert r.status_code == 400
    assert "fewer than 80 staff" in r.content.decode() or "80" in r.content.decode()
    assert not world.school.congresses.exists()
    r = c.post(reverse("congress:new"), {**data, "small_unit_seen": "on"})
    assert r.status_code == 302
    assert world.school.congresses.get().name == "第一中学工会教职工代表大会"


def test_it_shows_the_national_defaults_with_their_source_and_saves_overrides(client, world, s):
    c = _c(client, world.chair)
    r = c.get(reverse("congress:ruleset", args=[s.congress.pk]))
    assert "学校教职工代表大会规定" in r.content.decode()
    data = {
        **services.ruleset_initial(world.school),
        "quorum_numerator": 3,
        "quorum_denominator": 4,
    }
    data["source_note"] = ""
    r = c.post(reverse("congress:ruleset", args=[s.congress.pk]), data)
    assert r.status_code == 400
    data["source_note"] = "县教育局2025年实施细则"
    r = c.post(reverse("congress:ruleset", args=[s.congress.pk]), data)
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="congress.ruleset_update").count() == 1


def test_it_creates_a_session_with_the_next_number_and_a_check_in_code(client, world, s):
    c = _c(client, world.chair)
    r = c.get(reverse("congress:session_new", args=[s.term.pk]))
    assert 'value="2"' in r.content.decode()
    r = c.post(
        reverse("congress:session_new", args=[s.term.pk]),
        {"number": 2, "held_on": "2027-04-10", "title": "", "venue": "报告厅"},
    )
    new = CongressSession.objects.get(term=s.term, number=2)
    assert r.status_code == 302 and r["Location"] == reverse("congress:session", args=[new.pk])
    assert new.proposals_close_on == date(2027, 3, 26)
    page = c.get(r["Location"]).content.decode()
    assert new.checkin_code in page and "第8届第2次会议" in page


def test_it_adds_an_agenda_item_and_shows_errors_in_place(client, world, s):
    c = _c(client, world.cadre)
    url = reverse("congress:item_add", args=[s.session.pk])
    r = c.post(url, {"kind": "election", "title": "补选代表", "vote_mode": "open"})
    assert r.status_code == 400 and "无记名投票" in r.content.decode()
    r = c.post(url, {"kind": "election", "title": "补选代表", "vote_mode": ""})
    assert r.status_code == 302
    assert AgendaItem.objects.get(title="补选代表").vote_mode == "secret"


def test_it_shows_the_changes_between_drafts_and_adopts_one(client, world, s):
    c = _c(client, world.chair)
    url = reverse("congress:document", args=[s.draft.pk])
    page = c.get(url).content.decode()
    assert "班主任津贴300元" in page and "班主任津贴400元" in page and "根据代表意见修改" in page
    r = c.post(
        reverse("congress:document_adopt", args=[s.draft.pk]),
        {"version": s.draft.versions.get(number=2).pk},
    )
    assert r.status_code == 302
    s.draft.refresh_from_db()
    assert s.draft.adopted_version.number == 2
    r = c.post(
        reverse("congress:version_add", args=[s.draft.pk]), {"body": "新稿", "change_note": "x"}
    )
    assert r.status_code == 400 and s.draft.versions.count() == 2


def test_it_uploads_a_revised_draft_and_refuses_a_wrong_file(client, world, s):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _c(client, world.chair)
    url = reverse("congress:version_add", args=[s.draft.pk])
    bad = SimpleUploadedFile("x.docx", b"not a docx")
    r = c.post(url, {"body": "", "change_note": "改", "upload": bad})
    assert r.status_code == 400 and s.draft.versions.count() == 2
    good = SimpleUploadedFile("第三稿.docx", b"PK\x03\x04third")
    r = c.post(url, {"body": "", "change_note": "第三稿", "upload": good})
    assert r.status_code == 302
    v3 = s.draft.versions.get(number=3)
    r = c.get(reverse("congress:version_file", args=[v3.pk]))
    assert b"".join(r.streaming_content) == b"PK\x03\x04third"


def test_it_elects_replaces_and_ends_seats_through_the_pages(client, world, s):
    c = _c(client, world.chair)
    r = c.get(reverse("congress:people", args=[world.school.pk]), {"q": "王"})
    assert f'value="{world.member_b.person.pk}"' in r.content.decode()
    r = c.get(reverse("congress:people", args=[world.school.pk]), {"q": "赵敏"})
    assert "赵敏" not in r.content.decode()  # a member of another union
    r = c.post(
        reverse("congress:delegate_elect", args=[s.delegation.pk]),
        {
            "person": world.member_b.person.pk,
            "how": "elected",
            "elected_on": "2024-03-01",
            "is_frontline": "on",
            "votes_received": 15,
            "voters_total": 18,
        },
    )
    assert r.status_code == 302
    d = Delegate.objects.get(person=world.member_b.person)
    assert d.votes_received == 15 and d.is_frontline and not d.is_leader
    new_person = MemberFactory(union=world.school, person=PersonFactory(name="陈静")).person
    r = c.post(
        reverse("congress:delegate_replace", args=[d.pk]),
        {"person": new_person.pk, "on": "2026-11-30", "reason": "调离", "is_frontline": "on"},
    )
    assert r.status_code == 302
    page = c.get(reverse("congress:delegation", args=[s.delegation.pk])).content.decode()
    assert "陈静" in page and "调离" in page and "王强" in page
    r = c.post(
        reverse("congress:delegate_end", args=[s.delegate.pk]),
        {"on": "2026-12-01", "reason": "退休"},
    )
    assert r.status_code == 302
    assert Delegate.objects.filter(term=s.term, status="active").count() == 1


def test_it_edits_a_delegation_and_shows_a_seat_refusal_in_place(client, world, s):
    c = _c(client, world.chair)
    url = reverse("congress:delegation", args=[s.delegation.pk])
    page = c.get(url).content.decode()
    assert reverse("congress:delegation_edit", args=[s.delegation.pk]) in page
    assert 'value="语文组代表团"' in page
    services.delegate_elect(
        actor=None, delegation=s.delegation, person=world.member_b.person, elected_on=TODAY
    )
    edit = reverse("congress:delegation_edit", args=[s.delegation.pk])
    r = c.post(edit, {"name": "语文组", "seats": 1, "unit": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="delegation-form"' in html and "invalid-feedback" in html
    s.delegation.refresh_from_db()
    assert s.delegation.seats == 3
    r = c.post(edit, {"name": "语文组", "seats": 2, "unit": ""})
    assert r.status_code == 302 and r["Location"] == url
    s.delegation.refresh_from_db()
    assert (s.delegation.name, s.delegation.seats, s.delegation.unit) == ("语文组", 2, None)
    assert AuditEvent.objects.filter(action="congress.delegation_update").count() == 1
    # once the term has ended the form is gone and a change is refused
    services.term_end(actor=world.chair, term=s.term, on=TODAY)
    assert edit not in c.get(url).content.decode()
    r = c.post(edit, {"name": "x", "seats": 5})
    assert r.status_code == 400 and 'id="delegation-form"' in r.content.decode()
    s.delegation.refresh_from_db()
    assert s.delegation.name == "语文组"


def test_it_removes_an_officer_from_the_session_page(client, world, s):
    remove = reverse("congress:officer_remove", args=[s.officer.pk])
    session_url = reverse("congress:session", args=[s.session.pk])
    assert remove not in _c(client, world.member).get(session_url).content.decode()
    c = _c(client, world.cadre)
    page = c.get(session_url).content.decode()
    assert remove in page and "王强" in page
    r = c.post(remove)
    assert r.status_code == 302 and r["Location"] == session_url
    assert not s.session.officers.exists()
    ev = AuditEvent.objects.get(action="congress.officer_remove")
    assert ev.before["person_id"] == world.member_b.person.pk
    # a closed session keeps its officers
    again = services.officer_add(
        actor=None, session=s.session, person=world.member_b.person, kind="presidium"
    )
    CongressSession.objects.filter(pk=s.session.pk).update(status="closed")
    again_url = reverse("congress:officer_remove", args=[again.pk])
    assert again_url not in c.get(session_url).content.decode()
    assert c.post(again_url).status_code == 302
    assert SessionOfficer.objects.filter(pk=again.pk).exists()


def test_it_shows_composition_warnings_and_confirms_only_when_ticked(client, world, s):
    # given: the only delegate is a leader, not front-line
    Delegate.objects.filter(pk=s.delegate.pk).update(is_leader=True, is_frontline=False)
    c = _c(client, world.chair)
    page = c.get(reverse("congress:roster", args=[s.term.pk])).content.decode()
    assert "一线教职工代表 0 名" in page and "领导干部代表 1 名" in page
    r = c.post(reverse("congress:roster_confirm", args=[s.term.pk]), {})
    assert r.status_code == 400
    s.term.refresh_from_db()
    assert s.term.roster_confirmed_at is None
    r = c.post(reverse("congress:roster_confirm", args=[s.term.pk]), {"warnings_seen": "on"})
    assert r.status_code == 302
    s.term.refresh_from_db()
    assert s.term.roster_confirmed_at is not None
    assert {w["code"] for w in s.term.roster_warnings} >= {"frontline_low", "leaders_high"}


def test_it_lists_the_roster_in_few_queries(client, world, s, django_assert_max_num_queries):
    for _n in range(2):
        p = MemberFactory(union=world.school, unit=world.group_a).person
        services.delegate_elect(actor=None, delegation=s.delegation, person=p, elected_on=TODAY)
    c = _c(client, world.chair)
    with django_assert_max_num_queries(25):
        r = c.get(reverse("congress:roster", args=[s.term.pk]))
    assert r.content.decode().count("<tr>") >= 4


def test_it_exports_the_roster_without_id_numbers(client, world, s):
    c = _c(client, world.chair)
    r = c.get(reverse("congress:roster_export", args=[s.term.pk]))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[2][1] == "李芳" and rows[2][3] == "语文组代表团"
    assert "女" in rows[2][4] or "Woman" in rows[2][4]
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert world.member_a.person.id_number not in flat


# ---- members and upper unions -----------------------------------------------------------------


def test_it_tells_a_member_they_are_a_delegate_and_shows_adopted_documents_only(client, world, s):
    c = _c(client, world.member)
    page = c.get(reverse("congress:home")).content.decode()
    assert "语文组代表团" in page and "李芳" in page
    assert 'id="my-seat"' in page
    assert "工会工作报告" in page  # adopted
    session_page = c.get(reverse("congress:session", args=[s.session.pk])).content.decode()
    assert "报告正文" in session_page
    assert "绩效工资分配方案" not in session_page.replace("审议绩效工资分配方案", "")
    assert s.session.checkin_code not in session_page
    # a delegate is sent on to the meeting's phone page for check-in and votes
    assert reverse("congress:delegate", args=[s.session.pk]) in session_page
    draft_file = s.draft.versions.get(number=1)
    assert c.get(reverse("congress:version_file", args=[draft_file.pk])).status_code == 403


def test_it_shows_upper_unions_counts_and_no_names(client, world, s):
    CongressSession.objects.filter(pk=s.other_session.pk).update(status="closed")
    c = _c(client, world.upper_officer)
    r = c.get(reverse("congress:home"))
    assert r["Location"] == reverse("congress:overview")
    page = c.get(reverse("congress:overview")).content.decode()
    assert "第一中学工会" in page and "红星机械厂工会" in page
    assert "李芳" not in page and "赵敏" not in page and "绩效" not in page
    rows = [line for line in page.splitlines() if "红星机械厂工会" in line]
    assert '<td class="text-end">1</td>' in rows[0]


def test_it_lets_a_member_without_a_congress_see_a_plain_note(client, world):
    r = _c(client, world.member).get(reverse("congress:home"))
    assert r.status_code == 200
    assert AgendaDocument.objects.count() == 0


def test_it_links_managers_to_the_meeting_pages(client, world, s):
    page = _c(client, world.cadre).get(reverse("congress:session", args=[s.session.pk]))
    html = page.content.decode()
    assert reverse("congress:checkin", args=[s.session.pk]) in html
    assert reverse("congress:screen", args=[s.session.pk]) in html
    assert s.session.checkin_code in html


def test_it_edits_a_session_and_an_agenda_item(client, world, s):
    c = _c(client, world.chair)
    r = c.post(
        reverse("congress:session_edit", args=[s.session.pk]),
        {"number": 1, "held_on": "2026-12-21", "title": "秋季教代会", "venue": "礼堂"},
    )
    assert r.status_code == 302
    s.session.refresh_from_db()
    assert (s.session.held_on, s.session.venue) == (date(2026, 12, 21), "礼堂")
    r = c.post(
        reverse("congress:item_edit", args=[s.item.pk]),
        {"kind": "adopt", "title": "审议通过绩效工资分配方案（修订稿）", "presenter": "副校长"},
    )
    assert r.status_code == 302
    s.item.refresh_from_db()
    assert s.item.presenter == "副校长" and s.item.vote_mode == "open"
    assert AuditEvent.objects.filter(action="congress.agenda_item_update").count() == 1


def test_it_shows_the_member_home_in_few_queries(client, world, s, django_assert_max_num_queries):
    c = _c(client, world.member)
    with django_assert_max_num_queries(20):
        r = c.get(reverse("congress:home"))
    assert r.status_code == 200
