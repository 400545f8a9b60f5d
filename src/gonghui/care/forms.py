"""Forms of the must-visit pages. They parse input; every rule lives in services.py and
ledger.py, whose DomainErrors the views attach to the field they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import style_widgets

from . import services
from .models import CapItem, EventKind


class MoneyBounds(TypedDict):
    """The DecimalField arguments of an amount in yuan; a TypedDict so that ``**MONEY`` is
    checked against the field's parameters."""

    max_digits: int
    decimal_places: int
    min_value: Decimal | int


MONEY: MoneyBounds = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the service checks each one's type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class _Styled(forms.Form):
    """Bootstrap classes on every widget, so templates render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class EventReportForm(_Styled):
    member = forms.IntegerField(widget=forms.HiddenInput, required=True)
    kind = forms.ChoiceField(label=_("What happened"), choices=EventKind.choices)
    occurred_on = forms.DateField(
        label=_("Date of event"), widget=DateInput(), initial=timezone.localdate
    )
    relative = forms.CharField(
        label=_("Relative concerned"),
        max_length=40,
        required=False,
        help_text=_("For the death of a direct relative: e.g. father, mother, spouse."),
    )
    details = forms.CharField(
        label=_("Details of the event"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hospital and ward, where to visit, what the family needs."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].error_messages["required"] = _("Choose the member.")


class VisitForm(_Styled):
    kind = forms.ChoiceField(label=_("Occasion (cap item)"), choices=CapItem.choices)
    visited_on = forms.DateField(
        label=_("Visited on"), widget=DateInput(), initial=timezone.localdate
    )
    visitors = forms.CharField(label=_("Visitors"), max_length=200)
    cash = forms.DecimalField(label=_("Cash (yuan)"), initial=Decimal("0.00"), **MONEY)
    gift_description = forms.CharField(label=_("Gifts"), max_length=200, required=False)
    gift_value = forms.DecimalField(label=_("Gift value (yuan)"), initial=Decimal("0.00"), **MONEY)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    receipt_signed = forms.BooleanField(label=_("The member signed the receipt"), required=False)
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("JPG or PNG, at most 5 MB each."),
    )
    override_reason = forms.CharField(
        label=_("Reason for going over the cap (chair only)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the payment is refused as over the cap; it is recorded."),
    )

    def __init__(self, *args: Any, can_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]


class TaskCancelForm(_Styled):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ProvinceForm(_Styled):
    province = forms.ChoiceField(
        label=_("Province whose caps apply"), choices=[(p, p) for p in services.PROVINCES]
    )


class CapForm(_Styled):
    item = forms.ChoiceField(label=_("Item"), choices=CapItem.choices)
    from_year = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("Cap per person and year (yuan)"), **MONEY)
    source_note = forms.CharField(label=_("Source"), max_length=200, required=False)


class VisitRuleForm(_Styled):
    visit_required = forms.BooleanField(label=_("Visit required"), required=False)
    who_visits = forms.CharField(label=_("Who visits"), max_length=100, required=False)
    standard_cash = forms.DecimalField(label=_("Standard cash (yuan)"), **MONEY)
    standard_gift = forms.CharField(label=_("Standard gift"), max_length=100, required=False)
    deadline_days = forms.IntegerField(
        label=_("Visit within days"), min_value=0, max_value=services.MAX_DEADLINE_DAYS
    )
    cap_item = forms.ChoiceField(label=_("Cap item"), choices=CapItem.choices)
