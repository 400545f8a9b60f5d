"""Provincial default caps (省级每人每年福利上限): who may read and change them, the reads
the pages show, and the three changes: a new year's caps (a new province is its first
year), correcting an amount, withdrawing a year that is not yet in force.

The published rules are built in (``rules.DEFAULT_CAPS``); a stored row without a union
replaces the built-in rule of the same province, item and year, and stored rows add new
years and provinces (decision 0007; ``ledger.provincial_rows`` merges them). The caps come
from the provincial federation's documents and hold for every union of the province, so a
system administrator enters them once; everyone who manages care, and upper unions, read
them.

Checks use the caps as they stand when a payment is posted: a change applies from then on,
and payments already posted are never judged again. A row that has been in force is never
deleted (payments were checked against it): a wrong amount is corrected in place, audited
with before and after and a reason. A year not yet in force, against which nothing was
checked, may be withdrawn: its rows are deleted, their content kept in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, OrgUnit, Role, User
from gonghui.core.services import audit, snapshot

from . import ledger, rules
from .models import CapItem, CarePayment, CareSettings, SpendingCap
from .services import PROVINCES

AUDIT_LABELS = {
    "care.provincial_cap_add": _lazy("Provincial cap added"),
    "care.provincial_cap_correct": _lazy("Provincial cap corrected"),
    "care.provincial_cap_withdraw": _lazy("Provincial cap withdrawn before it came into force"),
}

# No province caps an item above a few thousand yuan per person a year; a larger figure
# is a typing slip (an extra zero), not a rule.
MAX_CAP = Decimal("50000")
# Provinces publish next year's rules in the autumn at the earliest.
MAX_YEARS_AHEAD = 2
FIRST_YEAR = 2000
CENT = Decimal("0.01")
HISTORY_LENGTH = 20

AUDITED_FIELDS = ["amount", "source_note"]

# Also the forms' messages for an empty field, so the page and the API say the same.
SOURCE_REQUIRED = _lazy(
    "Give the source: the document's name and number,"
    " e.g. 皖工发〔2021〕12号《安徽省基层工会经费收支管理实施细则》."
)
REASON_REQUIRED = _lazy("Say why, e.g. “typed wrongly: the document says ¥1,300”.")
UNION_KINDS = ("grassroots", "joint")


def _today() -> date:
    return timezone.localdate()


# ---- access ------------------------------------------------------------------------------


def may_read(user: User | AnonymousUser) -> bool:
    """Anyone who manages care (to see which provincial rule applies and where it comes
    from), funds auditors (who check the spending against these caps), upper-union
    officers, and administrators."""
    return (
        access.is_admin(user)
        or access.has_any(user, Perm.MANAGE_CARE)
        or access.has_any(user, Perm.VIEW_FINANCE)
        or Role.UPPER_OFFICER in access.roles(user)
    )


def may_edit(user: User | AnonymousUser) -> bool:
    """A system administrator: the operator enters the provincial federation's documents
    once for every union of the province; no union may change its province's rules."""
    return access.is_admin(user)


def _require_editor(actor: User | None) -> None:
    if actor is not None and not may_edit(actor):
        raise DomainError(
            "care.caps_forbidden", _("Only a system administrator may change provincial caps.")
        )


# ---- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapCell:
    """One provincial rule: an item's cap from a year on."""

    item: str
    from_year: int
    amount: Decimal
    source: str
    built_in: bool
    in_force: bool  # the item's rule this year


@dataclass(frozen=True)
class YearColumn:
    year: int
    sources: list[str]
    started: bool  # in force now or before: payments may have been checked against it
    withdrawable: bool  # not yet in force and every rule stored (built-in rules stay)


@dataclass(frozen=True)
class ItemLine:
    item: str
    label: str
    cells: list[CapCell | None]  # one per year column, None where the year sets nothing
    in_force: Decimal | None


@dataclass(frozen=True)
class ProvinceCaps:
    province: str
    years: list[YearColumn]
    items: list[ItemLine]
    this_year: int

    @property
    def latest_year(self) -> int | None:
        return self.years[-1].year if self.years else None


@dataclass(frozen=True)
class ProvinceSummary:
    province: str
    first_year: int
    latest_year: int
    items: int


