"""The appraisal pages as every persona (200 / 302 / 403 / 404 / 405), another union's
appraisal by guessed id, anonymous visitors, the rater's phone form and the exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from gonghui.congress import appraisal as svc
from gonghui.congress.models.appraisal import AppraisalRating, AppraisalReceipt
from gonghui.testing.factories import MemberFactory
from gonghui.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 5)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


class Setup:
    """An open all-members appraisal of the school with two subjects (the member user is a
    rater), a draft one, and an open one of the factory union for guessed ids."""

    def __init__(self, world):
        # The group leader leads group A and is on the school's roll (as in test_queries).
        world.group_leader.person = world.member_b.person
        world.group_leader.save()
        self.world = world

        def make(union, actor, title):
            a = svc.appraisal_create(
                actor=actor,
                union=union,
                title=title,
                year=2025,
                rater_base="members",
                opens_on=date(2025, 12, 1),
                closes_on=date(2025, 12, 10),
            )
            return a

        self.open = make(world.school, world.chair, "2025年度领导班子民主测评")
        self.subjects = [
            svc.subject_add(
                actor=world.chair,
                appraisal=self.open,
                person=MemberFactory(union=world.school, person__name=name).person,
                post=post,
            )
            for name, post in [("张校长", "校长"), ("刘书记", "党委书记")]
        ]
        svc.appraisal_open(actor=world.chair, appraisal=self.open)
        self.draft = make(world.school, world.chair, "草稿测评")
        self.draft_subject = svc.subject_add(
            actor=world.chair, appraisal=self.draft, person=world.member_b.person, post="主任"
        )
        self.closed = make(world.school, world.chair, "已结束的测评")
        svc.subject_add(
            actor=world.chair, appraisal=self.closed, person=world.member_b.person, post="主任"
        )
        svc.appraisal_open(actor=world.chair, appraisal=self.closed)
        svc.appraisal_close(actor=world.chair, appraisal=self.closed)
        self.published = make(world.school, world.chair, "已公布的测评")
        svc.subject_add(
            actor=world.chair,
            appraisal=self.published,
            person=MemberFactory(union=world.school, person__name="陈主任").person,
            post="教务处主任",
        )
        svc.appraisal_open(actor=world.chair, appraisal=self.published)
        svc.appraisal_close(actor=world.chair, appraisal=self.published)
        svc.appraisal_publish(actor=world.chair, appraisal=self.published)
        self.foreign = make(world.factory_union, world.other_chair, "厂里的测评")
        svc.subject_add(
            actor=world.other_chair,
            appraisal=self.foreign,
            person=world.outsider.person,
            post="厂长",
        )
        svc.appraisal_open(actor=world.other_chair, appraisal=self.foreign)


@pytest.fixture
def s(world):
    return Setup(world)


MANAGE = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,
    "member": 403,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
MANAGE_POST = {p: (302 if c == 200 else c) for p, c in MANAGE.items()}
RATE = {**MANAGE, "chair": 403, "cadre": 403, "admin": 403, "member": 200, "group_leader": 200}
TASKS = {p: 200 for p in PERSONAS}
OVERVIEW = {**TASKS, "group_leader": 403, "member": 403}
PUBLIC = {**MANAGE, "group_leader": 200, "member": 200}


def _pages(s: Setup):
    r = reverse
    u = f"?union={s.world.school.pk}"
    a, d = s.open.pk, s.draft.pk
    return [
        ("list", "get", r("congress:appraisal_list") + u, MANAGE),
        ("new", "get", r("congress:appraisal_new") + u, MANAGE),
        ("detail", "get", r("congress:appraisal_detail", args=[a]), MANAGE),
        ("edit", "get", r("congress:appraisal_edit", args=[d]), MANAGE),
        ("paper", "get", r("congress:appraisal_paper", args=[a]), MANAGE),
        ("results", "get", r("congress:appraisal_results", args=[a]), MANAGE),
        ("xlsx", "get", r("congress:appraisal_xlsx", args=[a]), MANAGE),
        ("docx", "get", r("congress:appraisal_docx", args=[a]), MANAGE),
        ("rate", "get", r("congress:appraisal_rate", args=[a]), RATE),
        ("tasks", "get", r("congress:appraisal_tasks"), TASKS),
        ("overview", "get", r("congress:appraisal_overview"), OVERVIEW),
        ("subject_add", "post", r("congress:appraisal_subject_add", args=[d]), MANAGE),
        (
            "subject_remove",
            "post",
            r("congress:appraisal_subject_remove", args=[s.draft_subject.pk]),
            MANAGE_POST,
        ),
        ("open", "post", r("congress:appraisal_open", args=[d]), MANAGE_POST),
        ("close", "post", r("congress:appraisal_close", args=[a]), MANAGE_POST),
        ("publish", "post", r("congress:appraisal_publish", args=[s.closed.pk]), MANAGE_POST),
        ("public", "get", r("congress:appraisal_public", args=[s.published.pk]), PUBLIC),
    ]


PAGE_NAMES = [
    "list",
    "new",
    "detail",
    "edit",
    "paper",
    "results",
    "xlsx",
    "docx",
    "rate",
    "tasks",
    "overview",
    "subject_add",
    "subject_remove",
    "open",
    "close",
    "publish",
    "public",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_answers_each_page_as_each_persona(client, world, s, page, persona):
    name, method, url, expected = next(p for p in _pages(s) if p[0] == page)
    client.force_login(getattr(world, persona))
    response = getattr(client, method)(url)
    assert response.status_code == expected[persona], (name, persona)


GET_ONLY = ["list", "detail", "results", "xlsx", "docx", "tasks", "overview"]
POST_ONLY = ["subject_add", "subject_remove", "open", "close", "publish"]


@pytest.mark.parametrize("page", GET_ONLY + POST_ONLY)
def test_it_refuses_the_wrong_method(client, world, s, page):
    _, method, url, _ = next(p for p in _pages(s) if p[0] == page)
    client.force_login(world.chair)
    wrong = client.post if method == "get" else client.get
    assert wrong(url).status_code == 405


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_sends_anonymous_visitors_to_login(client, s, page):
    _, method, url, _ = next(p for p in _pages(s) if p[0] == page)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    "route",
    [
        "appraisal_detail",
        "appraisal_results",
        "appraisal_xlsx",
        "appraisal_paper",
        "appraisal_rate",
        "appraisal_open",
        "appraisal_close",
    ],
)
def test_it_hides_another_unions_appraisal_by_guessed_id(client, world, s, route):
    client.force_login(world.chair)
    url = reverse(f"congress:{route}", args=[s.foreign.pk])
    method = client.post if route in ("appraisal_open", "appraisal_close") else client.get
    assert method(url).status_code == 404
    client.force_login(world.member)
    assert method(url).status_code == 404


def test_it_lets_a_member_rate_once_on_the_phone_form(client, world, s):
    # given the member's task list shows the open appraisal
    client.force_login(world.member)
    tasks = client.get(reverse("congress:appraisal_tasks")).content.decode()
    assert s.open.title in tasks and "草稿测评" not in tasks
    url = reverse("congress:appraisal_rate", args=[s.open.pk])
    page = client.get(url).content.decode()
    assert "张校长" in page and "优秀" in page
    # when a subject is missing, nothing is recorded
    a, b = s.subjects
    response = client.post(url, {f"s{a.pk}": 0})
    assert response.status_code == 200 and not AppraisalReceipt.objects.exists()
    # when the member rates everyone
    response = client.post(url, {f"s{a.pk}": 0, f"s{b.pk}": 1}, follow=True)
    # then they are thanked and cannot rate again
    assert "以无记名方式记录" in response.content.decode()
    assert AppraisalReceipt.objects.count() == 1 and AppraisalRating.objects.count() == 2
    client.post(url, {f"s{a.pk}": 3, f"s{b.pk}": 3})
    assert AppraisalRating.objects.count() == 2


def test_it_creates_an_appraisal_and_adds_a_subject(client, world, s):
    client.force_login(world.cadre)
    response = client.post(
        reverse("congress:appraisal_new") + f"?union={world.school.pk}",
        {
            "title": "中层干部测评",
            "year": 2025,
            "rater_base": "members",
            "scale": "优秀=100\n合格=60\n不合格=0",
            "weighted": "on",
            "opens_on": "2025-12-01",
            "closes_on": "2025-12-20",
        },
    )
    assert response.status_code == 302
    created = s.open.__class__.objects.get(title="中层干部测评")
    assert created.labels == ["优秀", "合格", "不合格"]
    response = client.post(
        reverse("congress:appraisal_subject_add", args=[created.pk]),
        {"person": world.member_b.person.pk, "post": "教务主任"},
    )
    assert response.status_code == 302
    assert created.subjects.get().post == "教务主任"


def test_it_shows_a_paper_error_naming_the_person(client, world, s):
    client.force_login(world.cadre)
    a, b = s.subjects
    data = {"forms_count": 2, "note": ""}
    for subj, row in ((a, [2, 1, 0, 0]), (b, [1, 1, 0, 0])):
        for g, c in enumerate(row):
            data[f"c{subj.pk}_{g}"] = c
    response = client.post(reverse("congress:appraisal_paper", args=[s.open.pk]), data)
    assert response.status_code == 200
    assert "张校长" in response.content.decode()
    data[f"c{a.pk}_1"] = 0
    response = client.post(reverse("congress:appraisal_paper", args=[s.open.pk]), data)
    assert response.status_code == 302
    assert svc.results(s.open).paper_forms == 2


def test_it_exports_the_right_figures_to_excel_and_word(client, world, s):
    # given one online rating and a paper pile of 3 forms
    a, b = s.subjects
    svc.rating_submit(user=world.member, appraisal=s.open, grades={a.pk: 0, b.pk: 1})
    svc.paper_enter(
        actor=world.cadre,
        appraisal=s.open,
        forms=3,
        counts={a.pk: [3, 0, 0, 0], b.pk: [0, 1, 1, 1]},
    )
    client.force_login(world.chair)
    # when
    xlsx = client.get(reverse("congress:appraisal_xlsx", args=[s.open.pk]))
    docx = client.get(reverse("congress:appraisal_docx", args=[s.open.pk]))
    # then 张校长 is first with 4 优秀 (100%) and score 100; 刘书记 scores (80+80+60+0)/4 = 55
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[0][:6] == [1, "张校长", "校长", 4, 4, 100.0]
    assert rows[0][-1] == 100.0
    assert rows[1][:4] == [2, "刘书记", "党委书记", 4] and rows[1][-1] == 55.0
    text = "\n".join(
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert "张校长" in text and "55.0" in text
    page = client.get(reverse("congress:appraisal_results", args=[s.open.pk])).content.decode()
    assert "results-chart" in page and "55.00" in page


def test_it_shows_upper_unions_counts_without_names(client, world, s):
    client.force_login(world.upper_officer)
    page = client.get(reverse("congress:appraisal_overview") + "?year=2025").content.decode()
    assert "第一中学工会" in page and "张校长" not in page


def test_it_tells_a_rater_when_rating_is_not_open(client, world, s):
    # given the member is a rater of an appraisal whose window has passed
    url = reverse("congress:appraisal_rate", args=[s.open.pk])
    with time_machine.travel(date(2025, 12, 11), tick=False):
        client.force_login(world.member)
        page = client.get(url).content.decode()
    # then there is no form to submit
    assert 'id="not-open"' in page and "rating-form" not in page


@pytest.mark.parametrize("route", ["appraisal_list", "appraisal_results", "appraisal_overview"])
def test_it_reads_lists_in_a_bounded_number_of_queries(client, world, s, route):
    # given many more subjects and ratings than the base setup
    more = [
        svc.appraisal_create(
            actor=world.chair,
            union=world.school,
            title=f"测评{i}",
            year=2025,
            rater_base="members",
            opens_on=TODAY,
            closes_on=TODAY,
        )
        for i in range(5)
    ]
    assert more
    svc.rating_submit(user=world.member, appraisal=s.open, grades={x.pk: 0 for x in s.subjects})
    client.force_login(world.admin)
    args = [s.open.pk] if route == "appraisal_results" else []
    url = reverse(f"congress:{route}", args=args)
    if route == "appraisal_list":
        url += f"?union={world.school.pk}"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) <= 15, [q["sql"] for q in ctx.captured_queries]


def test_it_shows_results_to_members_only_once_published(client, world, s):
    # given the member of the school
    client.force_login(world.member)
    # then an unpublished appraisal's results are not found, a published one's are
    closed = reverse("congress:appraisal_public", args=[s.closed.pk])
    assert client.get(closed).status_code == 404
    page = client.get(reverse("congress:appraisal_public", args=[s.published.pk]))
    assert "陈主任" in page.content.decode()
    tasks = client.get(reverse("congress:appraisal_tasks")).content.decode()
    assert "已公布的测评" in tasks and "已结束的测评" not in tasks
    # and the chair publishes the closed one
    client.force_login(world.chair)
    client.post(reverse("congress:appraisal_publish", args=[s.closed.pk]))
    client.force_login(world.member)
    assert client.get(closed).status_code == 200
