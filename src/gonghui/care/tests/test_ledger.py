"""care.ledger: every payment is checked against the member's yearly cap for its item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.care import cap_defaults, ledger, services
from gonghui.care.models import CarePayment, SpendingCap
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.testing.care_factories import CarePaymentFactory

pytestmark = pytest.mark.django_db
ON = date(2026, 9, 25)


def _post(world, actor, amount: str, source_override: str = "", **kw) -> CarePayment:
    return ledger.payment_post(
        actor=actor,
        member=world.member_a,
        cap_item="hardship" if source_override else "festival",
        paid_on=ON,
        gift_value=Decimal(amount),
        source=source_override or CarePayment.Source.DISTRIBUTION,
        source_id=1,
        **kw,
    )


def test_it_uses_the_provincial_default_cap(world):
    # Anhui (the default province) raised festival gifts to ¥2,000 from 2021.
    assert ledger.cap_for(world.school, "festival", 2026) == Decimal("2000.00")
    assert ledger.cap_for(world.school, "festival", 2019) == Decimal("1500.00")
    assert ledger.cap_for(world.school, "heat_relief", 2026) is None


def test_it_prefers_the_unions_own_cap_then_a_stored_provincial_row(world):
    SpendingCap.objects.create(province="安徽", item="birthday", from_year=2018, amount=250)
    assert ledger.cap_for(world.school, "birthday", 2026) == Decimal("250.00")
    SpendingCap.objects.create(
        province="安徽", union=world.school, item="birthday", from_year=2025, amount=200
    )
    assert ledger.cap_for(world.school, "birthday", 2026) == Decimal("200.00")
    assert ledger.cap_for(world.factory_union, "birthday", 2026) == Decimal("250.00")


def test_it_refuses_a_payment_that_fits_the_unions_own_cap_but_not_the_provinces(world):
    # given a union cap of ¥1,900 for festival gifts, set under the province's ¥2,000,
    # and the province's cap then corrected down to ¥1,600
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="festival", from_year=2022, amount=1900
    )
    cap_defaults.provincial_cap_correct(
        actor=world.admin,
        province="安徽",
        item="festival",
        from_year=2021,
        amount="1600",
        reason="文件为1600元",
    )
    # when ¥1,700 is given: within the union's own cap, over the province's
    with pytest.raises(DomainError) as err:
        _post(world, world.cadre, "1700")
    # then it is refused against the province's lower cap and nothing is posted
    assert err.value.code == "over_cap" and "¥1600.00" in err.value.message
    assert ledger.spent(world.member_a, "festival", 2026) == Decimal("0.00")
    assert ledger.cap_for(world.school, "festival", 2026) == Decimal("1600.00")
    # and what fits the province's cap still goes through
    assert _post(world, world.cadre, "1600").amount == Decimal("1600.00")


def test_it_posts_a_payment_within_the_cap_and_audits_it(world):
    payment = _post(world, world.cadre, "1800")
    assert payment.amount == Decimal("1800.00") and payment.year == 2026
    assert AuditEvent.objects.filter(action="care.payment", object_id=str(payment.pk)).exists()
    assert ledger.spent(world.member_a, "festival", 2026) == Decimal("1800.00")


def test_it_refuses_a_payment_over_the_cap_with_the_figures(world):
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("1900.00"), paid_on=ON)
    with pytest.raises(DomainError) as err:
        _post(world, world.cadre, "200")
    assert err.value.code == "over_cap"
    assert "¥1900.00" in err.value.message and "¥2000.00" in err.value.message
    assert CarePayment.objects.count() == 1


def test_it_lets_only_the_chair_override_with_a_reason(world):
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("1900.00"), paid_on=ON)
    with pytest.raises(DomainError) as err:
        _post(world, world.cadre, "200", override_reason="重病慰问")
    assert err.value.code == "override_not_allowed"
    with pytest.raises(DomainError):
        _post(world, world.admin, "200", override_reason="重病慰问")
    payment = _post(world, world.chair, "200", override_reason="重病慰问")
    assert payment.override_reason == "重病慰问"
    event = AuditEvent.objects.get(action="care.cap_override", object_id=str(payment.pk))
    assert event.actor == world.chair


def test_it_counts_years_and_items_apart(world):
    CarePaymentFactory(
        member=world.member_a, gift_value=Decimal("2000.00"), paid_on=date(2025, 9, 1)
    )
    CarePaymentFactory(member=world.member_a, cap_item="birthday", gift_value=Decimal("300"))
    assert _post(world, world.cadre, "2000").amount == Decimal("2000.00")


def test_it_corrects_by_posting_the_negative(world):
    payment = _post(world, world.cadre, "2000")
    with pytest.raises(DomainError):
        ledger.payment_correct(actor=world.cadre, payment=payment, reason=" ")
    correction = ledger.payment_correct(actor=world.cadre, payment=payment, reason="重复登记")
    assert correction.amount == Decimal("-2000.00")
    assert CarePayment.objects.filter(pk=payment.pk).exists()  # the original stays
    assert ledger.spent(world.member_a, "festival", 2026) == Decimal("0.00")
    assert _post(world, world.cadre, "2000").amount == Decimal("2000.00")


def test_it_sums_many_members_in_one_query(world, django_assert_num_queries):
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("100"))
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("50"))
    CarePaymentFactory(member=world.member_b, gift_value=Decimal("80"))
    with django_assert_num_queries(1):
        by_member = ledger.spent_by_member([world.member_a.pk, world.member_b.pk], "festival", 2026)
    assert by_member == {world.member_a.pk: Decimal("150.00"), world.member_b.pk: Decimal("80.00")}
    assert ledger.spent_all("festival", 2026, world.school) == by_member


def test_it_refuses_negative_amounts_and_unknown_items(world):
    with pytest.raises(DomainError):
        _post(world, world.cadre, "-5")
    with pytest.raises(DomainError):
        ledger.payment_post(
            actor=world.cadre,
            member=world.member_a,
            cap_item="cash_card",
            paid_on=ON,
            cash=Decimal(10),
            source="visit",
            source_id=1,
        )


def test_it_hides_hardship_rows_of_the_audit_trail_from_all_but_file_keepers(world):
    from gonghui.core.queries import audit_scope

    # given: an aid payment and a hardship read in the school's trail, and an ordinary one
    aid = _post(world, world.chair, "100", source_override=CarePayment.Source.AID)
    plain = _post(world, world.cadre, "100")
    # then: the admin and a chair of another union see the ordinary row only
    admin_rows = audit_scope(world.admin).filter(object_type="care.carepayment")
    assert admin_rows.filter(object_id=str(plain.pk), action="care.payment").exists()
    assert not admin_rows.filter(object_id=str(aid.pk)).exists()
    other_rows = audit_scope(world.other_chair).filter(object_type="care.carepayment")
    assert not other_rows.exists()
    # and the school's chair, who keeps the files, sees both
    chair_rows = audit_scope(world.chair)
    assert chair_rows.filter(action="care.hardship_aid_payment", object_id=str(aid.pk)).exists()


def test_it_records_the_cadre_and_names_the_approving_chair(world):
    CarePaymentFactory(member=world.member_a, gift_value=Decimal("1900.00"), paid_on=ON)
    payment = _post(world, world.cadre, "200", override_reason="重病", approved_by=world.chair)
    assert payment.recorded_by == world.cadre
    event = AuditEvent.objects.get(action="care.cap_override", object_id=str(payment.pk))
    assert event.actor == world.cadre and "批准人" in event.note
    with pytest.raises(DomainError):
        _post(world, world.cadre, "200", override_reason="重病", approved_by=world.cadre)
