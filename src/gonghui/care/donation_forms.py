"""Forms of the donation pages: a drive, the entry grid, money given out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import field_as, style_widgets
from gonghui.core.models import OrgUnit
from gonghui.members.models import Member, MemberStatus

from . import donations
from .forms import MoneyBounds
from .models import CapItem
from .models.donations import Donation, DonationDrive

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
MONEY: MoneyBounds = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}
GRID_ROWS = 12


class MemberNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.person.name


class ManagedUnionForm(forms.Form):
    """A form that opens something (a drive, a plan) in one of the unions where the user
    manages care; with only one, it is chosen already."""

    union = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Union"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unions = donations.manage_unions(user)
        field_as(self, "union", forms.ModelChoiceField).queryset = OrgUnit.objects.filter(
            pk__in=[u.pk for u in unions]
        )
        if len(unions) == 1:
            self.fields["union"].initial = unions[0].pk
        style_widgets(self)


class DriveForm(ManagedUnionForm):
    title = forms.CharField(max_length=120, label=_("Name of the drive"))
    purpose = forms.CharField(
        required=False, label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(required=False, label=_("Ends on"), widget=DATE_WIDGET)
    target = forms.DecimalField(required=False, label=_("Target (yuan)"), **MONEY)


class DonationRowForm(forms.Form):
    donor_name = forms.CharField(max_length=100, required=False, label=_("Donor"))
    source = forms.ChoiceField(
        choices=Donation.Source.choices, initial=Donation.Source.STAFF, label=_("Source")
    )
    amount = forms.DecimalField(required=False, label=_("Amount (yuan)"), **MONEY)
    anonymous = forms.BooleanField(required=False, label=_("Anonymous"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self, small=True)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("donor_name") and data.get("amount") is None


DonationGrid = forms.formset_factory(DonationRowForm, extra=GRID_ROWS, max_num=200)


class GridDateForm(forms.Form):
    donated_on = forms.DateField(label=_("Date of the donations"), widget=DATE_WIDGET)


class UseForm(forms.Form):
    given_on = forms.DateField(label=_("Date given"), widget=DATE_WIDGET)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    recipient = MemberNameChoiceField(
        queryset=Member.objects.none(), required=False, label=_("Member helped")
    )
    recipient_description = forms.CharField(
        max_length=200, required=False, label=_("Or another recipient (e.g. a disaster area)")
    )
    cap_item = forms.ChoiceField(
        choices=[(c.value, c.label) for c in donations.USE_CAP_ITEMS],
        initial=CapItem.HARDSHIP,
        label=_("Care item"),
    )
    description = forms.CharField(max_length=300, required=False, label=_("Description"))

    def __init__(self, *args: Any, drive: DonationDrive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "recipient", forms.ModelChoiceField).queryset = (
            Member.objects.filter(union=drive.union, status=MemberStatus.ACTIVE)
            .select_related("person")
            .order_by("person__name")
        )
        style_widgets(self)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
