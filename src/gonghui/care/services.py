"""Must-visit work (必访制度): life events, visit tasks, visits, reminders, and the union's
care rule set (province, its own spending caps, must-visit rules).

Every write runs in one transaction and writes an audit row; cash and gifts go through
``ledger.payment_post``, which is where the spending caps are enforced. A few reads that
these services and the care pages share sit at the end of the module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access, uploads
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus

from . import ledger, notices, rules
from .models import (
    CapItem,
    CarePayment,
    CareSettings,
    EventKind,
    LifeEvent,
    SpendingCap,
    Visit,
    VisitPhoto,
    VisitRule,
    VisitTask,
)

AUDIT_LABELS = {
    "care.event_report": _lazy("Life event reported"),
    "care.task_create": _lazy("Visit task created"),
    "care.task_cancel": _lazy("Visit task cancelled"),
    "care.task_remind": _lazy("Visit reminder sent"),
    "care.visit_record": _lazy("Visit recorded"),
    "care.settings_province": _lazy("Care province set"),
    "care.cap_set": _lazy("Union spending cap set"),
    "care.visit_rule_set": _lazy("Must-visit rule set"),
    # Written by ledger.payment_post / payment_correct, for every care area.
    "care.payment": _lazy("Care payment posted"),
    "care.hardship_aid_payment": _lazy("Hardship aid payment posted"),
    "care.cap_override": _lazy("Payment over the cap allowed by the chair"),
    "care.payment_correct": _lazy("Care payment corrected"),
}

# A wedding or a retirement is known weeks ahead; an event reported a year late is a typo.
MAX_DAYS_AHEAD = 90
MAX_DAYS_BEHIND = 366
MAX_DEADLINE_DAYS = 60

PHOTO_KINDS = {"jpg", "png"}  # checked by content too (core.uploads)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 10

# Members who can still be visited: not applicants, not those who left or moved away.
CARE_STATUSES = (MemberStatus.ACTIVE, MemberStatus.DECEASED)

PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
    "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
    "香港", "澳门", "台湾",
)  # fmt: skip


def _today() -> date:
    return timezone.localdate()


def _at_noon(day: date) -> datetime:
    """A timestamp for a back-dated record (demo history): midday, so that it falls on the
    same local day in any time zone setting."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _require_union(union: OrgUnit) -> None:
    if not union.is_union:
        raise DomainError("care.not_union", _("%(u)s is not a union.") % {"u": union})


# ---- the rule set: province, union caps, must-visit rules ------------------------------


def care_province_set(*, actor: User | None, union: OrgUnit, province: str) -> CareSettings:
    """Say whose provincial caps apply to the union. The chair's decision (it changes what
    every member may receive), so it needs the cap-override permission."""
    require_permission(actor, Perm.OVERRIDE_CAPS, union)
    _require_union(union)
    province = province.strip()
    if province not in PROVINCES:
        raise DomainError("care.province", _("Choose a province."), field="province")
    with transaction.atomic():
        row, _created = CareSettings.objects.select_for_update().get_or_create(union=union)
        before = snapshot(row)
        row.province = province
        row.save()
        audit(
            actor=actor,
            action="care.settings_province",
            obj=row,
            unit=union,
            before=before,
            after=snapshot(row),
        )
    return row


