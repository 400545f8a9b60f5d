"""Small pieces the views of every app share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, User


class HtmxHttpRequest(HttpRequest):
    """A request as the views see it: ``HtmxMiddleware`` sets ``htmx`` on every one."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind ``login_required``. The stubs type ``user`` as
    ``User | AnonymousUser`` because they cannot see the decorator rule the anonymous one
    out; this annotation says so once instead of a cast in every view."""

    user: User


def form_error(form: BaseForm, err: DomainError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has that
    field, else above the form, so no refusal is lost."""
    form.add_error(err.field if err.field in form.fields else None, err.message)


def form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    title: str,
    template: str = "core/form_page.html",
    partial: str = "core/partials/_form.html",
    **context: Any,
) -> HttpResponse:
    """A page holding one form, drawn with ``template`` and whatever else that template
    needs (``context``). A POST that comes back to its form was refused, so it answers 400;
    an htmx request gets only ``partial``, always with 200, because htmx swaps only
    successful responses and the refused form must replace the one on the page."""
    ctx = {"form": form, "title": title, "action": request.get_full_path(), **context}
    if getattr(request, "htmx", False):
        return render(request, partial, ctx)
    return render(request, template, ctx, status=400 if request.method == "POST" else 200)


def chosen_union(request: HttpRequest, unions: Sequence[OrgUnit]) -> OrgUnit:
    """The union chosen with ?union= (or a posted ``union``) among ``unions``, the ones the
    page offers this user; the first by default. Another union's id answers 404, as if it did
    not exist; no union at all is 403."""
    if not unions:
        raise PermissionDenied
    raw = request.GET.get("union") or request.POST.get("union")
    if not raw:
        return unions[0]
    chosen = next((u for u in unions if str(u.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen
