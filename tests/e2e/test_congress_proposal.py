"""Journey: a delegate submits a proposal on a phone, two delegates co-sign it, the cadre
accepts and assigns it, the department's handler replies point by point with an attachment,
and the proposer rates the reply 满意 on the phone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from gonghui.congress.models import CongressSession, Proposal
from gonghui.congress.tests.test_proposal_services import build

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}
TITLE = "关于每年为全体教职工安排健康体检的提案"


def test_it_takes_a_proposal_from_a_phone_to_a_satisfied_reply(world, new_page):
    # given a session whose proposal window is open today
    pw = build(world)
    today = timezone.localdate()
    CongressSession.objects.filter(pk=pw.session.pk).update(
        proposals_open_on=today - timedelta(days=5),
        proposals_close_on=today + timedelta(days=10),
        held_on=today + timedelta(days=25),
    )

    # when the delegate submits on the phone
    phone = new_page(viewport=PHONE)
    login(phone, "member")
    phone.goto("/congress/proposals/")
    phone.locator(f"a[href='/congress/sessions/{pw.session.pk}/proposals/new/']").click()
    phone.fill("#id_title", TITLE)
    phone.select_option("#id_category", "welfare")
    phone.fill("#id_reasons", "教职工长期伏案，部分教师多年未体检。")
    phone.fill("#id_measures", "每年三月定为体检月，费用由学校承担。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "proposal-submit-phone")
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("h1")).to_have_text(TITLE)
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == "collecting"
    detail = f"/congress/proposals/{proposal.pk}/"

    # and two fellow delegates co-sign from their own browsers
    for username in ("delegate2", "delegate3"):
        page = new_page()
        login(page, username)
        page.goto(detail)
        page.locator("form[action$='/cosign/'] button").click()
        expect(page.locator(".alert-success")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == "submitted"

    # then the cadre accepts it and assigns it to 总务处
    cadre = new_page()
    login(cadre, "cadre")
    cadre.goto(detail)
    cadre.locator(f"a[href='{detail}review/']").click()
    cadre.select_option("#accept-form select[name=department]", str(pw.department.pk))
    cadre.fill("#accept-form input[name=due_on]", (today + timedelta(days=30)).isoformat())
    shot(cadre, "proposal-review")
    cadre.locator("#accept-form button").click()
    expect(cadre.locator("h1")).to_have_text(TITLE)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number, proposal.department) == (
        "accepted",
        1,
        pw.department,
    )

    # and the handler of 总务处 answers two points with a PDF from the inbox
    handler = new_page()
    login(handler, "handler")
    handler.goto("/congress/proposals/inbox/")
    handler.locator(f"a[href='{detail}']").first.click()
    handler.locator(f"a[href='{detail}reply/']").click()
    handler.locator("#reply-points textarea[name=point]").first.fill("体检时间")
    handler.locator("#reply-points textarea[name=answer]").first.fill("每年三月为教职工体检月")
    handler.get_by_role("button", name="Add a point").or_(
        handler.locator("button[hx-get$='/point-row/']")
    ).first.click()
    expect(handler.locator("#reply-points .reply-point")).to_have_count(2)
    handler.locator("#reply-points textarea[name=point]").nth(1).fill("体检费用")
    handler.locator("#reply-points textarea[name=answer]").nth(1).fill("由学校和工会共同承担")
    handler.set_input_files(
        "#id_attachments",
        files=[{"name": "体检方案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    shot(handler, "proposal-reply")
    handler.locator("#reply-form button[type=submit]").click()
    expect(handler.locator(".reply-card")).to_contain_text("由学校和工会共同承担")
    proposal.refresh_from_db()
    assert proposal.status == "replied"

    # and the proposer rates the reply 满意 on the phone
    phone.goto(detail)
    expect(phone.locator(".reply-card")).to_contain_text("每年三月为教职工体检月")
    phone.locator(f"a[href='{detail}rate/']").click()
    phone.locator("input[name=rating][value=satisfied]").check()
    phone.locator("form button.btn-primary").click()
    expect(phone.locator("h1")).to_have_text(TITLE)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rating) == ("closed", "satisfied")
    expect(phone.locator("#proposal-history li")).to_have_count(proposal.events.count())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "proposal-closed-phone")
