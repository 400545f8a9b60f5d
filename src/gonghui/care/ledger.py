"""The care-payment ledger and the spending caps it is checked against.

Visits, distributions and hardship aid all post here, through ``payment_post``, so one
place decides whether a payment would take a member over a yearly cap. The ledger is
append-only: a correction is a new row with a negative amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, User
from gonghui.core.services import audit, snapshot
from gonghui.members.models import Member

from . import rules
from .models import CapItem, CarePayment, CareSettings, SpendingCap

DEFAULT_PROVINCE = "安徽"


def province_of(union: OrgUnit) -> str:
    row = CareSettings.objects.filter(union=union).first()
    return row.province if row else DEFAULT_PROVINCE


def provincial_rows(province: str) -> list[tuple[rules.CapRow, SpendingCap | None]]:
    """A province's caps: the built-in published rules, each replaced by a stored row of
    the same item and year, and the stored rows. A stored rule comes with its row (source
    note, id); a built-in one with None."""
    stored = list(SpendingCap.objects.filter(province=province, union__isnull=True))
    replaced = {(r.item, r.from_year) for r in stored}
    rows: list[tuple[rules.CapRow, SpendingCap | None]] = [
        (r, None)
        for r in rules.DEFAULT_CAPS
        if r.province == province and (r.item, r.from_year) not in replaced
    ]
    rows += [(rules.CapRow(province, r.item, r.from_year, r.amount), r) for r in stored]
    return rows


def cap_rows(union: OrgUnit, province: str) -> list[rules.CapRow]:
    """The province's caps (``provincial_rows``) and the union's own rows beside them."""
    rows = [row for row, _stored in provincial_rows(province)]
    rows += [
        rules.CapRow(province, item, year, amount, union_id=union.pk)
        for item, year, amount in SpendingCap.objects.filter(union=union).values_list(
            "item", "from_year", "amount"
        )
    ]
    return rows


def rule_source(stored: SpendingCap | None) -> str:
    """Where a provincial rule comes from: its stored row's note, else the published rules
    built in."""
    return (stored.source_note if stored else "") or rules.DEFAULT_CAPS_SOURCE


def strictest_provincial_rule(
    province: str, item: str, from_year: int, to_year: int
) -> tuple[rules.CapRow, str] | None:
    """The province's lowest rule for an item in force in any year from ``from_year`` to
    ``to_year`` and its source (for one year: the rule in force that year); None when the
    province does not cap the item then."""
    rows = provincial_rows(province)
    row = rules.strictest_provincial_row(
        [r for r, _stored in rows],
        province=province,
        item=item,
        from_year=from_year,
        to_year=to_year,
    )
    if row is None:
        return None
    return row, rule_source(next(s for r, s in rows if r is row))


def cap_for(union: OrgUnit, item: str, year: int) -> Decimal | None:
    """The cap the ledger checks a payment against: the lower of the union's own cap and
    its province's (``rules.cap_row_in_force``), so a union's own cap never loosens the
    province's."""
    province = province_of(union)
    return rules.effective_cap(
        cap_rows(union, province), province=province, union_id=union.pk, item=item, year=year
    )


def spent(member: Member, item: str, year: int) -> Decimal:
    total = CarePayment.objects.filter(member=member, cap_item=item, year=year).aggregate(
        s=Sum("amount")
    )["s"]
    return rules.yuan(total or 0)


def spent_by_member(member_ids: Iterable[int], item: str, year: int) -> dict[int, Decimal]:
    """Year-to-date totals of one item for many members in one query (distributions)."""
    ids = list(member_ids)
    rows = (
        CarePayment.objects.filter(cap_item=item, year=year, member_id__in=ids)
        .values_list("member_id")
        .annotate(s=Sum("amount"))
    )
    return {mid: rules.yuan(s) for mid, s in rows}


def spent_all(item: str, year: int, union: OrgUnit) -> dict[int, Decimal]:
    """Year-to-date totals of one item for every member of a union who has any."""
    rows = (
        CarePayment.objects.filter(cap_item=item, year=year, union=union)
        .values_list("member_id")
        .annotate(s=Sum("amount"))
    )
    return {mid: rules.yuan(s) for mid, s in rows}


