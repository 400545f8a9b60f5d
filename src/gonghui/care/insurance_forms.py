"""Forms of the insurance pages: a plan, bulk enrolment, a claim and its decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import style_widgets

from .donation_forms import DATE_WIDGET, MONEY, ManagedUnionForm
from .models.donations import InsuranceEnrolment, InsurancePlan


class PlanForm(ManagedUnionForm):
    kind = forms.ChoiceField(choices=InsurancePlan.Kind.choices, label=_("Kind"))
    name = forms.CharField(max_length=120, label=_("Plan name"))
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("Year"))
    premium_per_person = forms.DecimalField(label=_("Premium per person (yuan)"), **MONEY)
    period_start = forms.DateField(label=_("Cover starts"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Cover ends"), widget=DATE_WIDGET)
    insurer = forms.CharField(max_length=120, required=False, label=_("Insurer"))
    claim_limit = forms.DecimalField(required=False, label=_("Limit per claim (yuan)"), **MONEY)
    renewal_reminder_on = forms.DateField(
        required=False, label=_("Renewal reminder on"), widget=DATE_WIDGET
    )


class EnrolForm(forms.Form):
    paid_by = forms.ChoiceField(choices=InsuranceEnrolment.PaidBy.choices, label=_("Paid by"))
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ClaimForm(forms.Form):
    """The documents come from ``request.FILES.getlist("documents")``: the service checks
    each file's type and size."""

    submitted_on = forms.DateField(label=_("Submitted on"), widget=DATE_WIDGET)
    illness_or_event = forms.CharField(max_length=200, label=_("Illness or event"))
    claimed_amount = forms.DecimalField(required=False, label=_("Amount claimed (yuan)"), **MONEY)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class DecideForm(forms.Form):
    ACTIONS = [
        ("approve", _("Approve the amount")),
        ("reject", _("Do not pay")),
        ("pay", _("Record payment")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    amount = forms.DecimalField(required=False, label=_("Amount (yuan)"), **MONEY)
    paid_on = forms.DateField(required=False, label=_("Paid on"), widget=DATE_WIDGET)
    note = forms.CharField(max_length=300, required=False, label=_("Note or reason"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self, small=True)
