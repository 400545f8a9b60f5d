"""The provincial caps pages as every persona: readers (care managers, upper officers)
see them, only an administrator changes them, everyone else is refused; and the pages'
own work: a new year prefilled, a duplicate year refused, a correction with its reason,
a withdrawal, the union's settings page showing the provincial rule beside its own."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from gonghui.care import cap_defaults
from gonghui.care.models import CapItem, CareSettings, SpendingCap
from gonghui.core.models import AuditEvent
from gonghui.testing.personas import PERSONAS

READERS = {"chair", "cadre", "other_chair", "upper_officer", "auditor", "admin", "care_officer"}
ALL = (*PERSONAS, "care_officer")
SOURCE = "皖工发〔2026〕30号"


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def future(world):
    """Caps of 安徽 from next year, entered by the administrator."""
    return cap_defaults.provincial_caps_add(
        actor=world.admin,
        province="安徽",
        from_year=2027,
        amounts={"festival": "2200"},
        source_note=SOURCE,
    )


def _c(client, user):
    client.force_login(user)
    return client


def _birthday_cap(world, amount: str) -> None:
    """The administrator corrects 安徽's built-in birthday cap of 2018."""
    cap_defaults.provincial_cap_correct(
        actor=world.admin,
        province="安徽",
        item="birthday",
        from_year=2018,
        amount=amount,
        reason=f"文件为{amount}元",
    )


def _year_post(year="2028", **amounts):
    data = {"from_year": year, "source_note": SOURCE}
    data |= {f"amount_{item}": "" for item in CapItem.values}
    data |= {f"amount_{item}": value for item, value in amounts.items()}
    return data


URLS = {
    "index": reverse("care:caps"),
    "province": reverse("care:caps_province", args=["安徽"]),
    "new_year": reverse("care:caps_new_year", args=["安徽"]),
    "new_province": reverse("care:caps_new_province"),
    "correct": reverse("care:caps_correct", args=["安徽", "birthday", 2018]),
    "withdraw": reverse("care:caps_withdraw", args=["安徽", 2027]),
}


@pytest.mark.parametrize("persona", ALL)
def test_it_answers_each_page_as_each_persona(client, world, care_officer, future, persona):
    user = care_officer if persona == "care_officer" else world.personas()[persona]
    c = _c(client, user)
    read = 200 if persona in READERS else 403
    edit = 200 if persona == "admin" else 403
    assert c.get(URLS["index"]).status_code == read
    assert c.get(URLS["province"]).status_code == read
    for name in ("new_year", "new_province", "correct", "withdraw"):
        assert c.get(URLS[name]).status_code == edit, name
    # a reader's change is refused before anything is stored
    saved = 302 if persona == "admin" else 403
    assert c.post(URLS["new_year"], _year_post(festival="2300")).status_code == saved
    correction = {"amount": "350", "reason": "文件为350元"}
    assert c.post(URLS["correct"], correction).status_code == saved
    assert c.post(URLS["withdraw"], {"reason": "年份录错"}).status_code == saved
    stored = set(SpendingCap.objects.values_list("item", "from_year"))
    if persona == "admin":
        assert stored == {("festival", 2028), ("birthday", 2018)}
    else:
        assert stored == {("festival", 2027)}


@pytest.mark.parametrize("name", list(URLS))
def test_it_sends_anonymous_visitors_to_the_login_page(client, db, name):
    r = client.get(URLS[name])
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    r = client.post(URLS[name], {})
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_it_answers_404_for_what_does_not_exist(client, world):
    c = _c(client, world.admin)
    assert c.get(reverse("care:caps_province", args=["火星"])).status_code == 404
    assert c.get(reverse("care:caps_new_year", args=["火星"])).status_code == 404
    assert c.get(reverse("care:caps_correct", args=["安徽", "birthday", 2019])).status_code == 404
    assert c.get(reverse("care:caps_correct", args=["安徽", "cash", 2018])).status_code == 404
    assert c.get(reverse("care:caps_withdraw", args=["安徽", 2030])).status_code == 404


def test_it_shows_readers_the_caps_without_the_controls(client, world, future):
    page = _c(client, world.chair).get(URLS["province"]).content.decode()
    assert 'id="province-caps"' in page and "¥2200.00" in page and SOURCE in page
    assert 'id="new-year"' not in page and "/correct/" not in page and "/withdraw/" not in page
    assert 'id="not-retroactive"' in page
    admin = _c(client, world.admin).get(URLS["province"]).content.decode()
    assert 'id="new-year"' in admin and URLS["correct"] in admin and URLS["withdraw"] in admin
    # built-in years stay: only the stored year not yet in force offers a withdrawal
    assert reverse("care:caps_withdraw", args=["安徽", 2021]) not in admin


def test_it_lists_the_provinces_and_warns_of_unions_whose_province_has_no_caps(client, world):
    CareSettings.objects.create(union=world.factory_union, province="江苏")
    page = _c(client, world.admin).get(URLS["index"]).content.decode()
    assert 'data-province="安徽"' in page and 'data-province="福建"' in page
    assert 'id="uncapped"' in page and "江苏" in page
    chair = _c(client, world.chair).get(URLS["index"]).content.decode()
    assert 'id="uncapped"' not in chair and 'id="new-province"' not in chair


def test_it_shows_a_province_without_caps_as_empty(client, world):
    page = _c(client, world.chair).get(reverse("care:caps_province", args=["江苏"]))
    assert page.status_code == 200 and 'id="no-caps"' in page.content.decode()