def _cells(province: str, this_year: int) -> list[CapCell]:
    rows = ledger.provincial_rows(province)
    plain = [row for row, _stored in rows]
    in_force = {
        item: rules.cap_row_in_force(
            plain, province=province, union_id=None, item=item, year=this_year
        )
        for item in CapItem.values
    }
    return [
        CapCell(
            item=row.item,
            from_year=row.from_year,
            amount=row.amount,
            source=stored.source_note if stored else rules.DEFAULT_CAPS_SOURCE,
            built_in=stored is None,
            in_force=in_force[row.item] == row,
        )
        for row, stored in rows
    ]


def provinces() -> list[str]:
    """Provinces with caps, built in or stored, in the usual order of provinces."""
    names = {r.province for r in rules.DEFAULT_CAPS}
    names |= set(SpendingCap.objects.filter(union__isnull=True).values_list("province", flat=True))
    return [p for p in PROVINCES if p in names]


def provinces_without_caps() -> list[str]:
    """Provinces no rule caps yet: the ones a new province may be entered for."""
    have = set(provinces())
    return [p for p in PROVINCES if p not in have]


def province_summaries(today: date | None = None) -> list[ProvinceSummary]:
    """Each province with caps: its first and latest year and the items it caps."""
    this_year = (today or _today()).year
    out = []
    for province in provinces():
        cells = _cells(province, this_year)
        years = [c.from_year for c in cells]
        out.append(
            ProvinceSummary(
                province=province,
                first_year=min(years),
                latest_year=max(years),
                items=len({c.item for c in cells}),
            )
        )
    return out


def province_caps(province: str, today: date | None = None) -> ProvinceCaps:
    """A province's caps as a table: items down, the years rules start in across, and
    the rule in force this year marked."""
    this_year = (today or _today()).year
    cells = _cells(province, this_year)
    years = sorted({c.from_year for c in cells})
    columns = []
    for year in years:
        of_year = [c for c in cells if c.from_year == year]
        started = year <= this_year
        columns.append(
            YearColumn(
                year=year,
                sources=sorted({c.source for c in of_year if c.source}),
                started=started,
                withdrawable=not started and not any(c.built_in for c in of_year),
            )
        )
    by_key = {(c.item, c.from_year): c for c in cells}
    items = []
    for item, label in CapItem.choices:
        line = [by_key.get((item, y)) for y in years]
        current = next((c for c in line if c is not None and c.in_force), None)
        items.append(
            ItemLine(item, str(label), line, current.amount if current is not None else None)
        )
    return ProvinceCaps(province, columns, items, this_year)


def province_rule(province: str, item: str, from_year: int) -> CapCell | None:
    """One rule of a province, or None (the page answers 404)."""
    return next(
        (c for c in _cells(province, _today().year) if (c.item, c.from_year) == (item, from_year)),
        None,
    )


def latest_amounts(province: str) -> dict[str, Decimal]:
    """Every capped item's amount in its newest rule: what a new year's form starts from,
    since a new document mostly repeats the old amounts."""
    cells = sorted(_cells(province, _today().year), key=lambda c: c.from_year)
    return {c.item: c.amount for c in cells}


def unions_by_province() -> dict[str, int]:
    """How many unions each province's caps apply to (a union that chose none has the
    default province's): what a change reaches."""
    unions = OrgUnit.objects.filter(kind__in=UNION_KINDS, archived_at__isnull=True)
    chosen = dict(
        CareSettings.objects.filter(union__in=unions)
        .values_list("province")
        .annotate(n=Count("pk"))
        .values_list("province", "n")
    )
    without = unions.exclude(pk__in=CareSettings.objects.values("union_id")).count()
    chosen[ledger.DEFAULT_PROVINCE] = chosen.get(ledger.DEFAULT_PROVINCE, 0) + without
    return chosen


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    what: str
    rule: str
    before: str
    after: str
    reason: str


