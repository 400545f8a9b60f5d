"""Forms of the proposal pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import field_as, style_widgets
from gonghui.core.models import OrgUnit, User

from .models import CongressSession, Department, Proposal, ProposalCategory
from .proposals import ProposalFilter, eligible_handlers

_F = TypeVar("_F", bound=forms.Field)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def field_as(self, name: str, kind: type[_F]) -> _F:
        return field_as(self, name, kind)


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CongressSession) -> str:
        return obj.label


class HandlerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name or obj.username


class ProposalForm(BootstrapForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: 关于每年为全体教职工安排健康体检的提案"),
    )
    category = forms.ChoiceField(label=_("Proposal category"), choices=ProposalCategory.choices)
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    measures = forms.CharField(
        label=_("Suggested measures"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class ProposalFilterForm(BootstrapForm):
    session = SessionChoiceField(
        label=_("Session"), queryset=CongressSession.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Proposal.Status.choices],
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("Proposal category"),
        choices=[("", _("All categories")), *ProposalCategory.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    outstanding = forms.BooleanField(label=_("Outstanding only"), required=False)

    def __init__(self, *args: Any, union: OrgUnit, sessions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_as("session", forms.ModelChoiceField).queryset = sessions
        self.field_as("department", forms.ModelChoiceField).queryset = Department.objects.filter(
            union=union
        )

    def to_filter(self) -> ProposalFilter:
        if not self.is_valid():
            return ProposalFilter()
        d = self.cleaned_data
        return ProposalFilter(
            session=d["session"],
            status=d["status"],
            department=d["department"],
            category=d["category"],
            overdue=d["overdue"],
            outstanding=d["outstanding"],
        )


class _AssignForm(BootstrapForm):
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=None
    )
    due_on = forms.DateField(label=_("Reply due"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_as("department", forms.ModelChoiceField).queryset = Department.objects.filter(
            union=union, archived_at__isnull=True
        )


class AcceptForm(_AssignForm):
    pass


class ReassignForm(_AssignForm):
    pass


class ConvertForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason for turning it into an opinion"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(BootstrapForm):
    body = forms.CharField(
        label=_("General reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class RateForm(BootstrapForm):
    rating = forms.ChoiceField(
        label=_("Your rating of the reply"),
        choices=Proposal.Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when not satisfied: say what is still missing."),
    )


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class DepartmentForm(BootstrapForm):
    name = forms.CharField(label=_("Department name"), max_length=80)


class HandlersForm(BootstrapForm):
    handlers = HandlerChoiceField(
        label=_("Handlers"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_as("handlers", forms.ModelChoiceField).queryset = eligible_handlers(union)
