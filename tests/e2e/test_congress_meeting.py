"""Journey: a chair opens a congress session and marks a delegate present at the desk; two
delegates check in on their phones with the session code and vote on a secret item; the
chair closes the vote; the projector screen shows the result; the Word minutes carry the
counts."""

from __future__ import annotations

import re

from docx import Document
from playwright.sync_api import expect

from gonghui.congress.models import AgendaItem, Ballot, CongressSession
from gonghui.congress.tests.test_meeting_services import build_meeting

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_runs_a_session_from_check_in_to_the_word_minutes(world, new_page):
    # given a planned session of three delegates, two of whom have logins, and a secret item
    m = build_meeting(world.school, delegates=3, status=CongressSession.Status.PLANNED)
    CongressSession.objects.filter(pk=m.session.pk).update(venue="学校报告厅")
    item = m.item(title="审议通过《教职工考勤制度》", vote_mode=AgendaItem.VoteMode.SECRET)
    s = m.session.pk
    code = m.session.checkin_code
    walk_in = m.delegates[2]  # checks in at the desk

    # when the chair opens the session and marks a delegate present at the desk
    desk = new_page()
    login(desk, "chair")
    desk.goto(f"/congress/meeting/{s}/checkin/")
    desk.click("#session-open")
    expect(desk.locator(".alert-success")).to_be_visible()
    expect(desk.locator("#checkin-code")).to_have_text(code)
    row = desk.locator(f"#delegate-{walk_in.pk}")
    row.locator(".checkin-mark").click()
    expect(row).to_have_attribute("data-checked-in", "1")
    expect(desk.locator("#attendance [data-figure=present]")).to_have_text("1")
    expect(desk.locator("#attendance .quorum-missing")).to_be_visible()
    shot(desk, "congress-desk-checkin")

    # and two delegates check in on their phones with the code
    phones = []
    for user in m.users[:2]:
        phone = new_page(viewport=PHONE)
        login(phone, user.username)
        phone.goto(f"/congress/meeting/{s}/delegate/")
        phone.fill("#id_code", "000000" if not phones else code)
        phone.click("#checkin-form button[type=submit]")
        if not phones:  # the first one mistypes the code first
            expect(phone.locator("#checkin-form [role=alert]")).to_be_visible()
            shot(phone, "congress-delegate-wrong-code-phone")
            phone.fill("#id_code", code)
            phone.click("#checkin-form button[type=submit]")
        expect(phone.locator("#checked-in")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phones.append(phone)
    expect(desk.locator("#attendance [data-figure=present]")).to_have_text("3")
    expect(desk.locator("#attendance .quorum-met")).to_be_visible()

    # and the chair opens the vote
    desk.locator(f"#item-{item.pk} .vote-open").click()
    expect(desk.locator(f"#item-{item.pk} .vote-close")).to_be_visible()

    # then the projector screen shows the figures and the vote in progress
    screen = new_page(viewport={"width": 1600, "height": 900})
    login(screen, "chair")
    screen.goto(f"/congress/meeting/{s}/screen/")
    expect(screen.locator("[data-figure=total]")).to_have_text("3")
    expect(screen.locator("[data-figure=present]")).to_have_text("3")
    expect(screen.locator("[data-figure=needed]")).to_have_text("2")
    expect(screen.locator("[data-quorum=met]")).to_be_visible()
    expect(screen.locator(".voting-item")).to_contain_text("教职工考勤制度")
    expect(screen.locator("[data-figure=progress]")).to_contain_text(re.compile(r"0\D+3"))

    # when both delegates vote for it on their phones (the item appears by polling)
    for phone in phones:
        vote = phone.locator(f"#vote-{item.pk}")
        expect(vote).to_be_visible(timeout=10000)
        if phone is phones[0]:
            shot(phone, "congress-delegate-vote-phone")
        vote.locator("button[name=choice][value=yes]").click()
        expect(vote.locator(".voted")).to_be_visible()
    shot(phones[0], "congress-delegate-voted-phone")
    expect(screen.locator("[data-figure=progress]")).to_contain_text(re.compile(r"2\D+3"))
    shot(screen, "congress-screen-voting")
    # the secret ballots name no one
    assert list(Ballot.objects.filter(item=item).values_list("delegate", flat=True)) == [
        None,
        None,
    ]

    # and the chair closes the vote
    desk.locator(f"#item-{item.pk} .vote-close").click()
    expect(desk.locator(f"#item-{item.pk} .item-result")).to_contain_text("2")
    shot(desk, "congress-desk-decided")

    # then the screen shows the result with its resolution number
    item.refresh_from_db()
    assert (item.yes_count, item.no_count, item.result) == (2, 0, "passed")
    decided = screen.locator(".decided-item")
    expect(decided).to_contain_text(item.resolution_no)
    expect(decided.locator("[data-figure=counts]")).to_contain_text(re.compile(r"2\D+0\D+0"))
    shot(screen, "congress-screen-result")
    # and the delegates see it on their phones
    expect(phones[1].locator(".decided-item")).to_contain_text(item.resolution_no)

    # when the chair writes the minutes and downloads the Word record
    desk.goto(f"/congress/meeting/{s}/minutes/")
    desk.fill("#id_minutes", "大会审议通过了《教职工考勤制度》。")
    desk.click("form[method=post] button[type=submit]")
    expect(desk.locator(".alert-success")).to_be_visible()
    shot(desk, "congress-minutes")
    with desk.expect_download() as info:
        desk.click("#minutes-docx")
    download = info.value
    assert download.suggested_filename.endswith("会议纪要.docx")
    doc = Document(str(download.path()))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    # then it carries the real figures
    assert "应到代表 3 人，实到 3 人，缺席 0 人" in text
    assert "赞成 2 票，反对 0 票，弃权 0 票；通过" in text
    assert item.resolution_no in text
    assert "学校报告厅" in text
    assert "大会审议通过了《教职工考勤制度》。" in text
