"""Forms of the distribution pages: the plan (with presets), the list filter, reasons and
hand-out dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import field_as
from gonghui.core.models import OrgUnit
from gonghui.members.models import EmploymentType, WorkStatus

from . import distributions, rules
from .models import CapItem, Distribution, DistributionLine

PRESET_LABELS = {
    "mid_autumn": _("Mid-Autumn gifts for members in work"),
    "spring_festival": _("Spring Festival gifts for members in work"),
    "birthday": _("Birthday cakes for members born this month"),
    "heat_relief": _("Heat-relief supplies for outdoor or high-temperature posts"),
    "double_ninth": _("Retirees at the Double Ninth"),
}

MONTHS = [("", _("Any month"))] + [(str(m), str(m)) for m in range(1, 13)]
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def preset_initial(key: str, today: date) -> dict[str, Any]:
    """Initial values of the plan form for a preset; empty for an unknown key."""
    preset = rules.PRESETS.get(key)
    if preset is None:
        return {}
    on = today
    if preset.month is not None:
        on = date(today.year, preset.month, 15)
        if on < today:  # the next one, not one that is over
            on = date(today.year + 1, preset.month, 15)
    c = preset.criteria
    return {
        "title": rules.preset_title(preset, on),
        "kind": preset.kind,
        "cap_item": preset.cap_item,
        "given_on": on,
        "amount_per_person": preset.amount,
        "gift_description": preset.gift,
        "work_statuses": list(c.work_statuses),
        "employment_types": list(c.employment_types),
        "birth_month": str(on.month) if preset.key == "birthday" else "",
    }


class PlanForm(forms.Form):
    union: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        queryset=None, label=_("Union"), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Distribution.Kind.choices)
    cap_item = forms.ChoiceField(label=_("Counts against the cap of"), choices=CapItem.choices)
    given_on = forms.DateField(label=_("Date of distribution"), widget=DATE_WIDGET)
    amount_per_person = forms.DecimalField(
        label=_("Value per person (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    gift_description = forms.CharField(label=_("What is given"), max_length=200)
    work_statuses = forms.MultipleChoiceField(
        label=_("Work status"),
        choices=WorkStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    employment_types = forms.MultipleChoiceField(
        label=_("Employment types"),
        choices=EmploymentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every employment type."),
    )
    unit_ids = forms.TypedMultipleChoiceField(
        label=_("Only these groups"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: the whole union."),
    )
    birth_month = forms.ChoiceField(label=_("Born in month"), choices=MONTHS, required=False)
    posts = forms.CharField(
        label=_("Post contains"),
        required=False,
        max_length=200,
        help_text=_("Words separated by commas, e.g. outdoor, boiler; empty: any post."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unions = distributions.plan_unions(user)
        field_as(self, "union", forms.ModelChoiceField).queryset = OrgUnit.objects.filter(
            pk__in=[u.pk for u in unions]
        ).order_by("path")
        field_as(self, "unit_ids", forms.ChoiceField).choices = distributions.plan_groups(unions)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.DateInput):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        words = [w.strip() for w in data["posts"].replace("，", ",").split(",")]
        return {
            "statuses": ["active"],
            "work_statuses": data["work_statuses"],
            "employment_types": data["employment_types"],
            "unit_ids": data["unit_ids"],
            "birth_month": int(data["birth_month"]) if data["birth_month"] else None,
            "posts": [w for w in words if w],
        }


STATE_CHOICES = [
    ("", _("Everyone on the list")),
    ("waiting", _("Not yet handed out")),
    ("handed", _("Handed out")),
    (DistributionLine.CapState.OVER, _("Over the cap")),
    (DistributionLine.CapState.OVERRIDDEN, _("Allowed by the chair")),
    ("excluded", _("Taken off the list")),
]


class LineFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Group"), coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=20)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "unit", forms.ChoiceField).choices = [("", _("All groups")), *groups]
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["state"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": _("Name starts with…")}
        )

    def values(self) -> tuple[int | None, str, str]:
        if not self.is_valid():
            return None, "", ""
        d = self.cleaned_data
        return d["unit"], d["state"] or "", d["q"] or ""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class HandoutForm(forms.Form):
    on = forms.DateField(label=_("Handed out on"), widget=DATE_WIDGET)


class GroupHandoutForm(HandoutForm):
    unit = forms.IntegerField(widget=forms.HiddenInput)
