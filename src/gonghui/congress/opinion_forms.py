"""Forms of the opinions pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person
from gonghui.members.models import Member, MemberStatus
from gonghui.members.queries import units_in_union

from . import rules
from .models import Department
from .models.opinions import Opinion, OpinionKind, OpinionOutcome, OpinionSource
from .opinions import RECORDED_SOURCES, OpinionFilter
from .proposal_forms import DATE, BootstrapForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YEARS = range(2020, 2031)


def _year_choices(blank: StrOrPromise | None = None) -> list[tuple[Any, Any]]:
    head = [("", blank)] if blank else []
    return head + [(y, str(y)) for y in reversed(YEARS)]


class OpinionFilterForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *OpinionKind.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *OpinionSource.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Opinion.Status.choices],
        required=False,
    )
    outcome = forms.ChoiceField(
        label=_("Result of handling"),
        choices=[("", _("All outcomes")), *OpinionOutcome.choices],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=_("Year"), choices=_year_choices(_("All years")), coerce=int, required=False
    )

    def to_filter(self) -> OpinionFilter:
        if not self.is_valid():
            return OpinionFilter()
        d = self.cleaned_data
        return OpinionFilter(
            kind=d["kind"],
            source=d["source"],
            status=d["status"],
            outcome=d["outcome"],
            year=d["year"] or None,
        )


class OpinionRecordForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OpinionKind.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(v, lbl) for v, lbl in OpinionSource.choices if v in RECORDED_SOURCES],
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Opinion content"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    submitted_by = forms.ModelChoiceField(
        label=_("Submitted by (member)"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Anonymous or not a member"),
    )
    submitter_name = forms.CharField(
        label=_("Or name (parent, student...)"), max_length=80, required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_as("submitted_by", forms.ModelChoiceField).queryset = Person.objects.filter(
            pk__in=Member.objects.filter(union=union, status=MemberStatus.ACTIVE).values(
                "person_id"
            )
        ).order_by("name")
        self.field_as("team", forms.ModelChoiceField).queryset = OrgUnit.objects.filter(
            pk__in=[u.pk for u in units_in_union(union)]
        )
        self.field_as("department", forms.ModelChoiceField).queryset = Department.objects.filter(
            union=union, archived_at__isnull=True
        )


class OpinionSubmitForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("What is it"), choices=OpinionKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Your opinion or suggestion"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )


class AssignForm(BootstrapForm):
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none()
    )
    due_on = forms.DateField(label=_("Answer due"), widget=DATE, required=False)

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_as("department", forms.ModelChoiceField).queryset = Department.objects.filter(
            union=union, archived_at__isnull=True
        )


class AnswerForm(BootstrapForm):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class CloseForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("Result of handling"),
        choices=[
            (v, lbl) for v, lbl in OpinionOutcome.choices if v in rules.OUTCOMES_BY_KIND["opinion"]
        ],
    )
    interview_count = forms.IntegerField(
        label=_("People interviewed"), min_value=0, max_value=1000, initial=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AssessForm(BootstrapForm):
    score = forms.IntegerField(label=_("Assessment score"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Assessment"), max_length=300, required=False)


class AdoptForm(BootstrapForm):
    adopted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Adopt the suggestion")), ("0", _("Do not adopt"))],
        coerce=lambda v: v == "1",
    )
    benefit_estimate = forms.DecimalField(
        label=_("Estimated benefit (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RewardForm(BootstrapForm):
    amount = forms.DecimalField(
        label=_("Reward (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    rewarded_on = forms.DateField(label=_("Rewarded on"), widget=DATE, required=False)


class QuotaForm(BootstrapForm):
    year = forms.TypedChoiceField(label=_("Year"), choices=_year_choices(), coerce=int)
    per_person = forms.IntegerField(label=_("Per person"), min_value=0, max_value=1000, initial=3)
    per_team = forms.IntegerField(label=_("Per team"), min_value=0, max_value=1000, initial=5)
    per_unit = forms.IntegerField(label=_("Per unit"), min_value=0, max_value=1000, initial=10)


class YearForm(BootstrapForm):
    year = forms.TypedChoiceField(label=_("Year"), choices=_year_choices(), coerce=int)
