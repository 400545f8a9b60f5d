"""Pages of the provincial default caps: the provinces, one province's caps by year, and
for a system administrator a new year's caps, a new province, correcting an amount and
withdrawing a year not yet in force. Everyone who manages care, funds auditors and
upper-union officers read them; a reader's attempt to change them is 403 (see
``cap_defaults.may_read``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest, form_error, form_page

from . import cap_defaults
from .cap_forms import CorrectForm, WithdrawForm, YearCapsForm
from .models import CapItem
from .services import PROVINCES

FORM = "care/caps/form.html"
NOT_RETROACTIVE = _lazy(
    "A change applies to payments recorded from now on; payments already recorded are not"
    " judged again."
)


def _reader(request: AuthenticatedHttpRequest) -> None:
    if not cap_defaults.may_read(request.user):
        raise PermissionDenied


def _editor(request: AuthenticatedHttpRequest) -> None:
    if not cap_defaults.may_edit(request.user):
        raise PermissionDenied


def _province_or_404(province: str) -> str:
    # Any province a union may choose has a page, with caps or without any yet.
    if province not in PROVINCES:
        raise Http404
    return province


def _province_url(province: str) -> str:
    return reverse("care:caps_province", args=[province])


@login_required
@require_GET
def caps_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reader(request)
    editor = cap_defaults.may_edit(request.user)
    reach = cap_defaults.unions_by_province() if editor else {}
    have = set(cap_defaults.provinces())
    ctx: dict[str, Any] = {
        "rows": [(s, reach.get(s.province)) for s in cap_defaults.province_summaries()],
        "may_edit": editor,
        "unions": reach,
        # Unions that chose a province nobody has entered caps for check nothing.
        "uncapped": sorted(p for p in reach if p not in have),
        "not_retroactive": NOT_RETROACTIVE,
    }
    return render(request, "care/caps/index.html", ctx)


@login_required
@require_GET
def caps_province(request: AuthenticatedHttpRequest, province: str) -> HttpResponse:
    _reader(request)
    province = _province_or_404(province)
    editor = cap_defaults.may_edit(request.user)
    ctx = {
        "caps": cap_defaults.province_caps(province),
        "history": cap_defaults.history(province),
        "may_edit": editor,
        "unions": cap_defaults.unions_by_province().get(province, 0) if editor else None,
        "not_retroactive": NOT_RETROACTIVE,
    }
    return render(request, "care/caps/province.html", ctx)


def _year_caps_page(
    request: AuthenticatedHttpRequest,
    form: YearCapsForm,
    *,
    province: str | None,
    title: str,
    back: str,
) -> HttpResponse:
    """Shows a new year's (or a new province's) form; a valid POST stores the caps and
    goes to the province."""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = province or d["province"]
        try:
            rows = cap_defaults.provincial_caps_add(
                actor=request.user,
                province=chosen,
                from_year=d["from_year"],
                amounts=form.amounts(),
                source_note=d["source_note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(
                request,
                _("Saved: %(n)s caps of %(province)s from %(year)s.")
                % {"n": len(rows), "province": chosen, "year": d["from_year"]},
            )
            return redirect(_province_url(chosen))
    return form_page(
        request,
        form,
        title=title,
        template=FORM,
        back=back,
        province=province,
        year_form=True,
        intro=NOT_RETROACTIVE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def caps_new_year(request: AuthenticatedHttpRequest, province: str) -> HttpResponse:
    _editor(request)
    province = _province_or_404(province)
    caps = cap_defaults.province_caps(province)
    latest = caps.latest_year or caps.this_year
    initial: dict[str, Any] = {
        f"amount_{item}": amount for item, amount in cap_defaults.latest_amounts(province).items()
    }
    initial["from_year"] = max(latest, caps.this_year) + 1
    form = YearCapsForm(request.POST or None, initial=initial)
    return _year_caps_page(
        request,
        form,
        province=province,
        title=_("New year's caps of %(province)s") % {"province": province},
        back=_province_url(province),
    )


@login_required
@require_http_methods(["GET", "POST"])
def caps_new_province(request: AuthenticatedHttpRequest) -> HttpResponse:
    _editor(request)
    form = YearCapsForm(request.POST or None, provinces=cap_defaults.provinces_without_caps())
    return _year_caps_page(
        request,
        form,
        province=None,
        title=_("Add a province's caps"),
        back=reverse("care:caps"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def caps_correct(
    request: AuthenticatedHttpRequest, province: str, item: str, year: int
) -> HttpResponse:
    _editor(request)
    rule = cap_defaults.province_rule(province, item, year)
    if rule is None:
        raise Http404
    form = CorrectForm(request.POST or None, initial={"amount": rule.amount})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cap_defaults.provincial_cap_correct(
                actor=request.user,
                province=province,
                item=item,
                from_year=year,
                amount=d["amount"],
                reason=d["reason"],
                source_note=d["source_note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Corrected. %(note)s") % {"note": NOT_RETROACTIVE})
            return redirect(_province_url(province))
    label = dict(CapItem.choices)[item]
    return form_page(
        request,
        form,
        title=_("Correct the cap: %(province)s, %(item)s, from %(year)s")
        % {"province": province, "item": label, "year": year},
        template=FORM,
        back=_province_url(province),
        province=province,
        rule=rule,
        intro=NOT_RETROACTIVE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def caps_withdraw(request: AuthenticatedHttpRequest, province: str, year: int) -> HttpResponse:
    _editor(request)
    province = _province_or_404(province)
    column = next((c for c in cap_defaults.province_caps(province).years if c.year == year), None)
    if column is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = cap_defaults.provincial_caps_withdraw(
                actor=request.user,
                province=province,
                from_year=year,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(
                request,
                _("Withdrawn: %(n)s caps of %(province)s from %(year)s.")
                % {"n": n, "province": province, "year": year},
            )
            return redirect(_province_url(province))
    return form_page(
        request,
        form,
        title=_("Withdraw the caps of %(province)s from %(year)s")
        % {"province": province, "year": year},
        template=FORM,
        back=_province_url(province),
        province=province,
        column=column,
        danger=True,
        intro=_(
            "Only caps not yet in force, against which no payment was checked, can be"
            " withdrawn. Their content stays in the audit log."
        ),
    )
