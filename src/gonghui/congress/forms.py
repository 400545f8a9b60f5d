"""Forms of the congress set-up pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import style_widgets
from gonghui.core.models import OrgUnit, Person, UnitKind
from gonghui.members.models import Member, MemberStatus

from . import services
from .models import AgendaItem, CongressKind, CongressRuleSet, DocumentVersion, SessionOfficer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_of(union: OrgUnit) -> QuerySet[Person]:
    """The people who may be chosen: the union's active members."""
    ids = Member.objects.filter(union=union, status=MemberStatus.ACTIVE).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("name", "pk")


class Form(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class PersonField(forms.ModelChoiceField):
    """A person picked from the union's active members; the page fills the options by a
    name search (htmx), the field accepts any active member of the union."""

    def label_from_instance(self, obj: Any) -> str:
        born = f" ({obj.birth_date:%Y})" if obj.birth_date else ""
        return f"{obj.name}{born}"


def _person_field(label: Any) -> PersonField:
    return PersonField(
        label=label,
        queryset=Person.objects.none(),
        widget=forms.Select(attrs={"class": "form-select person-select"}),
    )


class CongressForm(Form):
    union = forms.ModelChoiceField(label=_("Union"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=CongressKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Left empty: the union's name and the kind, e.g. 第一中学工会教职工代表大会."),
    )
    small_unit_seen = forms.BooleanField(
        label=_("I know an all-staff meeting applies to a unit of under 80 staff"),
        required=False,
    )

    def __init__(self, *args: Any, unions: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["union"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = unions
        field.empty_label = None


class RuleSetForm(Form):
    quorum_numerator = forms.IntegerField(label=_("Quorum: numerator"), min_value=1)
    quorum_denominator = forms.IntegerField(label=_("Quorum: denominator"), min_value=1)
    pass_base = forms.ChoiceField(label=_("Majority of"), choices=CongressRuleSet.PassBase.choices)
    teacher_min_percent = forms.IntegerField(
        label=_("Front-line staff at least %"), min_value=0, max_value=100
    )
    leader_max_percent = forms.IntegerField(
        label=_("Leaders at most %"), min_value=0, max_value=100
    )
    cosigners_min = forms.IntegerField(label=_("Co-signers at least"), min_value=0)
    proposal_close_days = forms.IntegerField(
        label=_("Proposals close days before the session"), min_value=0
    )
    source_note = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("The local regulation or congress decision these rules come from."),
    )


class TermForm(Form):
    number = forms.IntegerField(label=_("Term number"), min_value=1)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    planned_end_on = forms.DateField(label=_("Planned end"), widget=DATE)


class TermEndForm(Form):
    on = forms.DateField(label=_("Ended on"), widget=DATE)


class SessionForm(Form):
    number = forms.IntegerField(label=_("Session number"), min_value=1)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=120, required=False)
    proposals_open_on = forms.DateField(label=_("Proposals open"), widget=DATE, required=False)
    proposals_close_on = forms.DateField(
        label=_("Proposals close"),
        widget=DATE,
        required=False,
        help_text=_("Left empty: the number of days before the session that the rules set."),
    )


class OfficerForm(Form):
    kind = forms.ChoiceField(label=_("Role"), choices=SessionOfficer.Kind.choices)
    person = _person_field(_("Name"))

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members_of(union)  # type: ignore[attr-defined]


class AgendaItemForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    presenter = forms.CharField(label=_("Presenter"), max_length=60, required=False)
    vote_mode = forms.ChoiceField(
        label=_("Vote"),
        choices=[("", _("As usual for the kind")), *AgendaItem.VoteMode.choices],
        required=False,
    )


class _DraftFields(Form):
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    upload = forms.FileField(
        label=_("File (.docx or .pdf, up to 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > services.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def to_upload(self) -> services.Upload | None:
        f = self.cleaned_data.get("upload")
        return services.Upload(file_name=f.name, chunks=f.chunks()) if f else None


class DocumentForm(_DraftFields):
    title = forms.CharField(label=_("Document title"), max_length=200)
    field_order = ["title", "body", "upload", "change_note"]


class VersionForm(_DraftFields):
    pass


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DocumentVersion) -> str:
        return _("Draft %(n)s") % {"n": obj.number}


class AdoptForm(Form):
    version = VersionChoiceField(label=_("Version"), queryset=DocumentVersion.objects.none())

    def __init__(self, *args: Any, document: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = document.versions.order_by("-number")
        field.empty_label = None


class DelegationForm(Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=999)
    unit = forms.ModelChoiceField(
        label=_("Union group"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(
            path__startswith=union.path,
            kind__in=[UnitKind.UNION_GROUP, UnitKind.BRANCH_UNION],
            archived_at__isnull=True,
        ).order_by("path")


class _SeatFields(Form):
    person = _person_field(_("Delegate"))
    is_frontline = forms.BooleanField(
        label=_("Front-line teacher or worker"), required=False, initial=True
    )
    is_leader = forms.BooleanField(label=_("Unit leader or manager"), required=False)
    votes_received = forms.IntegerField(label=_("Votes received"), min_value=0, required=False)
    voters_total = forms.IntegerField(label=_("Voters in delegation"), min_value=0, required=False)
    election_note = forms.CharField(label=_("Election note"), max_length=200, required=False)

    def __init__(self, *args: Any, union: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members_of(union)  # type: ignore[attr-defined]

    def seat_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        keys = ("is_frontline", "is_leader", "votes_received", "voters_total", "election_note")
        return {k: d[k] for k in keys}


class ElectForm(_SeatFields):
    BY_ELECTION = "by_election"
    how = forms.ChoiceField(
        label=_("How"),
        choices=[("elected", _("Elected by the delegation")), (BY_ELECTION, _("By-election"))],
        initial="elected",
    )
    elected_on = forms.DateField(label=_("Elected on"), widget=DATE)
    field_order = ["person", "how", "elected_on"]


class ReplaceForm(_SeatFields):
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    field_order = ["person", "on", "reason"]


class EndSeatForm(Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RosterConfirmForm(Form):
    warnings_seen = forms.BooleanField(
        label=_("I have seen the composition warnings and confirm the roster"), required=False
    )
