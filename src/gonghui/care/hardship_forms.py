"""Forms of the hardship pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import field_as, style_widgets
from gonghui.core.models import OrgUnit, Person
from gonghui.members.models import Member, MemberStatus

from .forms import MoneyBounds
from .models import AidRecord, HardshipCause, HardshipFile, HardshipReview, HardshipTier

DATE = forms.DateInput(attrs={"type": "date"})
TEXTAREA = forms.Textarea(attrs={"rows": 3})
MONEY: MoneyBounds = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class Styled(forms.Form):
    """Bootstrap classes on every widget, so templates render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class FileFilterForm(Styled):
    tier = forms.ChoiceField(label=_("Tier"), choices=_blank(HardshipTier.choices), required=False)
    cause = forms.ChoiceField(
        label=_("Primary cause"), choices=_blank(HardshipCause.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("active", _("Active")), ("exited", _("Out of hardship")), ("all", _("All"))],
        required=False,
    )
    due = forms.BooleanField(label=_("Re-check due"), required=False)

    def filter(self, qs: QuerySet[HardshipFile], due_q: Q) -> QuerySet[HardshipFile]:
        d = self.cleaned_data if self.is_valid() else {}
        status = d.get("status") or "active"
        if status != "all":
            qs = qs.filter(status=status)
        if d.get("tier"):
            qs = qs.filter(tier=d["tier"])
        if d.get("cause"):
            qs = qs.filter(primary_cause=d["cause"])
        if d.get("due"):
            qs = qs.filter(due_q).distinct()
        return qs


class FileFieldsForm(Styled):
    tier = forms.ChoiceField(label=_("Tier"), choices=HardshipTier.choices)
    primary_cause = forms.ChoiceField(label=_("Primary cause"), choices=HardshipCause.choices)
    secondary_causes = forms.MultipleChoiceField(
        label=_("Other causes (up to three)"),
        choices=HardshipCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    household_size = forms.IntegerField(label=_("Household size"), min_value=1, initial=1)
    household_income_monthly = forms.DecimalField(
        label=_("Household income per month (yuan)"), initial=0, **MONEY
    )
    hardship_costs_monthly = forms.DecimalField(
        label=_("Hardship costs per month (yuan)"),
        help_text=_("Medical, schooling and similar costs the household cannot avoid."),
        initial=0,
        **MONEY,
    )
    local_min_income_line = forms.DecimalField(
        label=_("Local minimum-income line (yuan per person per month)"),
        required=False,
        **MONEY,
    )
    needs = forms.CharField(label=_("Needs"), widget=TEXTAREA, required=False)
    measures = forms.CharField(label=_("Measures"), widget=TEXTAREA, required=False)
    pair_cadre = PersonChoiceField(
        label=_("Paired cadre (一帮一)"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, cadres: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "pair_cadre", forms.ModelChoiceField).queryset = cadres


class FileOpenForm(FileFieldsForm):
    member = forms.CharField(
        label=_("Member"),
        help_text=_("Member number, or the full name when it is unique in the union."),
        max_length=50,
    )
    opened_on = forms.DateField(label=_("Filed on"), widget=DATE)

    field_order = ["member", "opened_on"]

    def __init__(self, *args: Any, unions: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unions = unions
        self.fields["opened_on"].initial = timezone.localdate()

    def clean_member(self) -> Member:
        text = self.cleaned_data["member"].strip()
        qs = Member.objects.select_related("person", "union").filter(
            union__in=self.unions, status=MemberStatus.ACTIVE
        )
        found = list(qs.filter(member_no=text)[:2]) or list(qs.filter(person__name=text)[:2])
        if not found:
            raise forms.ValidationError(_("No active member of your union matches this."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several members match: give the member number."))
        return found[0]


class FamilyForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.CharField(
        label=_("Relation"), max_length=20, help_text=_("Spouse, son, daughter, parent…")
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False
    )
    occupation = forms.CharField(label=_("Work or school"), max_length=60, required=False)
    income_monthly = forms.DecimalField(label=_("Income per month (yuan)"), initial=0, **MONEY)
    health = forms.CharField(label=_("Health"), max_length=60, required=False)


class ReasonForm(Styled):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReviewForm(Styled):
    reviewed_on = forms.DateField(label=_("Re-checked on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=HardshipReview.Outcome.choices)
    tier_after = forms.ChoiceField(
        label=_("New tier"),
        choices=_blank(HardshipTier.choices),
        required=False,
        help_text=_("Only when the tier changes."),
    )
    income = forms.DecimalField(label=_("Household income per month (yuan)"), **MONEY)
    note = forms.CharField(
        label=_("Note"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Required when the household is out of hardship: say why."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


class ExitForm(Styled):
    exited_on = forms.DateField(label=_("Out of hardship on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exited_on"].initial = timezone.localdate()


class AidForm(Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=AidRecord.Kind.choices)
    given_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), initial=0, **MONEY)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    student_name = forms.CharField(label=_("Student"), max_length=50, required=False)
    student_school = forms.CharField(label=_("School or college"), max_length=100, required=False)
    responsible = PersonChoiceField(
        label=_("Person responsible"), queryset=Person.objects.none(), required=False
    )

    EDUCATION_FIELDS = ("student_name", "student_school")

    def __init__(self, *args: Any, cadres: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_as(self, "responsible", forms.ModelChoiceField).queryset = cadres
        self.fields["given_on"].initial = timezone.localdate()


class FullExportForm(Styled):
    reason = forms.CharField(
        label=_("Why names are needed in clear"),
        max_length=200,
        help_text=_("Recorded in the read log with every file exported."),
    )
    confirm = forms.BooleanField(
        label=_("I will keep this file safe and delete it when the work is done."),
        required=True,
    )
