"""Forms of the health, rest, retiree and summary pages. They parse input; the rules live
in ``health``, ``rest`` and ``retirees``, whose DomainErrors the views attach to fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import field_as, style_widgets

from .forms import MONEY, DateInput
from .models.health import HealthCampaign, HealthCheck, RestParticipant, RetireeActivity


class _Styled(forms.Form):
    """Bootstrap classes on every widget, so the templates render fields in one loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CampaignForm(_Styled):
    kind = forms.ChoiceField(label=_("kind"), choices=HealthCampaign.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    provider = forms.CharField(label=_("provider"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput())


class ScheduleForm(_Styled):
    scheduled_on = forms.DateField(label=_("check day"), widget=DateInput())
    women_only = forms.BooleanField(label=_("women only"), required=False)


class CheckMarkForm(forms.Form):
    status = forms.ChoiceField(choices=HealthCheck.Status.choices)
    done_on = forms.DateField(required=False, widget=DateInput())
    note = forms.CharField(max_length=200, required=False)


class RotationForm(_Styled):
    title = forms.CharField(label=_("title"), max_length=120)
    destination = forms.CharField(label=_("destination"), max_length=120)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput())
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=10_000)


class MemberIdsForm(forms.Form):
    """Member ids ticked on a list; the view keeps those the user may pick."""

    members = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)

    def __init__(self, *args: Any, allowed: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "members", forms.ChoiceField).choices = [(i, i) for i in allowed]


class RestMarkForm(forms.Form):
    status = forms.ChoiceField(choices=RestParticipant.Status.choices)


class VisitRoundForm(_Styled):
    title = forms.CharField(label=_("occasion"), max_length=120, initial=_("Double Ninth visits"))
    visited_on = forms.DateField(label=_("visited on"), widget=DateInput())
    visitors = forms.CharField(label=_("visitors"), max_length=200)
    cash = forms.DecimalField(label=_("cash per person"), initial=Decimal("0"), **MONEY)
    gift_description = forms.CharField(label=_("gifts"), max_length=200, required=False)
    gift_value = forms.DecimalField(label=_("gift value per person"), initial=Decimal("0"), **MONEY)


class ActivityForm(_Styled):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (RetireeActivity.Kind.ACTIVITY, RetireeActivity.Kind.ACTIVITY.label),
            (RetireeActivity.Kind.LECTURE, RetireeActivity.Kind.LECTURE.label),
        ],
    )
    title = forms.CharField(label=_("title"), max_length=120)
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    notes = forms.CharField(label=_("notes"), max_length=300, required=False)
