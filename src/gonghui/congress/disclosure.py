"""Affairs disclosure (校务公开 / 厂务公开): every write to the board, and the reads its pages,
the annual report and the upper unions' overview share.

Writes: categories (create, update, archive, the preset lists), items (create and edit a
draft, publish, revise with the earlier text kept, withdraw with a reason) and attachments.
Each runs in one transaction and writes an audit row. Reads are scoped through
``congress.queries`` (may_manage / may_take_part) and core access.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access, uploads
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, UnitKind, User
from gonghui.core.services import audit, require_permission, snapshot

from . import queries, rules
from .models import (
    CongressKind,
    DisclosureAttachment,
    DisclosureCategory,
    DisclosureItem,
    DisclosureRevision,
)

AUDIT_LABELS = {
    "congress.disclosure_category_create": _lazy("Disclosure category added"),
    "congress.disclosure_category_update": _lazy("Disclosure category changed"),
    "congress.disclosure_category_archive": _lazy("Disclosure category archived"),
    "congress.disclosure_item_create": _lazy("Disclosure item drafted"),
    "congress.disclosure_item_update": _lazy("Disclosure draft changed"),
    "congress.disclosure_item_publish": _lazy("Disclosure item published"),
    "congress.disclosure_item_revise": _lazy("Disclosure item revised"),
    "congress.disclosure_item_withdraw": _lazy("Disclosure item withdrawn"),
    "congress.disclosure_attachment_add": _lazy("Disclosure attachment added"),
}

# The usual board sections and the office that answers for each, as schools and
# enterprises publish them (校务公开目录 / 厂务公开目录); a union adds, renames or archives
# sections to fit its own catalogue.
PRESETS: dict[str, list[tuple[str, str]]] = {
    "school": [
        ("财务收支", "财务室"),
        ("基建工程", "总务处"),
        ("大宗物资采购", "总务处"),
        ("职称评聘", "人事处"),
        ("评优评先", "人事处"),
        ("绩效考核与分配", "人事处"),
        ("福利待遇", "工会"),
        ("公务接待", "校长办公室"),
        ("干部任免", "党委办公室"),
        ("招生收费", "教务处"),
    ],
    "enterprise": [
        ("企业经营状况", "经营管理部"),
        ("劳动合同", "人力资源部"),
        ("工资奖金分配", "人力资源部"),
        ("社会保险缴纳", "人力资源部"),
        ("安全生产", "安全环保部"),
        ("职工培训", "人力资源部"),
        ("福利费使用", "财务部"),
        ("业务招待费", "财务部"),
    ],
}
PRESET_LABELS = {"school": _lazy("School (校务公开)"), "enterprise": _lazy("Enterprise (厂务公开)")}
ITEM_FIELDS = ["category_id", "title", "body", "regularity", "stage", "visible_until"]
UNION_KINDS = (UnitKind.GRASSROOTS_UNION, UnitKind.JOINT_UNION)
# Checked by content too (core.uploads); at most rules.ATTACHMENT_MAX_BYTES each.
ATTACHMENT_KINDS = {"pdf", "docx", "xlsx", "jpg", "png"}


def _today() -> date:
    return timezone.localdate()


def _require_manage(actor: User | None, union: OrgUnit) -> None:
    require_permission(actor, Perm.MANAGE_CONGRESS, union)


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            "disclosure.required", _("%(field)s is required.") % {"field": label}, field=field
        )
    return value


# ---- categories ---------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    actor: User | None,
    union: OrgUnit,
    name: str,
    responsible_department: str,
    sort_order: int | None = None,
) -> DisclosureCategory:
    _require_manage(actor, union)
    if union.kind not in UNION_KINDS:
        raise DomainError("disclosure.not_union", _("%(u)s is not a union.") % {"u": union})
    name = _required(name, "name", _("The category name"))
    department = _required(
        responsible_department, "responsible_department", _("The responsible department")
    )
    if DisclosureCategory.objects.filter(union=union, name=name).exists():
        raise DomainError(
            "disclosure.category_exists",
            _("The category %(name)s exists already (archived ones included).") % {"name": name},
            field="name",
        )
    if sort_order is None:
        last = DisclosureCategory.objects.filter(union=union).aggregate(m=Max("sort_order"))["m"]
        sort_order = (last or 0) + 1
    category = DisclosureCategory.objects.create(
        union=union, name=name, responsible_department=department, sort_order=sort_order
    )
    audit(
        actor=actor,
        action="congress.disclosure_category_create",
        obj=category,
        unit=union,
        after=snapshot(category),
    )
    return category


@transaction.atomic
def category_update(
    *,
    actor: User | None,
    category: DisclosureCategory,
    name: str,
    responsible_department: str,
    sort_order: int,
) -> DisclosureCategory:
    _require_manage(actor, category.union)
    category = DisclosureCategory.objects.select_for_update().get(pk=category.pk)
    name = _required(name, "name", _("The category name"))
    department = _required(
        responsible_department, "responsible_department", _("The responsible department")
    )
    taken = DisclosureCategory.objects.filter(union_id=category.union_id, name=name)
    if taken.exclude(pk=category.pk).exists():
        raise DomainError(
            "disclosure.category_exists",
            _("The category %(name)s exists already (archived ones included).") % {"name": name},
            field="name",
        )
    before = snapshot(category)
    category.name, category.responsible_department = name, department
    category.sort_order = sort_order
    category.save()
    audit(
        actor=actor,
        action="congress.disclosure_category_update",
        obj=category,
        unit=category.union,
        before=before,
        after=snapshot(category),
    )
    return category


@transaction.atomic
def category_archive(*, actor: User | None, category: DisclosureCategory) -> DisclosureCategory:
    """Archive a section: it takes no new items; its items stay on record and on the board."""
    _require_manage(actor, category.union)
    category = DisclosureCategory.objects.select_for_update().get(pk=category.pk)
    if category.archived_at is not None:
        raise DomainError("disclosure.category_archived", _("This category is archived already."))
    before = snapshot(category, ["archived_at"])
    category.archived_at = timezone.now()
    category.save(update_fields=["archived_at"])
    audit(
        actor=actor,
        action="congress.disclosure_category_archive",
        obj=category,
        unit=category.union,
        before=before,
        after=snapshot(category, ["archived_at"]),
    )
    return category


def categories_add_presets(
    *, actor: User | None, union: OrgUnit, kind: str
) -> list[DisclosureCategory]:
    """Add the preset sections for a school or an enterprise that the union lacks (by name,
    archived ones included, so running it twice adds nothing)."""
    if kind not in PRESETS:
        raise DomainError("disclosure.preset", _("Unknown preset list."), field="kind")
    _require_manage(actor, union)
    with transaction.atomic():
        existing = set(
            DisclosureCategory.objects.filter(union=union).values_list("name", flat=True)
        )
        return [
            category_create(actor=actor, union=union, name=name, responsible_department=dept)
            for name, dept in PRESETS[kind]
            if name not in existing
        ]


def board_kind(union: OrgUnit) -> str:
    """ "school" for a union with a teachers' congress (校务公开), "enterprise" for a staff
    congress (厂务公开), "" when it has neither yet."""
    kinds = set(queries.congresses_of(union).values_list("kind", flat=True))
    if CongressKind.TEACHERS in kinds:
        return "school"
    if CongressKind.STAFF in kinds:
        return "enterprise"
    return ""


# ---- items --------------------------------------------------------------------------------


def _check_item_fields(
    *, category: DisclosureCategory, title: str, body: str, regularity: str, stage: str
) -> tuple[str, str]:
    if category.archived_at is not None:
        raise DomainError(
            "disclosure.category_archived",
            _("The category %(name)s is archived; choose another.") % {"name": category.name},
            field="category",
        )
    title = _required(title, "title", _("The title"))
    body = _required(body, "body", _("The content"))
    if regularity not in DisclosureItem.Regularity.values:
        raise DomainError(
            "disclosure.regularity", _("Choose regular or ad hoc."), field="regularity"
        )
    if stage not in DisclosureItem.Stage.values:
        raise DomainError(
            "disclosure.stage", _("Choose the policy, process or result stage."), field="stage"
        )
    return title, body


def _check_window(published_on: date | None, visible_until: date | None) -> None:
    if published_on and visible_until and visible_until < published_on:
        raise DomainError(
            "disclosure.window",
            _("“Shown until” cannot be before the publication date."),
            field="visible_until",
        )


def _step(item: DisclosureItem, step: str) -> str:
    check = rules.disclosure_step(item.status, step)
    if not check.allowed:
        message = {
            "not_draft": _("Only a draft can be changed this way; this item is %(status)s."),
            "not_published": _("Only a published item can be changed this way; it is %(status)s."),
        }[check.reason]
        raise DomainError(
            f"disclosure.{check.reason}", message % {"status": item.get_status_display()}
        )
    return check.status


def _locked(item: DisclosureItem) -> DisclosureItem:
    return (
        DisclosureItem.objects.select_for_update().select_related("category__union").get(pk=item.pk)
    )


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    category: DisclosureCategory,
    title: str,
    body: str,
    regularity: str,
    stage: str,
    visible_until: date | None = None,
) -> DisclosureItem:
    """A draft: nobody but the union's managers sees it until it is published."""
    _require_manage(actor, category.union)
    # The caller's copy may predate an archiving: decide on the row as it is now.
    category = DisclosureCategory.objects.select_related("union").get(pk=category.pk)
    title, body = _check_item_fields(
        category=category, title=title, body=body, regularity=regularity, stage=stage
    )
    item = DisclosureItem.objects.create(
        category=category,
        title=title,
        body=body,
        regularity=regularity,
        stage=stage,
        visible_until=visible_until,
        created_by=actor if actor and actor.pk else None,
    )
    audit(
        actor=actor,
        action="congress.disclosure_item_create",
        obj=item,
        unit=category.union,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def item_update(
    *,
    actor: User | None,
    item: DisclosureItem,
    category: DisclosureCategory,
    title: str,
    body: str,
    regularity: str,
    stage: str,
    visible_until: date | None = None,
) -> DisclosureItem:
    """Change a draft freely; once published, changes go through ``item_revise``."""
    union = item.category.union
    _require_manage(actor, union)
    item = _locked(item)
    _step(item, "edit")
    category = DisclosureCategory.objects.get(pk=category.pk)
    if category.union_id != union.pk:
        raise DomainError(
            "disclosure.category_union", _("Choose a category of this union."), field="category"
        )
    title, body = _check_item_fields(
        category=category, title=title, body=body, regularity=regularity, stage=stage
    )
    before = snapshot(item, ITEM_FIELDS)
    item.category, item.title, item.body = category, title, body
    item.regularity, item.stage, item.visible_until = regularity, stage, visible_until
    item.save()
    audit(
        actor=actor,
        action="congress.disclosure_item_update",
        obj=item,
        unit=union,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def item_publish(
    *, actor: User | None, item: DisclosureItem, published_on: date | None = None
) -> DisclosureItem:
    """Put a draft on the members' board. ``published_on`` may be a past day (an item put
    up on the paper board before it was entered here), never a future one."""
    union = item.category.union
    _require_manage(actor, union)
    item = _locked(item)
    status = _step(item, "publish")
    today = _today()
    published_on = published_on or today
    if published_on > today:
        raise DomainError(
            "disclosure.future",
            _("The publication date cannot be later than today."),
            field="published_on",
        )
    _check_window(published_on, item.visible_until)
    before = snapshot(item, ["status", "published_on"])
    item.status, item.published_on = status, published_on
    item.save(update_fields=["status", "published_on"])
    audit(
        actor=actor,
        action="congress.disclosure_item_publish",
        obj=item,
        unit=union,
        before=before,
        after=snapshot(item, ["status", "published_on"]),
    )
    return item


@transaction.atomic
def item_revise(
    *, actor: User | None, item: DisclosureItem, title: str, body: str, reason: str
) -> DisclosureItem:
    """Change what a published item says. The text members saw until now is kept as a
    revision, with the reason for the change; the item's revision number goes up by one."""
    union = item.category.union
    _require_manage(actor, union)
    item = _locked(item)
    _step(item, "revise")
    reason = _required(reason, "reason", _("The reason for the change"))
    title = _required(title, "title", _("The title"))
    body = _required(body, "body", _("The content"))
    if title == item.title and body == item.body:
        raise DomainError(
            "disclosure.unchanged", _("The title and content are unchanged."), field="body"
        )
    DisclosureRevision.objects.create(
        item=item,
        number=item.revision,
        title=item.title,
        body=item.body,
        reason=reason[:300],
        by=actor if actor and actor.pk else None,
    )
    before = snapshot(item, ["title", "body", "revision"])
    item.title, item.body, item.revision = title, body, item.revision + 1
    item.save(update_fields=["title", "body", "revision"])
    audit(
        actor=actor,
        action="congress.disclosure_item_revise",
        obj=item,
        unit=union,
        before=before,
        after=snapshot(item, ["title", "body", "revision"]),
        note=reason,
    )
    return item


@transaction.atomic
def item_withdraw(*, actor: User | None, item: DisclosureItem, reason: str) -> DisclosureItem:
    """Take an item off the board. It stays on record, with its history and the reason."""
    union = item.category.union
    _require_manage(actor, union)
    item = _locked(item)
    status = _step(item, "withdraw")
    reason = _required(reason, "reason", _("The reason for the withdrawal"))
    before = snapshot(item, ["status", "withdrawn_on", "withdraw_reason"])
    item.status, item.withdrawn_on, item.withdraw_reason = status, _today(), reason[:300]
    item.save(update_fields=["status", "withdrawn_on", "withdraw_reason"])
    audit(
        actor=actor,
        action="congress.disclosure_item_withdraw",
        obj=item,
        unit=union,
        before=before,
        after=snapshot(item, ["status", "withdrawn_on", "withdraw_reason"]),
        note=reason,
    )
    return item


# ---- attachments --------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, actor: User | None, item: DisclosureItem, file_name: str, chunks: Iterable[bytes]
) -> DisclosureAttachment:
    """Store a file for an item under MEDIA_ROOT/disclosure/<random><ext>. The client's file
    name is kept for display only; the type is checked from the content."""
    union = item.category.union
    _require_manage(actor, union)
    if item.status == DisclosureItem.Status.WITHDRAWN:
        raise DomainError("disclosure.withdrawn", _("This item was withdrawn."), field="file")
    stored = uploads.check_and_store(
        uploads.Incoming(file_name, chunks),
        area="disclosure",
        kinds=ATTACHMENT_KINDS,
        max_bytes=rules.ATTACHMENT_MAX_BYTES,
        field="file",
    )
    try:
        attachment = DisclosureAttachment.objects.create(
            item=item,
            file_name=stored.file_name,
            stored_path=stored.stored_path,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
    except BaseException:
        uploads.discard([stored])
        raise
    audit(
        actor=actor,
        action="congress.disclosure_attachment_add",
        obj=item,
        unit=union,
        after={
            "attachment": attachment.pk,
            "file_name": stored.file_name,
            "size_bytes": stored.size_bytes,
        },
    )
    return attachment


def attachment_open(attachment: DisclosureAttachment) -> IO[bytes]:
    return uploads.open_stored(attachment.stored_path).open("rb")


# ---- reads --------------------------------------------------------------------------------


def union_for(user: User, union_id: int | str | None, *, manage: bool) -> OrgUnit:
    """The union a disclosure page is about: the one asked for (``?union=``), else the
    user's home union. Unions outside the user's reach are 404; in reach without the right
    (``manage``: may manage; else: may take part) is 403."""
    if union_id in (None, ""):
        union = queries.home_union(user)
        if union is None:
            raise PermissionDenied
    else:
        try:
            pk = int(union_id)
        except (TypeError, ValueError) as e:
            raise Http404 from e
        union = OrgUnit.objects.filter(pk=pk, kind__in=UNION_KINDS).first()
        if union is None:
            raise Http404
    allowed = queries.may_manage(user, union) if manage else may_read_board(user, union)
    if allowed:
        return union
    if may_read_board(user, union) or access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied
    raise Http404


def may_read_board(user: User, union: OrgUnit) -> bool:
    """The board is open to the union's members and managers. Upper unions see counts
    (``overview``), not the items: a board is written for the union's own staff."""
    return queries.may_take_part(user, union)


def get_item_for(user: User, item_id: int, *, manage: bool = False) -> DisclosureItem:
    """An item the user may open. Members only find items on the board; everything of a
    union outside the user's reach is 404, so ids cannot be probed."""
    item = (
        DisclosureItem.objects.select_related("category__union", "created_by")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    union = item.category.union
    if queries.may_manage(user, union):
        return item
    if manage:
        if may_read_board(user, union) or access.has_perm(user, Perm.VIEW_STATS, union):
            raise PermissionDenied
        raise Http404
    if may_read_board(user, union):
        if rules.on_board(item.status, item.published_on, item.visible_until, _today()):
            return item
        raise Http404
    if access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied
    raise Http404


def get_category_for(user: User, category_id: int) -> DisclosureCategory:
    category = DisclosureCategory.objects.select_related("union").filter(pk=category_id).first()
    if category is None:
        raise Http404
    union_for(user, category.union_id, manage=True)
    return category


def get_attachment_for(user: User, attachment_id: int) -> DisclosureAttachment:
    attachment = DisclosureAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    get_item_for(user, attachment.item_id)
    return attachment


def categories_of(union: OrgUnit, *, archived: bool = False) -> QuerySet[DisclosureCategory]:
    qs = DisclosureCategory.objects.filter(union=union)
    return qs if archived else qs.filter(archived_at__isnull=True)


def board_items(union: OrgUnit, today: date) -> list[DisclosureItem]:
    """What members see: published items within their shown-until day, newest first."""
    return list(
        DisclosureItem.objects.filter(
            Q(visible_until__isnull=True) | Q(visible_until__gte=today),
            category__union=union,
            status=DisclosureItem.Status.PUBLISHED,
            published_on__lte=today,
        )
        .select_related("category")
        .prefetch_related("attachments")
        .order_by("category__sort_order", "category__name", "-published_on", "-id")
    )


@dataclass(frozen=True)
class ItemFilter:
    category: int | None = None
    stage: str = ""
    status: str = ""
    year: int | None = None


def manage_items(union: OrgUnit, f: ItemFilter) -> QuerySet[DisclosureItem]:
    """Every item of the union for its managers, drafts and withdrawn ones included."""
    qs = DisclosureItem.objects.filter(category__union=union).select_related("category")
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        # Drafts have no publication date yet: they belong to the year they were written.
        qs = qs.filter(
            Q(published_on__year=f.year) | Q(published_on__isnull=True, created_at__year=f.year)
        )
    return qs.order_by("-published_on", "-id")


def item_years(union: OrgUnit) -> list[int]:
    published = DisclosureItem.objects.filter(category__union=union, published_on__isnull=False)
    years = {d.year for d in published.dates("published_on", "year")}
    years.add(_today().year)
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " unchanged, "-" removed, "+" added
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of the newer text, with removed lines of the older one in place: on a
    short notice, the whole text around a change reads better than a context diff."""
    return [
        DiffLine(line[0], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if not line.startswith("?")
    ]


@dataclass(frozen=True)
class Version:
    number: int
    title: str
    body: str
    at: Any  # when this text replaced the one before (None for the first)
    by: User | None
    reason: str  # why the one before was replaced by this text
    title_diff: list[DiffLine]
    body_diff: list[DiffLine]
    current: bool


def item_versions(item: DisclosureItem) -> list[Version]:
    """The item's texts newest first, each with what changed from the one before it."""
    rows = list(item.revisions.select_related("by").order_by("number"))
    texts = [(r.number, r.title, r.body) for r in rows] + [(item.revision, item.title, item.body)]
    versions = []
    for i, (number, title, body) in enumerate(texts):
        # Revision row i-1 holds the text this one replaced, and when and why it was.
        prior = rows[i - 1] if i > 0 else None
        versions.append(
            Version(
                number=number,
                title=title,
                body=body,
                at=prior.at if prior else None,
                by=prior.by if prior else None,
                reason=prior.reason if prior else "",
                title_diff=text_diff(prior.title, title) if prior else [],
                body_diff=text_diff(prior.body, body) if prior else [],
                current=i == len(texts) - 1,
            )
        )
    return versions[::-1]


def year_facts(unions: Iterable[OrgUnit], year: int) -> dict[int, list[rules.DisclosureFacts]]:
    """The facts the annual tally counts, per union id, from one query."""
    rows = DisclosureItem.objects.filter(
        category__union__in=list(unions),
        published_on__year=year,
        status__in=[DisclosureItem.Status.PUBLISHED, DisclosureItem.Status.WITHDRAWN],
    ).values_list(
        "category__union_id",
        "category__name",
        "category__sort_order",
        "stage",
        "regularity",
        "status",
        "published_on",
        "revision",
    )
    out: dict[int, list[rules.DisclosureFacts]] = {}
    for union_id, name, _order, stage, regularity, status, published_on, revision in sorted(
        rows, key=lambda r: (r[0], r[2], r[1], r[6])
    ):
        out.setdefault(union_id, []).append(
            rules.DisclosureFacts(
                category=name,
                stage=stage,
                regularity=regularity,
                status=status,
                published_on=published_on,
                revisions=revision - 1,
            )
        )
    return out


def year_tally(union: OrgUnit, year: int) -> rules.DisclosureTally:
    return rules.disclosure_tally(year_facts([union], year).get(union.pk, []), year)


def report_items(union: OrgUnit, year: int) -> list[DisclosureItem]:
    """The items the annual report lists: those the tally counts, by category and date."""
    return list(
        DisclosureItem.objects.filter(
            category__union=union,
            published_on__year=year,
            status__in=[DisclosureItem.Status.PUBLISHED, DisclosureItem.Status.WITHDRAWN],
        )
        .select_related("category")
        .order_by("category__sort_order", "category__name", "published_on", "id")
    )


def overview_unions(user: User) -> list[OrgUnit]:
    """Unions whose disclosure figures the user may see: every union under a unit where
    they hold VIEW_STATS (upper unions, auditors, and a union's own officers)."""
    return list(
        access.units_with(user, Perm.VIEW_STATS)
        .filter(kind__in=UNION_KINDS)
        .order_by("path", "sort_order", "name")
    )


@dataclass(frozen=True)
class OverviewRow:
    union: OrgUnit
    tally: rules.DisclosureTally


def overview(unions: list[OrgUnit], year: int) -> list[OverviewRow]:
    facts = year_facts(unions, year)
    return [OverviewRow(u, rules.disclosure_tally(facts.get(u.pk, []), year)) for u in unions]


def overview_by_category(rows: list[OverviewRow]) -> dict[str, int]:
    """Items per category name across the unions (preset names line up across unions)."""
    out: dict[str, int] = {}
    for row in rows:
        for name, n in row.tally.by_category.items():
            out[name] = out.get(name, 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