def test_it_prefills_a_new_year_from_the_latest_caps(client, world, future):
    form = _c(client, world.admin).get(URLS["new_year"]).context["form"]
    assert form.initial["amount_festival"] == Decimal("2200.00")
    assert form.initial["amount_birthday"] == Decimal("300.00")
    assert form.initial["from_year"] == 2028
    assert "amount_heat_relief" not in form.initial


def test_it_refuses_a_year_that_exists_on_the_form(client, world, future):
    r = _c(client, world.admin).post(URLS["new_year"], _year_post("2027", festival="2300"))
    assert r.status_code == 400 and r.context["form"].errors["from_year"]
    assert SpendingCap.objects.get(from_year=2027).amount == Decimal("2200.00")


def test_it_refuses_bad_amounts_and_a_missing_source_on_the_form(client, world):
    c = _c(client, world.admin)
    r = c.post(URLS["new_year"], _year_post(birthday="-1"))
    assert r.status_code == 400 and r.context["form"].errors["amount_birthday"]
    r = c.post(URLS["new_year"], _year_post(birthday="1.005"))
    assert r.status_code == 400 and r.context["form"].errors["amount_birthday"]
    r = c.post(URLS["new_year"], _year_post(festival="1") | {"source_note": ""})
    assert r.status_code == 400 and r.context["form"].errors["source_note"]
    r = c.post(URLS["new_year"], _year_post())
    assert r.status_code == 400 and r.context["form"].non_field_errors()
    assert not SpendingCap.objects.exists()


def test_it_adds_a_province_from_the_provinces_without_caps(client, world):
    c = _c(client, world.admin)
    choices = dict(c.get(URLS["new_province"]).context["form"].fields["province"].choices)
    assert "江苏" in choices and "安徽" not in choices
    data = _year_post("2025", festival="1600") | {"province": "江苏"}
    r = c.post(URLS["new_province"], data)
    assert r.status_code == 302 and r["Location"] == reverse("care:caps_province", args=["江苏"])
    assert SpendingCap.objects.get(province="江苏").amount == Decimal("1600.00")
    r = c.post(URLS["new_province"], data | {"province": "安徽"})
    assert r.status_code == 400 and r.context["form"].errors["province"]


def test_it_corrects_an_amount_only_with_a_reason(client, world):
    c = _c(client, world.admin)
    page = c.get(URLS["correct"])
    assert page.context["form"].initial["amount"] == Decimal("300.00")
    assert 'id="current-rule"' in page.content.decode()
    r = c.post(URLS["correct"], {"amount": "350", "reason": ""})
    assert r.status_code == 400 and r.context["form"].errors["reason"]
    r = c.post(URLS["correct"], {"amount": "350", "reason": "文件为350元"})
    assert r.status_code == 302
    event = AuditEvent.objects.get(action="care.provincial_cap_correct")
    assert (event.before, event.after, event.note) == (
        {"amount": "300.00"},
        {"amount": "350.00"},
        "文件为350元",
    )
    page = c.get(URLS["province"]).content.decode()
    assert 'id="history"' in page and "文件为350元" in page


def test_it_withdraws_a_future_year_and_refuses_one_in_force(client, world, future):
    c = _c(client, world.admin)
    r = c.post(reverse("care:caps_withdraw", args=["安徽", 2021]), {"reason": "误"})
    assert r.status_code == 400 and r.context["form"].non_field_errors()
    r = c.post(URLS["withdraw"], {"reason": ""})
    assert r.status_code == 400 and r.context["form"].errors["reason"]
    assert c.post(URLS["withdraw"], {"reason": "年份录错"}).status_code == 302
    assert not SpendingCap.objects.exists()


def test_it_shows_the_provincial_rule_beside_the_unions_own_on_the_settings_page(client, world):
    SpendingCap.objects.create(
        province="安徽", union=world.school, item="birthday", from_year=2024, amount=280
    )
    _birthday_cap(world, "250")
    page = _c(client, world.chair).get(reverse("care:settings")).content.decode()
    festival = page[page.index('data-item="festival"') :].split("</tr>")[0]
    assert "2021" in festival and "¥2000.00" in festival
    birthday = page[page.index('data-item="birthday"') :].split("</tr>")[0]
    assert (
        "¥250.00" in birthday and "¥280.00" in birthday and 'data-role="above-province"' in birthday
    )
    # the lower, provincial cap is the one in force
    assert 'data-role="in-force" data-applies="province"><span class="fw-semibold">¥250.00' in (
        birthday
    )
    assert reverse("care:caps_province", args=["安徽"]) in page


def test_it_reads_the_pages_in_bounded_queries(
    client, world, future, django_assert_max_num_queries
):
    c = _c(client, world.admin)
    _birthday_cap(world, "350")
    with django_assert_max_num_queries(12):
        assert c.get(URLS["province"]).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(URLS["index"]).status_code == 200


def test_it_links_upper_officers_to_the_caps_from_the_union_counts(client, world):
    page = _c(client, world.upper_officer).get(reverse("care:counts")).content.decode()
    assert 'id="caps-link"' in page
    # the funds auditor checks spending against the caps, so reads them too
    page = _c(client, world.auditor).get(reverse("care:counts")).content.decode()
    assert 'id="caps-link"' in page
    # a group leader has no counts page to start from
    assert _c(client, world.group_leader).get(reverse("care:counts")).status_code == 403
