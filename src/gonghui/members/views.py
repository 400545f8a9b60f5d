"""Member pages: the list, one member, the lifecycle steps, approvals, self-service and
transfer-in. Views parse with a form, check access, call one service, render or redirect."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access, rules
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, User
from gonghui.core.services import log_sensitive_read
from gonghui.core.web import AuthenticatedHttpRequest, form_error

from . import exports, listing, queries, services
from .forms import (
    STEP_FORMS,
    DecisionForm,
    MemberEditForm,
    MemberFilterForm,
    MemberNewForm,
    SelfProfileForm,
    StepForm,
    TransferInForm,
    TransferLookupForm,
)
from .models import EmploymentType, Member, MemberStatus, ProfileChangeRequest, WorkStatus

# Which permission each lifecycle step needs on the member's union.
STEP_PERMS: dict[str, Perm] = {
    "approve": Perm.APPROVE_MEMBERS,
    "reject": Perm.APPROVE_MEMBERS,
    "move": Perm.EDIT_MEMBERS,
    "transfer_out": Perm.EDIT_MEMBERS,
    "retire": Perm.EDIT_MEMBERS,
    "leave": Perm.EDIT_MEMBERS,
    "decease": Perm.EDIT_MEMBERS,
    "reinstate": Perm.EDIT_MEMBERS,
}


def _today() -> date:
    return timezone.localdate()


def _member_or_404(request: AuthenticatedHttpRequest, member_id: int) -> Member:
    """A member the user may see; outside their scope it does not exist for them."""
    if not queries.may_list_members(request.user):
        raise PermissionDenied
    member = queries.member_for_page(request.user, member_id)
    if member is None:
        raise Http404
    return member


def _mask(user: User, members: Iterable[Any]) -> None:
    """Masked ID number and phone for display, and whether the user may reveal them
    (members or list rows; the right is decided once per unit, and once per union where
    the union grants it: a member's unit lies in their union, so a grant that reaches
    the union reaches the unit, and a filtered page spans 40 units of 10 unions)."""
    may_reveal: dict[int, bool] = {}
    for m in members:
        m.masked_id = rules.mask_id_number(m.person.id_number)
        m.masked_phone = rules.mask_phone(m.person.phone)
        if m.unit_id not in may_reveal:
            if m.union_id not in may_reveal:
                may_reveal[m.union_id] = access.has_perm(user, Perm.VIEW_SENSITIVE, m.union)
            may_reveal[m.unit_id] = may_reveal[m.union_id] or access.has_perm(
                user, Perm.VIEW_SENSITIVE, m.unit
            )
        m.can_reveal = may_reveal[m.unit_id]


def _labels(members: Iterable[Any]) -> None:
    """Choice labels for the list's rows, each translated once per page rather than once
    per row (``get_FOO_display`` hashes every lazy choice label on every call)."""
    gender = {v: str(label) for v, label in Person.Gender.choices}
    employment = {v: str(label) for v, label in EmploymentType.choices}
    status = {v: str(label) for v, label in MemberStatus.choices}
    work = {v: str(label) for v, label in WorkStatus.choices}
    for m in members:
        m.gender_label = gender.get(m.person.gender, m.person.gender)
        m.employment_label = employment.get(m.employment_type, m.employment_type)
        m.status_label = status.get(m.status, m.status)
        m.work_status_label = work.get(m.work_status, m.work_status)


FIELD_LABELS = {
    "name": _lazy("Name"),
    "gender": _lazy("Gender"),
    "birth_date": _lazy("Birth date"),
    "id_number": _lazy("ID number"),
    "phone": _lazy("Mobile phone"),
}


def _with_rows(requests: Iterable[ProfileChangeRequest]) -> list[ProfileChangeRequest]:
    """Change requests with (label, old, new) rows to show; ID numbers stay masked."""
    out = list(requests)
    for r in out:
        rows = []
        for field, change in r.changes.items():
            old, new = change.get("old"), change.get("new")
            if field == "id_number":
                old, new = rules.mask_id_number(old), rules.mask_id_number(new)
            rows.append((FIELD_LABELS.get(field, field), old, new))
        r.rows = rows  # type: ignore[attr-defined]  # display only, for the template
    return out


# ---- the list and the export -------------------------------------------------------------


@login_required
@require_GET
def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not queries.may_list_members(request.user):
        raise PermissionDenied
    form = MemberFilterForm(request.GET, user=request.user)
    f = form.to_filter()
    qs = queries.member_search(request.user, f, today=_today())
    page = queries.member_page(qs, request.GET.get("page"))
    _mask(request.user, page.object_list)
    _labels(page.object_list)
    params = {k: v for k, v in f.as_params().items() if v != ""}
    if not f.status:
        params["status"] = ""
    ctx = {
        "form": form,
        "page": page,
        # Rows and filter fields are written in Python (listing.py): the template engine
        # would take most of the page's time on them at 200,000 members.
        "rows": listing.member_rows_html(page.object_list),
        "query": urlencode(params),
        "filter_params": list(params.items()),
        "can_sensitive": access.has_any(request.user, Perm.VIEW_SENSITIVE),
        "can_add": access.has_any(request.user, Perm.EDIT_MEMBERS),
    }
    partial = request.htmx and not request.htmx.boosted
    # The unit chooser opens level by level (see queries.unit_filter_options): the filter
    # form's htmx answer replaces it out of band, so choosing a unit offers the units below.
    # A page link (no trigger id) leaves it as it is.
    ctx["unit_options_oob"] = bool(partial and request.htmx.trigger == "member-filter")
    if not partial or ctx["unit_options_oob"]:
        ctx["unit_options"] = listing.unit_options_html(_unit_options(request.user, f.unit))
    if not partial:
        ctx["q_field"] = (form["q"], listing.widget_html(form["q"]))
        ctx["filter_fields"] = [
            (bf, listing.widget_html(bf), _FILTER_COLS.get(bf.name, "col-xl-1"))
            for bf in form
            if bf.name not in ("q", "unit")
        ]
    if partial:
        return render(request, "members/partials/_member_table.html", ctx)
    return render(request, "members/member_list.html", ctx)


_FILTER_COLS = {"employment_type": "col-xl-2", "category": "col-xl-2", "status": "col-xl-2"}


def _unit_options(user: User, chosen: OrgUnit | None) -> list[tuple[int, str, bool]]:
    """(pk, indented name, selected) for the chooser, written out by the template from
    plain tuples: Django's Select widget renders options many times slower."""
    units = queries.unit_filter_options(user, chosen)
    base = min((depth for _pk, _name, depth in units), default=0)
    chosen_pk = chosen.pk if chosen else None
    return [
        (pk, "\u3000" * min(depth - base, 8) + name, pk == chosen_pk) for pk, name, depth in units
    ]


