"""The must-visit pages as every persona: the access matrix, another union's records by
guessed id, anonymous visitors, and each page's own work."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gonghui.care import services
from gonghui.care.models import CareSettings, LifeEvent, Visit, VisitPhoto, VisitTask
from gonghui.core.models import AuditEvent
from gonghui.testing.care_factories import CarePaymentFactory
from gonghui.testing.personas import PERSONAS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(world):
    """A task for member B (group B), a visit with a photo to member B, and the same in
    the factory union."""
    ago = timezone.localdate() - timedelta(days=10)
    task = services.event_report(
        user=world.cadre, member=world.member_b, kind="hospital", occurred_on=ago, reported_on=ago
    ).task
    visit = services.visit_record(
        actor=world.cadre,
        member=world.member_b,
        kind="birthday",
        visited_on=timezone.localdate(),
        visitors="工会委员",
        gift_description="蛋糕",
        gift_value=Decimal("150"),
        notes="内部备注",
        photos=[SimpleUploadedFile("cake.png", PNG)],
    )
    other_task = services.event_report(
        user=world.other_chair, member=world.outsider, kind="hospital", occurred_on=ago
    ).task
    other_visit = services.visit_record(
        actor=world.other_chair,
        member=world.outsider,
        kind="birthday",
        visited_on=timezone.localdate(),
        visitors="车间主任",
        photos=[SimpleUploadedFile("x.png", PNG)],
    )
    return {
        "task": task,
        "photo": visit.photos.get(),
        "other_task": other_task,
        "other_photo": other_visit.photos.get(),
    }


MANAGERS_200 = {"chair": 200, "cadre": 200, "other_chair": 200, "admin": 200}
HOME = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 302,
    "member": 302,
    "other_chair": 200,
    "upper_officer": 302,
    "auditor": 302,
    "admin": 200,
}
REPORT = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 200,
    "member": 200,
    "other_chair": 200,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
REPORT_SEARCH = {**REPORT, "member": 403}
MANAGE = {p: MANAGERS_200.get(p, 403) for p in PERSONAS}
# member B of the school: another union's chair does not see it exist
SCHOOL_RECORD = {**MANAGE, "other_chair": 404}
COUNTS = {**{p: 200 for p in PERSONAS}, "group_leader": 403, "member": 403}
SETTINGS_POST = {p: 403 for p in PERSONAS} | {"chair": 302, "other_chair": 404}
CANCEL = {p: {200: 302}.get(s, s) for p, s in SCHOOL_RECORD.items()}


def _c(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, records, persona):
    c = _c(client, world.personas()[persona])
    b, task = world.member_b.pk, records["task"].pk
    assert c.get(reverse("care:home")).status_code == HOME[persona]
    assert c.get(reverse("care:event_report")).status_code == REPORT[persona]
    search = c.get(reverse("care:report_members"), {"q": "王"})
    assert search.status_code == REPORT_SEARCH[persona]
    assert c.get(reverse("care:tasks")).status_code == MANAGE[persona]
    visit_url = f"{reverse('care:visit_new')}?task={task}"
    assert c.get(visit_url).status_code == SCHOOL_RECORD[persona]
    assert c.get(f"{reverse('care:visit_new')}?member={b}").status_code == SCHOOL_RECORD[persona]
    assert c.get(reverse("care:member_history", args=[b])).status_code == SCHOOL_RECORD[persona]
    photo = c.get(reverse("care:visit_photo", args=[records["photo"].pk]))
    assert photo.status_code == SCHOOL_RECORD[persona]
    assert c.get(reverse("care:my_care")).status_code == (200 if persona == "member" else 404)
    assert c.get(reverse("care:counts")).status_code == COUNTS[persona]
    assert c.get(reverse("care:settings")).status_code == MANAGE[persona]
    r = c.post(reverse("care:settings_province", args=[world.school.pk]), {"province": "福建"})
    assert r.status_code == SETTINGS_POST[persona]
    r = c.post(reverse("care:task_cancel", args=[task]), {"reason": "误报"})
    assert r.status_code == CANCEL[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_records_by_guessed_id(client, world, records, persona):
    c = _c(client, world.personas()[persona])
    expected = {**SCHOOL_RECORD, "other_chair": 200, "chair": 404, "cadre": 404}[persona]
    o, task = world.outsider.pk, records["other_task"].pk
    assert c.get(f"{reverse('care:visit_new')}?task={task}").status_code == expected
    assert c.get(f"{reverse('care:visit_new')}?member={o}").status_code == expected
    assert c.get(reverse("care:member_history", args=[o])).status_code == expected
    photo = c.get(reverse("care:visit_photo", args=[records["other_photo"].pk]))
    assert photo.status_code == expected
    r = c.post(reverse("care:task_cancel", args=[task]), {"reason": "猜测"})
    assert r.status_code == {200: 302}.get(expected, expected)
    settings_page = c.get(reverse("care:settings"), {"union": world.factory_union.pk})
    assert settings_page.status_code == {**MANAGE, "chair": 404, "cadre": 404}[persona]
    r = c.post(
        reverse("care:settings_province", args=[world.factory_union.pk]), {"province": "福建"}
    )
    assert r.status_code == {"other_chair": 302, "chair": 404, "cadre": 404}.get(persona, 403)
    if persona not in ("other_chair", "admin"):
        assert VisitTask.objects.get(pk=task).status == VisitTask.Status.OPEN


def test_it_sends_anonymous_visitors_to_the_login(client, world, records):
    urls = [
        reverse("care:home"),
        reverse("care:event_report"),
        reverse("care:report_members"),
        reverse("care:tasks"),
        f"{reverse('care:visit_new')}?task={records['task'].pk}",
        reverse("care:member_history", args=[world.member_b.pk]),
        reverse("care:visit_photo", args=[records["photo"].pk]),
        reverse("care:my_care"),
        reverse("care:counts"),
        reverse("care:settings"),
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    r = client.post(reverse("care:task_cancel", args=[records["task"].pk]), {"reason": "x"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_takes_only_posts_for_changes(client, world, records):
    c = _c(client, world.chair)
    assert c.get(reverse("care:task_cancel", args=[records["task"].pk])).status_code == 405
    assert c.get(reverse("care:settings_province", args=[world.school.pk])).status_code == 405
    assert c.post(reverse("care:home")).status_code == 405


# ---- reporting ---------------------------------------------------------------------------


def _report_data(member, **kw):
    return {
        "member": member.pk,
        "kind": "hospital",
        "occurred_on": timezone.localdate().isoformat(),
        "details": "县医院",
        **kw,
    }


def test_it_lets_the_group_leader_report_for_their_group_only(client, world):
    c = _c(client, world.group_leader)
    r = c.post(reverse("care:event_report"), _report_data(world.member_a))
    assert r.status_code == 302
    event = LifeEvent.objects.get(member=world.member_a)
    assert event.task.due_on == timezone.localdate() + timedelta(days=3)
    r = c.post(reverse("care:event_report"), _report_data(world.member_b))
    assert r.status_code == 400
    assert "Choose a member whose events you may report." in r.content.decode() or "请选择" in (
        r.content.decode()
    )
    assert not LifeEvent.objects.filter(member=world.member_b).exists()


def test_it_finds_members_in_reach_by_name(client, world):
    c = _c(client, world.group_leader)
    found = c.get(reverse("care:report_members"), {"q": "李"}).content.decode()
    assert "李芳" in found and f'value="{world.member_a.pk}"' in found
    assert "王强" not in c.get(reverse("care:report_members"), {"q": "王"}).content.decode()


def test_it_lets_a_member_report_only_for_themselves(client, world):
    c = _c(client, world.member)
    page = c.get(reverse("care:event_report")).content.decode()
    assert f'name="member" value="{world.member_a.pk}"' in page
    assert c.post(reverse("care:event_report"), _report_data(world.member_b)).status_code == 400
    assert c.post(reverse("care:event_report"), _report_data(world.member_a)).status_code == 302
    assert LifeEvent.objects.filter(member=world.member_a, reported_by=world.member).exists()


def test_it_shows_the_reason_when_a_relative_is_missing(client, world):
    c = _c(client, world.cadre)
    r = c.post(reverse("care:event_report"), _report_data(world.member_b, kind="death_relative"))
    assert r.status_code == 400
    assert 'data-error="relative"' in r.content.decode()


# ---- home, tasks, visits ----------------------------------------------------------------------


def test_it_flags_overdue_visits_on_the_home_page(
    client, world, records, django_assert_max_num_queries
):
    c = _c(client, world.chair)
    with django_assert_max_num_queries(30):
        page = c.get(reverse("care:home")).content.decode()
    assert 'id="overdue"' in page
    assert f'data-task="{records["task"].pk}"' in page and 'data-overdue="1"' in page
    assert "慰问 1 户次（1 户），金额 ¥150.00" in page


def test_it_keeps_the_task_list_query_count_flat(client, world, django_assert_max_num_queries):
    for i in range(8):
        services.event_report(
            user=world.cadre,
            member=world.member_b,
            kind="hospital",
            occurred_on=timezone.localdate() - timedelta(days=i),
        )
    c = _c(client, world.chair)
    with django_assert_max_num_queries(20):
        page = c.get(reverse("care:tasks"))
    assert page.content.decode().count("data-task=") == 8


def test_it_prefills_the_visit_form_from_the_task_and_records_it(client, world, records):
    c = _c(client, world.cadre)
    url = f"{reverse('care:visit_new')}?task={records['task'].pk}"
    page = c.get(url).content.decode()
    assert 'value="500.00"' in page and "工会主席、小组长" in page
    r = c.post(
        url,
        {
            "kind": "hospital",
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张主席",
            "cash": "500",
            "gift_value": "0",
            "receipt_signed": "on",
            "photos": [SimpleUploadedFile("ward.png", PNG)],
        },
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("care:member_history", args=[world.member_b.pk])
    visit = Visit.objects.get(task=records["task"])
    assert visit.cash == Decimal("500.00") and visit.receipt_signed
    assert VisitPhoto.objects.filter(visit=visit, file_name="ward.png").exists()


def _over_cap_post(c, world, **extra):
    CarePaymentFactory(member=world.member_b, cap_item="hospital", gift_value=Decimal("900"))
    return c.post(
        f"{reverse('care:visit_new')}?member={world.member_b.pk}",
        {
            "kind": "hospital",
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张主席",
            "cash": "500",
            "gift_value": "0",
            **extra,
        },
    )


def test_it_shows_the_cap_refusal_in_the_form(client, world):
    r = _over_cap_post(_c(client, world.cadre), world)
    assert r.status_code == 400
    page = r.content.decode()
    assert "¥900.00" in page and "¥1000.00" in page
    assert 'name="override_reason"' not in page
    assert not Visit.objects.exists()


def test_it_lets_the_chair_resubmit_over_the_cap_with_a_reason(client, world):
    c = _c(client, world.chair)
    first = _over_cap_post(c, world)
    assert first.status_code == 400 and 'name="override_reason"' in first.content.decode()
    r = c.post(
        f"{reverse('care:visit_new')}?member={world.member_b.pk}",
        {
            "kind": "hospital",
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张主席",
            "cash": "500",
            "gift_value": "0",
            "override_reason": "大手术，经主席办公会同意",
        },
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="care.cap_override", actor=world.chair).exists()


def test_it_refuses_a_photo_that_is_not_an_image_in_the_form(client, world):
    r = _c(client, world.cadre).post(
        f"{reverse('care:visit_new')}?member={world.member_b.pk}",
        {
            "kind": "birthday",
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "工会委员",
            "cash": "0",
            "gift_value": "0",
            "photos": [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00")],
        },
    )
    assert r.status_code == 400 and 'data-error="photos"' in r.content.decode()


def test_it_serves_a_photo_to_a_manager(client, world, records):
    r = _c(client, world.cadre).get(reverse("care:visit_photo", args=[records["photo"].pk]))
    assert b"".join(r.streaming_content) == PNG


def test_it_cancels_a_task_from_the_list(client, world, records):
    r = _c(client, world.cadre).post(
        reverse("care:task_cancel", args=[records["task"].pk]), {"reason": "家属婉拒"}
    )
    assert r.status_code == 302
    records["task"].refresh_from_db()
    assert records["task"].status == VisitTask.Status.CANCELLED


# ---- history, my care, counts -------------------------------------------------------------


def test_it_shows_one_members_whole_history_and_logs_the_read(client, world, records):
    page = _c(client, world.cadre).get(reverse("care:member_history", args=[world.member_b.pk]))
    text = page.content.decode()
    assert "内部备注" in text and "cake.png" in text and "¥150.00" in text
    assert AuditEvent.objects.filter(
        action="read_sensitive", actor=world.cadre, object_id=str(world.member_b.person.pk)
    ).exists()


def test_it_shows_a_member_their_own_care_without_internal_notes(client, world):
    services.visit_record(
        actor=world.cadre,
        member=world.member_a,
        kind="birthday",
        visited_on=timezone.localdate(),
        visitors="工会委员",
        gift_description="鲜花",
        gift_value=Decimal("80"),
        notes="仅干部可见",
    )
    c = _c(client, world.member)
    text = c.get(reverse("care:my_care")).content.decode()
    assert "鲜花" in text and "¥80.00" in text and "仅干部可见" not in text
    r = c.get(reverse("care:member_history", args=[world.member_a.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("care:my_care")


def test_it_shows_upper_officers_counts_without_names(client, world, records):
    text = _c(client, world.upper_officer).get(reverse("care:counts")).content.decode()
    assert "第一中学工会" in text and "红星机械厂工会" in text
    assert "王强" not in text and "赵敏" not in text
    assert f'data-union="{world.school.pk}"' in text


# ---- settings ------------------------------------------------------------------------------


def test_it_lets_the_chair_change_the_rule_set(client, world):
    c = _c(client, world.chair)
    page = c.get(reverse("care:settings")).content.decode()
    assert "安徽" in page and 'action="/care/settings/' in page
    assert (
        c.post(
            reverse("care:settings_province", args=[world.school.pk]), {"province": "福建"}
        ).status_code
        == 302
    )
    assert CareSettings.objects.get(union=world.school).province == "福建"
    r = c.post(
        reverse("care:settings_cap", args=[world.school.pk]),
        {"item": "birthday", "from_year": "2026", "amount": "900"},
    )
    assert r.status_code == 400 and 'data-error="amount"' in r.content.decode()
    r = c.post(
        reverse("care:settings_rule", args=[world.school.pk, "wedding"]),
        {
            "wedding-visit_required": "on",
            "wedding-who_visits": "工会主席",
            "wedding-standard_cash": "400",
            "wedding-standard_gift": "",
            "wedding-deadline_days": "5",
            "wedding-cap_item": "wedding",
        },
    )
    assert r.status_code == 302
    assert services.visit_rule_for(world.school, "wedding").deadline_days == 5


def test_it_shows_the_cadre_the_rule_set_read_only(client, world):
    page = _c(client, world.cadre).get(reverse("care:settings")).content.decode()
    assert 'id="caps"' in page and 'id="rules"' in page
    assert 'action="/care/settings/' not in page


def test_it_reports_figures_of_the_current_year_only(client, world):
    services.visit_record(
        actor=world.cadre,
        member=world.member_b,
        kind="hospital",
        visited_on=date(timezone.localdate().year - 1, 6, 1),
        visitors="工会委员",
        cash=Decimal("300"),
    )
    page = _c(client, world.chair).get(reverse("care:home")).content.decode()
    assert "慰问 0 户次（0 户），金额 ¥0.00" in page
