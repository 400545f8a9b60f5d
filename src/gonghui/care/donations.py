"""Donation drives (捐款倡议): open and close a drive, record donations (one by one or a
grid of many), record how the money was given out, and the figures and lists read from them.

Access: those who manage care in the drive's union (``Perm.MANAGE_CARE``) run drives; the
union's members see its drives and the public thank-you list; upper unions see counts and
totals only (``counts_by_union``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit, Person, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member

from . import ledger, rules
from .models import CapItem
from .models.donations import Donation, DonationDrive, DonationUse

AUDIT_LABELS = {
    "care.drive_open": _("Donation drive opened"),
    "care.drive_close": _("Donation drive closed"),
    "care.donation_record": _("Donation recorded"),
    "care.donation_use_record": _("Donation money given out"),
}

ANONYMOUS_NAME = "爱心人士"
USE_CAP_ITEMS = (CapItem.HARDSHIP, CapItem.OTHER)
MAX_AMOUNT = Decimal("10000000")


# ---- drives --------------------------------------------------------------------------------


def drive_open(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    purpose: str = "",
    starts_on: date,
    ends_on: date | None = None,
    target: Decimal | None = None,
) -> DonationDrive:
    require_permission(actor, Perm.MANAGE_CARE, union)
    if union.kind not in UNION_KINDS:
        raise DomainError("care.drive_union", "捐款倡议须由工会发起", field="union")
    if not title.strip():
        raise DomainError("care.drive_title", "请填写倡议名称", field="title")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("care.drive_dates", "截止日期不能早于开始日期", field="ends_on")
    if target is not None and rules.yuan(target) <= 0:
        raise DomainError("care.drive_target", "目标金额必须大于零", field="target")
    with transaction.atomic():
        drive = DonationDrive.objects.create(
            union=union,
            title=title.strip(),
            purpose=purpose.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            target=rules.yuan(target) if target is not None else None,
            created_by=actor if actor and actor.pk else None,
        )
        audit(actor=actor, action="care.drive_open", obj=drive, unit=union, after=snapshot(drive))
    return drive


def drive_close(*, actor: User | None, drive: DonationDrive) -> DonationDrive:
    require_permission(actor, Perm.MANAGE_CARE, drive.union)
    with transaction.atomic():
        drive = DonationDrive.objects.select_for_update().select_related("union").get(pk=drive.pk)
        if drive.status == DonationDrive.Status.CLOSED:
            raise DomainError("care.drive_closed", "该捐款倡议已结束", field="status")
        before = snapshot(drive)
        drive.status = DonationDrive.Status.CLOSED
        drive.closed_at = timezone.now()
        drive.save(update_fields=["status", "closed_at"])
        audit(
            actor=actor,
            action="care.drive_close",
            obj=drive,
            unit=drive.union,
            before=before,
            after=snapshot(drive),
        )
    return drive


# ---- donations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationRow:
    """One donation as entered; ``donor`` is set when the donor is a person on file."""

    donor_name: str
    source: str
    amount: Decimal
    donated_on: date
    anonymous: bool = False
    donor: Person | None = None


def _check_row(drive: DonationDrive, row: DonationRow, label: str) -> Decimal:
    name = (row.donor.name if row.donor else row.donor_name).strip()
    if not name:
        raise DomainError("care.donor_name", f"{label}请填写捐款人", field="donor_name")
    if row.source not in Donation.Source.values:
        raise DomainError("care.donation_source", f"{label}款项来源不正确", field="source")
    amount = rules.yuan(row.amount)
    if amount <= 0 or amount > MAX_AMOUNT:
        raise DomainError("care.donation_amount", f"{label}金额必须大于零", field="amount")
    if row.donated_on < drive.starts_on:
        raise DomainError(
            "care.donation_date", f"{label}捐款日期早于倡议开始日期", field="donated_on"
        )
    return amount


def donations_record(
    *, actor: User | None, drive: DonationDrive, rows: Sequence[DonationRow]
) -> list[Donation]:
    """Record many donations at once (the entry grid): all or none; a bad row is named by
    its number and nothing is saved."""
    require_permission(actor, Perm.MANAGE_CARE, drive.union)
    if not rows:
        raise DomainError("care.donation_empty", "没有要登记的捐款", field="rows")
    with transaction.atomic():
        drive = DonationDrive.objects.select_for_update().select_related("union").get(pk=drive.pk)
        if drive.status != DonationDrive.Status.OPEN:
            raise DomainError("care.drive_closed", "该捐款倡议已结束，不能再登记捐款")
        many = len(rows) > 1
        created = []
        for i, row in enumerate(rows, start=1):
            amount = _check_row(drive, row, f"第{i}行：" if many else "")
            if row.donor is None:
                row = replace(row, donor=_member_named(drive.union, row.donor_name))
            donation = Donation.objects.create(
                drive=drive,
                donor=row.donor,
                donor_name=(row.donor.name if row.donor else row.donor_name).strip(),
                source=row.source,
                amount=amount,
                donated_on=row.donated_on,
                anonymous_on_public_list=row.anonymous,
                recorded_by=actor if actor and actor.pk else None,
            )
            audit(
                actor=actor,
                action="care.donation_record",
                obj=donation,
                unit=drive.union,
                after=snapshot(donation),
            )
            created.append(donation)
    return created


def _member_named(union: OrgUnit, name: str) -> Person | None:
    """The person behind a typed name when exactly one member of the union bears it, so
    that members find their own donations; namesakes and outsiders stay names only."""
    people = list(
        Member.objects.filter(union=union, person__name=name.strip()).select_related("person")[:2]
    )
    return people[0].person if len(people) == 1 else None


def donation_record(*, actor: User | None, drive: DonationDrive, row: DonationRow) -> Donation:
    [donation] = donations_record(actor=actor, drive=drive, rows=[row])
    return donation


# ---- money given out -----------------------------------------------------------------------


def _collected_and_given(drive: DonationDrive) -> tuple[Decimal, Decimal]:
    collected = drive.donations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    given = drive.uses.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return rules.yuan(collected), rules.yuan(given)


def donation_use_record(
    *,
    actor: User | None,
    drive: DonationDrive,
    given_on: date,
    amount: Decimal,
    recipient: Member | None = None,
    recipient_description: str = "",
    description: str = "",
    cap_item: str = CapItem.HARDSHIP,
) -> DonationUse:
    """Record money given out of a drive. Never more than the drive holds. Money given to
    a member also posts to the care ledger, so the member's care history and caps see it."""
    require_permission(actor, Perm.MANAGE_CARE, drive.union)
    if recipient is None and not recipient_description.strip():
        raise DomainError("care.use_recipient", "请选择受助会员或填写受助对象", field="recipient")
    if recipient is not None and recipient.union_id != drive.union_id:
        raise DomainError("care.use_recipient", "受助会员不属于本工会", field="recipient")
    if cap_item not in USE_CAP_ITEMS:
        raise DomainError("care.use_item", "发放项目只能是困难帮扶或其他", field="cap_item")
    with transaction.atomic():
        # The drive row is the lock: two uses recorded at once cannot both spend the balance.
        drive = DonationDrive.objects.select_for_update().select_related("union").get(pk=drive.pk)
        collected, given = _collected_and_given(drive)
        decision = rules.use_check(collected=collected, given_out=given, amount=amount)
        if not decision.allowed:
            raise DomainError("care.use_over_balance", decision.reason, field="amount")
        use = DonationUse.objects.create(
            drive=drive,
            given_on=given_on,
            recipient=recipient,
            recipient_description=recipient_description.strip(),
            amount=rules.yuan(amount),
            description=description.strip(),
            recorded_by=actor if actor and actor.pk else None,
        )
        if recipient is not None:
            use.payment = ledger.payment_post(
                actor=actor,
                member=recipient,
                cap_item=cap_item,
                paid_on=given_on,
                cash=use.amount,
                source="donation",
                source_id=use.pk,
            )
            use.save(update_fields=["payment"])
        audit(
            actor=actor,
            action="care.donation_use_record",
            obj=use,
            unit=drive.union,
            after=snapshot(use),
        )
    return use