def cap_decision(
    *, member: Member, item: str, on: date, amount: Decimal, override_reason: str = ""
) -> rules.CapDecision:
    return rules.cap_check(
        spent=spent(member, item, on.year),
        amount=amount,
        cap=cap_for(member.union, item, on.year),
        override_reason=override_reason,
    )


def payment_post(
    *,
    actor: User | None,
    member: Member,
    cap_item: str,
    paid_on: date,
    cash: Decimal = Decimal("0"),
    gift_value: Decimal = Decimal("0"),
    source: str,
    source_id: int,
    responsible: Person | None = None,
    override_reason: str = "",
    approved_by: User | None = None,
) -> CarePayment:
    """Post one payment, refusing it when it would take the member over the item's yearly
    cap, unless someone allowed to override (the chair) gives a written reason: the actor,
    or ``approved_by`` when a cadre hands out what the chair approved earlier. Call inside
    the caller's transaction; the member row is locked so two postings for the same member
    cannot both pass a cap that only one fits under."""
    if cap_item not in CapItem.values:
        raise DomainError("bad_cap_item", "未知的慰问/福利项目", field="cap_item")
    cash, gift_value = rules.yuan(cash), rules.yuan(gift_value)
    if cash < 0 or gift_value < 0:
        raise DomainError("negative_amount", "金额不能为负数", field="cash")
    amount = cash + gift_value
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("union").get(pk=member.pk)
        reason = override_reason.strip()
        approver = approved_by or actor
        if reason and (
            approver is None or not access.has_perm(approver, Perm.OVERRIDE_CAPS, member.union)
        ):
            raise DomainError(
                "override_not_allowed",
                "只有工会主席可以批准超过上限的发放",
                field="override_reason",
            )
        decision = cap_decision(
            member=member, item=cap_item, on=paid_on, amount=amount, override_reason=reason
        )
        if not decision.allowed:
            raise DomainError("over_cap", f"{member.person.name}：{decision.reason}", field="cash")
        payment = CarePayment.objects.create(
            union=member.union,
            member=member,
            cap_item=cap_item,
            year=paid_on.year,
            paid_on=paid_on,
            cash=cash,
            gift_value=gift_value,
            amount=amount,
            source=source,
            source_id=source_id,
            responsible=responsible,
            recorded_by=actor if actor and actor.pk else None,
            override_reason=reason if decision.overridden else "",
        )
        audit(
            actor=actor,
            action=_payment_action(source, overridden=decision.overridden),
            obj=payment,
            unit=member.union,
            after=snapshot(payment),
            note=_override_note(decision, approver) if decision.overridden else "",
        )
    return payment


def _override_note(decision: rules.CapDecision, approver: User | None) -> str:
    return f"{decision.reason}；批准人：{approver}" if approver else decision.reason


def _payment_action(source: str, *, overridden: bool) -> str:
    # Aid payments name a member in hardship; their audit rows are read like the files.
    if source == CarePayment.Source.AID:
        return "care.hardship_aid_payment"
    return "care.cap_override" if overridden else "care.payment"


def payment_correct(*, actor: User | None, payment: CarePayment, reason: str) -> CarePayment:
    """Cancel a payment by posting its negative; the original row stays."""
    if not reason.strip():
        raise DomainError("reason_required", "请填写更正原因", field="reason")
    with transaction.atomic():
        correction = CarePayment.objects.create(
            union=payment.union,
            member=payment.member,
            cap_item=payment.cap_item,
            year=payment.year,
            paid_on=payment.paid_on,
            cash=-payment.cash,
            gift_value=-payment.gift_value,
            amount=-payment.amount,
            source=CarePayment.Source.CORRECTION,
            source_id=payment.pk,
            recorded_by=actor if actor and actor.pk else None,
            override_reason="",
        )
        audit(
            actor=actor,
            action="care.hardship_aid_payment"
            if payment.source == CarePayment.Source.AID
            else "care.payment_correct",
            obj=correction,
            unit=payment.union,
            after=snapshot(correction),
            note=reason,
        )
    return correction
