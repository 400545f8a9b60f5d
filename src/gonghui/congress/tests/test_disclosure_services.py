"""congress.disclosure services: categories, the item lifecycle, revisions, attachments, and
the figures the annual report counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from gonghui.congress import disclosure
from gonghui.congress.models import DisclosureItem, DisclosureRevision
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def category(world):
    return disclosure.category_create(
        actor=world.cadre, union=world.school, name="财务收支", responsible_department="财务室"
    )


def _draft(world, category, **kw):
    data = {
        "title": "2025年工会经费收支情况",
        "body": "收入：12万元\n支出：10万元",
        "regularity": "regular",
        "stage": "result",
    }
    data.update(kw)
    return disclosure.item_create(actor=world.cadre, category=category, **data)


def _published(world, category, **kw):
    return disclosure.item_publish(
        actor=world.cadre, item=_draft(world, category, **kw), published_on=date(2026, 3, 2)
    )


def _actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action__startswith="congress.disclosure",
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---- categories ---------------------------------------------------------------------------


def test_it_creates_a_category_with_an_audit_row(world, category):
    assert category.union == world.school and category.responsible_department == "财务室"
    assert _actions(category) == ["congress.disclosure_category_create"]


def test_it_refuses_a_duplicate_category_name(world, category):
    with pytest.raises(DomainError) as e:
        disclosure.category_create(
            actor=world.cadre, union=world.school, name="财务收支", responsible_department="x"
        )
    assert e.value.code == "disclosure.category_exists" and e.value.field == "name"


def test_it_refuses_a_category_without_a_department(world):
    with pytest.raises(DomainError) as e:
        disclosure.category_create(
            actor=world.cadre, union=world.school, name="基建工程", responsible_department=" "
        )
    assert e.value.field == "responsible_department"


@pytest.mark.parametrize("persona", ["member", "other_chair", "upper_officer", "auditor"])
def test_it_refuses_categories_to_those_who_do_not_manage_the_union(world, persona):
    with pytest.raises(DomainError) as e:
        disclosure.category_create(
            actor=world.personas()[persona],
            union=world.school,
            name="基建工程",
            responsible_department="总务处",
        )
    assert e.value.code == "forbidden"


def test_it_adds_the_school_presets_once(world, category):
    added = disclosure.categories_add_presets(actor=world.chair, union=world.school, kind="school")
    names = [c.name for c in added]
    assert "财务收支" not in names  # already there
    assert len(names) == 9 and "招生收费" in names
    again = disclosure.categories_add_presets(actor=world.chair, union=world.school, kind="school")
    assert again == []


def test_it_adds_the_enterprise_presets(world):
    added = disclosure.categories_add_presets(
        actor=world.other_chair, union=world.factory_union, kind="enterprise"
    )
    assert [c.name for c in added][:2] == ["企业经营状况", "劳动合同"]
    assert len(added) == 8


def test_it_updates_and_archives_a_category(world, category):
    disclosure.category_update(
        actor=world.cadre,
        category=category,
        name="财务收支",
        responsible_department="计划财务处",
        sort_order=5,
    )
    category.refresh_from_db()
    assert category.responsible_department == "计划财务处" and category.sort_order == 5
    disclosure.category_archive(actor=world.cadre, category=category)
    category.refresh_from_db()
    assert category.archived_at is not None
    with pytest.raises(DomainError):
        disclosure.category_archive(actor=world.cadre, category=category)
    assert _actions(category) == [
        "congress.disclosure_category_create",
        "congress.disclosure_category_update",
        "congress.disclosure_category_archive",
    ]


def test_it_refuses_a_new_item_in_an_archived_category(world, category):
    disclosure.category_archive(actor=world.cadre, category=category)
    with pytest.raises(DomainError) as e:
        _draft(world, category)
    assert e.value.field == "category"


# ---- items --------------------------------------------------------------------------------


def test_it_creates_a_draft_that_is_not_on_the_board(world, category):
    item = _draft(world, category)
    assert item.status == DisclosureItem.Status.DRAFT and item.published_on is None
    assert disclosure.board_items(world.school, date(2026, 3, 2)) == []
    assert _actions(item) == ["congress.disclosure_item_create"]


def test_it_refuses_a_draft_without_a_title(world, category):
    with pytest.raises(DomainError) as e:
        _draft(world, category, title="  ")
    assert e.value.field == "title"


def test_it_refuses_an_unknown_stage(world, category):
    with pytest.raises(DomainError) as e:
        _draft(world, category, stage="after")
    assert e.value.field == "stage"


def test_it_lets_a_member_write_nothing(world, category):
    with pytest.raises(DomainError) as e:
        disclosure.item_create(
            actor=world.member,
            category=category,
            title="t",
            body="b",
            regularity="regular",
            stage="policy",
        )
    assert e.value.code == "forbidden"
    assert not DisclosureItem.objects.exists()


@time_machine.travel(date(2026, 3, 5))
def test_it_publishes_a_draft_onto_the_board(world, category):
    item = _draft(world, category)
    disclosure.item_publish(actor=world.cadre, item=item)
    item.refresh_from_db()
    assert item.status == "published" and item.published_on == date(2026, 3, 5)
    assert disclosure.board_items(world.school, date(2026, 3, 5)) == [item]
    event = AuditEvent.objects.get(action="congress.disclosure_item_publish")
    assert event.after == {"status": "published", "published_on": "2026-03-05"}
    assert event.actor == world.cadre and event.unit == world.school


def test_it_refuses_to_publish_twice(world, category):
    item = _published(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_publish(actor=world.cadre, item=item)
    assert e.value.code == "disclosure.not_draft"


@time_machine.travel(date(2026, 3, 5))
def test_it_refuses_a_publication_date_in_the_future(world, category):
    item = _draft(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_publish(actor=world.cadre, item=item, published_on=date(2026, 3, 6))
    assert e.value.field == "published_on"
    item.refresh_from_db()
    assert item.status == "draft"


def test_it_refuses_a_shown_until_day_before_publication(world, category):
    item = _draft(world, category, visible_until=date(2026, 3, 1))
    with pytest.raises(DomainError) as e:
        disclosure.item_publish(actor=world.cadre, item=item, published_on=date(2026, 3, 2))
    assert e.value.field == "visible_until"


def test_it_refuses_another_unions_chair(world, category):
    item = _draft(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_publish(actor=world.other_chair, item=item)
    assert e.value.code == "forbidden"
    item.refresh_from_db()
    assert item.status == "draft"


def test_it_edits_a_draft_but_not_a_published_item(world, category):
    item = _draft(world, category)
    disclosure.item_update(
        actor=world.cadre,
        item=item,
        category=category,
        title="新标题",
        body="新内容",
        regularity="ad_hoc",
        stage="policy",
    )
    item.refresh_from_db()
    assert (item.title, item.regularity, item.stage) == ("新标题", "ad_hoc", "policy")
    disclosure.item_publish(actor=world.cadre, item=item, published_on=date(2026, 3, 2))
    with pytest.raises(DomainError) as e:
        disclosure.item_update(
            actor=world.cadre,
            item=item,
            category=category,
            title="悄悄改",
            body="x",
            regularity="ad_hoc",
            stage="policy",
        )
    assert e.value.code == "disclosure.not_draft"


def test_it_revises_a_published_item_keeping_the_earlier_text(world, category):
    item = _published(world, category)
    disclosure.item_revise(
        actor=world.cadre,
        item=item,
        title=item.title,
        body="收入：12万元\n支出：10.5万元",
        reason="更正支出金额",
    )
    item.refresh_from_db()
    assert item.revision == 2 and "10.5万元" in item.body
    kept = DisclosureRevision.objects.get(item=item)
    assert (kept.number, kept.body, kept.reason, kept.by) == (
        1,
        "收入：12万元\n支出：10万元",
        "更正支出金额",
        world.cadre,
    )
    event = AuditEvent.objects.get(action="congress.disclosure_item_revise")
    assert event.note == "更正支出金额" and event.after["revision"] == 2


def test_it_keeps_every_revision(world, category):
    item = _published(world, category)
    for n in range(3):
        disclosure.item_revise(
            actor=world.cadre, item=item, title=item.title, body=f"第{n + 2}稿", reason=f"r{n}"
        )
        item.refresh_from_db()
    assert item.revision == 4
    assert list(item.revisions.values_list("number", flat=True)) == [1, 2, 3]
    versions = disclosure.item_versions(item)
    assert [v.number for v in versions] == [4, 3, 2, 1]
    assert versions[0].current and versions[0].reason == "r2"
    assert [d.op for d in versions[0].body_diff] == ["-", "+"]


def test_it_refuses_a_revision_without_a_reason(world, category):
    item = _published(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_revise(actor=world.cadre, item=item, title="x", body="y", reason=" ")
    assert e.value.field == "reason"
    item.refresh_from_db()
    assert item.revision == 1 and not DisclosureRevision.objects.exists()


def test_it_refuses_a_revision_that_changes_nothing(world, category):
    item = _published(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_revise(
            actor=world.cadre, item=item, title=item.title, body=item.body, reason="无"
        )
    assert e.value.code == "disclosure.unchanged"


def test_it_refuses_to_revise_a_draft(world, category):
    item = _draft(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_revise(actor=world.cadre, item=item, title="x", body="y", reason="z")
    assert e.value.code == "disclosure.not_published"


@time_machine.travel(date(2026, 4, 1))
def test_it_withdraws_an_item_which_stays_on_record(world, category):
    item = _published(world, category)
    disclosure.item_withdraw(actor=world.chair, item=item, reason="数据有误，重新核算后再公开")
    item.refresh_from_db()
    assert item.status == "withdrawn" and item.withdrawn_on == date(2026, 4, 1)
    assert item.withdraw_reason == "数据有误，重新核算后再公开"
    assert disclosure.board_items(world.school, date(2026, 4, 1)) == []
    assert disclosure.year_tally(world.school, 2026).withdrawn == 1
    with pytest.raises(DomainError):
        disclosure.item_withdraw(actor=world.chair, item=item, reason="again")
    with pytest.raises(DomainError):
        disclosure.item_revise(actor=world.chair, item=item, title="x", body="y", reason="z")


def test_it_refuses_a_withdrawal_without_a_reason(world, category):
    item = _published(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.item_withdraw(actor=world.chair, item=item, reason="")
    assert e.value.field == "reason"


def test_it_hides_an_item_after_its_shown_until_day(world, category):
    item = _published(world, category, visible_until=date(2026, 3, 31))
    assert disclosure.board_items(world.school, date(2026, 3, 31)) == [item]
    assert disclosure.board_items(world.school, date(2026, 4, 1)) == []


# ---- attachments --------------------------------------------------------------------------


def test_it_stores_an_attachment_under_a_random_name(world, category):
    item = _draft(world, category)
    att = disclosure.attachment_add(
        actor=world.cadre, item=item, file_name="../../etc/收支表.pdf", chunks=[PDF[:10], PDF[10:]]
    )
    assert att.file_name == "收支表.pdf" and att.size_bytes == len(PDF)
    stored = Path(settings.MEDIA_ROOT) / att.stored_path
    assert stored.parent.name == "disclosure" and stored.read_bytes() == PDF
    assert "收支表" not in stored.name
    with disclosure.attachment_open(att) as fh:
        assert fh.read() == PDF
    assert _actions(item)[-1] == "congress.disclosure_attachment_add"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("run.exe", PDF, "upload.type"),
        ("photo.png", PDF, "upload.content"),
        ("empty.pdf", b"", "upload.empty"),
    ],
)
def test_it_refuses_a_bad_attachment_and_keeps_no_file(world, category, name, data, code):
    item = _draft(world, category)
    with pytest.raises(DomainError) as e:
        disclosure.attachment_add(actor=world.cadre, item=item, file_name=name, chunks=[data])
    assert e.value.code == code and e.value.field == "file"
    assert not item.attachments.exists()
    folder = Path(settings.MEDIA_ROOT) / "disclosure"
    assert not folder.exists() or not any(folder.iterdir())


def test_it_refuses_an_attachment_over_10_mb(world, category):
    item = _draft(world, category)
    block = PNG + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as e:
        disclosure.attachment_add(
            actor=world.cadre, item=item, file_name="big.png", chunks=[block] * 11
        )
    assert e.value.code == "upload.too_large"


def test_it_refuses_attachments_to_a_member(world, category):
    item = _draft(world, category)
    with pytest.raises(DomainError):
        disclosure.attachment_add(actor=world.member, item=item, file_name="a.png", chunks=[PNG])


# ---- figures ------------------------------------------------------------------------------


def test_it_counts_the_year_from_records(world, category):
    other = disclosure.category_create(
        actor=world.cadre, union=world.school, name="基建工程", responsible_department="总务处"
    )
    a = _published(world, category)  # regular, result
    b = _published(world, other, regularity="ad_hoc", stage="policy")
    disclosure.item_revise(actor=world.cadre, item=b, title="改", body="改", reason="更正")
    c = _published(world, other, stage="process")
    disclosure.item_withdraw(actor=world.cadre, item=c, reason="撤回")
    _draft(world, other)  # never disclosed
    old = _draft(world, category)
    disclosure.item_publish(actor=world.cadre, item=old, published_on=date(2025, 6, 1))
    t = disclosure.year_tally(world.school, 2026)
    assert (t.total, t.regular, t.ad_hoc, t.withdrawn, t.on_record) == (3, 2, 1, 1, 2)
    assert t.by_stage == {"policy": 1, "process": 1, "result": 1}
    assert t.by_category == {"财务收支": 1, "基建工程": 2}
    assert (t.revised_items, t.revisions) == (1, 1)
    assert disclosure.year_tally(world.school, 2025).total == 1
    assert [i.pk for i in disclosure.report_items(world.school, 2026)] == [a.pk, b.pk, c.pk]
    rows = disclosure.overview(disclosure.overview_unions(world.upper_officer), 2026)
    by_union = {r.union.pk: r.tally.total for r in rows}
    assert by_union == {world.school.pk: 3, world.factory_union.pk: 0}