def spending_cap_set(
    *,
    actor: User | None,
    union: OrgUnit,
    item: str,
    from_year: int,
    amount: Decimal,
    source_note: str = "",
) -> SpendingCap:
    """The union's own per-person yearly cap for an item from a year on. A union may be
    stricter than its province, never looser: the provincial cap is a finance rule."""
    require_permission(actor, Perm.OVERRIDE_CAPS, union)
    _require_union(union)
    if item not in CapItem.values:
        raise DomainError("care.cap_item", _("Unknown item."), field="item")
    if not 2000 <= from_year <= 2100:
        raise DomainError("care.cap_year", _("Give a year such as 2026."), field="from_year")
    amount = rules.yuan(amount)
    if amount < 0:
        raise DomainError("care.cap_amount", _("A cap cannot be negative."), field="amount")
    province = ledger.province_of(union)
    # Checked against every provincial rule in force from the row's first year to this
    # year (or to the union's next row of the item): a row entered late with an earlier
    # start year must not stand above a rule the province has made since. Should the
    # province lower its cap after this, the lower one applies anyway
    # (rules.cap_row_in_force) and the settings page says so.
    later_own = (
        SpendingCap.objects.filter(union=union, item=item, from_year__gt=from_year)
        .order_by("from_year")
        .values_list("from_year", flat=True)
        .first()
    )
    to_year = max(from_year, timezone.localdate().year)
    if later_own is not None:
        to_year = min(to_year, later_own - 1)
    provincial = ledger.strictest_provincial_rule(province, item, from_year, to_year)
    if provincial is not None and amount > provincial[0].amount:
        rule, source = provincial
        raise DomainError(
            "care.cap_above_province",
            _(
                "%(province)s caps %(item)s at ¥%(cap)s per person a year from %(year)s"
                " (source: %(source)s). A union's own cap may be the same or lower,"
                " never higher."
            )
            % {
                "province": province,
                "item": CapItem(item).label,
                "cap": rule.amount,
                "year": rule.from_year,
                "source": source,
            },
            field="amount",
        )
    with transaction.atomic():
        row = (
            SpendingCap.objects.select_for_update()
            .filter(union=union, item=item, from_year=from_year)
            .first()
        )
        before = snapshot(row) if row else None
        if row is None:
            row = SpendingCap(union=union, item=item, from_year=from_year)
        row.province = province
        row.amount = amount
        row.source_note = source_note.strip()[:200]
        row.save()
        audit(
            actor=actor,
            action="care.cap_set",
            obj=row,
            unit=union,
            before=before,
            after=snapshot(row),
        )
    return row


def visit_rule_set(
    *,
    actor: User | None,
    union: OrgUnit,
    event_kind: str,
    visit_required: bool,
    who_visits: str,
    standard_cash: Decimal,
    standard_gift: str,
    deadline_days: int,
    cap_item: str,
) -> VisitRule:
    """The union's must-visit rule for one kind of event, replacing the default. The
    standard cash must fit under the item's cap, or every standard visit would be refused."""
    require_permission(actor, Perm.OVERRIDE_CAPS, union)
    _require_union(union)
    if event_kind not in EventKind.values:
        raise DomainError("care.event_kind", _("Unknown kind of event."), field="event_kind")
    if cap_item not in CapItem.values:
        raise DomainError("care.cap_item", _("Unknown item."), field="cap_item")
    if not 0 <= deadline_days <= MAX_DEADLINE_DAYS:
        raise DomainError(
            "care.deadline",
            _("The visit deadline must be between 0 and %(n)s days.") % {"n": MAX_DEADLINE_DAYS},
            field="deadline_days",
        )
    standard_cash = rules.yuan(standard_cash)
    if standard_cash < 0:
        raise DomainError(
            "care.negative", _("An amount cannot be negative."), field="standard_cash"
        )
    cap = ledger.cap_for(union, cap_item, _today().year)
    if cap is not None and standard_cash > cap:
        raise DomainError(
            "care.standard_above_cap",
            _("The standard cash ¥%(cash)s is above this year's cap of ¥%(cap)s for the item.")
            % {"cash": standard_cash, "cap": cap},
            field="standard_cash",
        )
    with transaction.atomic():
        row = (
            VisitRule.objects.select_for_update().filter(union=union, event_kind=event_kind).first()
        )
        before = snapshot(row) if row else None
        if row is None:
            row = VisitRule(union=union, event_kind=event_kind)
        row.visit_required = visit_required
        row.who_visits = who_visits.strip()[:100]
        row.standard_cash = standard_cash
        row.standard_gift = standard_gift.strip()[:100]
        row.deadline_days = deadline_days
        row.cap_item = cap_item
        row.save()
        audit(
            actor=actor,
            action="care.visit_rule_set",
            obj=row,
            unit=union,
            before=before,
            after=snapshot(row),
        )
    return row


