"""Forms of the provincial caps pages. They parse input; the rules (amounts above nothing
and below a sane bound, a year not entered twice, a reason for every correction) live in
``cap_defaults``, whose refusals the views attach to the field they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .cap_defaults import REASON_REQUIRED, SOURCE_REQUIRED
from .forms import _Styled
from .models import CapItem

# Wide enough for any figure typed; the service says what is too much and why.
MAX_DIGITS = 12


class YearCapsForm(_Styled):
    """A province's caps from a year on: one amount per item, the document they come
    from. With ``provinces`` it also asks which province (entering a new province)."""

    from_year = forms.IntegerField(label=_("From year"))
    source_note = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("The document's name and number, as the provincial federation issued it."),
        error_messages={"required": SOURCE_REQUIRED},
    )

    def __init__(self, *args: Any, provinces: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if provinces is not None:
            self.fields["province"] = forms.ChoiceField(
                label=_("Province"), choices=[("", "—"), *((p, p) for p in provinces)]
            )
            self.order_fields(["province"])
        for item, label in CapItem.choices:
            self.fields[f"amount_{item}"] = forms.DecimalField(
                label=label,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
                max_digits=MAX_DIGITS,
                decimal_places=2,
            )

    def amount_fields(self) -> list[forms.BoundField]:
        return [self[f"amount_{item}"] for item in CapItem.values]

    def head_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("amount_")]

    def amounts(self) -> dict[str, Decimal | None]:
        return {item: self.cleaned_data.get(f"amount_{item}") for item in CapItem.values}


class CorrectForm(_Styled):
    amount = forms.DecimalField(
        label=_("Correct cap per person and year (yuan)"), max_digits=MAX_DIGITS, decimal_places=2
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the old and the new amount."),
        error_messages={"required": REASON_REQUIRED},
    )
    source_note = forms.CharField(
        label=_("Corrected source"),
        max_length=200,
        required=False,
        help_text=_("Only if the source is wrong too; leave empty to keep it."),
    )


class WithdrawForm(_Styled):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. entered for the wrong year; the document was withdrawn."),
        error_messages={"required": REASON_REQUIRED},
    )
