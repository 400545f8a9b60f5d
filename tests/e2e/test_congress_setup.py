"""Journey: the chair sets up the school's teachers' congress from nothing: the congress,
term 8, a session with an agenda item and a document, a delegation and a delegate found by
name. The roster has one man for a staff that is half women, so the roster page warns in
Chinese. Then 李芳 opens the congress on her phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from gonghui.congress.models import AgendaDocument, CongressSession, Delegate

from .conftest import login, shot


def test_it_sets_up_a_session_and_a_roster_and_warns_about_composition(world, new_page):
    page = new_page()
    login(page, "chair")

    # given a union without a congress, the chair creates one and starts term 8
    page.goto("/congress/")
    page.get_by_role("link", name=re.compile("新建代表大会|New congress")).click()
    page.select_option("#id_kind", "teachers")
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("第一中学工会教职工代表大会")
    page.get_by_role("link", name=re.compile("开始新一届|Start a term")).click()
    page.fill("#id_number", "8")
    page.fill("#id_starts_on", "2024-03-01")
    page.fill("#id_planned_end_on", "2029-02-28")
    page.locator("form button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("2029-02-28")
    shot(page, "congress-home-manager")

    # when the chair creates a session with an agenda item and a document
    page.get_by_role("link", name=re.compile("新建会议|New session")).click()
    expect(page.locator("#id_number")).to_have_value("1")
    page.fill("#id_held_on", "2026-12-20")
    page.fill("#id_venue", "学术报告厅")
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("第8届第1次会议")
    session = CongressSession.objects.get()
    expect(page.locator("#checkin-code")).to_have_text(session.checkin_code)
    page.locator("#agenda summary").click()
    page.select_option("#item-form #id_kind", "adopt")
    page.fill("#item-form #id_title", "审议通过《绩效工资分配方案》")
    page.locator("#item-form button[type=submit]").click()
    expect(page.locator("#agenda")).to_contain_text("审议通过《绩效工资分配方案》")
    page.locator("#agenda a[href$='/documents/new/']").click()
    page.fill("#id_title", "绩效工资分配方案")
    page.fill("#id_body", "第一条 班主任津贴每月300元。")
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("绩效工资分配方案")
    page.fill("#id_body", "第一条 班主任津贴每月400元。")
    page.fill("#id_change_note", "根据代表意见修改")
    page.locator("form[action$='/versions/'] button[type=submit]").click()
    expect(page.locator("#diff")).to_contain_text("400")
    shot(page, "congress-document-diff")
    assert AgendaDocument.objects.get().versions.count() == 2

    # and elects 王强 into a new delegation, finding him by name
    page.goto(f"/congress/terms/{session.term_id}/roster/")
    page.locator("details summary", has_text=re.compile("新建代表团|New delegation")).click()
    page.fill("#id_name", "数学组代表团")
    page.fill("#id_seats", "2")
    page.select_option("#id_unit", str(world.group_b.pk))
    page.locator("form[action$='/delegations/'] button[type=submit]").click()
    page.get_by_role("link", name="数学组代表团").click()
    page.locator("#elect-form input[type=search]").fill("王")
    expect(page.locator("#id_person option", has_text="王强")).to_have_count(1)
    page.select_option("#id_person", str(world.member_b.person_id))
    page.fill("#id_elected_on", "2024-03-01")
    page.check("#id_is_leader")
    page.locator("#elect-form button[type=submit]").click()
    expect(page.locator("#seat-history")).to_contain_text("王强")
    expect(page.locator("#seat-summary")).to_contain_text("1")
    assert Delegate.objects.get().is_leader

    # then the roster page warns that women and front-line staff are under their share
    page.goto(f"/congress/terms/{session.term_id}/roster/")
    expect(page.locator("[data-code=women_low]")).to_contain_text("女代表占 0%，低于女职工占比 50%")
    expect(page.locator("[data-code=leaders_high]")).to_be_visible()
    shot(page, "congress-roster-warning")
    page.locator("form[action$='/roster/confirm/'] button[type=submit]").click()
    expect(page.locator("#composition")).to_contain_text(re.compile("勾选|Tick"))
    page.check("#id_warnings_seen")
    page.locator("form[action$='/roster/confirm/'] button[type=submit]").click()
    expect(page.locator("#roster-confirmed")).to_be_visible()

    # and 李芳 sees her union's congress on her phone, read-only
    phone = new_page(viewport={"width": 390, "height": 800})
    login(phone, "member")
    phone.goto("/congress/")
    expect(phone.locator("body")).to_contain_text("第8届第1次会议")
    expect(phone.locator("body")).to_contain_text("王强")
    expect(phone.locator("#my-seat")).to_have_count(0)
    shot(phone, "congress-home-member-phone")
