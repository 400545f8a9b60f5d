"""The proposal pages as every persona and as a department handler: the access matrix, no
IDOR across unions, and each page doing its one job."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from gonghui.congress import proposals as svc
from gonghui.congress.models import Proposal
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressSessionFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.personas import PERSONAS

from .test_proposal_services import IN_WINDOW, accepted, build, replied, submit, submitted

pytestmark = pytest.mark.usefixtures("_in_window")


@pytest.fixture
def _in_window():
    with time_machine.travel(IN_WINDOW, tick=False):
        yield


@pytest.fixture
def pw(world):
    return build(world)


def _as(client, user):
    client.force_login(user)
    return client


def _status(persona_map: dict[str, int], persona: str) -> int:
    return persona_map[persona]


DENY = {
    "group_leader": 404,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
}
LIST = {"chair": 200, "cadre": 200, "member": 200, "other_chair": 200, "admin": 200}
LIST.update({"group_leader": 403, "upper_officer": 403, "auditor": 403})
DETAIL = {"chair": 200, "cadre": 200, "member": 200, "admin": 200, **DENY}
MANAGE = {"chair": 200, "cadre": 200, "member": 403, "admin": 200, **DENY}
HANDLER_ONLY = {"chair": 403, "cadre": 403, "member": 403, "admin": 403, **DENY}
PROPOSER_ONLY = {"chair": 403, "cadre": 403, "member": 200, "admin": 403, **DENY}
DEPARTMENTS = {"chair": 200, "cadre": 200, "other_chair": 200, "admin": 200}
DEPARTMENTS.update({"group_leader": 403, "member": 403, "upper_officer": 403, "auditor": 403})
COUNTS = {p: 200 for p in PERSONAS} | {"member": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_page_as_each_persona(client, world, pw, persona):
    # given a proposal at each stage a page works on
    waiting = submitted(world, pw)
    handling = accepted(world, pw)
    answered = replied(world, pw)
    c = _as(client, world.personas()[persona])
    get = lambda name, *args: c.get(reverse(f"congress:{name}", args=args)).status_code  # noqa: E731

    assert get("proposal_list") == LIST[persona]
    assert get("proposal_detail", handling.pk) == DETAIL[persona]
    assert get("proposal_review", waiting.pk) == MANAGE[persona]
    assert get("proposal_reply", handling.pk) == HANDLER_ONLY[persona]
    assert get("proposal_rate", answered.pk) == PROPOSER_ONLY[persona]
    assert get("proposal_submit", pw.session.pk) == PROPOSER_ONLY[persona]
    assert get("proposal_report", pw.session.pk) == MANAGE[persona]
    assert get("proposal_departments") == DEPARTMENTS[persona]
    assert get("proposal_counts") == COUNTS[persona]
    assert get("proposal_inbox") == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_action_as_each_persona(client, world, pw, persona):
    handling = accepted(world, pw)
    c = _as(client, world.personas()[persona])
    redirect_or = {200: 302}
    r = c.post(reverse("congress:proposal_outstanding", args=[handling.pk]), {"outstanding": "1"})
    assert r.status_code == redirect_or.get(MANAGE[persona], MANAGE[persona])
    handling.refresh_from_db()
    assert handling.is_outstanding == (MANAGE[persona] == 200)
    r = c.post(reverse("congress:proposal_cosign", args=[handling.pk]))
    # the member has a seat (302 with a refusal message), the others none (403) or no reach
    assert r.status_code == {"member": 302}.get(persona, HANDLER_ONLY[persona])


def test_it_lets_the_department_handler_in_and_only_to_their_departments(client, world, pw):
    mine = accepted(world, pw)
    theirs = submitted(world, pw)
    svc.proposal_accept(
        actor=world.cadre,
        proposal=theirs,
        department=pw.other_department,
        due_on=date(2026, 12, 31),
    )
    c = _as(client, pw.handler)
    inbox = c.get(reverse("congress:proposal_inbox"))
    assert inbox.status_code == 200
    assert mine.title in inbox.content.decode()
    assert reverse("congress:proposal_detail", args=[theirs.pk]) not in inbox.content.decode()
    assert c.get(reverse("congress:proposal_reply", args=[mine.pk])).status_code == 200
    assert c.get(reverse("congress:proposal_detail", args=[mine.pk])).status_code == 200
    # the handler is a member of the school too, so reads the other proposal as members
    # do, but cannot answer it
    other = c.get(reverse("congress:proposal_detail", args=[theirs.pk]))
    assert other.status_code == 200
    assert reverse("congress:proposal_reply", args=[theirs.pk]) not in other.content.decode()
    assert c.get(reverse("congress:proposal_reply", args=[theirs.pk])).status_code == 403
    r = c.post(reverse("congress:proposal_reply", args=[theirs.pk]), {"point": "a", "answer": "b"})
    assert r.status_code == 403
    assert not theirs.replies.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_another_unions_proposal_by_guessed_id(client, world, persona):
    # given a proposal of the factory union
    term = CongressTermFactory(congress=CongressFactory(union=world.factory_union))
    session = CongressSessionFactory(
        term=term, proposals_open_on=date(2026, 11, 1), proposals_close_on=date(2026, 12, 5)
    )
    seat = DelegateFactory(delegation=DelegationFactory(term=term), person=world.outsider.person)
    p = svc.proposal_submit(
        user=None,
        delegate=seat,
        session=session,
        title="关于车间降温的提案",
        reasons="r",
        measures="m",
        category="safety",
    )
    c = _as(client, world.personas()[persona])
    expected = {
        "chair": 404,
        "cadre": 404,
        "member": 404,
        "group_leader": 404,
        "other_chair": 200,
        "admin": 200,
        "upper_officer": 403,
        "auditor": 404,
    }[persona]
    assert c.get(reverse("congress:proposal_detail", args=[p.pk])).status_code == expected
    r = c.get(reverse("congress:proposal_review", args=[p.pk]))
    assert r.status_code == expected
    assert c.get(reverse("congress:proposal_report", args=[session.pk])).status_code == expected


def test_it_sends_anonymous_visitors_to_the_login_page(client, world, pw):
    p = accepted(world, pw)
    for url in (
        reverse("congress:proposal_list"),
        reverse("congress:proposal_detail", args=[p.pk]),
        reverse("congress:proposal_counts"),
        reverse("congress:proposal_inbox"),
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_it_refuses_get_on_actions(client, world, pw):
    p = accepted(world, pw)
    c = _as(client, world.chair)
    for name in (
        "proposal_cosign",
        "proposal_withdraw",
        "proposal_outstanding",
        "proposal_reassign",
    ):
        assert c.get(reverse(f"congress:{name}", args=[p.pk])).status_code == 405


# ---- the journey through the pages -------------------------------------------------------


def test_it_walks_a_proposal_from_the_form_to_a_satisfied_rating(
    client, world, pw, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    c = _as(client, world.member)
    r = c.post(
        reverse("congress:proposal_submit", args=[pw.session.pk]),
        {
            "title": "关于设立教职工健康体检月的提案",
            "category": "welfare",
            "reasons": "部分教师多年未体检",
            "measures": "每年三月统一体检",
        },
    )
    p = Proposal.objects.get(title="关于设立教职工健康体检月的提案")
    assert r.status_code == 302 and r["Location"] == reverse(
        "congress:proposal_detail", args=[p.pk]
    )
    for user in (pw.d2_user, pw.d3_user):
        assert (
            _as(client, user).post(reverse("congress:proposal_cosign", args=[p.pk])).status_code
            == 302
        )
    p.refresh_from_db()
    assert p.status == "submitted"
    r = _as(client, world.cadre).post(
        reverse("congress:proposal_review", args=[p.pk]),
        {"action": "accept", "department": pw.department.pk, "due_on": "2026-12-31"},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.number) == ("accepted", 1)
    r = _as(client, pw.handler).post(
        reverse("congress:proposal_reply", args=[p.pk]),
        {
            "point": ["体检时间", "费用"],
            "answer": ["每年三月", "学校承担"],
            "body": "谢谢",
            "attachments": [SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x")],
        },
    )
    assert r.status_code == 302
    reply = p.replies.get()
    assert reply.points == [
        {"point": "体检时间", "answer": "每年三月"},
        {"point": "费用", "answer": "学校承担"},
    ]
    att = reply.attachments.get()
    download = _as(client, world.member).get(reverse("congress:proposal_attachment", args=[att.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"
    assert (
        _as(client, world.outsider_user if hasattr(world, "outsider_user") else world.other_chair)
        .get(reverse("congress:proposal_attachment", args=[att.pk]))
        .status_code
        == 404
    )
    r = _as(client, world.member).post(
        reverse("congress:proposal_rate", args=[p.pk]), {"rating": "satisfied"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.rating) == ("closed", "satisfied")
    page = _as(client, world.member).get(reverse("congress:proposal_detail", args=[p.pk]))
    html = page.content.decode()
    assert "每年三月" in html and 'id="proposal-history"' in html
    assert html.count('<li class="border-start') == len(p.events.all())


def test_it_shows_the_form_error_when_the_window_has_closed(client, world, pw):
    with time_machine.travel(date(2026, 12, 6), tick=False):
        c = _as(client, world.member)
        r = c.post(
            reverse("congress:proposal_submit", args=[pw.session.pk]),
            {"title": "t", "category": "other", "reasons": "r", "measures": "m"},
        )
    assert r.status_code == 200
    assert "2026-12-05" in r.content.decode()
    assert not Proposal.objects.exists()


def test_it_asks_for_a_reason_when_converting(client, world, pw):
    p = submitted(world, pw)
    c = _as(client, world.cadre)
    r = c.post(reverse("congress:proposal_review", args=[p.pk]), {"action": "convert"})
    assert r.status_code == 200
    p.refresh_from_db()
    assert p.status == "submitted"
    r = c.post(
        reverse("congress:proposal_review", args=[p.pk]),
        {"action": "convert", "reason": "属意见建议"},
    )
    p.refresh_from_db()
    assert r.status_code == 302 and p.status == "converted"


def test_it_filters_the_list_and_flags_overdue(client, world, pw, django_assert_max_num_queries):
    late = accepted(world, pw)
    submit(world, pw, title="关于增设教师休息室的提案")
    with time_machine.travel(date(2027, 1, 5), tick=False):
        c = _as(client, world.cadre)
        with django_assert_max_num_queries(25):
            r = c.get(reverse("congress:proposal_list"), {"overdue": "on"})
        html = r.content.decode()
        assert late.title in html and "关于增设教师休息室的提案" not in html
        assert "text-bg-danger" in html
        r = c.get(
            reverse("congress:proposal_list"), {"status": "collecting"}, HTTP_HX_REQUEST="true"
        )
    assert r.templates[0].name == "congress/proposals/partials/_rows.html"
    assert "关于增设教师休息室的提案" in r.content.decode()


def test_it_hides_others_collecting_proposals_from_members_who_are_not_delegates(client, world, pw):
    p = svc.proposal_submit(
        user=pw.d2_user,
        session=pw.session,
        title="关于改善食堂伙食的提案",
        reasons="r",
        measures="m",
        category="welfare",
    )
    from gonghui.congress.models import Delegate

    Delegate.objects.filter(person=world.member_a.person).update(status="left")
    c = _as(client, world.member)
    assert c.get(reverse("congress:proposal_detail", args=[p.pk])).status_code == 403
    assert p.title not in c.get(reverse("congress:proposal_list")).content.decode()


def test_it_shows_upper_unions_counts_without_titles(client, world, pw):
    p = replied(world, pw)
    r = _as(client, world.upper_officer).get(reverse("congress:proposal_counts"))
    html = r.content.decode()
    assert "第一中学工会" in html and p.title not in html


def test_it_downloads_the_handling_report_with_the_real_counts(client, world, pw):
    a = replied(world, pw)
    svc.proposal_rate(user=world.member, proposal=a, rating="satisfied")
    r = _as(client, world.chair).get(reverse("congress:proposal_report", args=[pw.session.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "共收到提案1件" in text and "满意1件" in text
    assert doc.tables[0].rows[1].cells[1].text == a.title


def test_it_manages_departments_and_handlers(client, world, pw):
    c = _as(client, world.chair)
    r = c.post(reverse("congress:proposal_departments"), {"name": "人事处"})
    assert r.status_code == 302
    dept = world.school.departments.get(name="人事处")
    r = c.post(
        reverse("congress:proposal_department_handlers", args=[dept.pk]),
        {f"d{dept.pk}-handlers": [pw.handler.pk]},
    )
    assert r.status_code == 302
    assert list(dept.handlers.all()) == [pw.handler]
    r = _as(client, world.other_chair).post(
        reverse("congress:proposal_department_handlers", args=[dept.pk]),
        {f"d{dept.pk}-handlers": []},
    )
    assert r.status_code == 404
    assert list(dept.handlers.all()) == [pw.handler]
