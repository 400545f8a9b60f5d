"""Journey: a member submits an opinion on a phone; a cadre closes it as rectified; the
year's summary sentence counts it, and the member sees the outcome."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from .conftest import login, shot

PHONE = {"width": 390, "height": 844}


def test_it_follows_a_phone_opinion_to_rectified_and_into_the_summary(world, new_page):
    # given a member on a phone
    phone = new_page(viewport=PHONE)
    login(phone, "member")

    # when they submit an opinion
    phone.goto("/congress/opinions/submit/")
    phone.check("#id_kind_0")
    phone.fill("#id_title", "操场夜间照明不足")
    phone.fill("#id_content", "晚自习后操场太暗，希望加装路灯。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "opinion-submit-phone")
    phone.click("#opinion-submit-form button")
    expect(phone.locator("#opinion-mine")).to_contain_text("操场夜间照明不足")

    # and a cadre closes it as rectified
    desk = new_page()
    login(desk, "cadre")
    desk.goto("/congress/opinions/")
    desk.click("a.list-group-item >> text=操场夜间照明不足")
    desk.fill("#answer_answer", "已在操场加装四盏路灯。")
    desk.click("#opinion-answer button")
    expect(desk.locator("#opinion-status")).to_contain_text(re.compile("已答复|Answered"))
    desk.select_option("#close_outcome", value="rectified")
    desk.fill("#close_interview_count", "1")
    desk.click("#opinion-close button")
    expect(desk.locator("#opinion-outcome")).to_contain_text(re.compile("整改落实|Rectified"))
    shot(desk, "opinion-detail-cadre")

    # then the summary counts it
    desk.goto(f"/congress/opinions/stats/?year={timezone.localdate().year}")
    expect(desk.locator("#opinion-sentence")).to_contain_text(
        "共收集意见建议1条，已整改落实1条，约谈1人次。"
    )
    shot(desk, "opinion-stats")

    # and the member sees the outcome on the phone
    phone.goto("/congress/opinions/mine/")
    expect(phone.locator("#opinion-mine")).to_contain_text(re.compile("整改落实|Rectified"))
