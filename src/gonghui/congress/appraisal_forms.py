"""Forms of the appraisal pages. They parse input; the rules live in congress/appraisal.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import StyledForm
from gonghui.core.models import OrgUnit, Person

from . import appraisal as svc
from .models import CongressTerm
from .models.appraisal import Appraisal, AppraisalSubject


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def scale_to_text(scale: list[dict[str, Any]]) -> str:
    return "\n".join(f"{g['label']}={g['weight']}" for g in scale)


class AppraisalForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    rater_base = forms.ChoiceField(label=_("Who rates"), choices=Appraisal.RaterBase.choices)
    term: forms.ModelChoiceField[CongressTerm] = forms.ModelChoiceField(
        label=_("Congress term (when delegates rate)"), queryset=None, required=False
    )
    scale = forms.CharField(
        label=_("Scale: one grade a line, best first, as name=points"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    weighted = forms.BooleanField(label=_("Show a weighted score"), required=False)
    opens_on = forms.DateField(label=_("Rating opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Rating closes on"), widget=DateInput())

    def __init__(self, *args: Any, union: OrgUnit, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("term", forms.ModelChoiceField).queryset = svc.terms_of(union)

    def clean_scale(self) -> list[dict[str, Any]]:
        grades = []
        for line in self.cleaned_data["scale"].splitlines():
            if not line.strip():
                continue
            label, sep, weight = line.replace("＝", "=").partition("=")
            try:
                points = int(weight.strip()) if sep else 0
            except ValueError as e:
                raise forms.ValidationError(
                    _("Write each grade as name=points, e.g. 优秀=100.")
                ) from e
            grades.append({"label": label.strip(), "weight": points})
        return grades

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SubjectForm(StyledForm):
    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Person appraised"), queryset=None
    )
    post = forms.CharField(label=_("Post"), max_length=80)

    def __init__(self, *args: Any, union: OrgUnit, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("person", forms.ModelChoiceField).queryset = svc.subject_candidates(union)


class RatingForm(forms.Form):
    """One choice per subject; the page shows them as grade buttons on a card."""

    def __init__(self, *args: Any, subjects: list[AppraisalSubject], labels: list[str], **kw: Any):
        super().__init__(*args, **kw)
        choices = list(enumerate(labels))
        for s in subjects:
            self.fields[f"s{s.pk}"] = forms.TypedChoiceField(
                label=str(s), choices=choices, coerce=int, widget=forms.RadioSelect
            )
        self.subjects = subjects

    def grades(self) -> dict[int, int]:
        return {s.pk: self.cleaned_data[f"s{s.pk}"] for s in self.subjects}


class PaperForm(StyledForm):
    """The paper forms of one pile: how many, and a grid of counts (subject × grade)."""

    forms_count = forms.IntegerField(label=_("Number of forms"), min_value=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, subjects: list[AppraisalSubject], labels: list[str], **kw: Any):
        super().__init__(*args, **kw)
        self.subjects, self.labels = subjects, labels
        for s in subjects:
            for g in range(len(labels)):
                self.fields[f"c{s.pk}_{g}"] = forms.IntegerField(
                    min_value=0,
                    initial=0,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}
                    ),
                )

    def grid(self) -> list[tuple[AppraisalSubject, list[forms.BoundField]]]:
        return [(s, [self[f"c{s.pk}_{g}"] for g in range(len(self.labels))]) for s in self.subjects]

    def counts(self) -> dict[int, list[int]]:
        return {
            s.pk: [self.cleaned_data[f"c{s.pk}_{g}"] for g in range(len(self.labels))]
            for s in self.subjects
        }
