"""Pages of affairs disclosure: the members' board, an item and its history, the managers'
list, item and category forms, the annual report and the upper unions' overview.

Views parse with a form, check access through ``disclosure.union_for`` / ``get_*_for``
(404 outside the user's reach, 403 within reach without the right), call one service and
render or redirect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import disclosure, queries, rules
from . import disclosure_report as report_docx
from .disclosure_forms import (
    AttachmentForm,
    CategoryForm,
    ItemFilterForm,
    ItemForm,
    PresetForm,
    PublishForm,
    ReviseForm,
    WithdrawForm,
    YearForm,
)
from .models import DisclosureItem

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PER_PAGE = 50


def _union(request: AuthenticatedHttpRequest, *, manage: bool) -> OrgUnit:
    return disclosure.union_for(request.user, request.GET.get("union"), manage=manage)


def _board_title(union: OrgUnit) -> str:
    kind = disclosure.board_kind(union)
    if kind == "school":
        return _("School affairs disclosure")
    if kind == "enterprise":
        return _("Factory affairs disclosure")
    return _("Affairs disclosure")


def _labels(items: Iterable[DisclosureItem]) -> None:
    """Choice labels translated once per page, not once per row."""
    stage = {v: str(label) for v, label in DisclosureItem.Stage.choices}
    regularity = {v: str(label) for v, label in DisclosureItem.Regularity.choices}
    status = {v: str(label) for v, label in DisclosureItem.Status.choices}
    for i in items:  # display-only attributes for the templates
        i.stage_label = stage[i.stage]  # type: ignore[attr-defined]
        i.regularity_label = regularity[i.regularity]  # type: ignore[attr-defined]
        i.status_label = status[i.status]  # type: ignore[attr-defined]
        i.times_revised = i.revision - 1  # type: ignore[attr-defined]


def _item_url(item: DisclosureItem) -> str:
    return reverse("congress:disclosure_item", args=[item.pk])


# ---- the members' board -------------------------------------------------------------------


@login_required
@require_GET
def disclosure_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=False)
    items = disclosure.board_items(union, timezone.localdate())
    _labels(items)
    sections: dict[str, list[DisclosureItem]] = {}
    for item in items:
        sections.setdefault(item.category.name, []).append(item)
    # Newest first inside each section; sections in the union's own order.
    for rows in sections.values():
        rows.sort(key=lambda i: (i.published_on, i.pk), reverse=True)
    return render(
        request,
        "congress/disclosure/board.html",
        {
            "union": union,
            "title": _board_title(union),
            "sections": list(sections.items()),
            "may_manage": queries.may_manage(request.user, union),
        },
    )


@login_required
@require_GET
def disclosure_item(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id)
    union = item.category.union
    may_manage = queries.may_manage(request.user, union)
    _labels([item])
    ctx: dict[str, Any] = {
        "item": item,
        "union": union,
        "attachments": list(item.attachments.order_by("id")),
        "may_manage": may_manage,
    }
    if may_manage:
        ctx.update(
            publish_form=PublishForm(),
            withdraw_form=WithdrawForm(),
            attachment_form=AttachmentForm(),
            is_draft=item.status == DisclosureItem.Status.DRAFT,
            is_published=item.status == DisclosureItem.Status.PUBLISHED,
            on_board=rules.on_board(
                item.status, item.published_on, item.visible_until, timezone.localdate()
            ),
        )
    return render(request, "congress/disclosure/item.html", ctx)


@login_required
@require_GET
def disclosure_history(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id)
    return render(
        request,
        "congress/disclosure/history.html",
        {"item": item, "versions": disclosure.item_versions(item)},
    )


@login_required
@require_GET
def disclosure_attachment(request: AuthenticatedHttpRequest, attachment_id: int) -> FileResponse:
    attachment = disclosure.get_attachment_for(request.user, attachment_id)
    return FileResponse(
        disclosure.attachment_open(attachment),
        as_attachment=True,
        filename=attachment.file_name,
    )


# ---- managers: items ----------------------------------------------------------------------


@login_required
@require_GET
def disclosure_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    form = ItemFilterForm(request.GET, union=union)
    qs = disclosure.manage_items(union, form.to_filter())
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    _labels(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "union": union,
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "title": _board_title(union),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "congress/disclosure/partials/_items_table.html", ctx)
    return render(request, "congress/disclosure/manage.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_item_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    form = ItemForm(request.POST or None, union=union)
    if request.method == "POST" and form.is_valid():
        try:
            item = disclosure.item_create(actor=request.user, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Draft saved. Publish it to show it on the board."))
            return redirect(_item_url(item))
    return render(
        request,
        "congress/disclosure/item_form.html",
        {"form": form, "union": union, "mode": "new"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_item_edit(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id, manage=True)
    union = item.category.union
    if item.status != DisclosureItem.Status.DRAFT:
        messages.info(request, _("A published item is changed by revising it."))
        return redirect("congress:disclosure_item_revise", item_id=item.pk)
    initial = {
        "category": item.category,
        "title": item.title,
        "body": item.body,
        "regularity": item.regularity,
        "stage": item.stage,
        "visible_until": item.visible_until,
    }
    form = ItemForm(request.POST or None, union=union, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure.item_update(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(_item_url(item))
    return render(
        request,
        "congress/disclosure/item_form.html",
        {"form": form, "union": union, "item": item, "mode": "edit"},
    )


@login_required
@require_POST
def disclosure_item_publish(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id, manage=True)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid publication date."))
        return redirect(_item_url(item))
    try:
        disclosure.item_publish(
            actor=request.user, item=item, published_on=form.cleaned_data["published_on"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Published on the board."))
    return redirect(_item_url(item))


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_item_revise(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id, manage=True)
    if item.status != DisclosureItem.Status.PUBLISHED:
        messages.info(request, _("Only a published item is revised."))
        return redirect(_item_url(item))
    form = ReviseForm(request.POST or None, initial={"title": item.title, "body": item.body})
    if request.method == "POST" and form.is_valid():
        try:
            disclosure.item_revise(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Revision published; the earlier text is kept."))
            return redirect(_item_url(item))
    return render(
        request,
        "congress/disclosure/item_form.html",
        {"form": form, "union": item.category.union, "item": item, "mode": "revise"},
    )


@login_required
@require_POST
def disclosure_item_withdraw(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id, manage=True)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(
                "disclosure.required", _("Give the reason for the withdrawal."), field="reason"
            )
        disclosure.item_withdraw(actor=request.user, item=item, **form.cleaned_data)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Withdrawn from the board; it stays on record."))
    return redirect(_item_url(item))


@login_required
@require_POST
def disclosure_attachment_add(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = disclosure.get_item_for(request.user, item_id, manage=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(_item_url(item))
    upload = form.cleaned_data["file"]
    try:
        disclosure.attachment_add(
            actor=request.user, item=item, file_name=upload.name, chunks=upload.chunks()
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("File attached."))
    return redirect(_item_url(item))


# ---- managers: categories -----------------------------------------------------------------


def _categories_url(union: OrgUnit) -> str:
    return f"{reverse('congress:disclosure_categories')}?union={union.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure.category_create(actor=request.user, union=union, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Category added."))
            return redirect(_categories_url(union))
    categories = list(disclosure.categories_of(union, archived=True).order_by("sort_order"))
    return render(
        request,
        "congress/disclosure/categories.html",
        {
            "union": union,
            "form": form,
            "categories": categories,
            "preset_form": PresetForm(initial={"kind": disclosure.board_kind(union) or "school"}),
        },
    )


@login_required
@require_POST
def disclosure_presets(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    form = PresetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a preset list."))
        return redirect(_categories_url(union))
    try:
        added = disclosure.categories_add_presets(
            actor=request.user, union=union, kind=form.cleaned_data["kind"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(n)s categories added.") % {"n": len(added)})
    return redirect(_categories_url(union))


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_category_edit(request: AuthenticatedHttpRequest, category_id: int) -> HttpResponse:
    category = disclosure.get_category_for(request.user, category_id)
    initial = {
        "name": category.name,
        "responsible_department": category.responsible_department,
        "sort_order": category.sort_order,
    }
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure.category_update(
                actor=request.user,
                category=category,
                name=data["name"],
                responsible_department=data["responsible_department"],
                sort_order=data["sort_order"] if data["sort_order"] is not None else 0,
            )
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Category saved."))
            return redirect(_categories_url(category.union))
    return render(
        request,
        "congress/disclosure/category_form.html",
        {"form": form, "category": category, "union": category.union},
    )


@login_required
@require_POST
def disclosure_category_archive(
    request: AuthenticatedHttpRequest, category_id: int
) -> HttpResponse:
    category = disclosure.get_category_for(request.user, category_id)
    try:
        disclosure.category_archive(actor=request.user, category=category)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Category archived; its items stay on record."))
    return redirect(_categories_url(category.union))


# ---- the annual report and the overview ---------------------------------------------------


def _chart(tally: rules.DisclosureTally) -> dict[str, Any]:
    names = list(tally.by_category_stage)
    return {
        "names": names,
        "series": [
            {
                "name": str(label),
                "data": [tally.by_category_stage[n].get(stage, 0) for n in names],
            }
            for stage, label in DisclosureItem.Stage.choices
        ],
    }


@login_required
@require_GET
def disclosure_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    today = timezone.localdate()
    year = YearForm(request.GET).year_or(today.year)
    tally = disclosure.year_tally(union, year)
    stage_labels = dict(DisclosureItem.Stage.choices)
    return render(
        request,
        "congress/disclosure/report.html",
        {
            "union": union,
            "year": year,
            "years": disclosure.item_years(union),
            "tally": tally,
            "stages": [(stage_labels[s], tally.by_stage[s]) for s in rules.DISCLOSURE_STAGES],
            "categories": [
                (name, [stages[s] for s in rules.DISCLOSURE_STAGES], tally.by_category[name])
                for name, stages in tally.by_category_stage.items()
            ],
            "summary": report_docx.summary_sentence(tally),
            "report_title": report_docx.report_title(union, year),
            "chart": _chart(tally),
        },
    )


@login_required
@require_GET
def disclosure_report_docx(request: AuthenticatedHttpRequest) -> HttpResponse:
    union = _union(request, manage=True)
    today = timezone.localdate()
    year = YearForm(request.GET).year_or(today.year)
    data = report_docx.annual_report_docx(union, year, today)
    response = HttpResponse(data, content_type=DOCX)
    name = quote(f"{report_docx.report_title(union, year)}.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_GET
def disclosure_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts per union and per category for those who see statistics: no item texts."""
    unions = disclosure.overview_unions(request.user)
    if not unions:
        raise PermissionDenied
    today = timezone.localdate()
    year = YearForm(request.GET).year_or(today.year)
    rows = disclosure.overview(unions, year)
    return render(
        request,
        "congress/disclosure/overview.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "rows": rows,
            "by_category": list(disclosure.overview_by_category(rows).items()),
            "chart": {
                "names": [r.union.short_name or r.union.name for r in rows],
                "totals": [r.tally.total for r in rows],
                "revisions": [r.tally.revisions for r in rows],
            },
        },
    )
