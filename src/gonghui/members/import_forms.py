"""Forms of the roster import pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit

from .importing import ALLOWED_EXTENSIONS


class RosterUploadForm(forms.Form):
    union = forms.ModelChoiceField(
        label=_("Union"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx, .xls or .csv file, with a header row such as the template's."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
    )

    def __init__(self, *args: Any, unions: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["union"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in unions])

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                _("This file is not a spreadsheet. Upload an .xlsx, .xls or .csv roster.")
            )
        limit = settings.GONGHUI_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split the roster into smaller files.")
                % {"mb": f"{limit / (1024 * 1024):g}"}
            )
        return upload
