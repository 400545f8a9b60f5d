"""Health, rest, retiree and summary pages as every persona: the access matrix, another
union's records by guessed id, anonymous visitors, POST-only changes, and each page's work
(including the Word export's figures)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from gonghui.care import health, rest, retirees
from gonghui.care.models import Visit
from gonghui.care.models.health import HealthCampaign, HealthCheck, RestParticipant, RetireeActivity
from gonghui.core.models import AuditEvent
from gonghui.members.models import WorkStatus
from gonghui.testing.factories import MemberFactory, PersonFactory
from gonghui.testing.personas import PERSONAS


def _today() -> date:
    return timezone.localdate()


def _records_of(world, union, actor, members):
    t = _today()
    c = health.health_campaign_create(
        actor=actor, union=union, kind="general", title="体检", starts_on=t, ends_on=t
    )
    health.health_checks_schedule(actor=actor, campaign=c, scheduled_on=t)
    r = rest.rest_rotation_create(
        actor=actor, union=union, title="疗休养", destination="黄山", starts_on=t, ends_on=t,
        capacity=5,
    )  # fmt: skip
    [p] = rest.rest_nominate(actor=actor, rotation=r, members=members[:1])
    return {"campaign": c, "check": c.checks.order_by("pk").first(), "rotation": r, "part": p}


@pytest.fixture
def records(world):
    retired = MemberFactory(
        union=world.school, work_status=WorkStatus.RETIRED, person=PersonFactory(name="张老师")
    )
    school = _records_of(world, world.school, world.chair, [world.member_a])
    other = _records_of(world, world.factory_union, world.other_chair, [world.outsider])
    return {"school": school, "other": other, "retired": retired}


MANAGE = {p: 403 for p in PERSONAS} | {"chair": 200, "cadre": 200, "other_chair": 200, "admin": 200}
SCHOOL_RECORD = {**MANAGE, "other_chair": 404}
POSTED = {p: {200: 302}.get(s, s) for p, s in SCHOOL_RECORD.items()}
MINE = {p: 404 for p in PERSONAS} | {"member": 200}
SUMMARY = {**MANAGE, "upper_officer": 200}
SCHOOL_SUMMARY = {**SUMMARY, "other_chair": 404}


def _c(client, user):
    client.force_login(user)
    return client


def _school(url, world):
    return f"{url}?union={world.school.pk}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, records, persona):
    c = _c(client, world.personas()[persona])
    s = records["school"]
    assert c.get(reverse("care:health_list")).status_code == MANAGE[persona]
    assert c.get(reverse("care:rest_list")).status_code == MANAGE[persona]
    assert c.get(reverse("care:retiree_list")).status_code == MANAGE[persona]
    assert c.get(reverse("care:summary")).status_code == SUMMARY[persona]
    assert c.get(reverse("care:health_mine")).status_code == MINE[persona]
    campaign = c.get(reverse("care:health_campaign", args=[s["campaign"].pk]))
    assert campaign.status_code == SCHOOL_RECORD[persona]
    rotation = c.get(reverse("care:rest_rotation", args=[s["rotation"].pk]))
    assert rotation.status_code == SCHOOL_RECORD[persona]
    assert c.get(_school(reverse("care:summary"), world)).status_code == SCHOOL_SUMMARY[persona]
    docx = c.get(_school(reverse("care:summary_docx"), world))
    assert docx.status_code == SCHOOL_SUMMARY[persona]
    retiree_page = c.get(_school(reverse("care:retiree_list"), world))
    assert retiree_page.status_code == SCHOOL_RECORD[persona]
    r = c.post(
        reverse("care:health_check_mark", args=[s["campaign"].pk, s["check"].pk]),
        {"status": "done"},
    )
    assert r.status_code == POSTED[persona]
    r = c.post(reverse("care:rest_mark", args=[s["rotation"].pk, s["part"].pk]), {"status": "gone"})
    assert r.status_code == POSTED[persona]
    done = HealthCheck.objects.get(pk=s["check"].pk).status == "done"
    assert done == (POSTED[persona] == 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_records_by_guessed_id(client, world, records, persona):
    c = _c(client, world.personas()[persona])
    o = records["other"]
    expected = {**SCHOOL_RECORD, "other_chair": 200, "chair": 404, "cadre": 404}[persona]
    assert c.get(reverse("care:health_campaign", args=[o["campaign"].pk])).status_code == expected
    assert c.get(reverse("care:rest_rotation", args=[o["rotation"].pk])).status_code == expected
    posted = {200: 302}.get(expected, expected)
    r = c.post(
        reverse("care:health_check_mark", args=[o["campaign"].pk, o["check"].pk]),
        {"status": "done"},
    )
    assert r.status_code == posted
    r = c.post(reverse("care:rest_nominate", args=[o["rotation"].pk]), {"members": []})
    assert r.status_code == posted
    r = c.post(
        reverse("care:retiree_visit_round"),
        {"union": world.factory_union.pk, "title": "重阳", "visited_on": _today(), "visitors": "x"},
    )
    assert r.status_code in {"other_chair": (400,), "admin": (400,)}.get(persona, (403, 404))
    # a school campaign's check id under the factory campaign is not found either
    r = c.post(
        reverse("care:health_check_mark", args=[o["campaign"].pk, records["school"]["check"].pk]),
        {"status": "done"},
    )
    assert r.status_code in (403, 404)
    assert HealthCheck.objects.get(pk=records["school"]["check"].pk).status == "scheduled"
    summary = c.get(f"{reverse('care:summary')}?union={world.factory_union.pk}")
    assert summary.status_code == {**SUMMARY, "chair": 404, "cadre": 404}[persona]


def test_it_sends_anonymous_visitors_to_the_login(client, world, records):
    s = records["school"]
    gets = [
        reverse("care:health_list"),
        reverse("care:health_mine"),
        reverse("care:health_campaign", args=[s["campaign"].pk]),
        reverse("care:rest_list"),
        reverse("care:rest_rotation", args=[s["rotation"].pk]),
        reverse("care:retiree_list"),
        reverse("care:summary"),
        reverse("care:summary_docx"),
    ]
    posts = [
        reverse("care:health_schedule", args=[s["campaign"].pk]),
        reverse("care:health_close", args=[s["campaign"].pk]),
        reverse("care:health_check_mark", args=[s["campaign"].pk, s["check"].pk]),
        reverse("care:rest_nominate", args=[s["rotation"].pk]),
        reverse("care:rest_mark", args=[s["rotation"].pk, s["part"].pk]),
        reverse("care:retiree_visit_round"),
        reverse("care:retiree_activity_new"),
    ]
    for url in gets:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    for url in posts:
        r = client.post(url, {})
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    assert HealthCampaign.objects.filter(status="open").count() == 2


def test_it_takes_only_posts_for_changes(client, world, records):
    c = _c(client, world.chair)
    s = records["school"]
    assert c.get(reverse("care:health_schedule", args=[s["campaign"].pk])).status_code == 405
    assert c.get(reverse("care:health_close", args=[s["campaign"].pk])).status_code == 405
    mark = reverse("care:health_check_mark", args=[s["campaign"].pk, s["check"].pk])
    assert c.get(mark).status_code == 405
    assert c.get(reverse("care:rest_nominate", args=[s["rotation"].pk])).status_code == 405
    assert c.get(reverse("care:retiree_visit_round")).status_code == 405
    assert c.get(reverse("care:retiree_activity_new")).status_code == 405
    assert c.post(reverse("care:summary")).status_code == 405
    assert c.post(reverse("care:health_campaign", args=[s["campaign"].pk])).status_code == 405


# ---- the pages' work -----------------------------------------------------------------------


def test_the_chair_creates_a_campaign_schedules_and_marks_by_htmx(client, world):
    c = _c(client, world.chair)
    t = _today()
    r = c.post(
        reverse("care:health_list"),
        {"kind": "women", "title": "女职工专项检查", "starts_on": t, "ends_on": t},
    )
    campaign = HealthCampaign.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "care:health_campaign", args=[campaign.pk]
    )
    r = c.post(reverse("care:health_schedule", args=[campaign.pk]), {"scheduled_on": t})
    assert r.status_code == 302
    check = HealthCheck.objects.get()  # only 李芳 is a woman in work
    assert check.member == world.member_a
    r = c.post(
        reverse("care:health_check_mark", args=[campaign.pk, check.pk]),
        {"status": "excused", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and f'id="check-{check.pk}"' in r.content.decode()
    assert "Say why the member is excused." in r.content.decode() or "免检原因" in (
        r.content.decode()
    )
    check.refresh_from_db()
    assert check.status == HealthCheck.Status.SCHEDULED
    r = c.post(
        reverse("care:health_check_mark", args=[campaign.pk, check.pk]),
        {"status": "done", "done_on": t},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert 'id="progress" hx-swap-oob="true"' in r.content.decode()
    page = c.get(reverse("care:health_campaign", args=[campaign.pk])).content.decode()
    assert "100.0%" in page and "李芳" in page


def test_a_bad_campaign_is_refused_with_the_field_named(client, world):
    c = _c(client, world.chair)
    r = c.post(
        reverse("care:health_list"),
        {"kind": "general", "title": "体检", "starts_on": "2026-03-10", "ends_on": "2026-03-01"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors["ends_on"]
    assert not HealthCampaign.objects.exists()


def test_a_member_sees_only_their_own_checks_and_rest(client, world, records):
    rest.rest_mark(actor=world.chair, participant=records["school"]["part"], status="gone")
    page = _c(client, world.member).get(reverse("care:health_mine")).content.decode()
    assert "体检" in page and "黄山" in page
    assert "王强" not in page and "赵敏" not in page
    assert "<html" in page and "viewport" in page  # the phone page is a full page


def test_the_rest_page_nominates_from_the_due_list(client, world, records):
    c = _c(client, world.chair)
    rotation = records["school"]["rotation"]
    page = c.get(reverse("care:rest_rotation", args=[rotation.pk])).content.decode()
    assert f'value="{world.member_b.pk}"' in page  # member B is due, A is already listed
    assert f'name="members" value="{world.member_a.pk}"' not in page
    r = c.post(reverse("care:rest_nominate", args=[rotation.pk]), {"members": [world.member_b.pk]})
    assert r.status_code == 302
    assert RestParticipant.objects.filter(rotation=rotation).count() == 2
    # a member of another union cannot be slipped in
    c.post(reverse("care:rest_nominate", args=[rotation.pk]), {"members": [world.outsider.pk]})
    assert not RestParticipant.objects.filter(member=world.outsider, rotation=rotation).exists()


def test_the_retiree_page_visits_all_and_records_an_activity(client, world, records):
    c = _c(client, world.chair)
    r = c.post(
        reverse("care:retiree_visit_round"),
        {
            "union": world.school.pk,
            "title": "重阳节慰问",
            "visited_on": _today(),
            "visitors": "工会主席",
            "cash": "200",
            "gift_value": "0",
        },
    )
    assert r.status_code == 302
    visit = Visit.objects.get()
    assert visit.member == records["retired"] and visit.cash == Decimal("200.00")
    r = c.post(
        reverse("care:retiree_activity_new"),
        {
            "union": world.school.pk,
            "kind": "lecture",
            "title": "养生讲座",
            "held_on": _today(),
            "members": [records["retired"].pk],
        },
    )
    assert r.status_code == 302
    lecture = RetireeActivity.objects.get(kind="lecture")
    assert list(lecture.participants.all()) == [records["retired"]]
    page = c.get(reverse("care:retiree_list")).content.decode()
    assert "张老师" in page and "养生讲座" in page
    assert AuditEvent.objects.filter(action="care.retiree_activity_create").exists()


def test_the_summary_page_and_word_show_the_recorded_figures(client, world, records):
    retirees.retiree_visit_round(
        actor=world.chair,
        union=world.school,
        title="重阳节慰问",
        visited_on=_today(),
        visitors="工会主席",
        cash=Decimal("300"),
    )
    c = _c(client, world.upper_officer)
    page = c.get(_school(reverse("care:summary"), world)).content.decode()
    assert "全年慰问会员1户次（1户），发放慰问金和慰问品¥300.00元" in page
    assert "summary-charts" in page
    assert "张老师" not in page  # upper unions read counts, never names
    docx = c.get(_school(reverse("care:summary_docx"), world))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "走访慰问离退休会员1人次（1人），金额¥300.00元" in text
    cells = [cell.text for row in doc.tables[0].rows for cell in row.cells]
    assert "离退休慰问" in cells and "¥300.00元" in cells


def test_the_lists_take_a_bounded_number_of_queries(
    client, world, records, django_assert_max_num_queries
):
    # given many more members on the lists, the pages must not query per row
    more = MemberFactory.create_batch(20, union=world.school, unit=world.group_b)
    MemberFactory.create_batch(10, union=world.school, work_status=WorkStatus.RETIRED)
    campaign = records["school"]["campaign"]
    health.health_checks_schedule(actor=world.chair, campaign=campaign, scheduled_on=_today())
    assert campaign.checks.count() == 22
    c = _c(client, world.chair)
    with django_assert_max_num_queries(15):
        assert c.get(reverse("care:health_campaign", args=[campaign.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert c.get(reverse("care:retiree_list")).status_code == 200
    rotation = records["school"]["rotation"]
    with django_assert_max_num_queries(15):
        assert c.get(reverse("care:rest_rotation", args=[rotation.pk])).status_code == 200
    assert more
