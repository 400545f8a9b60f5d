"""Forms of the member pages. They parse input; every rule lives in services.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.forms import style_widgets
from gonghui.core.models import OrgUnit, Person

from . import queries, services
from .models import EmploymentType, MemberStatus, WorkStatus
from .queries import MemberFilter, UnitChoice

GENDER_CHOICES = [("", _("Any")), *Person.Gender.choices]
CATEGORY_CHOICES = [
    ("", _("Any")),
    ("women", _("Women")),
    ("young", _("Young staff (under 35)")),
    ("model_worker", _("Model workers")),
    ("hardship", _("Staff in hardship")),
    ("survivor", _("Survivors of deceased staff")),
    ("retired", _("Retirees")),
]
MONTH_CHOICES = [("", _("Any")), *[(str(m), str(m)) for m in range(1, 13)]]


def _today() -> date:
    return timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), initial=_today)


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def _style(self) -> None:
        style_widgets(self)  # type: ignore[arg-type]


# ---- the list filter ---------------------------------------------------------------------


class MemberFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name, member number or phone tail"), required=False, max_length=50)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *MemberStatus.choices], required=False
    )
    employment_type = forms.ChoiceField(
        label=_("Employment type"),
        choices=[("", _("Any")), *EmploymentType.choices],
        required=False,
    )
    work_status = forms.ChoiceField(
        label=_("Work status"), choices=[("", _("Any")), *WorkStatus.choices], required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDER_CHOICES, required=False)
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=120, required=False)
    birth_month = forms.TypedChoiceField(
        label=_("Birth month"), choices=MONTH_CHOICES, coerce=int, empty_value=None, required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES, required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        data = data.copy()
        # No status in the query string means the active roll; "status=" means any status.
        if "status" not in data:
            data["status"] = MemberStatus.ACTIVE
        super().__init__(data)
        # Only validates the choice; the page writes the options itself (see the list view).
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = queries.visible_units(user)
        if not access.has_any(user, Perm.VIEW_HARDSHIP):
            # Who is in hardship is hardship data (decision 0006): no such filter for others.
            category = self.fields["category"]
            category.choices = [c for c in CATEGORY_CHOICES if c[0] != "hardship"]  # type: ignore[attr-defined]
        self._style()

    def to_filter(self) -> MemberFilter:
        """The filter from the valid fields; a field that does not parse is ignored."""
        self.is_valid()
        c = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return MemberFilter(
            q=c.get("q") or "",
            unit=c.get("unit"),
            status=c.get("status", MemberStatus.ACTIVE) or "",
            employment_type=c.get("employment_type") or "",
            work_status=c.get("work_status") or "",
            gender=c.get("gender") or "",
            age_min=c.get("age_min"),
            age_max=c.get("age_max"),
            birth_month=c.get("birth_month"),
            category=c.get("category") or "",
        )


# ---- person and member data ------------------------------------------------------------


class PersonFieldsForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("From the ID number")), *Person.Gender.choices],
        required=False,
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("Taken from the ID number when left empty."),
    )
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    political_status = forms.CharField(label=_("Political status"), max_length=20, required=False)
    education = forms.CharField(label=_("Education"), max_length=20, required=False)

    PERSON_FIELDS = services.PERSON_FIELDS

    def person_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data.get(k) for k in self.PERSON_FIELDS}
        data["id_number"] = (data["id_number"] or "").strip() or None
        return data


class MemberFieldsMixin(forms.Form):
    member_no = forms.CharField(
        label=_("Member number"),
        max_length=30,
        required=False,
        help_text=_("Left empty, the next number of the union is given."),
    )
    employment_type = forms.ChoiceField(label=_("Employment type"), choices=EmploymentType.choices)
    post = forms.CharField(label=_("Post"), max_length=60, required=False)
    department = forms.CharField(label=_("Department"), max_length=60, required=False)
    is_model_worker = forms.BooleanField(label=_("Model worker"), required=False)
    is_in_hardship = forms.BooleanField(label=_("In hardship"), required=False)
    is_survivor = forms.BooleanField(label=_("Survivor of deceased staff"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    MEMBER_FIELDS = (
        "employment_type",
        "post",
        "department",
        "is_model_worker",
        "is_in_hardship",
        "is_survivor",
        "note",
    )

    def keep_hardship(self, allowed: bool) -> None:
        """Who is in hardship is hardship data (decision 0006): the field is shown, and
        changed, only by those who may open the union's hardship files."""
        if not allowed:
            self.fields.pop("is_in_hardship", None)

    def member_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.MEMBER_FIELDS if k in self.fields}


