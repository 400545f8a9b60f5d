"""The opinion pages as every persona: the access matrix, no IDOR across unions, anonymous
visitors sent to log in, and each page doing its one job."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.congress import opinions as svc
from gonghui.congress import proposals as proposal_svc
from gonghui.congress.models import Department
from gonghui.congress.models.opinions import Opinion, SuggestionQuota
from gonghui.testing.personas import PERSONAS

from .test_opinion_services import record, suggestion
from .test_proposal_services import IN_WINDOW, build, submitted


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(IN_WINDOW, tick=False):
        yield


@pytest.fixture
def items(world):
    """The member's own opinion, an anonymous box opinion and another union's item."""
    own = record(world, submitted_by=world.member_a.person, title="我的意见")
    anonymous = record(world, source="box", title="匿名意见")
    theirs = record(world, actor=world.other_chair, union=world.factory_union, title="厂里意见")
    return own, anonymous, theirs


MANAGE = {"chair": 200, "cadre": 200, "other_chair": 200, "admin": 200}
MANAGE |= {"group_leader": 403, "member": 403, "upper_officer": 403, "auditor": 403}
# One item of the school: managers and its submitter read it; other people of the union and
# upper unions are told no (403); people without reach do not learn it exists (404).
OWN = {"chair": 200, "cadre": 200, "admin": 200, "member": 200}
OWN |= {"group_leader": 404, "other_chair": 404, "upper_officer": 403, "auditor": 403}
NOT_OWN = OWN | {"member": 403}
HANDLE = NOT_OWN  # the handling actions: managers only
MEMBER_PAGES = {"chair": 200, "cadre": 200, "other_chair": 200, "admin": 200, "member": 200}
MEMBER_PAGES |= {"group_leader": 403, "upper_officer": 403, "auditor": 403}
SUBMIT = {p: 403 for p in PERSONAS} | {"member": 200}  # only people with a member record
COUNTS = {p: 200 for p in PERSONAS} | {"member": 403}

PAGES = ["opinion_list", "opinion_record", "opinion_stats", "opinion_export"]
ACTIONS = ["assign", "answer", "close", "assess", "adopt", "reward"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, items, persona):
    own, anonymous, _theirs = items
    client.force_login(world.personas()[persona])

    def get(name, *args):
        return client.get(reverse(f"congress:{name}", args=args)).status_code

    for name in PAGES:
        assert get(name) == MANAGE[persona], name
    assert get("opinion_detail", own.pk) == OWN[persona]
    assert get("opinion_detail", anonymous.pk) == NOT_OWN[persona]
    assert get("opinion_mine") == MEMBER_PAGES[persona]
    assert get("opinion_submit") == SUBMIT[persona]
    assert get("opinion_counts") == COUNTS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_handling_to_all_but_managers(client, world, items, persona):
    own, _anonymous, _theirs = items
    client.force_login(world.personas()[persona])
    r = client.post(
        reverse("congress:opinion_close", args=[own.pk]), {"outcome": "phone", "note": "n"}
    )
    expected = {200: 302}.get(HANDLE[persona], HANDLE[persona])
    assert r.status_code == expected
    own.refresh_from_db()
    assert (own.status == "closed") == (expected == 302)


@pytest.mark.parametrize("action", ACTIONS)
def test_it_takes_actions_by_post_only(client, world, items, action):
    own = items[0]
    client.force_login(world.cadre)
    assert client.get(reverse(f"congress:opinion_{action}", args=[own.pk])).status_code == 405


@pytest.mark.parametrize("name", ["opinion_take_over", "opinion_quota"])
def test_it_takes_list_actions_by_post_only(client, world, name):
    client.force_login(world.cadre)
    assert client.get(reverse(f"congress:{name}")).status_code == 405


def test_it_hides_another_unions_item_by_guessed_id(client, world, items):
    theirs = items[2]
    client.force_login(world.cadre)
    assert client.get(reverse("congress:opinion_detail", args=[theirs.pk])).status_code == 404
    r = client.post(reverse("congress:opinion_close", args=[theirs.pk]), {"outcome": "phone"})
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "received"
    assert client.get(reverse("congress:opinion_detail", args=[999999])).status_code == 404
    listing = client.get(reverse("congress:opinion_list")).content.decode()
    assert "厂里意见" not in listing and "匿名意见" in listing


@pytest.mark.parametrize(
    "name", ["opinion_list", "opinion_mine", "opinion_submit", "opinion_stats", "opinion_counts"]
)
def test_it_sends_anonymous_visitors_to_log_in(client, name):
    r = client.get(reverse(f"congress:{name}"))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_it_sends_anonymous_visitors_from_an_item_to_log_in(client, world, items):
    r = client.get(reverse("congress:opinion_detail", args=[items[0].pk]))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_it_lets_a_member_submit_and_follow_their_item(client, world):
    client.force_login(world.member)
    r = client.post(
        reverse("congress:opinion_submit"),
        {"kind": "rationalisation", "title": "复印机错峰使用", "content": "可节约纸张。"},
    )
    assert r.status_code == 302
    o = Opinion.objects.get()
    assert (o.source, o.submitted_by, o.kind) == (
        "online",
        world.member_a.person,
        "rationalisation",
    )
    mine = client.get(reverse("congress:opinion_mine")).content.decode()
    assert "复印机错峰使用" in mine
    # the member sees the outcome, but no handling forms
    svc.suggestion_assess(actor=world.cadre, opinion=o, score=90)
    svc.suggestion_adopt(actor=world.cadre, opinion=o, adopted=True)
    svc.suggestion_reward(actor=world.cadre, opinion=o, amount="200")
    page = client.get(reverse("congress:opinion_detail", args=[o.pk])).content.decode()
    assert "200.00" in page and "opinion-reward-form" not in page


def test_it_shows_the_submit_error_by_the_field(client, world):
    client.force_login(world.member)
    r = client.post(reverse("congress:opinion_submit"), {"kind": "opinion", "title": "t"})
    assert r.status_code == 200
    assert not Opinion.objects.exists()


def test_it_records_and_handles_an_item_through_the_pages(client, world):
    dept = Department.objects.create(union=world.school, name="总务处")
    client.force_login(world.cadre)
    r = client.post(
        reverse("congress:opinion_record"),
        {
            "kind": "opinion",
            "source": "forum",
            "title": "操场照明不足",
            "content": "晚自习后操场太暗。",
            "received_on": "2026-11-10",
            "submitted_by": world.member_b.person.pk,
            "team": world.group_b.pk,
        },
    )
    assert r.status_code == 302
    o = Opinion.objects.get()
    url = lambda a: reverse(f"congress:opinion_{a}", args=[o.pk])  # noqa: E731
    assert client.post(url("assign"), {"department": dept.pk}).status_code == 302
    assert client.post(url("answer"), {"answer": "已加装路灯"}).status_code == 302
    # an interview with nobody interviewed is refused, and said so by the field
    r = client.post(url("close"), {"outcome": "interview", "interview_count": "0"})
    assert r.status_code == 400
    assert "至少" in r.content.decode() or "at least" in r.content.decode()
    assert client.post(url("close"), {"outcome": "rectified"}).status_code == 302
    o.refresh_from_db()
    assert (o.status, o.outcome, o.department) == ("closed", "rectified", dept)
    page = client.get(reverse("congress:opinion_detail", args=[o.pk])).content.decode()
    assert "已加装路灯" in page and 'id="opinion-close"' not in page


def test_it_refuses_a_record_dated_in_the_future(client, world):
    client.force_login(world.cadre)
    r = client.post(
        reverse("congress:opinion_record"),
        {
            "kind": "opinion",
            "source": "hotline",
            "title": "t",
            "content": "c",
            "received_on": "2026-12-31",
        },
    )
    assert r.status_code == 200
    assert not Opinion.objects.exists()


def test_it_filters_the_list(client, world):
    record(world, title="座谈会意见")
    record(world, source="hotline", title="热线意见")
    suggestion(world, title="金点子一号")
    client.force_login(world.cadre)
    page = client.get(reverse("congress:opinion_list"), {"source": "hotline"}).content.decode()
    assert "热线意见" in page and "座谈会意见" not in page
    page = client.get(
        reverse("congress:opinion_list"), {"kind": "rationalisation"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "金点子一号" in page and "热线意见" not in page and "<html" not in page


def test_it_lists_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(10):
        record(world, title=f"意见{i}", submitted_by=world.member_a.person, team=world.group_a)
    client.force_login(world.cadre)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("congress:opinion_list")).status_code == 200


def test_it_exports_the_filtered_list(client, world):
    record(world, title="座谈会意见")
    record(world, source="hotline", title="热线意见")
    client.force_login(world.cadre)
    r = client.get(reverse("congress:opinion_export"), {"source": "hotline"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "热线意见" in rows[1]


def test_it_takes_over_converted_proposals_from_the_list(client, world):
    pw = build(world)
    proposal_svc.proposal_convert(actor=world.cadre, proposal=submitted(world, pw), reason="r")
    client.force_login(world.cadre)
    assert 'id="opinion-waiting"' in client.get(reverse("congress:opinion_list")).content.decode()
    assert client.post(reverse("congress:opinion_take_over")).status_code == 302
    assert Opinion.objects.filter(source="proposal").count() == 1
    assert (
        'id="opinion-waiting"' not in client.get(reverse("congress:opinion_list")).content.decode()
    )


def test_it_shows_the_summary_sentence_and_quota(client, world):
    o = record(world)
    svc.opinion_close(actor=world.cadre, opinion=o, outcome="rectified", interview_count=1)
    client.force_login(world.cadre)
    r = client.post(
        reverse("congress:opinion_quota"),
        {"year": "2026", "per_person": "3", "per_team": "5", "per_unit": "10"},
    )
    assert r.status_code == 302 and "year=2026" in r["Location"]
    assert SuggestionQuota.objects.get(union=world.school, year=2026).per_team == 5
    page = client.get(reverse("congress:opinion_stats"), {"year": "2026"}).content.decode()
    assert "共收集意见建议1条，已整改落实1条，约谈1人次。" in page
    assert 'id="opinion-quota-people"' in page and "李芳" in page
    assert 'id="opinion-data"' in page


def test_it_shows_upper_unions_counts_without_titles(client, world, items):
    client.force_login(world.upper_officer)
    page = client.get(reverse("congress:opinion_counts")).content.decode()
    assert "第一中学工会" in page and "红星机械厂工会" in page
    assert "我的意见" not in page and "匿名意见" not in page


def test_it_assesses_adopts_and_rewards_a_suggestion_through_the_pages(client, world):
    s = suggestion(world, submitted_by=world.member_a.person)
    client.force_login(world.cadre)
    url = lambda a: reverse(f"congress:opinion_{a}", args=[s.pk])  # noqa: E731
    page = client.get(url("detail")).content.decode()
    assert 'id="opinion-assess"' in page and 'id="opinion-close"' not in page
    assert client.post(url("assess"), {"score": "88", "note": "可推广"}).status_code == 302
    page = client.get(url("detail")).content.decode()
    assert 'id="opinion-adopt"' in page and 'id="assess_note"' in page and 'id="adopt_note"' in page
    r = client.post(url("adopt"), {"adopted": "1", "benefit_estimate": "5000"})
    assert r.status_code == 302
    r = client.post(url("reward"), {"amount": "-5"})
    assert r.status_code == 400
    assert client.post(url("reward"), {"amount": "300"}).status_code == 302
    s.refresh_from_db()
    assert (s.score, s.adopted, s.reward, s.outcome) == (
        88,
        True,
        Decimal("300.00"),
        "adopted_rewarded",
    )