# ---- reads ---------------------------------------------------------------------------------


def may_manage(user: Any) -> bool:
    return access.has_any(user, Perm.MANAGE_CARE)


def may_manage_drive(user: Any, drive: DonationDrive) -> bool:
    return access.has_perm(user, Perm.MANAGE_CARE, drive.union)


def manage_unions(user: Any) -> list[OrgUnit]:
    units = access.units_with(user, Perm.MANAGE_CARE).filter(kind__in=list(UNION_KINDS))
    return list(units.order_by("path"))


def drives_managed(user: Any) -> QuerySet[DonationDrive]:
    qs = DonationDrive.objects.select_related("union")
    return access.scope(qs, user, Perm.MANAGE_CARE, "union")


def drives_visible(user: Any) -> QuerySet[DonationDrive]:
    """Drives the user runs, and drives of the unions the user takes part in as a member."""
    qs = DonationDrive.objects.select_related("union")
    managed = access.scope(qs, user, Perm.MANAGE_CARE, "union").values("pk")
    joined = access.scope(qs, user, Perm.PARTICIPATE, "union").values("pk")
    return qs.filter(Q(pk__in=managed) | Q(pk__in=joined))


def drive_managed(user: Any, pk: int) -> DonationDrive | None:
    return drives_managed(user).filter(pk=pk).first()