def _unit_field(choices: list[UnitChoice]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Union group or unit"),
        choices=[("", "—"), *[(c.unit.pk, c.label) for c in choices]],
        coerce=int,
    )


class MemberNewForm(PersonFieldsForm, MemberFieldsMixin):
    MODE_ENROL, MODE_APPLY = "enrol", "apply"
    mode = forms.ChoiceField(
        label=_("This person"),
        choices=[
            (MODE_ENROL, _("is a member already (enter into the roll)")),
            (MODE_APPLY, _("applies to join (needs approval)")),
        ],
        initial=MODE_ENROL,
        widget=forms.RadioSelect,
    )
    joined_on = forms.DateField(
        label=_("Joined on / applied on"), widget=DateInput(), initial=_today
    )

    def __init__(self, *args: Any, unit_choices: list[UnitChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_choices = {c.unit.pk: c for c in unit_choices}
        self.fields["unit"] = _unit_field(unit_choices)
        self._style()
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def chosen(self) -> UnitChoice:
        return self.unit_choices[self.cleaned_data["unit"]]


class MemberEditForm(PersonFieldsForm, MemberFieldsMixin):
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    @classmethod
    def initial_for(cls, member: Any) -> dict[str, Any]:
        person = member.person
        initial = {k: getattr(person, k) for k in cls.PERSON_FIELDS}
        initial["id_number"] = person.id_number or ""
        for k in (*cls.MEMBER_FIELDS, "member_no", "joined_on"):
            initial[k] = getattr(member, k)
        return initial


# ---- lifecycle steps -------------------------------------------------------------------


class StepForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=_today)

    def __init__(self, *args: Any, member: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.setup()
        self._style()

    def setup(self) -> None:
        pass


class ApproveStepForm(StepForm):
    member_no = forms.CharField(
        label=_("Member number"),
        max_length=30,
        required=False,
        help_text=_("Left empty, the next number of the union is given."),
    )


class ReasonStepForm(StepForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteStepForm(StepForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class UnitNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class MoveStepForm(StepForm):
    def setup(self) -> None:
        units = [
            u for u in queries.units_in_union(self.member.union) if u.pk != self.member.unit_id
        ]
        self.fields["to_unit"] = UnitNameChoiceField(
            label=_("Move to"), queryset=OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        )


class TransferOutStepForm(StepForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Required when the union is outside the system: name it here."),
    )

    def setup(self) -> None:
        self.fields["to_union"] = forms.ModelChoiceField(
            label=_("To union"),
            queryset=queries.transfer_target_unions(self.member),
            required=False,
            empty_label=_("A union outside the system"),
        )
        self.order_fields(["on", "to_union", "note"])


STEP_FORMS: dict[str, type[StepForm]] = {
    "approve": ApproveStepForm,
    "reject": ReasonStepForm,
    "move": MoveStepForm,
    "transfer_out": TransferOutStepForm,
    "retire": StepForm,
    "leave": ReasonStepForm,
    "decease": NoteStepForm,
    "reinstate": NoteStepForm,
}


# ---- approvals, self-service, transfer-in ---------------------------------------------


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    on = forms.DateField(label=_("Date"), widget=DateInput(), required=False)
    member_no = forms.CharField(label=_("Member number"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class SelfProfileForm(PersonFieldsForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        required=False,
        help_text=_("Name, gender, birth date and ID number change after a cadre approves."),
    )

    def __init__(self, *args: Any, masked_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ID number is not sent to the page in clear (its reading would go unlogged):
        # the field starts empty, the masked number shows as its placeholder, and an empty
        # field keeps the number as it is. "Show" on the page reveals it, logged.
        field = self.fields["id_number"]
        field.widget.attrs["placeholder"] = masked_id
        field.help_text = _("Leave empty to keep it; type the full number to correct it.")
        self._style()

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        initial = {k: getattr(person, k) for k in cls.PERSON_FIELDS}
        initial["id_number"] = ""  # see __init__: never prefilled in clear
        return initial


class TransferLookupForm(BootstrapMixin, forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()


class TransferInForm(TransferLookupForm):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=_today)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, unit_choices: list[UnitChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_choices = {c.unit.pk: c for c in unit_choices}
        self.fields["unit"] = _unit_field(unit_choices)
        self._style()

    def chosen(self) -> UnitChoice:
        return self.unit_choices[self.cleaned_data["unit"]]
