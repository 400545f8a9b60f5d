"""Forms of the core pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    CommitteeKind,
    CommitteePosition,
    OrgUnit,
    Person,
    PositionKind,
    Role,
    UnitKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_F = TypeVar("_F", bound=forms.Field)


def style_widgets(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap's class on every widget that has none of its own, so that templates render
    ``{{ field }}`` as is (``small``: the compact sizes, for a grid of entry rows)."""
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput | forms.RadioSelect):  # and CheckboxSelectMultiple
            css = "form-check-input"
        elif isinstance(w, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        w.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates render ``{{ field }}`` as is."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        style_widgets(self)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"

    def field_as(self, name: str, kind: type[_F]) -> _F:
        return field_as(self, name, kind)


def field_as(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The form's own copy of the field ``name`` as the ``kind`` it is declared as:
    ``form.fields`` holds plain ``Field``s for the type checker, and setting a queryset or
    choices needs the narrower type."""
    field = form.fields[name]
    assert isinstance(field, kind)
    return field


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.get_kind_display()})"


class UnitCreateForm(StyledForm):
    parent = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Parent unit"))
    name = forms.CharField(label=_("Unit name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Unique, e.g. the union's own numbering")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    staff_count = forms.IntegerField(
        label=_("Staff count"),
        min_value=0,
        required=False,
        help_text=_("Staff of the unit, for the enrolment rate"),
    )
    is_affiliated = forms.BooleanField(label=_("Affiliated unit"), required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0, required=False)

    def __init__(
        self, *args: Any, parents: QuerySet[OrgUnit], allow_root: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        parent = self.field_as("parent", UnitChoiceField)
        parent.queryset = parents
        parent.required = not allow_root
        if allow_root:
            parent.empty_label = _("(none: a root federation)")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class UnitEditForm(StyledForm):
    name = forms.CharField(label=_("Unit name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    staff_count = forms.IntegerField(label=_("Staff count"), min_value=0, required=False)
    is_affiliated = forms.BooleanField(label=_("Affiliated unit"), required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sort_order"] = data.get("sort_order") or 0
        return data


class UnitMoveForm(StyledForm):
    new_parent = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("New parent unit"))

    def __init__(self, *args: Any, targets: QuerySet[OrgUnit], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("new_parent", UnitChoiceField).queryset = targets


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TermStartForm(StyledForm):
    kind = forms.ChoiceField(label=_("Committee"), choices=CommitteeKind.choices)
    number = forms.IntegerField(label=_("Term number"), min_value=1)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    years = forms.TypedChoiceField(
        label=_("Length in years"), choices=[(5, "5"), (4, "4"), (3, "3")], coerce=int, initial=5
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PersonSearchSelect(forms.Select):
    """A select holding only the chosen person, with a search box above it that asks
    ``search_url`` (htmx) for the options matching what is typed: a union may have
    thousands of members, too many to send as one select."""

    search_url = ""

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        # Only the chosen person is loaded, never the whole queryset.
        chosen = [int(v) for v in value if str(v).isdigit()]
        # This widget serves a ModelChoiceField, whose choices are a ModelChoiceIterator;
        # the stubs type a widget's choices as any choices.
        choices = cast(ModelChoiceIterator, self.choices)
        empty = str(choices.field.empty_label or "")
        options = [self.create_option(name, "", empty, not chosen, 0)]
        people = choices.queryset.filter(pk__in=chosen) if chosen else []
        for i, person in enumerate(people, 1):
            label = choices.field.label_from_instance(person)
            options.append(self.create_option(name, person.pk, label, True, i))
        return [(None, options, 0)]

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="q" class="form-control mb-1" autocomplete="off" '
            'placeholder="{}" hx-get="{}" hx-trigger="input changed delay:300ms, search" '
            'hx-target="#{}" hx-swap="innerHTML">',
            _("Search by name or member number"),
            self.search_url,
            select_id,
        )
        return search + select


class PositionAssignForm(StyledForm):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Member"), widget=PersonSearchSelect
    )
    position = forms.ChoiceField(label=_("Position"), choices=PositionKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(
        label=_("How"), choices=CommitteePosition.Source.choices, initial="elected"
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], search_url: str = "", **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        person = self.field_as("person", forms.ModelChoiceField)
        person.queryset = people
        person.widget.search_url = search_url


class PositionEndForm(StyledForm):
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=100)


class RegistrationForm(StyledForm):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=40, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    registered_on = forms.DateField(
        label=_("Registered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    change_note = forms.CharField(label=_("What changed"), max_length=200, required=False)


def role_choices(*, admin: bool) -> list[tuple[str, StrOrPromise]]:
    return [(v, label) for v, label in Role.choices if admin or v != Role.ADMIN]


class UserCreateForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=50)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    person_ref = forms.CharField(
        label=_("Link to member"),
        required=False,
        help_text=_("ID number or member number of the member this login belongs to (optional)"),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("On unit"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], admin: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("role", forms.ChoiceField).choices = [
            ("", _("(no role yet)")),
            *role_choices(admin=admin),
        ]
        self.field_as("unit", UnitChoiceField).queryset = units

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") and not data.get("unit"):
            self.add_error("unit", _("Choose the unit the role is granted on."))
        return data


class RoleGrantForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("On unit"))
    may_see_individuals = forms.BooleanField(
        label=_("May see individual records (upper-union officer only)"), required=False
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], admin: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.field_as("role", forms.ChoiceField).choices = role_choices(admin=admin)
        self.field_as("unit", UnitChoiceField).queryset = units


class AuditFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
        help_text=_("e.g. unit. or member.update"),
    )
    actor = forms.CharField(label=_("By user"), required=False)
    object_type = forms.CharField(label=_("Record type"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