@login_required
@require_GET
def member_export(request: AuthenticatedHttpRequest) -> FileResponse:
    if not queries.may_list_members(request.user):
        raise PermissionDenied
    f = MemberFilterForm(request.GET, user=request.user).to_filter()
    qs = queries.member_search(request.user, f, today=_today())
    wants_clear = request.GET.get("sensitive") == "1"
    return exports.member_export_response(request.user, qs, f, include_sensitive=wants_clear)


# ---- one member ------------------------------------------------------------------------


def _detail_context(
    request: AuthenticatedHttpRequest, member: Member, forms: dict[str, StepForm] | None = None
) -> dict[str, Any]:
    user = request.user
    _mask(user, [member])
    may = {s for s, perm in STEP_PERMS.items() if access.has_perm(user, perm, member.union)}
    steps = [s for s in services.lifecycle_steps(member) if s in may]
    forms = forms or {}
    step_forms = {s: forms.get(s) or STEP_FORMS[s](member=member) for s in steps}
    return {
        "member": member,
        "path": queries.unit_path(member.unit),
        "history": queries.member_history(member),
        "requests": _with_rows(queries.member_change_requests(member, pending_only=True)),
        "step_forms": step_forms,
        "open_step": next(iter(forms), ""),
        "can_edit": access.has_perm(user, Perm.EDIT_MEMBERS, member.union),
        "can_approve": access.has_perm(user, Perm.APPROVE_MEMBERS, member.union),
        "can_audit": access.has_perm(user, Perm.VIEW_AUDIT, member.union),
        "can_see_hardship": access.has_perm(user, Perm.VIEW_HARDSHIP, member.union),
    }


