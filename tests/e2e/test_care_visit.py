"""Journey: a group leader on a phone reports a member's stay in hospital; the chair and the
cadres hear of it at once (the bell); days later the visit is overdue, the chair sees it in
red on the dashboard's care tile and on the care home page and records the visit with cash;
the member's care history shows it, and so does the member's own "my care"."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.care import notices
from gonghui.care.models import CarePayment, LifeEvent, VisitTask
from gonghui.core.models import Notification

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}
# The bell's unread count (core's base.html); the first name is the one planned for it.
BADGE = "#notification-badge, #bell-count"


def test_it_takes_a_hospital_report_from_a_phone_to_a_recorded_visit(world, new_page):
    # given the group leader of group A, on a phone, five days ago
    five_days_ago = timezone.now() - timedelta(days=5)
    with time_machine.travel(five_days_ago, tick=True):
        phone = new_page(viewport=PHONE)
        login(phone, "leader")
        phone.goto("/care/")  # the menu's "Care" leads a group leader to the report form
        expect(phone).to_have_url("/care/report/")
        # when they find the member by name and report a hospital stay
        phone.fill("#member-search", "李")
        choice = phone.locator("#member-choices label", has_text="李芳")
        expect(choice).to_be_visible()
        assert phone.locator("#member-choices").inner_text().count("王强") == 0
        choice.click()
        phone.select_option("#id_kind", "hospital")
        phone.fill("#id_details", "县人民医院内科 5 楼 12 床")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(phone, "care-report-phone")
        phone.locator("#report-form button[type=submit]").click()
        # then the report is confirmed with the visit deadline
        expect(phone.locator(".alert-success")).to_contain_text("李芳")
        shot(phone, "care-report-done-phone")
    event = LifeEvent.objects.get(member=world.member_a)
    task = VisitTask.objects.get(event=event)
    assert event.reported_by == world.group_leader
    assert task.due_on < timezone.localdate()  # three days after the report: overdue now

    # and the chair and the cadre were told at once, the group leader who reported was not
    told = Notification.objects.filter(kind=notices.KIND_TASK_NEW, key=f"care.task_new:{task.pk}")
    assert {n.recipient.username for n in told} == {"chair", "cadre"}

    # when the chair opens the dashboard today
    desk = new_page()
    login(desk, "chair")
    desk.goto("/")
    # then the bell shows the unread notice and the care tile the overdue visit, in red
    expect(desk.locator(BADGE).first).to_have_text("1")
    tile = desk.locator("#tile-care")
    expect(tile.locator("#tile-care-overdue")).to_contain_text("李芳")
    expect(tile.locator("[data-figure=open_tasks]")).to_have_text("1")
    shot(desk, "dashboard-care-tile")
    # and the bell leads to the notice, which leads to the visit form of the task
    desk.locator("#bell").click()
    notice = desk.locator("#notice-list [data-unread='1']", has_text="李芳")
    expect(notice).to_have_count(1)
    shot(desk, "notifications-care-task")
    notice.locator("button").click()
    expect(desk).to_have_url(f"/care/visits/new/?task={task.pk}")
    expect(desk.locator(BADGE)).to_have_count(0)

    # when the chair opens the care home page
    desk.goto("/care/")
    overdue = desk.locator("#overdue")
    expect(overdue).to_contain_text("李芳")
    expect(overdue.locator(f"tr[data-task='{task.pk}']")).to_have_class("table-danger")
    shot(desk, "care-home-overdue")
    # and records the visit from the overdue row, with the standard cash prefilled
    overdue.locator(f"tr[data-task='{task.pk}'] a.btn").click()
    expect(desk.locator("#id_cash")).to_have_value("500.00")
    expect(desk.locator("#cap-use tr[data-item='hospital']")).to_contain_text("¥1000.00")
    desk.fill("#id_visitors", "张主席、语文组组长")
    desk.fill("#id_gift_description", "水果篮")
    desk.fill("#id_gift_value", "88")
    desk.check("#id_receipt_signed")
    shot(desk, "care-visit-form")
    desk.get_by_role("button", name="保存").or_(
        desk.locator("form button[type=submit]")
    ).first.click()

    # then the member's care history shows the visit and the payment
    expect(desk).to_have_url(f"/care/members/{world.member_a.pk}/")
    expect(desk.locator("#visits")).to_contain_text("张主席、语文组组长")
    expect(desk.locator("#visits")).to_contain_text("¥500.00")
    expect(desk.locator("#payments")).to_contain_text("¥588.00")
    expect(desk.locator("#cap-use tr[data-item='hospital']")).to_contain_text("¥412.00")
    shot(desk, "care-member-history")
    task.refresh_from_db()
    assert task.status == VisitTask.Status.DONE
    assert CarePayment.objects.get(member=world.member_a).amount == 588

    # and the home page no longer lists it as overdue, nor does the dashboard
    desk.goto("/care/")
    expect(desk.locator("#overdue")).to_have_count(0)
    expect(desk.locator("#recent")).to_contain_text("李芳")
    desk.goto("/")
    expect(desk.locator("#tile-care-overdue")).to_have_count(0)
    expect(desk.locator("#tile-care [data-figure=open_tasks]")).to_have_text("0")

    # and the member sees it in "my care" on their phone
    mine = new_page(viewport=PHONE)
    login(mine, "member")
    mine.goto("/care/mine/")
    expect(mine.locator("#visits")).to_contain_text("¥500.00")
    assert mine.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(mine, "care-my-care-phone")