def history(province: str) -> list[Change]:
    """The latest changes to a province's caps, from the audit trail: who changed which
    rule when, from what amount to what, and why."""
    events = AuditEvent.objects.filter(
        object_type=SpendingCap._meta.label_lower,
        action__in=list(AUDIT_LABELS),
        object_repr__startswith=f"{province} ",
    ).select_related("actor")[:HISTORY_LENGTH]
    return [
        Change(
            at=e.at,
            actor=str(e.actor) if e.actor else "",
            what=str(AUDIT_LABELS[e.action]),
            rule=e.object_repr,
            before=(e.before or {}).get("amount", ""),
            after=(e.after or {}).get("amount", ""),
            reason=e.note,
        )
        for e in events
    ]


# ---- checks -------------------------------------------------------------------------------


def _province(province: str) -> str:
    province = province.strip()
    if province not in PROVINCES:
        raise DomainError("care.province", _("Choose a province."), field="province")
    return province


def _item(item: str, field: str) -> str:
    if item not in CapItem.values:
        raise DomainError("care.cap_item", _("Unknown item."), field=field)
    return item


def _amount(value: Decimal | int | str, field: str) -> Decimal:
    """A cap in yuan: more than nothing, at most two decimal places, below ``MAX_CAP``."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise DomainError(
            "care.cap_amount", _("Give the cap as an amount in yuan, e.g. 300."), field=field
        )
    if amount != amount.quantize(CENT):
        raise DomainError(
            "care.cap_amount",
            _("Give the cap in yuan with at most two decimal places."),
            field=field,
        )
    if amount <= 0:
        raise DomainError("care.cap_amount", _("A cap must be more than ¥0."), field=field)
    if amount > MAX_CAP:
        raise DomainError(
            "care.cap_amount",
            _(
                "¥%(amount)s is more than any province caps an item per person a year"
                " (at most ¥%(max)s). Check the amount."
            )
            % {"amount": amount, "max": MAX_CAP},
            field=field,
        )
    return amount.quantize(CENT)


def _year(year: int, this_year: int) -> int:
    last = this_year + MAX_YEARS_AHEAD
    if not FIRST_YEAR <= year <= last:
        raise DomainError(
            "care.cap_year",
            _("Give a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": last},
            field="from_year",
        )
    return year


def _source(note: str, *, required: bool) -> str:
    note = note.strip()
    if required and not note:
        raise DomainError("care.cap_source", str(SOURCE_REQUIRED), field="source_note")
    if len(note) > 200:
        raise DomainError(
            "care.cap_source",
            _("The source may be at most 200 characters long."),
            field="source_note",
        )
    return note


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError("care.reason_required", str(REASON_REQUIRED), field="reason")
    if len(reason) > 300:
        raise DomainError(
            "care.reason_long", _("The reason may be at most 300 characters long."), field="reason"
        )
    return reason


def _year_exists(province: str, year: int) -> DomainError:
    return DomainError(
        "care.cap_year_exists",
        _(
            "%(province)s already has caps from %(year)s. Correct an amount of that year"
            " instead of entering the year again."
        )
        % {"province": province, "year": year},
        field="from_year",
    )


# ---- changes ------------------------------------------------------------------------------


def provincial_caps_add(
    *,
    actor: User | None,
    province: str,
    from_year: int,
    amounts: Mapping[str, Decimal | int | str | None],
    source_note: str,
) -> list[SpendingCap]:
    """A province's caps from a year on, one rule per item given (an item left out keeps
    its older rule). A province without caps gets its first year this way. A year the
    province already has is refused: its amounts are corrected one by one instead."""
    _require_editor(actor)
    province = _province(province)
    from_year = _year(from_year, _today().year)
    source_note = _source(source_note, required=True)
    given = {
        _item(item, f"amount_{item}"): _amount(value, f"amount_{item}")
        for item, value in amounts.items()
        if value is not None and str(value).strip() != ""
    }
    if not given:
        raise DomainError("care.caps_empty", _("Fill in the cap of at least one item."))
    with transaction.atomic():
        if any(row.from_year == from_year for row, _s in ledger.provincial_rows(province)):
            raise _year_exists(province, from_year)
        try:
            with transaction.atomic():
                created = [
                    SpendingCap.objects.create(
                        province=province,
                        union=None,
                        item=item,
                        from_year=from_year,
                        amount=amount,
                        source_note=source_note,
                    )
                    for item, amount in given.items()
                ]
        except IntegrityError:
            # Another administrator entered the same year a moment ago.
            raise _year_exists(province, from_year) from None
        for row in created:
            audit(
                actor=actor,
                action="care.provincial_cap_add",
                obj=row,
                after=snapshot(row, AUDITED_FIELDS),
            )
    return created


def provincial_cap_correct(
    *,
    actor: User | None,
    province: str,
    item: str,
    from_year: int,
    amount: Decimal | int | str,
    reason: str,
    source_note: str = "",
) -> SpendingCap:
    """Correct the amount (and, when given, the source) of one rule, in force or not. A
    built-in rule is corrected by storing the corrected rule in its place. Checks from now
    on use the new amount; payments already posted stand as they were checked."""
    _require_editor(actor)
    province = _province(province)
    _item(item, "item")
    amount = _amount(amount, "amount")
    reason = _reason(reason)
    source_note = _source(source_note, required=False)
    with transaction.atomic():
        row = (
            SpendingCap.objects.select_for_update()
            .filter(province=province, union__isnull=True, item=item, from_year=from_year)
            .first()
        )
        if row is None:
            built_in = next(
                (
                    r
                    for r in rules.DEFAULT_CAPS
                    if (r.province, r.item, r.from_year) == (province, item, from_year)
                ),
                None,
            )
            if built_in is None:
                raise DomainError("care.cap_missing", _("There is no such provincial cap."))
            row = SpendingCap(
                province=province,
                union=None,
                item=item,
                from_year=from_year,
                amount=built_in.amount,
                source_note=rules.DEFAULT_CAPS_SOURCE,
            )
        before = snapshot(row, AUDITED_FIELDS)
        if amount == row.amount and source_note in ("", row.source_note):
            raise DomainError(
                "care.cap_unchanged",
                _("The cap is already ¥%(amount)s.") % {"amount": row.amount},
                field="amount",
            )
        row.amount = amount
        if source_note:
            row.source_note = source_note
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Two administrators corrected the same built-in rule at once.
            raise DomainError(
                "care.cap_changed",
                _("Someone corrected this cap a moment ago. Open it again and check."),
            ) from None
        audit(
            actor=actor,
            action="care.provincial_cap_correct",
            obj=row,
            before=before,
            after=snapshot(row, AUDITED_FIELDS),
            note=reason,
        )
    return row


def _payments_checked_against(province: str, items: list[str], from_year: int) -> bool:
    """Whether any union of the province posted a payment of these items dated in the
    year or later: those were checked against the year's caps."""
    in_province = Q(union_id__in=CareSettings.objects.filter(province=province).values("union"))
    if province == ledger.DEFAULT_PROVINCE:
        in_province |= ~Q(union_id__in=CareSettings.objects.values("union"))
    return CarePayment.objects.filter(in_province, cap_item__in=items, year__gte=from_year).exists()


