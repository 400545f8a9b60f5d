"""Hardship-file pages. Only the chair and named care officers see files; a member sees
their own; upper unions see counts. Each view of a file's details is logged as a read.

Status codes: 403 when the user holds no hardship right at all, 404 when the file lies
outside the unions they keep files in (it does not exist for them), 405 for a wrong method.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import hardship, hardship_exports, rules
from .hardship_forms import (
    AidForm,
    ExitForm,
    FamilyForm,
    FileFieldsForm,
    FileFilterForm,
    FileOpenForm,
    FullExportForm,
    ReasonForm,
    ReviewForm,
)
from .models import HardshipCause, HardshipFamilyMember, HardshipFile, HardshipTier

PER_PAGE = 50


def _today() -> date:
    return timezone.localdate()


def _require_keeper(user: Any) -> None:
    if not access.has_any(user, Perm.VIEW_HARDSHIP):
        raise PermissionDenied


def _file_or_404(request: AuthenticatedHttpRequest, file_id: int) -> HardshipFile:
    _require_keeper(request.user)
    file = hardship.file_for_page(request.user, file_id)
    if file is None:
        raise Http404
    return file


def _editable_file(request: AuthenticatedHttpRequest, file_id: int) -> HardshipFile:
    file = _file_or_404(request, file_id)
    if not hardship.may_edit(request.user, file.union):
        raise PermissionDenied
    return file


def _editable_unions(user: Any) -> QuerySet[OrgUnit]:
    return (
        access.units_with(user, Perm.VIEW_HARDSHIP)
        .filter(kind__in=UNION_KINDS)
        .filter(pk__in=access.units_with(user, Perm.MANAGE_CARE).values("pk"))
    )


def _cause_labels(codes: list[str]) -> list[str]:
    labels = dict(HardshipCause.choices)
    return [str(labels.get(c, c)) for c in codes]


def _detail_url(file: HardshipFile) -> str:
    return reverse("care:hardship_detail", args=[file.pk])


# ---- the list, the counts, the read log --------------------------------------------------


@login_required
@require_GET
def hardship_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_keeper(request.user)
    today = _today()
    visible = hardship.files_visible(request.user)
    form = FileFilterForm(request.GET or None)
    qs = form.filter(visible, hardship.due_filter(today)).order_by("union__path", "file_no", "pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    due_ids = set(
        visible.filter(hardship.due_filter(today)).values_list("pk", flat=True).distinct()
    )
    rows = list(page.object_list)
    for f in rows:  # display-only attributes for the template
        f.is_due = f.pk in due_ids  # type: ignore[attr-defined]
        f.cause_label = _cause_labels([f.primary_cause])[0]  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    unions = _editable_unions(request.user)
    ctx = {
        "form": form,
        "page": page,
        "rows": rows,
        "due_count": len(due_ids),
        "query": params.urlencode(),
        "can_open": unions.exists(),
        "can_oversee": hardship.may_oversee_any(request.user),
        "can_count": hardship.may_see_counts(request.user),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "care/hardship/partials/_file_table.html", ctx)
    return render(request, "care/hardship/file_list.html", ctx)


@login_required
@require_GET
def hardship_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not hardship.may_see_counts(request.user):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        year = _today().year
    rows = hardship.hardship_counts(request.user, year=year)
    tiers, causes = dict(HardshipTier.choices), dict(HardshipCause.choices)
    tier_totals = {t: sum(r.by_tier.get(t, 0) for r in rows) for t in tiers}
    cause_totals = {c: sum(r.by_cause.get(c, 0) for r in rows) for c in causes}
    for r in rows:
        r.tier_cells = [r.by_tier.get(t, 0) for t in tiers]  # type: ignore[attr-defined]  # display only
    charts = {
        "tier": {
            "type": "bar",
            "data": [{"name": str(tiers[t]), "value": n} for t, n in tier_totals.items()],
        },
        "cause": {
            "type": "bar",
            "data": [{"name": str(causes[c]), "value": n} for c, n in cause_totals.items() if n],
        },
    }
    ctx = {
        "rows": rows,
        "year": year,
        "years": list(range(_today().year, _today().year - 5, -1)),
        "tier_labels": [str(v) for v in tiers.values()],
        "cause_rows": [(str(causes[c]), n) for c, n in cause_totals.items() if n],
        "total_active": sum(r.active for r in rows),
        "total_exited": sum(r.exited for r in rows),
        "total_aid": rules.yuan(sum((r.aid_amount for r in rows), rules.yuan(0))),
        "charts": charts,
    }
    return render(request, "care/hardship/counts.html", ctx)


@login_required
@require_GET
def hardship_reads(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not hardship.may_oversee_any(request.user):
        raise PermissionDenied
    file_id = request.GET.get("file")
    file = None
    if file_id:
        file = hardship.file_for_page(request.user, int(file_id)) if file_id.isdigit() else None
        if file is None:
            raise Http404
    events = hardship.read_events(request.user, file_id=file.pk if file else None)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    ids = {int(e.object_id) for e in page.object_list}
    names = dict(HardshipFile.objects.filter(pk__in=ids).values_list("pk", "member__person__name"))
    for e in page.object_list:
        e.member_name = names.get(int(e.object_id), "")  # type: ignore[attr-defined]  # display only
    return render(request, "care/hardship/read_log.html", {"page": page, "file": file})


# ---- one file ----------------------------------------------------------------------------


@login_required
@require_GET
def hardship_detail(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _file_or_404(request, file_id)
    hardship.log_read(actor=request.user, file=file, context="detail page")
    per_head = hardship_exports.per_head(
        file.household_income_monthly, file.hardship_costs_monthly, file.household_size
    )
    advice = None
    if file.local_min_income_line is not None:
        code = rules.hardship_tier(
            household_income_monthly=file.household_income_monthly,
            hardship_costs_monthly=file.hardship_costs_monthly,
            household_size=file.household_size,
            min_income_line=file.local_min_income_line,
        )
        advice = HardshipTier(code).label if code else _("No tier applies")
    family = list(file.family.order_by("archived_at", "pk"))
    ctx = {
        "file": file,
        "member": file.member,
        "secondary": _cause_labels(file.secondary_causes),
        "per_head": per_head,
        "advice": advice,
        "family": [p for p in family if p.archived_at is None],
        "family_archived": [p for p in family if p.archived_at is not None],
        "reviews": file.reviews.select_related("reviewed_by").order_by("-reviewed_on", "-pk"),
        "aid": file.aid.select_related("responsible").order_by("-given_on", "-pk"),
        "aid_total": hardship.aid_total(file),
        "is_due": HardshipFile.objects.filter(pk=file.pk)
        .filter(hardship.due_filter(_today()))
        .exists(),
        "is_active": file.status == HardshipFile.Status.ACTIVE,
        "can_edit": hardship.may_edit(request.user, file.union),
        "can_oversee": hardship.may_oversee(request.user, file.union),
        "archive_form": ReasonForm(),
    }
    return render(request, "care/hardship/file_detail.html", ctx)


def _file_form_page(
    request: AuthenticatedHttpRequest,
    form: Any,
    *,
    title: str,
    file: HardshipFile | None,
    save: Callable[[dict[str, Any]], HardshipFile],
    template: str = "care/hardship/form.html",
) -> HttpResponse:
    """GET shows the form; a valid POST calls ``save`` and goes to the file."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(saved))
    ctx = {"form": form, "title": title, "file": file}
    return render(request, template, ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_keeper(request.user)
    unions = _editable_unions(request.user)
    first = unions.order_by("path").first()
    if first is None:
        raise PermissionDenied
    form = FileOpenForm(
        request.POST or None,
        unions=unions,
        cadres=hardship.pairing_candidates(first),
        initial={"member": request.GET.get("member", "")},
    )

    def save(d: dict[str, Any]) -> HardshipFile:
        return hardship.hardship_file_open(
            actor=request.user,
            member=d["member"],
            tier=d["tier"],
            primary_cause=d["primary_cause"],
            secondary_causes=d["secondary_causes"],
            household_size=d["household_size"],
            household_income_monthly=d["household_income_monthly"],
            hardship_costs_monthly=d["hardship_costs_monthly"],
            local_min_income_line=d["local_min_income_line"],
            needs=d["needs"],
            measures=d["measures"],
            pair_cadre=d["pair_cadre"],
            opened_on=d["opened_on"],
        )

    return _file_form_page(request, form, title=_("Open a hardship file"), file=None, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_edit(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _editable_file(request, file_id)
    initial = {k: getattr(file, k) for k in hardship.FILE_FIELDS}
    initial["pair_cadre"] = file.pair_cadre_id
    form = FileFieldsForm(
        request.POST or None, initial=initial, cadres=hardship.pairing_candidates(file.union)
    )

    def save(d: dict[str, Any]) -> HardshipFile:
        # Figures and the pairing are one edit for the person at the form: both or neither.
        with transaction.atomic():
            saved = hardship.hardship_file_update(
                actor=request.user, file=file, **{k: d[k] for k in hardship.FILE_FIELDS}
            )
            if saved.pair_cadre_id != (d["pair_cadre"].pk if d["pair_cadre"] else None):
                saved = hardship.hardship_pair(
                    actor=request.user, file=saved, cadre=d["pair_cadre"]
                )
        return saved

    title = _("Edit file %(no)s") % {"no": file.file_no}
    return _file_form_page(request, form, title=title, file=file, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_family_new(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _editable_file(request, file_id)
    form = FamilyForm(request.POST or None)

    def save(d: dict[str, Any]) -> HardshipFile:
        hardship.family_member_add(actor=request.user, file=file, **d)
        return file

    return _file_form_page(request, form, title=_("Add a family member"), file=file, save=save)


def _family_member(file: HardshipFile, person_id: int) -> HardshipFamilyMember:
    person = file.family.filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@login_required
@require_http_methods(["GET", "POST"])
def hardship_family_edit(
    request: AuthenticatedHttpRequest, file_id: int, person_id: int
) -> HttpResponse:
    file = _editable_file(request, file_id)
    person = _family_member(file, person_id)
    initial = {k: getattr(person, k) for k in hardship.FAMILY_FIELDS}
    form = FamilyForm(request.POST or None, initial=initial)

    def save(d: dict[str, Any]) -> HardshipFile:
        hardship.family_member_update(actor=request.user, family_member=person, **d)
        return file

    return _file_form_page(request, form, title=_("Edit a family member"), file=file, save=save)


@login_required
@require_POST
def hardship_family_archive(
    request: AuthenticatedHttpRequest, file_id: int, person_id: int
) -> HttpResponse:
    file = _editable_file(request, file_id)
    person = _family_member(file, person_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect(_detail_url(file))
    try:
        hardship.family_member_archive(
            actor=request.user, family_member=person, reason=form.cleaned_data["reason"]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The family member was archived."))
    return redirect(_detail_url(file))


@login_required
@require_http_methods(["GET", "POST"])
def hardship_review(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _editable_file(request, file_id)
    form = ReviewForm(request.POST or None, initial={"income": file.household_income_monthly})

    def save(d: dict[str, Any]) -> HardshipFile:
        hardship.hardship_review(actor=request.user, file=file, **d)
        return file

    title = _("Re-check file %(no)s") % {"no": file.file_no}
    return _file_form_page(request, form, title=title, file=file, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_exit(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _editable_file(request, file_id)
    form = ExitForm(request.POST or None)

    def save(d: dict[str, Any]) -> HardshipFile:
        return hardship.hardship_exit(actor=request.user, file=file, **d)

    title = _("Out of hardship: file %(no)s") % {"no": file.file_no}
    return _file_form_page(request, form, title=title, file=file, save=save)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_aid(request: AuthenticatedHttpRequest, file_id: int) -> HttpResponse:
    file = _editable_file(request, file_id)
    form = AidForm(request.POST or None, cadres=hardship.pairing_candidates(file.union))

    def save(d: dict[str, Any]) -> HardshipFile:
        hardship.aid_record(actor=request.user, file=file, **d)
        return file

    title = _("Record aid for file %(no)s") % {"no": file.file_no}
    return _file_form_page(
        request, form, title=title, file=file, save=save, template="care/hardship/aid_form.html"
    )


# ---- the member's own file ---------------------------------------------------------------


@login_required
@require_GET
def hardship_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    member, file = hardship.my_file(request.user)
    if member is None:
        raise Http404
    ctx: dict[str, Any] = {"member": member, "file": file}
    if file is not None:
        hardship.log_read(actor=request.user, file=file, context="own file")
        ctx["secondary"] = _cause_labels(file.secondary_causes)
        ctx["aid"] = list(file.aid.order_by("-given_on", "-pk"))
        ctx["aid_total"] = hardship.aid_total(file)
        ctx["is_active"] = file.status == HardshipFile.Status.ACTIVE
    return render(request, "care/hardship/mine.html", ctx)


# ---- exports -----------------------------------------------------------------------------


def _export_files(request: AuthenticatedHttpRequest, params: Any) -> list[HardshipFile]:
    visible = hardship.files_visible(request.user).select_related("pair_cadre")
    form = FileFilterForm(params)
    return list(
        form.filter(visible, hardship.due_filter(_today())).order_by("union__path", "file_no")
    )


@login_required
@require_GET
def hardship_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_keeper(request.user)
    files = _export_files(request, request.GET)
    return hardship_exports.export_response(request.user, files, clear=False)


@login_required
@require_http_methods(["GET", "POST"])
def hardship_export_full(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Names and figures in clear: the chair only, after confirming why (logged)."""
    if not hardship.may_oversee_any(request.user):
        raise PermissionDenied
    form = FullExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        files = _export_files(request, request.POST)
        return hardship_exports.export_response(
            request.user, files, clear=True, reason=form.cleaned_data["reason"]
        )
    filters = FileFilterForm(request.GET or request.POST or None)
    ctx = {"form": form, "filters": filters}
    return render(
        request,
        "care/hardship/export_full.html",
        ctx,
        status=400 if form.errors else 200,
    )
