"""The meeting pages as every persona (200 / 403 / 404 / 405, another union's session by
guessed id, anonymous visitors), and the journeys through them: the desk marks check-ins,
the delegate checks in and votes on a phone, the screen shows counts only, the minutes save
and download as Word with the real figures."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from docx import Document

from gonghui.congress import meeting, minutes_docx
from gonghui.congress.models import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    CheckIn,
    CongressSession,
    SessionOfficer,
    VoteReceipt,
)
from gonghui.core.models import AuditEvent
from gonghui.testing.personas import PERSONAS

from .test_meeting_services import Meeting, build_meeting, voting_item

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def m(world) -> Meeting:
    """An open session of the school's congress: the member user is delegate 0 of three,
    nobody checked in yet, one secret item being voted on."""
    m = build_meeting(world.school, delegates=3, people=(world.member_a.person,))
    voting_item(m, title="审议通过《教职工考勤制度》")
    return m


def _c(client, user):
    client.force_login(user)
    return client


# ---- access matrix -------------------------------------------------------------------------

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
# The delegate's page: only a serving delegate of the term; within reach otherwise 403.
DELEGATE = {
    "chair": 403,
    "cadre": 403,
    "group_leader": 404,
    "member": 200,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 403,
}
REDIRECTED = {200: 302}


def _get_pages(m: Meeting) -> list[str]:
    s = m.session.pk
    return [
        reverse("congress:checkin", args=[s]),
        reverse("congress:screen", args=[s]),
        reverse("congress:minutes", args=[s]),
        reverse("congress:minutes_docx", args=[s]),
    ]


def _post_pages(m: Meeting) -> list[str]:
    s, item, d = m.session.pk, m.session.items.get().pk, m.delegates[1].pk
    return [
        reverse("congress:checkin_mark", args=[s, d]),
        reverse("congress:checkin_undo", args=[s, d]),
        reverse("congress:session_open", args=[s]),
        reverse("congress:session_close", args=[s]),
        reverse("congress:vote_open", args=[s, item]),
        reverse("congress:vote_close", args=[s, item]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_the_desk_screen_and_minutes_as_each_persona(client, world, m, persona):
    c = _c(client, world.personas()[persona])
    for url in _get_pages(m):
        assert c.get(url).status_code == MANAGE[persona], url


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_action_as_each_persona(client, world, m, persona):
    c = _c(client, world.personas()[persona])
    for url in _post_pages(m):
        assert c.get(url).status_code == 405, url
        expected = REDIRECTED.get(MANAGE[persona], MANAGE[persona])
        assert c.post(url).status_code == expected, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_the_delegate_page_as_each_persona(client, world, m, persona):
    c = _c(client, world.personas()[persona])
    url = reverse("congress:delegate", args=[m.session.pk])
    item = m.session.items.get()
    assert c.get(url).status_code == DELEGATE[persona]
    cast = reverse("congress:vote_cast", args=[m.session.pk, item.pk])
    assert c.get(cast).status_code == 405
    assert c.post(cast, {"choice": "yes"}).status_code == REDIRECTED.get(
        DELEGATE[persona], DELEGATE[persona]
    )
    # nobody but the delegate, who is not checked in, got a ballot in
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_session_by_guessed_id(client, world, persona):
    # given a session of the factory union, with a delegate and an item
    other = build_meeting(world.factory_union, delegates=2, with_users=False)
    item = other.item()
    c = _c(client, world.personas()[persona])
    s = other.session.pk
    expected = {"other_chair": 200, "admin": 200, "upper_officer": 403}.get(persona, 404)
    assert c.get(reverse("congress:checkin", args=[s])).status_code == expected
    assert c.get(reverse("congress:screen", args=[s])).status_code == expected
    assert c.get(reverse("congress:minutes_docx", args=[s])).status_code == expected
    r = c.post(reverse("congress:checkin_mark", args=[s, other.delegates[0].pk]))
    assert r.status_code == REDIRECTED.get(expected, expected)
    r = c.post(reverse("congress:vote_open", args=[s, item.pk]))
    assert r.status_code == REDIRECTED.get(expected, expected)
    delegate_page = c.get(reverse("congress:delegate", args=[s])).status_code
    assert delegate_page == {"other_chair": 403, "admin": 403, "upper_officer": 403}.get(
        persona, 404
    )
    if persona not in ("other_chair", "admin"):
        assert not CheckIn.objects.filter(session=other.session).exists()


def test_it_refuses_an_item_of_another_session_under_this_sessions_address(client, world, m):
    other = build_meeting(world.factory_union, delegates=2, with_users=False)
    foreign = other.item()
    c = _c(client, world.chair)
    r = c.post(reverse("congress:vote_open", args=[m.session.pk, foreign.pk]))
    assert r.status_code == 404
    r = c.post(reverse("congress:checkin_mark", args=[m.session.pk, other.delegates[0].pk]))
    assert r.status_code == 404
    assert not CheckIn.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login(client, m):
    for url in _get_pages(m) + _post_pages(m) + [reverse("congress:delegate", args=[m.session.pk])]:
        r = client.post(url) if url in _post_pages(m) else client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url


def test_it_answers_404_for_a_session_that_does_not_exist(client, world):
    c = _c(client, world.chair)
    assert c.get(reverse("congress:checkin", args=[999999])).status_code == 404
    assert c.get(reverse("congress:delegate", args=[999999])).status_code == 404


# ---- the desk --------------------------------------------------------------------------------


def test_it_marks_a_delegate_present_from_the_desk(client, world, m):
    # given the desk as a cadre
    c = _c(client, world.cadre)
    d = m.delegates[1]
    # when the cadre ticks a delegate (htmx)
    r = c.post(reverse("congress:checkin_mark", args=[m.session.pk, d.pk]), **HTMX)
    # then the row comes back ticked, with the attendance figures out of band
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="delegate-{d.pk}"' in html and 'data-checked-in="1"' in html
    assert 'hx-swap-oob="true"' in html and '<div class="value" data-figure="present">1<' in html
    assert CheckIn.objects.get(delegate=d).by == world.cadre
    # and undoing it brings the row back
    r = c.post(reverse("congress:checkin_undo", args=[m.session.pk, d.pk]), **HTMX)
    assert 'data-checked-in="0"' in r.content.decode()
    assert not CheckIn.objects.exists()


def test_it_shows_an_undo_refusal_in_the_row(client, world, m):
    for d in m.delegates:
        CheckIn.objects.create(session=m.session, delegate=d, method="cadre")
    item = m.session.items.get()
    meeting.vote_cast(user=world.member, item=item, choice="yes")
    c = _c(client, world.cadre)
    r = c.post(reverse("congress:checkin_undo", args=[m.session.pk, m.delegates[0].pk]), **HTMX)
    assert r.status_code == 200
    assert 'role="alert"' in r.content.decode()
    assert CheckIn.objects.filter(delegate=m.delegates[0]).exists()


def test_it_searches_delegates_by_name(client, world, m):
    c = _c(client, world.cadre)
    url = reverse("congress:checkin", args=[m.session.pk])
    r = c.get(url, {"q": "李芳"}, **HTMX)
    html = r.content.decode()
    assert "李芳" in html
    assert m.delegates[1].person.name not in html
    assert 'id="checkin-rows"' in html


def test_it_lists_the_desk_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    m = build_meeting(world.school, delegates=40, present=20, with_users=False)
    for _ in range(3):
        voting_item(m)
    c = _c(client, world.cadre)
    with django_assert_max_num_queries(30):
        r = c.get(reverse("congress:checkin", args=[m.session.pk]))
    assert r.content.decode().count('class="list-group-item d-flex') == 40


def test_it_refuses_to_open_a_vote_without_quorum_with_the_reason(client, world):
    m = build_meeting(world.school, delegates=3, present=1, with_users=False)
    item = m.item()
    c = _c(client, world.chair)
    r = c.post(reverse("congress:vote_open", args=[m.session.pk, item.pk]), follow=True)
    assert r.status_code == 200
    assert "alert-danger" in r.content.decode()
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING


def test_it_runs_a_session_from_the_desk(client, world):
    # given a planned session with two delegates present of three
    m = build_meeting(world.school, delegates=3, present=2, status=CongressSession.Status.PLANNED)
    item = m.item(vote_mode=AgendaItem.VoteMode.OPEN, title="审议通过《工会经费使用办法》")
    c = _c(client, world.chair)
    s = m.session.pk
    # when the chair opens the session and the vote, two delegates vote, the vote closes
    c.post(reverse("congress:session_open", args=[s]))
    c.post(reverse("congress:vote_open", args=[s, item.pk]))
    meeting.vote_cast(user=m.users[0], item=item, choice="yes")
    meeting.vote_cast(user=m.users[1], item=item, choice="yes")
    c.post(reverse("congress:vote_close", args=[s, item.pk]))
    r = c.post(reverse("congress:session_close", args=[s]), follow=True)
    # then the session is closed and the desk shows the open vote's names
    m.session.refresh_from_db()
    assert m.session.status == CongressSession.Status.CLOSED
    item.refresh_from_db()
    assert (item.yes_count, item.result) == (2, "passed")
    html = r.content.decode()
    assert m.delegates[0].person.name in html and "open-vote-names" in html


# ---- the projector screen ----------------------------------------------------------------------


def test_it_shows_counts_and_progress_but_no_names_on_the_screen(client, world, m):
    for d in m.delegates:
        CheckIn.objects.create(session=m.session, delegate=d, method="cadre")
    item = m.session.items.get()
    meeting.vote_cast(user=world.member, item=item, choice="no")
    c = _c(client, world.cadre)
    r = c.get(reverse("congress:screen", args=[m.session.pk]), **HTMX)
    html = r.content.decode()
    assert 'data-figure="total">3<' in html and 'data-figure="present">3<' in html
    assert 'data-figure="needed">2<' in html
    assert 'data-quorum="met"' in html
    assert "1 / " in html and "教职工考勤制度" in html
    for d in m.delegates:
        assert d.person.name not in html
    # the full page polls the partial every two seconds
    page = c.get(reverse("congress:screen", args=[m.session.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page


def test_it_shows_the_last_results_on_the_screen(client, world, m):
    for d in m.delegates:
        CheckIn.objects.create(session=m.session, delegate=d, method="cadre")
    item = m.session.items.get()
    for user in m.users:
        meeting.vote_cast(user=user, item=item, choice="yes")
    meeting.vote_close(actor=world.chair, item=item)
    html = _c(client, world.cadre).get(reverse("congress:screen", args=[m.session.pk])).content
    html = html.decode()
    item.refresh_from_db()
    assert 'class="result-line' in html and item.resolution_no in html
    assert 'data-quorum="met"' in html


# ---- the delegate's phone page -------------------------------------------------------------


def test_it_lets_a_delegate_check_in_with_the_code(client, world, m):
    c = _c(client, world.member)
    url = reverse("congress:delegate", args=[m.session.pk])
    # a wrong code is refused with the reason under the field
    r = c.post(url, {"code": "999999x"})
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode()
    assert not CheckIn.objects.exists()
    # the right code checks the delegate in
    r = c.post(url, {"code": m.session.checkin_code})
    assert r.status_code == 302
    assert CheckIn.objects.get().method == CheckIn.Method.CODE
    page = c.get(url).content.decode()
    assert 'id="checked-in"' in page and "教职工考勤制度" in page


def test_it_records_a_delegates_vote_once_from_the_phone(client, world, m):
    # given the delegate is checked in
    CheckIn.objects.create(session=m.session, delegate=m.delegates[0], method="code")
    item = m.session.items.get()
    c = _c(client, world.member)
    url = reverse("congress:vote_cast", args=[m.session.pk, item.pk])
    # when they tap "for"
    r = c.post(url, {"choice": "yes"}, **HTMX)
    # then the item shows as voted and a nameless ballot is stored
    assert r.status_code == 200
    assert 'class="alert alert-success mb-0 voted"' in r.content.decode()
    assert list(Ballot.objects.values_list("choice", "delegate")) == [("yes", None)]
    # and a second tap is refused with a message, nothing more stored
    r = c.post(url, {"choice": "no"}, **HTMX)
    assert "alert-danger" in r.content.decode()
    assert VoteReceipt.objects.count() == 1 and Ballot.objects.count() == 1


def test_it_answers_a_vote_with_the_items_card_alone_in_few_queries(
    client, world, m, django_assert_max_num_queries
):
    # given a checked-in delegate and a second item being voted on
    CheckIn.objects.create(session=m.session, delegate=m.delegates[0], method="code")
    item = m.session.items.get()
    other = voting_item(m, title="审议通过《工会经费使用办法》")
    c = _c(client, world.member)
    url = reverse("congress:vote_cast", args=[m.session.pk, item.pk])
    # when they vote from the phone: login session and user, the item with its session,
    # the seat, the check-in lock, the item's state, receipt, ballot, audit, savepoints
    with django_assert_max_num_queries(13):
        r = c.post(url, {"choice": "yes"}, **HTMX)
    # then only that item's card comes back, marked voted, swapped in its own place
    html = r.content.decode()
    assert r.status_code == 200 and "HX-Retarget" not in r
    assert f'id="vote-{item.pk}"' in html and "mb-0 voted" in html
    assert 'id="delegate-items"' not in html and f"vote-{other.pk}" not in html
    # and a second tap answers with the same card and the refusal
    r = c.post(url, {"choice": "no"}, **HTMX)
    html = r.content.decode()
    assert "alert-danger" in html and "mb-0 voted" in html and "HX-Retarget" not in r
    # and the other item's card still offers its buttons, aimed at itself
    page = c.get(reverse("congress:delegate", args=[m.session.pk]), **HTMX).content.decode()
    assert f'hx-target="#vote-{other.pk}"' in page and 'name="csrfmiddlewaretoken"' in page


def test_it_redraws_the_delegates_list_when_the_vote_closed_meanwhile(client, world, m):
    # given a checked-in delegate whose item was closed before the tap arrived
    CheckIn.objects.create(session=m.session, delegate=m.delegates[0], method="code")
    item = m.session.items.get()
    url = reverse("congress:vote_cast", args=[m.session.pk, item.pk])
    AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.DECIDED)
    # when they tap "for"
    r = _c(client, world.member).post(url, {"choice": "yes"}, **HTMX)
    # then the whole list comes back in place of the old one, and nothing is stored
    assert r["HX-Retarget"] == "#delegate-items" and r["HX-Reswap"] == "outerHTML"
    assert 'id="delegate-items"' in r.content.decode()
    assert not VoteReceipt.objects.exists() and not Ballot.objects.exists()


def test_it_refuses_a_vote_on_an_item_outside_the_session_or_seat(client, world, m):
    CheckIn.objects.create(session=m.session, delegate=m.delegates[0], method="code")
    item = m.session.items.get()
    other = build_meeting(world.school, delegates=1)
    foreign = voting_item(other)
    c = _c(client, world.member)
    # an item of another session under their own session's address is not found; their
    # own item under a session where they hold no seat is refused, as its page is
    for s, i, status in ((m.session.pk, foreign.pk, 404), (other.session.pk, item.pk, 403)):
        r = c.post(reverse("congress:vote_cast", args=[s, i]), {"choice": "yes"}, **HTMX)
        assert r.status_code == status
    r = c.post(reverse("congress:vote_cast", args=[m.session.pk, 999999]), {"choice": "yes"})
    assert r.status_code == 404
    assert not VoteReceipt.objects.exists()


def test_it_refuses_a_vote_from_a_delegate_not_checked_in(client, world, m):
    item = m.session.items.get()
    c = _c(client, world.member)
    r = c.post(reverse("congress:vote_cast", args=[m.session.pk, item.pk]), {"choice": "yes"})
    assert r.status_code == 302
    assert not Ballot.objects.exists()


def test_it_shows_a_delegate_no_vote_buttons_before_check_in(client, world, m):
    page = _c(client, world.member).get(reverse("congress:delegate", args=[m.session.pk]))
    html = page.content.decode()
    assert 'id="checkin-form"' in html
    assert 'name="choice"' not in html


# ---- minutes ---------------------------------------------------------------------------------


def test_it_saves_the_minutes(client, world, m):
    c = _c(client, world.cadre)
    url = reverse("congress:minutes", args=[m.session.pk])
    r = c.post(url, {"minutes": "大会审议通过了教职工考勤制度。"})
    assert r.status_code == 302
    m.session.refresh_from_db()
    assert m.session.minutes == "大会审议通过了教职工考勤制度。"
    assert AuditEvent.objects.filter(action="congress.minutes_update").count() == 1


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_it_writes_the_minutes_as_word_with_the_real_figures(client, world):
    # given a session of 5 delegates, 4 present, a passed secret vote, a failed open vote,
    # a report, a presidium, an adopted document and minutes
    m = build_meeting(world.school, delegates=5, present=4)
    CongressSession.objects.filter(pk=m.session.pk).update(venue="学校报告厅")
    m.session.refresh_from_db()
    SessionOfficer.objects.create(
        session=m.session, person=m.delegates[0].person, kind="presidium_chair"
    )
    SessionOfficer.objects.create(session=m.session, person=m.delegates[1].person, kind="presidium")
    m.item(kind="report", vote_mode="none", title="听取学校工作报告", presenter="校长")
    passed = voting_item(m, kind="adopt", title="审议通过《绩效工资分配方案》")
    AgendaDocument.objects.create(item=passed, title="绩效工资分配方案")
    failed = voting_item(m, vote_mode="open", title="审议《食堂管理办法》")
    for user, choice in zip(m.users, ["yes", "yes", "yes", "no"], strict=False):
        meeting.vote_cast(user=user, item=passed, choice=choice)
    for user, choice in zip(m.users, ["no", "no", "abstain", "yes"], strict=False):
        meeting.vote_cast(user=user, item=failed, choice=choice)
    meeting.vote_close(actor=world.chair, item=passed)
    meeting.vote_close(actor=world.chair, item=failed)
    meeting.minutes_update(actor=world.chair, session=m.session, minutes="会议由主席团主持。")
    # when the chair downloads the Word record
    r = _c(client, world.chair).get(reverse("congress:minutes_docx", args=[m.session.pk]))
    # then it is a Word file whose text carries the figures
    assert r.status_code == 200
    assert r["Content-Type"] == minutes_docx.CONTENT_TYPE
    assert "attachment" in r["Content-Disposition"]
    text = _docx_text(r.content)
    term, number = m.session.term.number, m.session.number
    assert f"第{term}届第{number}次会议纪要" in text
    assert "学校报告厅" in text
    assert "应到代表 5 人，实到 4 人，缺席 1 人" in text
    assert f"缺席代表：{m.delegates[4].person.name}" in text
    assert f"执行主席：{m.delegates[0].person.name}" in text
    assert "赞成 3 票，反对 1 票，弃权 0 票；通过" in text
    assert f"第{term}届第{number}次会议决议第1号" in text
    assert "赞成 1 票，反对 2 票，弃权 1 票；未通过" in text
    assert "不表决" in text and "校长" in text
    assert "《绩效工资分配方案》" in text
    assert "会议由主席团主持。" in text


def test_it_sets_an_east_asian_font_in_the_word_minutes(world):
    m = build_meeting(world.school, delegates=2, with_users=False)
    doc = Document(io.BytesIO(minutes_docx.build(m.session)))
    run = doc.paragraphs[0].runs[0]
    fonts = run._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