# ---- life events and visit tasks --------------------------------------------------------


def may_report_for(user: User, member: Member) -> bool:
    """A member reports their own events; a group leader those of their group; cadres,
    care officers and the chair those of their union (REPORT_CARE where the member is)."""
    return access.is_self(user, member.person_id) or access.has_perm(
        user, Perm.REPORT_CARE, member.unit
    )


def event_report(
    *,
    user: User | None,
    member: Member,
    kind: str,
    occurred_on: date,
    relative: str = "",
    details: str = "",
    reported_on: date | None = None,
) -> LifeEvent:
    """Record a life event and, when the union's must-visit rule asks for a visit, the
    visit task due ``deadline_days`` after the report. ``reported_on`` is for back-dated
    history (demo data); people always report today. ``user=None`` is the system."""
    if user is not None and not may_report_for(user, member):
        raise DomainError(
            "care.report_forbidden",
            _("You may report events of yourself or of members in your reach only."),
            field="member",
        )
    if member.status not in CARE_STATUSES:
        raise DomainError(
            "care.member_status",
            _("%(name)s is not an active member.") % {"name": member.person.name},
            field="member",
        )
    if kind not in EventKind.values:
        raise DomainError("care.event_kind", _("Choose what happened."), field="kind")
    reported_on = reported_on or _today()
    if occurred_on > reported_on + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(
            "care.event_date",
            _("The date is more than %(n)s days ahead.") % {"n": MAX_DAYS_AHEAD},
            field="occurred_on",
        )
    if occurred_on < reported_on - timedelta(days=MAX_DAYS_BEHIND):
        raise DomainError(
            "care.event_date", _("The date is more than a year ago."), field="occurred_on"
        )
    relative = relative.strip()[:40]
    if kind == EventKind.DEATH_RELATIVE and not relative:
        raise DomainError(
            "care.relative", _("Say which relative died (e.g. father)."), field="relative"
        )
    rule = visit_rule_for(member.union, kind)
    with transaction.atomic():
        # Two leaders reporting the same stay in hospital must not make two tasks.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        duplicate = LifeEvent.objects.filter(
            member=member, kind=kind, occurred_on=occurred_on
        ).exclude(status=LifeEvent.Status.CLOSED)
        if duplicate.exists():
            raise DomainError(
                "care.event_duplicate",
                _("This event of %(name)s has already been reported.")
                % {"name": member.person.name},
                field="occurred_on",
            )
        event = LifeEvent.objects.create(
            union=member.union,
            member=member,
            kind=kind,
            occurred_on=occurred_on,
            relative=relative,
            details=details.strip()[:2000],
            reported_by=user if user and user.pk else None,
            reported_at=_at_noon(reported_on) if reported_on != _today() else timezone.now(),
            status=LifeEvent.Status.OPEN if rule.visit_required else LifeEvent.Status.CLOSED,
        )
        audit(
            actor=user,
            action="care.event_report",
            obj=event,
            unit=member.union,
            after=snapshot(event),
        )
        if rule.visit_required:
            task = VisitTask.objects.create(
                event=event,
                union=member.union,
                due_on=rules.visit_due_on(reported_on, rule.deadline_days),
                who_visits=rule.who_visits,
                standard_cash=rule.standard_cash,
                standard_gift=rule.standard_gift,
                cap_item=rule.cap_item,
            )
            audit(
                actor=user,
                action="care.task_create",
                obj=task,
                unit=member.union,
                after=snapshot(task),
            )
            # In the same transaction: a report that fails leaves no notice behind. A report
            # back-dated (history being entered) is no news to anyone.
            if reported_on == _today():
                notices.task_created(task, reporter=user)
    return event


