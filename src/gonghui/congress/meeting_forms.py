"""Forms of the meeting pages: the desk's delegate search, the delegate's check-in code and
vote, and the minutes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Ballot


class DelegateSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": _("Search delegates by name"), "autocomplete": "off"}
        ),
    )


class CheckinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "form-control form-control-lg text-center fs-2",
                "placeholder": "000000",
            }
        ),
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Ballot.Choice.choices)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 16, "class": "form-control"}),
    )
