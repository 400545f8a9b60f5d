"""Forms of the disclosure pages. They parse input; the rules live in disclosure.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm
from gonghui.core.models import OrgUnit

from . import disclosure
from .models import DisclosureCategory, DisclosureItem


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ItemFilterForm(StyledForm):
    category = forms.ModelChoiceField(
        label=_("Board section"),
        queryset=DisclosureCategory.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any")), *DisclosureItem.Stage.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *DisclosureItem.Status.choices], required=False
    )
    # Any year is accepted (a bookmarked filter outlives the dropdown's list of years).
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, required=False, widget=forms.Select
    )

    def __init__(self, *args: Any, union: OrgUnit, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("category", forms.ModelChoiceField).queryset = disclosure.categories_of(
            union, archived=True
        )
        years = disclosure.item_years(union)
        self.fields["year"].widget.choices = [("", _("Any")), *[(y, str(y)) for y in years]]

    def to_filter(self) -> disclosure.ItemFilter:
        if not self.is_valid():
            return disclosure.ItemFilter()
        d = self.cleaned_data
        return disclosure.ItemFilter(
            category=d["category"].pk if d["category"] else None,
            stage=d["stage"] or "",
            status=d["status"] or "",
            year=d["year"],
        )


class ItemForm(StyledForm):
    category = forms.ModelChoiceField(
        label=_("Board section"), queryset=DisclosureCategory.objects.none()
    )
    title = forms.CharField(label=_("Item title"), max_length=200)
    body = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000
    )
    regularity = forms.ChoiceField(
        label=_("Regular or ad hoc"),
        choices=DisclosureItem.Regularity.choices,
        initial=DisclosureItem.Regularity.REGULAR,
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=DisclosureItem.Stage.choices)
    visible_until = forms.DateField(
        label=_("Shown until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to keep the item on the board."),
    )

    def __init__(self, *args: Any, union: OrgUnit, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("category", forms.ModelChoiceField).queryset = disclosure.categories_of(union)


class ReviseForm(StyledForm):
    title = forms.CharField(label=_("Item title"), max_length=200)
    body = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        help_text=_("Members see this reason in the item's history."),
    )


class PublishForm(StyledForm):
    published_on = forms.DateField(
        label=_("Published on"), widget=DateInput(), initial=timezone.localdate
    )


class WithdrawForm(StyledForm):
    reason = forms.CharField(label=_("Reason for the withdrawal"), max_length=300)


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx), JPG or PNG, at most 10 MB."),
    )


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("Section name"), max_length=60)
    responsible_department = forms.CharField(label=_("Responsible department"), max_length=80)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)


class PresetForm(StyledForm):
    kind = forms.ChoiceField(label=_("Preset list"), choices=list(disclosure.PRESET_LABELS.items()))


class YearForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def year_or(self, default: int) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return default
