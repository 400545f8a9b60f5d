"""Whether a member is in hardship is hardship data (PIPL, decision 0006): only the chair and
the named care officers of the union see it — not cadres, group leaders, upper officers or
administrators — on the member page, in the list's category filter, in exports and in the API."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.models import Role, User
from gonghui.core.services import role_grant
from gonghui.members.models import Member
from gonghui.members.tests.test_api import Api
from gonghui.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

HARDSHIP_CATEGORY = "困难职工"


@pytest.fixture
def care_officer(world) -> User:
    user = UserFactory(username="care_officer_m", display_name="care_officer_m")
    role_grant(actor=None, user=user, role=Role.CARE_OFFICER, unit=world.school)
    return user


@pytest.fixture
def in_hardship(world) -> Member:
    Member.objects.filter(pk=world.member_a.pk).update(is_in_hardship=True)
    world.member_a.refresh_from_db()
    return world.member_a


def _user(world, care_officer, persona: str) -> User:
    return care_officer if persona == "care_officer" else world.personas()[persona]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("chair", True),
        ("care_officer", True),
        ("cadre", False),
        ("group_leader", False),
        ("admin", False),
    ],
)
def test_the_api_gives_the_flag_only_to_hardship_holders(
    world, care_officer, in_hardship, persona, sees
):
    api = Api(_user(world, care_officer, persona))
    one = api.get(f"/members/{in_hardship.pk}")
    assert one.status_code == 200
    assert one.json()["is_in_hardship"] is (True if sees else None)
    listed = {m["id"]: m for m in api.get("/members").json()["items"]}
    assert listed[in_hardship.pk]["is_in_hardship"] is (True if sees else None)


def test_the_api_refuses_setting_the_flag_without_the_permission(world, in_hardship):
    r = Api(world.cadre).patch(f"/members/{world.member_b.pk}", {"is_in_hardship": True})
    assert r.status_code == 403
    world.member_b.refresh_from_db()
    assert world.member_b.is_in_hardship is False
    # Other fields stay the cadre's to change.
    assert (
        Api(world.cadre).patch(f"/members/{world.member_b.pk}", {"post": "班主任"}).status_code
        == 200
    )


def test_the_chair_may_set_the_flag_through_the_api(world):
    r = Api(world.chair).patch(f"/members/{world.member_b.pk}", {"is_in_hardship": True})
    assert r.status_code == 200 and r.json()["is_in_hardship"] is True


def _export_categories(client, user) -> dict[str, str]:
    client.force_login(user)
    r = client.get(reverse("members:export"))
    assert r.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    col = rows[0].index("类别")
    return {row[1]: row[col] or "" for row in rows[1:]}


def test_the_export_names_the_category_only_for_hardship_holders(
    client, world, care_officer, in_hardship
):
    name = in_hardship.person.name
    assert HARDSHIP_CATEGORY in _export_categories(client, world.chair)[name]
    assert HARDSHIP_CATEGORY in _export_categories(client, care_officer)[name]
    assert HARDSHIP_CATEGORY not in _export_categories(client, world.cadre)[name]
    assert HARDSHIP_CATEGORY not in _export_categories(client, world.admin)[name]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("chair", True), ("care_officer", True), ("cadre", False), ("admin", False)],
)
def test_the_member_page_shows_the_badge_only_to_hardship_holders(
    client, world, care_officer, in_hardship, persona, sees
):
    client.force_login(_user(world, care_officer, persona))
    r = client.get(reverse("members:detail", args=[in_hardship.pk]))
    assert r.status_code == 200
    badge = '<span class="badge text-bg-info">困难职工</span>'
    assert (badge in r.content.decode()) is sees


def test_the_list_filter_offers_hardship_only_to_hardship_holders(client, world, in_hardship):
    client.force_login(world.chair)
    page = client.get(reverse("members:list")).content.decode()
    assert 'value="hardship"' in page
    found = client.get(reverse("members:list"), {"category": "hardship"}).content.decode()
    assert in_hardship.person.name in found and world.member_b.person.name not in found
    client.force_login(world.cadre)
    assert 'value="hardship"' not in client.get(reverse("members:list")).content.decode()


@pytest.mark.parametrize("persona", ["cadre", "admin"])
def test_a_guessed_hardship_filter_finds_nobody_for_others(world, in_hardship, persona):
    r = Api(world.personas()[persona]).get("/members", category="hardship")
    assert r.status_code == 200
    assert r.json()["total"] == 0


def test_the_edit_form_keeps_the_flag_away_from_a_cadre(client, world, in_hardship):
    client.force_login(world.cadre)
    url = reverse("members:edit", args=[in_hardship.pk])
    assert 'name="is_in_hardship"' not in client.get(url).content.decode()
    client.force_login(world.chair)
    assert 'name="is_in_hardship"' in client.get(url).content.decode()


def test_a_cadre_saving_the_form_leaves_the_flag_as_it_was(client, world, in_hardship):
    client.force_login(world.cadre)
    url = reverse("members:edit", args=[in_hardship.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["post"] = "班主任"
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    in_hardship.refresh_from_db()
    assert (in_hardship.post, in_hardship.is_in_hardship) == ("班主任", True)
