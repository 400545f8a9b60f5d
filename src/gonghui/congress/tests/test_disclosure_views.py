"""The disclosure pages as every persona: the access matrix (200 / 302 / 403 / 404 / 405),
guessed ids of another union, anonymous visitors, what members see on the board, the
managers' forms and the annual report as Word."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from gonghui.congress import disclosure
from gonghui.congress.models import DisclosureItem
from gonghui.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 64
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _clock_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=False):
        yield


class Board:
    """The school's board: one published (revised, with a file), one draft, one withdrawn;
    and one published item of the factory union, for guessed ids."""

    def __init__(self, world):
        # The group leader leads group A and is on the school's roll (as in test_queries).
        world.group_leader.person = world.member_b.person
        world.group_leader.save()
        self.world = world
        cadre = world.cadre
        self.finance = disclosure.category_create(
            actor=cadre, union=world.school, name="财务收支", responsible_department="财务室"
        )
        self.titles = disclosure.category_create(
            actor=cadre, union=world.school, name="职称评聘", responsible_department="人事处"
        )
        self.published = self._item(self.finance, "2026年上半年经费收支", "支出：10万元")
        disclosure.item_revise(
            actor=cadre,
            item=self.published,
            title="2026年上半年经费收支",
            body="支出：10.5万元",
            reason="更正支出金额",
        )
        self.attachment = disclosure.attachment_add(
            actor=cadre, item=self.published, file_name="收支表.pdf", chunks=[PDF]
        )
        self.draft = disclosure.item_create(
            actor=cadre,
            category=self.titles,
            title="职称评审方案（草稿）",
            body="草稿内容",
            regularity="ad_hoc",
            stage="policy",
        )
        self.withdrawn = self._item(self.titles, "拟推荐人选名单", "名单", stage="process")
        disclosure.item_withdraw(actor=cadre, item=self.withdrawn, reason="名单有误")
        factory_cat = disclosure.category_create(
            actor=world.other_chair,
            union=world.factory_union,
            name="工资奖金分配",
            responsible_department="人力资源部",
        )
        self.foreign = disclosure.item_publish(
            actor=world.other_chair,
            item=disclosure.item_create(
                actor=world.other_chair,
                category=factory_cat,
                title="厂里的奖金方案",
                body="厂内事项",
                regularity="regular",
                stage="policy",
            ),
            published_on=date(2026, 2, 1),
        )
        self.foreign_category = factory_cat

    def _item(self, category, title, body, stage="result"):
        item = disclosure.item_create(
            actor=self.world.cadre,
            category=category,
            title=title,
            body=body,
            regularity="regular",
            stage=stage,
        )
        return disclosure.item_publish(
            actor=self.world.cadre, item=item, published_on=date(2026, 3, 1)
        )


@pytest.fixture
def board(world):
    return Board(world)


def _as(client, user):
    client.force_login(user)
    return client


# ---- the access matrix --------------------------------------------------------------------

BOARD = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 200,
    "member": 200,
    "other_chair": 404,
    "upper_officer": 403,
    "auditor": 403,
    "admin": 200,
}
DRAFT = {**BOARD, "group_leader": 404, "member": 404}
MANAGE = {**BOARD, "group_leader": 403, "member": 403}
MANAGE_POST = {p: (302 if s == 200 else s) for p, s in MANAGE.items()}
OVERVIEW = {
    "chair": 200,
    "cadre": 200,
    "group_leader": 403,  # statistics of group A only: no union in reach
    "member": 403,
    "other_chair": 200,
    "upper_officer": 200,
    "auditor": 200,
    "admin": 200,
}


def _pages(b: Board) -> list[tuple[str, str, str, dict[str, int]]]:
    u = f"?union={b.world.school.pk}"
    r = reverse
    return [
        ("board", "get", r("congress:disclosure_board") + u, BOARD),
        ("item", "get", r("congress:disclosure_item", args=[b.published.pk]), BOARD),
        ("draft", "get", r("congress:disclosure_item", args=[b.draft.pk]), DRAFT),
        ("withdrawn", "get", r("congress:disclosure_item", args=[b.withdrawn.pk]), DRAFT),
        ("history", "get", r("congress:disclosure_history", args=[b.published.pk]), BOARD),
        ("file", "get", r("congress:disclosure_attachment", args=[b.attachment.pk]), BOARD),
        ("manage", "get", r("congress:disclosure_manage") + u, MANAGE),
        ("new", "get", r("congress:disclosure_item_new") + u, MANAGE),
        ("edit", "get", r("congress:disclosure_item_edit", args=[b.draft.pk]), MANAGE),
        ("revise", "get", r("congress:disclosure_item_revise", args=[b.published.pk]), MANAGE),
        ("categories", "get", r("congress:disclosure_categories") + u, MANAGE),
        (
            "category_edit",
            "get",
            r("congress:disclosure_category_edit", args=[b.finance.pk]),
            MANAGE,
        ),
        ("report", "get", r("congress:disclosure_report") + u, MANAGE),
        ("report_docx", "get", r("congress:disclosure_report_docx") + u, MANAGE),
        ("overview", "get", r("congress:disclosure_overview"), OVERVIEW),
        ("publish", "post", r("congress:disclosure_item_publish", args=[b.draft.pk]), MANAGE_POST),
        (
            "withdraw",
            "post",
            r("congress:disclosure_item_withdraw", args=[b.published.pk]),
            MANAGE_POST,
        ),
        (
            "attach",
            "post",
            r("congress:disclosure_attachment_add", args=[b.published.pk]),
            MANAGE_POST,
        ),
        ("presets", "post", r("congress:disclosure_presets") + u, MANAGE_POST),
        (
            "archive",
            "post",
            r("congress:disclosure_category_archive", args=[b.titles.pk]),
            MANAGE_POST,
        ),
    ]


PAGE_NAMES = [
    "board",
    "item",
    "draft",
    "withdrawn",
    "history",
    "file",
    "manage",
    "new",
    "edit",
    "revise",
    "categories",
    "category_edit",
    "report",
    "report_docx",
    "overview",
    "publish",
    "withdraw",
    "attach",
    "presets",
    "archive",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_persona_on_each_page(client, world, board, page, persona):
    name, method, url, expected = next(p for p in _pages(board) if p[0] == page)
    client = _as(client, world.personas()[persona])
    data = {"published_on": "2026-06-01", "reason": "撤回原因", "kind": "school"}
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == expected[persona], (name, persona)


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_it_sends_anonymous_visitors_to_the_login(client, board, page):
    _name, method, url, _expected = next(p for p in _pages(board) if p[0] == page)
    response = client.get(url) if method == "get" else client.post(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("page", ["publish", "withdraw", "attach", "presets", "archive"])
def test_it_refuses_get_on_a_change(client, world, board, page):
    _name, _method, url, _expected = next(p for p in _pages(board) if p[0] == page)
    assert _as(client, world.chair).get(url).status_code == 405


@pytest.mark.parametrize(
    "route",
    [
        "congress:disclosure_item",
        "congress:disclosure_history",
        "congress:disclosure_item_edit",
        "congress:disclosure_item_revise",
    ],
)
def test_it_hides_another_unions_item_behind_a_guessed_id(client, world, board, route):
    client = _as(client, world.chair)
    assert client.get(reverse(route, args=[board.foreign.pk])).status_code == 404
    assert client.get(reverse(route, args=[999_999])).status_code == 404


def test_it_refuses_changes_to_another_unions_records(client, world, board):
    client = _as(client, world.cadre)
    url = reverse("congress:disclosure_item_withdraw", args=[board.foreign.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    url = reverse("congress:disclosure_category_archive", args=[board.foreign_category.pk])
    assert client.post(url).status_code == 404
    url = reverse("congress:disclosure_manage") + f"?union={world.factory_union.pk}"
    assert client.get(url).status_code == 404
    board.foreign.refresh_from_db()
    assert board.foreign.status == "published"


# ---- what members see ---------------------------------------------------------------------


def test_it_shows_members_only_their_unions_published_items(client, world, board):
    response = _as(client, world.member).get(reverse("congress:disclosure_board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年上半年经费收支" in html and "支出" not in html  # titles on the board
    assert "职称评审方案" not in html  # draft
    assert "拟推荐人选名单" not in html  # withdrawn
    assert "厂里的奖金方案" not in html  # another union
    assert "已修订 1 次" in html or "Revised: 1" in html


def test_it_shows_the_revised_item_with_its_history(client, world, board):
    client = _as(client, world.member)
    item = client.get(reverse("congress:disclosure_item", args=[board.published.pk]))
    html = item.content.decode()
    assert "10.5万元" in html and "收支表.pdf" in html
    assert reverse("congress:disclosure_history", args=[board.published.pk]) in html
    history = client.get(reverse("congress:disclosure_history", args=[board.published.pk]))
    text = history.content.decode()
    assert "更正支出金额" in text
    assert "支出：10万元" in text and "支出：10.5万元" in text


def test_it_lets_a_member_download_a_published_file(client, world, board):
    url = reverse("congress:disclosure_attachment", args=[board.attachment.pk])
    response = _as(client, world.member).get(url)
    assert b"".join(response.streaming_content) == PDF


def test_it_shows_upper_unions_counts_but_no_texts(client, world, board):
    response = _as(client, world.upper_officer).get(reverse("congress:disclosure_overview"))
    html = response.content.decode()
    assert world.school.name in html and world.factory_union.name in html
    assert "2026年上半年经费收支" not in html and "厂里的奖金方案" not in html
    rows = {r.union.pk: r.tally for r in response.context["rows"]}
    assert rows[world.school.pk].total == 2 and rows[world.school.pk].withdrawn == 1
    assert rows[world.factory_union.pk].total == 1


# ---- managers' pages ----------------------------------------------------------------------


def test_it_filters_the_managers_list(client, world, board):
    client = _as(client, world.cadre)
    base = reverse("congress:disclosure_manage") + f"?union={world.school.pk}"
    drafts = client.get(base + "&status=draft").context["page"].object_list
    assert [i.pk for i in drafts] == [board.draft.pk]
    by_cat = client.get(base + f"&category={board.finance.pk}").context["page"].object_list
    assert [i.pk for i in by_cat] == [board.published.pk]
    processes = client.get(base + "&stage=process").context["page"].object_list
    assert [i.pk for i in processes] == [board.withdrawn.pk]
    assert client.get(base + "&year=2025").context["page"].paginator.count == 0


def test_it_answers_the_filter_with_the_table_partial(client, world, board):
    url = reverse("congress:disclosure_manage") + f"?union={world.school.pk}&status=published"
    response = _as(client, world.cadre).get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "2026年上半年经费收支" in html


def test_it_lists_items_in_few_queries(client, world, board):
    for n in range(15):
        disclosure.item_create(
            actor=world.cadre,
            category=board.finance,
            title=f"事项{n}",
            body="b",
            regularity="regular",
            stage="result",
        )
    client = _as(client, world.cadre)
    url = reverse("congress:disclosure_manage") + f"?union={world.school.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) <= 20


def test_it_drafts_publishes_and_revises_through_the_forms(client, world, board):
    client = _as(client, world.cadre)
    response = client.post(
        reverse("congress:disclosure_item_new") + f"?union={world.school.pk}",
        {
            "category": board.finance.pk,
            "title": "食堂承包招标结果",
            "body": "中标单位：某公司",
            "regularity": "ad_hoc",
            "stage": "result",
        },
    )
    item = DisclosureItem.objects.get(title="食堂承包招标结果")
    assert response.status_code == 302 and item.status == "draft"
    client.post(
        reverse("congress:disclosure_item_publish", args=[item.pk]),
        {"published_on": "2026-06-10"},
    )
    item.refresh_from_db()
    assert item.status == "published" and item.published_on == date(2026, 6, 10)
    no_reason = client.post(
        reverse("congress:disclosure_item_revise", args=[item.pk]),
        {"title": item.title, "body": "中标单位：另一公司", "reason": ""},
    )
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]
    client.post(
        reverse("congress:disclosure_item_revise", args=[item.pk]),
        {"title": item.title, "body": "中标单位：另一公司", "reason": "公示期内更正"},
    )
    item.refresh_from_db()
    assert item.revision == 2 and item.revisions.get().reason == "公示期内更正"


def test_it_shows_a_domain_error_on_the_form(client, world, board):
    response = _as(client, world.cadre).post(
        reverse("congress:disclosure_categories") + f"?union={world.school.pk}",
        {"name": "财务收支", "responsible_department": "财务室"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_it_refuses_a_disguised_attachment_with_a_message(client, world, board):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.png", PDF, content_type="image/png")
    client = _as(client, world.cadre)
    response = client.post(
        reverse("congress:disclosure_attachment_add", args=[board.published.pk]),
        {"file": upload},
        follow=True,
    )
    assert board.published.attachments.count() == 1  # only the fixture's file
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# ---- the annual report --------------------------------------------------------------------


def _docx_text(response) -> str:
    doc = Document(io.BytesIO(response.content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_it_writes_the_annual_report_with_the_right_counts(client, world, board):
    url = reverse("congress:disclosure_report_docx") + f"?union={world.school.pk}&year=2026"
    response = _as(client, world.chair).get(url)
    assert response["Content-Type"].endswith("wordprocessingml.document")
    text = _docx_text(response)
    assert "第一中学工会2026年度校务公开工作报告" in text or "第一中学工会2026年度" in text
    assert "共公开事项 2 项" in text and "定期公开 2 项" in text and "随时公开 0 项" in text
    assert "修订的事项 1 项（共修订 1 次）" in text and "撤回 1 项" in text
    assert "财务收支|财务室|0|0|1|1" in text
    assert "职称评聘|人事处|0|1|0|1" in text
    assert "合计||0|1|1|2" in text
    assert "2026年上半年经费收支" in text and "名单有误" in text
    assert "职称评审方案" not in text  # a draft is not disclosed
    assert "厂里的奖金方案" not in text
    doc = Document(io.BytesIO(response.content))
    run = doc.paragraphs[0].runs[0]
    assert run.font.name == "SimSun"
    assert (
        run._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "SimSun"
    )


def test_it_shows_the_same_figures_on_the_report_page(client, world, board):
    url = reverse("congress:disclosure_report") + f"?union={world.school.pk}&year=2026"
    response = _as(client, world.chair).get(url)
    tally = response.context["tally"]
    assert (tally.total, tally.revisions, tally.withdrawn) == (2, 1, 1)
    assert response.context["chart"]["names"] == ["财务收支", "职称评聘"]