def task_cancel(*, actor: User | None, task: VisitTask, reason: str) -> VisitTask:
    """Close a task without a visit (the member declined, the report was a mistake); the
    reason is kept and the event is closed with it."""
    require_permission(actor, Perm.MANAGE_CARE, task.union)
    if not reason.strip():
        raise DomainError("care.reason_required", _("Give a reason."), field="reason")
    with transaction.atomic():
        task = VisitTask.objects.select_for_update().select_related("event").get(pk=task.pk)
        if task.status != VisitTask.Status.OPEN:
            raise DomainError("care.task_closed", _("This visit task is no longer open."))
        before = snapshot(task)
        task.status = VisitTask.Status.CANCELLED
        task.cancel_reason = reason.strip()[:200]
        task.save(update_fields=["status", "cancel_reason"])
        LifeEvent.objects.filter(pk=task.event_id).update(status=LifeEvent.Status.CLOSED)
        audit(
            actor=actor,
            action="care.task_cancel",
            obj=task,
            unit=task.union,
            before=before,
            after=snapshot(task),
            note=task.cancel_reason,
        )
    return task


def care_remind_overdue(
    today: date, *, union: OrgUnit | None = None
) -> notices.Reminded[VisitTask]:
    """Open tasks due today or overdue that have not been reminded today: each is marked
    (``reminded_at``), audited and sent to the care managers of the member's union as a
    notice, so a reminder run twice a day reminds once."""
    start_of_day = timezone.make_aware(datetime.combine(today, time.min))
    qs = VisitTask.objects.filter(status=VisitTask.Status.OPEN, due_on__lte=today).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_day)
    )
    if union is not None:
        qs = qs.filter(union=union)
    reminded: list[VisitTask] = []
    sent = 0
    # Tasks of one group share their readers: ask once per group and run.
    readers: dict[tuple[int, int], list[User]] = {}
    with transaction.atomic():
        tasks = qs.select_for_update(of=("self",)).select_related(
            "union", "event__member__person", "event__member__unit"
        )
        now = timezone.now()
        for task in tasks.order_by("union__path", "due_on", "pk"):
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
            audit(
                actor=None,
                action="care.task_remind",
                obj=task,
                unit=task.union,
                note=f"due {task.due_on.isoformat()}",
            )
            unit = task.event.member.unit
            where = (task.union_id, unit.pk)
            if where not in readers:
                readers[where] = list(notices.care_managers(task.union, unit))
            sent += notices.visit_due(task, today, readers[where])
            reminded.append(task)
    return notices.Reminded(reminded, sent)


# ---- visits ----------------------------------------------------------------------------