@login_required
@require_GET
def member_detail(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    if not queries.may_list_members(request.user):
        own = queries.member_of_user(request.user)
        if own is not None and own.pk == member_id:
            return redirect("members:my_profile")
    member = _member_or_404(request, member_id)
    return render(request, "members/member_detail.html", _detail_context(request, member))


@login_required
@require_POST
def member_reveal(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    member = _member_or_404(request, member_id)
    if not access.has_perm(request.user, Perm.VIEW_SENSITIVE, member.unit):
        raise PermissionDenied
    log_sensitive_read(
        actor=request.user,
        person=member.person,
        fields=["id_number", "phone"],
        unit=member.union,
        context=f"member {member.pk} page",
    )
    return render(request, "members/partials/_sensitive.html", {"member": member, "clear": True})


@login_required
@require_POST
def member_lifecycle(request: AuthenticatedHttpRequest, member_id: int, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404
    member = _member_or_404(request, member_id)
    if not access.has_perm(request.user, STEP_PERMS[step], member.union):
        raise PermissionDenied
    form = STEP_FORMS[step](request.POST, member=member)
    if form.is_valid():
        try:
            _run_step(request.user, member, step, form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": member.person.name})
            return redirect("members:detail", member_id=member.pk)
    member = queries.member_for_page(request.user, member_id) or member
    ctx = _detail_context(request, member, {step: form})
    return render(request, "members/member_detail.html", ctx, status=400)


def _run_step(actor: User, member: Member, step: str, data: dict[str, Any]) -> None:
    on = data["on"]
    if step == "approve":
        services.member_approve(actor=actor, member=member, on=on, member_no=data["member_no"])
    elif step == "reject":
        services.member_reject(actor=actor, member=member, on=on, reason=data["reason"])
    elif step == "move":
        services.member_move(actor=actor, member=member, to_unit=data["to_unit"], on=on)
    elif step == "transfer_out":
        services.member_transfer_out(
            actor=actor, member=member, on=on, to_union=data["to_union"], note=data["note"]
        )
    elif step == "retire":
        services.member_retire(actor=actor, member=member, on=on)
    elif step == "leave":
        services.member_leave(actor=actor, member=member, on=on, reason=data["reason"])
    elif step == "decease":
        services.member_decease(actor=actor, member=member, on=on, note=data["note"])
    elif step == "reinstate":
        services.member_reinstate(actor=actor, member=member, on=on, note=data["note"])


# ---- new member, edit ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit_choices = queries.member_units(request.user)
    if not unit_choices:
        raise PermissionDenied
    form = MemberNewForm(request.POST or None, unit_choices=unit_choices)
    form.keep_hardship(access.has_any(request.user, Perm.VIEW_HARDSHIP))
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        d = form.cleaned_data
        fields = form.member_fields()
        if not access.has_perm(request.user, Perm.VIEW_HARDSHIP, chosen.union):
            fields.pop("is_in_hardship", None)
        try:
            if d["mode"] == form.MODE_APPLY:
                member = services.member_apply(
                    actor=request.user,
                    union=chosen.union,
                    unit=chosen.unit,
                    person=form.person_data(),
                    applied_on=d["joined_on"],
                    **fields,
                )
            else:
                member = services.member_enrol(
                    actor=request.user,
                    union=chosen.union,
                    unit=chosen.unit,
                    person=form.person_data(),
                    joined_on=d["joined_on"],
                    member_no=d["member_no"].strip(),
                    **fields,
                )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": member.person.name})
            return redirect("members:detail", member_id=member.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/member_form.html", {"form": form, "new": True}, status=status)


def _changed(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields whose submitted value differs from the stored one ("" and None alike)."""
    return {k: v for k, v in data.items() if (v or None) != (current.get(k) or None)}


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    member = _member_or_404(request, member_id)
    if not access.has_perm(request.user, Perm.EDIT_MEMBERS, member.union):
        raise PermissionDenied
    initial = MemberEditForm.initial_for(member)
    form = MemberEditForm(request.POST or None, initial=initial)
    form.keep_hardship(access.has_perm(request.user, Perm.VIEW_HARDSHIP, member.union))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {**form.person_data(), **form.member_fields()}
        data["member_no"] = d["member_no"].strip()
        data["joined_on"] = d["joined_on"]
        changes = _changed(data, initial)
        try:
            if changes:
                services.member_update(actor=request.user, member=member, **changes)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": member.person.name})
            return redirect("members:detail", member_id=member.pk)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "member": member, "new": False}
    return render(request, "members/member_form.html", ctx, status=status)


# ---- approvals -------------------------------------------------------------------------


def _require_approver(request: AuthenticatedHttpRequest) -> None:
    user = request.user
    if not access.has_any(user, Perm.APPROVE_MEMBERS):
        raise PermissionDenied


def _approvals_page(
    request: AuthenticatedHttpRequest, status: int = 200, **extra: Any
) -> HttpResponse:
    applications = list(queries.pending_applications(request.user))
    _mask(request.user, applications)
    ctx = {
        "applications": applications,
        "change_requests": _with_rows(queries.pending_change_requests(request.user)),
        "decision_form": DecisionForm(),
        **extra,
    }
    return render(request, "members/approvals.html", ctx, status=status)


@login_required
@require_GET
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_approver(request)
    return _approvals_page(request)


@login_required
@require_POST
def approve_application(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    _require_approver(request)
    member = queries.pending_applications(request.user).filter(pk=member_id).first()
    if member is None:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        on = d["on"] or _today()
        try:
            if d["decision"] == "approve":
                services.member_approve(
                    actor=request.user, member=member, on=on, member_no=d["member_no"].strip()
                )
            else:
                services.member_reject(actor=request.user, member=member, on=on, reason=d["note"])
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Decided: %(name)s.") % {"name": member.person.name})
            return redirect("members:approvals")
    return _approvals_page(request, status=400, failed_form=form, failed_member=member.pk)


@login_required
@require_POST
def decide_change(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    _require_approver(request)
    change = queries.pending_change_requests(request.user).filter(pk=request_id).first()
    if change is None:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.change_request_decide(
                actor=request.user,
                request=change,
                approve=d["decision"] == "approve",
                note=d["note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            name = change.member.person.name
            messages.success(request, _("Decided: %(name)s.") % {"name": name})
            return redirect("members:approvals")
    return _approvals_page(request, status=400, failed_form=form, failed_request=change.pk)


# ---- self-service ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = queries.member_of_user(request.user)
    if member is None:
        raise Http404
    person = member.person
    initial = SelfProfileForm.initial_for(person)
    form = SelfProfileForm(
        request.POST or None, initial=initial, masked_id=rules.mask_id_number(person.id_number)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.person_data()
            if not data["id_number"]:
                del data["id_number"]  # left empty: kept (the field is never prefilled)
            changes = _changed(data, {**initial, "id_number": person.id_number})
            try:
                _member, change = services.profile_update_self(
                    actor=request.user, changes=changes, reason=form.cleaned_data["reason"]
                )
            except DomainError as err:
                form_error(form, err)
            else:
                if change is not None:
                    messages.info(request, _("Your correction was sent to the union for approval."))
                else:
                    messages.success(request, _("Your details were saved."))
                return redirect("members:my_profile")
    _mask(request.user, [member])
    requests = _with_rows(queries.member_change_requests(member))
    ctx = {
        "member": member,
        "form": form,
        "history": queries.member_history(member),
        "requests": requests,
        "pending": any(r.status == ProfileChangeRequest.Status.PENDING for r in requests),
    }
    return render(request, "members/my_profile.html", ctx, status=status)


@login_required
@require_POST
def my_reveal(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's own ID number in clear, on request; the reading is logged like a
    cadre's (a shared or unattended screen is how a member's number leaks)."""
    member = queries.member_of_user(request.user)
    if member is None:
        raise Http404
    log_sensitive_read(
        actor=request.user,
        person=member.person,
        fields=["id_number"],
        unit=member.union,
        context="own profile",
    )
    number = member.person.id_number or "—"
    return HttpResponse(format_html('<span class="font-monospace">{}</span>', number))


# ---- transfer in -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfer_in(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Look up someone transferred out by ID number (POSTed, so the number stays out of
    URLs and logs), then take them in to a unit of the user's union."""
    unit_choices = queries.member_units(request.user)
    if not unit_choices:
        raise PermissionDenied
    unions = [c.union for c in {c.union.pk: c for c in unit_choices}.values()]
    candidate = None
    status = 200
    lookup = TransferLookupForm()
    form = TransferInForm(unit_choices=unit_choices)
    if request.method == "POST" and "lookup" in request.POST:
        lookup = TransferLookupForm(request.POST)
        if lookup.is_valid():
            idn = lookup.cleaned_data["id_number"]
            candidate = next((m for u in unions if (m := queries.transfer_candidate(idn, u))), None)
            if candidate is None:
                lookup.add_error(
                    "id_number", _("No one transferred out to your union has that ID.")
                )
            else:
                form = TransferInForm(initial={"id_number": idn}, unit_choices=unit_choices)
    elif request.method == "POST":
        status = 400
        form = TransferInForm(request.POST, unit_choices=unit_choices)
        lookup = TransferLookupForm(initial={"id_number": request.POST.get("id_number", "")})
        if form.is_valid():
            chosen = form.chosen()
            member = queries.transfer_candidate(form.cleaned_data["id_number"], chosen.union)
            if member is None:
                form.add_error("id_number", _("No one transferred out to this union has that ID."))
            else:
                candidate = member
                try:
                    services.member_transfer_in(
                        actor=request.user,
                        member=member,
                        union=chosen.union,
                        unit=chosen.unit,
                        on=form.cleaned_data["on"],
                        note=form.cleaned_data["note"],
                    )
                except DomainError as err:
                    form_error(form, err)
                else:
                    messages.success(
                        request, _("Taken in: %(name)s.") % {"name": member.person.name}
                    )
                    return redirect("members:detail", member_id=member.pk)
    if candidate is not None:
        _mask(request.user, [candidate])
        # Display only, for the template: when and where they left.
        candidate.last_out = (  # type: ignore[attr-defined]
            candidate.events.filter(kind="transferred_out").order_by("on", "id").last()
        )
    ctx = {"lookup": lookup, "form": form, "candidate": candidate}
    return render(request, "members/transfer_in.html", ctx, status=status)
