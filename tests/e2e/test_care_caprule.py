"""Journey: the school's chair tries to set a birthday cap above 安徽's and is told the
provincial amount and its source; a stricter cap is saved and applies. When the province
later lowers its cap below the union's, the settings page flags the union's cap and shows
that the province's lower cap is the one in force."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from gonghui.care import rules
from gonghui.care.models import SpendingCap

from .conftest import login, shot


def _set_cap(page, amount: str) -> None:
    form = page.locator("details", has=page.locator("input[name=amount]"))
    form.evaluate("d => { d.open = true }")  # it stays open after a refusal
    page.locator("select[name=item]").select_option("birthday")
    page.locator("input[name=amount]").fill(amount)
    page.locator("input[name=amount]").press("Enter")


def test_it_keeps_the_unions_cap_from_going_above_the_provinces(world, new_page):
    year = timezone.localdate().year
    page = new_page()
    login(page, "chair")
    page.goto("/care/settings/")
    birthday = page.locator("#caps tr[data-item=birthday]")

    # when the chair sets ¥350 for birthdays, above 安徽's ¥300
    _set_cap(page, "350")
    # then it is refused, naming the provincial amount and its source
    error = page.locator("[data-error=amount]")
    expect(error).to_contain_text("¥300.00")
    expect(error).to_contain_text(rules.DEFAULT_CAPS_SOURCE)
    shot(page, "caprule-refused")
    assert not SpendingCap.objects.filter(union=world.school).exists()

    # when a stricter ¥280 is set, it is the cap in force
    _set_cap(page, "280")
    expect(birthday.locator("[data-role=in-force]")).to_have_attribute("data-applies", "union")
    expect(birthday.locator("[data-role=in-force]")).to_contain_text("¥280.00")

    # when the province later lowers its birthday cap to ¥250
    SpendingCap.objects.create(
        province="安徽", item="birthday", from_year=year, amount=250, source_note="皖工发〔新〕1号"
    )
    page.reload()
    # then the union's cap is flagged and the province's lower cap applies
    expect(birthday.locator("[data-role=above-province]")).to_be_visible()
    expect(birthday.locator("[data-role=in-force]")).to_have_attribute("data-applies", "province")
    expect(birthday.locator("[data-role=in-force]")).to_contain_text("¥250.00")
    shot(page, "caprule-flagged")