def drive_visible(user: Any, pk: int) -> DonationDrive | None:
    return drives_visible(user).filter(pk=pk).first()


@dataclass(frozen=True)
class SourceTotal:
    source: str
    label: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class DriveTotals:
    by_source: list[SourceTotal]
    collected: Decimal
    given_out: Decimal
    balance: Decimal
    donations: int
    uses: int


def drive_totals(drive: DonationDrive) -> DriveTotals:
    """Totals by source, what was given out and what is left (two queries)."""
    labels = dict(Donation.Source.choices)
    rows = {
        r["source"]: r
        for r in drive.donations.values("source").annotate(s=Sum("amount"), n=Count("id"))
    }
    by_source = [
        SourceTotal(key, str(labels[key]), rules.yuan(rows[key]["s"]), rows[key]["n"])
        for key in Donation.Source.values
        if key in rows
    ]
    used = drive.uses.aggregate(s=Sum("amount"), n=Count("id"))
    b = rules.drive_balance(
        collected=sum((s.amount for s in by_source), Decimal("0")),
        given_out=used["s"] or Decimal("0"),
    )
    return DriveTotals(
        by_source, b.collected, b.given_out, b.balance, sum(s.count for s in by_source), used["n"]
    )


@dataclass(frozen=True)
class ThankYouLine:
    name: str
    amount: Decimal


def thank_you_list(drive: DonationDrive) -> list[ThankYouLine]:
    """The public list, largest gifts first: donors by name, or 爱心人士 for those who asked
    not to be named. Amounts are shown, as union thank-you boards (爱心榜) do, because the
    drive's accounts are public to its members; only the name can be withheld."""
    return [
        ThankYouLine(ANONYMOUS_NAME if d.anonymous_on_public_list else d.donor_name, d.amount)
        for d in drive.donations.order_by("-amount", "donated_on", "id")
    ]


def my_donations(user: Any) -> list[Donation]:
    person_id = getattr(user, "person_id", None)
    if not user.is_authenticated or not person_id:
        return []
    return list(Donation.objects.filter(donor_id=person_id).select_related("drive"))


@dataclass(frozen=True)
class UnionDriveCounts:
    union_id: int
    name: str
    drives: int
    collected: Decimal
    given_out: Decimal


def counts_by_union(user: Any, year: int) -> list[UnionDriveCounts]:
    """Drives started in a year per union in the user's statistical reach: counts and
    totals, never names."""
    qs = access.scope(
        DonationDrive.objects.filter(starts_on__year=year), user, Perm.VIEW_STATS, "union"
    )
    collected = dict(qs.values_list("union_id").annotate(s=Sum("donations__amount")).order_by())
    given = dict(qs.values_list("union_id").annotate(s=Sum("uses__amount")).order_by())
    rows = qs.values("union_id", "union__name", "union__path").annotate(n=Count("id"))
    return [
        UnionDriveCounts(
            r["union_id"],
            r["union__name"],
            r["n"],
            rules.yuan(collected.get(r["union_id"]) or 0),
            rules.yuan(given.get(r["union_id"]) or 0),
        )
        for r in rows.order_by("union__path")
    ]


def donations_xlsx(drive: DonationDrive) -> bytes:
    """The drive's donations for the union office: every row with the donor's real name
    (the office keeps the accounts), the anonymous flag, and totals by source."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "捐款明细"
    ws.append([drive.title])
    ws.append(["序号", "日期", "捐款人", "来源", "金额（元）", "公开名单匿名"])
    labels = dict(Donation.Source.choices)
    for i, d in enumerate(drive.donations.order_by("donated_on", "id"), start=1):
        ws.append(
            [
                i,
                d.donated_on,
                d.donor_name,
                str(labels.get(d.source, d.source)),
                d.amount,
                "是" if d.anonymous_on_public_list else "",
            ]
        )
    totals = drive_totals(drive)
    ws2 = wb.create_sheet("汇总")
    ws2.append(["来源", "笔数", "金额（元）"])
    for s in totals.by_source:
        ws2.append([s.label, s.count, s.amount])
    ws2.append(["合计", totals.donations, totals.collected])
    ws2.append(["已发放", totals.uses, totals.given_out])
    ws2.append(["结余", "", totals.balance])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