def _store_photos(photos: Sequence[UploadedFile]) -> list[uploads.StoredUpload]:
    """Check each photo (JPG or PNG by its own first bytes, at most 5 MB) and store it under
    a random name; the client's file name is kept only as a label."""
    if len(photos) > MAX_PHOTOS:
        raise DomainError(
            "care.photo_count",
            _("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS},
            field="photos",
        )
    return uploads.check_and_store_all(
        photos, area="care/visits", kinds=PHOTO_KINDS, max_bytes=MAX_PHOTO_BYTES, field="photos"
    )


def photo_path(photo: VisitPhoto) -> Path:
    return uploads.open_stored(photo.stored_path)


def visit_record(
    *,
    actor: User | None,
    member: Member,
    task: VisitTask | None = None,
    kind: str,
    visited_on: date,
    visitors: str,
    cash: Decimal = Decimal("0"),
    gift_description: str = "",
    gift_value: Decimal = Decimal("0"),
    notes: str = "",
    receipt_signed: bool = False,
    photos: Sequence[UploadedFile] = (),
    override_reason: str = "",
) -> Visit:
    """Record a visit as it happened. Cash and gift value post one payment to the ledger,
    which refuses it over the member's yearly cap for the item unless the chair gives a
    reason; a task's visit closes the task and marks its event visited."""
    require_permission(actor, Perm.MANAGE_CARE, member.unit)
    if kind not in CapItem.values:
        raise DomainError("care.cap_item", _("Choose the occasion."), field="kind")
    if visited_on > _today():
        raise DomainError(
            "care.visit_future", _("A visit cannot be recorded ahead of time."), field="visited_on"
        )
    if not visitors.strip():
        raise DomainError("care.visitors", _("Name who visited."), field="visitors")
    cash, gift_value = rules.yuan(cash), rules.yuan(gift_value)
    if cash < 0 or gift_value < 0:
        raise DomainError("care.negative", _("An amount cannot be negative."), field="cash")
    if gift_value > 0 and not gift_description.strip():
        raise DomainError(
            "care.gift_description", _("Describe the gifts."), field="gift_description"
        )
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            if task is not None:
                task = VisitTask.objects.select_for_update().select_related("event").get(pk=task.pk)
                if task.event.member_id != member.pk:
                    raise DomainError("care.task_member", _("This task is for another member."))
                if task.status != VisitTask.Status.OPEN:
                    raise DomainError("care.task_closed", _("This visit task is no longer open."))
            visit = Visit.objects.create(
                union=member.union,
                member=member,
                task=task,
                kind=kind,
                visited_on=visited_on,
                visitors=visitors.strip()[:200],
                cash=cash,
                gift_description=gift_description.strip()[:200],
                gift_value=gift_value,
                notes=notes.strip(),
                receipt_signed=receipt_signed,
                recorded_by=actor if actor and actor.pk else None,
            )
            if cash + gift_value > 0:
                ledger.payment_post(
                    actor=actor,
                    member=member,
                    cap_item=kind,
                    paid_on=visited_on,
                    cash=cash,
                    gift_value=gift_value,
                    source=CarePayment.Source.VISIT,
                    source_id=visit.pk,
                    responsible=getattr(actor, "person", None) if actor else None,
                    override_reason=override_reason,
                )
            for s in stored:
                VisitPhoto.objects.create(
                    visit=visit,
                    file_name=s.file_name,
                    stored_path=s.stored_path,
                    size_bytes=s.size_bytes,
                )
            if task is not None:
                task.status = VisitTask.Status.DONE
                task.done_at = timezone.now()
                task.save(update_fields=["status", "done_at"])
                LifeEvent.objects.filter(pk=task.event_id).update(status=LifeEvent.Status.VISITED)
            audit(
                actor=actor,
                action="care.visit_record",
                obj=visit,
                unit=member.union,
                after=snapshot(visit),
            )
    except BaseException:
        uploads.discard(stored)
        raise
    return visit


# ---- reads shared by the services and the care pages -----------------------------------


def visit_rule_for(union: OrgUnit, kind: str) -> rules.VisitRuleData:
    """The union's rule for an event kind, else the national-style default."""
    row = VisitRule.objects.filter(union=union, event_kind=kind).first()
    if row is None:
        return rules.DEFAULT_VISIT_RULES[kind]
    return _rule_data(row)


def _rule_data(row: VisitRule) -> rules.VisitRuleData:
    return rules.VisitRuleData(
        event_kind=row.event_kind,
        visit_required=row.visit_required,
        who_visits=row.who_visits,
        standard_cash=rules.yuan(row.standard_cash),
        standard_gift=row.standard_gift,
        deadline_days=row.deadline_days,
        cap_item=row.cap_item,
    )


@dataclass(frozen=True)
class RuleLine:
    rule: rules.VisitRuleData
    kind_label: str
    cap_label: str
    is_default: bool


def visit_rules(union: OrgUnit) -> list[RuleLine]:
    """Every event kind's rule in force, saying whether it is the union's or the default."""
    own = {r.event_kind: r for r in VisitRule.objects.filter(union=union)}
    caps = dict(CapItem.choices)
    out = []
    for kind, label in EventKind.choices:
        data = _rule_data(own[kind]) if kind in own else rules.DEFAULT_VISIT_RULES[kind]
        out.append(RuleLine(data, str(label), str(caps[data.cap_item]), kind not in own))
    return out


@dataclass(frozen=True)
class CapLine:
    item: str
    label: str
    provincial: Decimal | None
    union_cap: Decimal | None
    effective: Decimal | None  # the lower of the two: what payments are checked against
    source: str  # of the union's own rule when it has one, else of the province's
    provincial_from: int | None = None  # the year the province's rule in force starts
    provincial_source: str = ""
    union_from: int | None = None
    applies: str = ""  # whose rule decides: "union", "province", "" when nothing caps

    @property
    def above_province(self) -> bool:
        """The union's own cap, set when it was stricter, now above a later and lower
        provincial cap: the province's applies, and the union should lower its own."""
        return (
            self.union_cap is not None
            and self.provincial is not None
            and self.union_cap > self.provincial
        )


def cap_table(union: OrgUnit, year: int) -> list[CapLine]:
    """The caps in force in ``year`` for every item: the province's rule in force (its
    year and source), the union's own beside it, and the lower of the two, which applies."""
    province = ledger.province_of(union)
    provincial = ledger.provincial_rows(province)
    provincial_sources = {(r.item, r.from_year): ledger.rule_source(s) for r, s in provincial}
    own = {(r.item, r.from_year): r for r in SpendingCap.objects.filter(union=union)}
    rows = [r for r, _stored in provincial] + [
        rules.CapRow(province, r.item, r.from_year, r.amount, union_id=union.pk)
        for r in own.values()
    ]
    out = []
    for item, label in CapItem.choices:
        prov = rules.provincial_row_in_force(rows, province=province, item=item, year=year)
        mine = rules.own_row_in_force(rows, union_id=union.pk, item=item, year=year)
        in_force = rules.cap_row_in_force(
            rows, province=province, union_id=union.pk, item=item, year=year
        )
        prov_source = provincial_sources[(item, prov.from_year)] if prov is not None else ""
        if mine is not None:
            source = own[(item, mine.from_year)].source_note or _("The union's own rule")
        elif prov is not None:
            source = f"{prov_source}（{prov.from_year}）"
        else:
            source = ""
        applies = ""
        if in_force is not None:
            applies = "union" if in_force.union_id is not None else "province"
        out.append(
            CapLine(
                item,
                str(label),
                provincial=prov.amount if prov else None,
                union_cap=mine.amount if mine else None,
                effective=in_force.amount if in_force else None,
                source=source,
                provincial_from=prov.from_year if prov else None,
                provincial_source=prov_source,
                union_from=mine.from_year if mine else None,
                applies=applies,
            )
        )
    return out


def manageable_unions(user: User) -> list[OrgUnit]:
    """Unions whose care work the user manages, in tree order."""
    qs = access.units_with(user, Perm.MANAGE_CARE).filter(kind__in=["grassroots", "joint"])
    return list(qs.order_by("path"))


def reportable_members(user: User, q: str = "", limit: int = 20) -> QuerySet[Member]:
    """Members whose events the user may report (REPORT_CARE where they are), by name."""
    qs = access.scope(
        Member.objects.filter(status__in=CARE_STATUSES), user, Perm.REPORT_CARE, "unit"
    )
    q = q.strip()
    if q:
        qs = qs.filter(Q(person__name__startswith=q) | Q(member_no=q))
    return qs.select_related("person", "unit").order_by("person__name", "pk")[:limit]


def managed_member(user: User, member_id: int) -> Member | None:
    """A member whose care the user manages, or None (the page answers 404)."""
    qs = access.scope(Member.objects.all(), user, Perm.MANAGE_CARE, "unit")
    return qs.select_related("person", "unit", "union").filter(pk=member_id).first()


def managed_task(user: User, task_id: int) -> VisitTask | None:
    qs = access.scope(VisitTask.objects.all(), user, Perm.MANAGE_CARE, "event__member__unit")
    return (
        qs.select_related("event__member__person", "event__member__unit", "union")
        .filter(pk=task_id)
        .first()
    )