def provincial_caps_withdraw(
    *, actor: User | None, province: str, from_year: int, reason: str
) -> int:
    """Withdraw a province's caps of a year that has not begun (entered for the wrong
    year, or the document was withdrawn). Only a year nothing was checked against: not in
    force yet and no payment dated in it. Returns how many rules were withdrawn."""
    _require_editor(actor)
    province = _province(province)
    reason = _reason(reason)
    if from_year <= _today().year:
        raise DomainError(
            "care.caps_in_force",
            _(
                "The caps from %(year)s are or have been in force and payments were checked"
                " against them, so they stay. Correct a wrong amount instead."
            )
            % {"year": from_year},
        )
    with transaction.atomic():
        rows = list(
            SpendingCap.objects.select_for_update().filter(
                province=province, union__isnull=True, from_year=from_year
            )
        )
        if not rows:
            raise DomainError(
                "care.caps_none",
                _("%(province)s has no stored caps from %(year)s.")
                % {"province": province, "year": from_year},
            )
        if _payments_checked_against(province, [r.item for r in rows], from_year):
            raise DomainError(
                "care.caps_used",
                _(
                    "Payments dated %(year)s or later were already checked against these"
                    " caps, so they stay. Correct a wrong amount instead."
                )
                % {"year": from_year},
            )
        for row in rows:
            audit(
                actor=actor,
                action="care.provincial_cap_withdraw",
                obj=row,
                before=snapshot(row, AUDITED_FIELDS),
                note=reason,
            )
            row.delete()
    return len(rows)
