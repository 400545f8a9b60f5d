"""Pages of the UI shell: organisation tree, unit detail and its committees and registration,
users and roles, audit log, job progress.

Each view checks access through ``core.access`` (via ``_unit_for``), parses a form, calls one
service and redirects; a refused action comes back as the service's message on the form.
Forms open inline on the unit page through htmx and also work as plain pages without it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import access, forms, queries, services
from .access import Perm
from .errors import DomainError
from .models import BackgroundJob, CommitteePosition, CommitteeTerm, OrgUnit, User
from .web import AuthenticatedHttpRequest, HtmxHttpRequest, form_error, form_page


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


# ---- helpers ----------------------------------------------------------------------------


def _may_any(user: Any, perm: Perm) -> bool:
    return access.has_any(user, perm)


def _unit_for(request: AuthenticatedHttpRequest, unit_id: int, perm: Perm) -> OrgUnit:
    """The unit if the user holds ``perm`` on it. A unit they can see but not act on is 403;
    a unit outside everything they can see is 404, so guessed ids reveal nothing."""
    user = request.user
    if not _may_any(user, perm):
        raise PermissionDenied
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    if access.has_perm(user, perm, unit):
        return unit
    if access.has_perm(user, Perm.VIEW_ORG, unit):
        raise PermissionDenied
    raise Http404


def _done(request: HtmxHttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _unit_url(unit: OrgUnit) -> str:
    return reverse("unit_detail", args=[unit.pk])


# ---- organisation -----------------------------------------------------------------------


@login_required
@require_GET
def org_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    tops = access.top_units(user, Perm.VIEW_ORG)
    if not tops and not access.is_admin(user):  # an admin of an empty tree sees "add a root"
        raise PermissionDenied
    return render(
        request,
        "core/org_tree.html",
        {
            "trees": queries.unit_trees(tops, with_counts=True),
            "can_add": _may_any(user, Perm.MANAGE_ORG),
        },
    )


@login_required
@require_GET
def unit_detail(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.VIEW_ORG)
    return render(request, "core/unit_detail.html", queries.unit_detail_context(request.user, unit))


@login_required
@require_http_methods(["GET", "POST"])
def unit_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not _may_any(user, Perm.MANAGE_ORG):
        raise PermissionDenied
    parents = queries.units_managed(user).exclude(kind="group").order_by("path")
    initial = {}
    if request.GET.get("parent", "").isdigit():
        parent = _unit_for(request, int(request.GET["parent"]), Perm.MANAGE_ORG)
        initial["parent"] = parent
    back = _unit_url(initial["parent"]) if initial else reverse("org_tree")
    form = forms.UnitCreateForm(
        request.POST or None, parents=parents, allow_root=access.is_admin(user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = services.unit_create(
                actor=user,
                name=d["name"],
                code=d["code"],
                kind=d["kind"],
                parent=d["parent"],
                staff_count=d["staff_count"],
                is_affiliated=d["is_affiliated"],
                short_name=d["short_name"],
                sort_order=d["sort_order"] or 0,
            )
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit), _("Unit %(u)s added.") % {"u": unit})
    return form_page(request, form, title=_("Add a unit"), back=back, submit=_("Add unit"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.MANAGE_ORG)
    initial = {
        f: getattr(unit, f)
        for f in ("name", "short_name", "staff_count", "is_affiliated", "sort_order", "address")
    }
    form = forms.UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.changes())
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit), _("Changes saved."))
    return form_page(
        request,
        form,
        title=_("Edit %(u)s") % {"u": unit},
        back=_unit_url(unit),
        submit=_("Save"),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_move(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.MANAGE_ORG)
    form = forms.UnitMoveForm(
        request.POST or None, targets=queries.move_targets(request.user, unit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"]
            )
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit), _("Unit moved."))
    return form_page(
        request,
        form,
        title=_("Move %(u)s") % {"u": unit},
        back=_unit_url(unit),
        submit=_("Move"),
        intro=_("The unit moves with everything below it. Only units you manage are offered."),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_archive(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.MANAGE_ORG)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_archive(actor=request.user, unit=unit, reason=form.cleaned_data["reason"])
        except DomainError as e:
            form_error(form, e)
        else:
            target = unit.parent if unit.parent_id else None
            url = _unit_url(target) if target is not None else reverse("org_tree")
            return _done(request, url, _("Unit %(u)s archived.") % {"u": unit})
    return form_page(
        request,
        form,
        title=_("Archive %(u)s") % {"u": unit},
        back=_unit_url(unit),
        submit=_("Archive"),
        danger=True,
        intro=_("Archived units keep their records and history but leave the tree."),
        unit=unit,
    )


# ---- committees, terms, positions, registration ----------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def term_start(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.MANAGE_ORG)
    kind = request.GET.get("kind", "")
    views = {c.kind: c for c in queries.committees_of(unit)}
    initial: dict[str, Any] = {"kind": kind or "union"}
    if initial["kind"] in views:
        initial["number"] = views[initial["kind"]].next_number
    form = forms.TermStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.committee_term_start(
                actor=request.user,
                union=unit,
                kind=d["kind"],
                number=d["number"],
                starts_on=d["starts_on"],
                years=d["years"],
                note=d["note"],
            )
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit) + "#committees", _("New term started."))
    return form_page(
        request,
        form,
        title=_("Start a new term"),
        back=_unit_url(unit),
        submit=_("Start term"),
        intro=_("The running term of the committee ends on the start date, with all its seats."),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_assign(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(CommitteeTerm.objects.select_related("committee__union"), pk=term_id)
    unit = _unit_for(request, term.committee.union_id, Perm.MANAGE_ORG)
    if request.method == "GET" and "q" in request.GET:
        # The member search of the seat chooser (forms.PersonSearchSelect): options only.
        found = queries.position_candidates(unit, request.GET["q"])
        return render(request, "core/partials/_person_options.html", {"people": found})
    form = forms.PositionAssignForm(
        request.POST or None,
        people=queries.union_members_for_positions(unit),
        search_url=request.path,
        initial={"starts_on": term.starts_on},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.position_assign(
                actor=request.user,
                term=term,
                person=d["person"],
                position=d["position"],
                starts_on=d["starts_on"],
                source=d["source"],
            )
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit) + "#committees", _("Seat assigned."))
    return form_page(
        request,
        form,
        title=_("Assign a seat in %(t)s") % {"t": term},
        back=_unit_url(unit),
        submit=_("Assign"),
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_end(request: AuthenticatedHttpRequest, position_id: int) -> HttpResponse:
    position = get_object_or_404(
        CommitteePosition.objects.select_related("term__committee__union", "person"),
        pk=position_id,
    )
    unit = _unit_for(request, position.term.committee.union_id, Perm.MANAGE_ORG)
    if position.ends_on is not None:
        raise Http404
    form = forms.PositionEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.position_end(
                actor=request.user,
                position=position,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit) + "#committees", _("Seat ended."))
    return form_page(
        request,
        form,
        title=_("End the seat of %(p)s (%(pos)s)")
        % {"p": position.person, "pos": position.get_position_display()},
        back=_unit_url(unit),
        submit=_("End seat"),
        danger=True,
        unit=unit,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_new(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_for(request, unit_id, Perm.MANAGE_ORG)
    latest = unit.registrations.first()
    initial = {}
    if latest is not None:
        initial = {
            f: getattr(latest, f)
            for f in ("credit_code", "certificate_no", "legal_representative", "address")
        }
    form = forms.RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_record(actor=request.user, union=unit, **form.cleaned_data)
        except DomainError as e:
            form_error(form, e)
        else:
            return _done(request, _unit_url(unit) + "#registration", _("Registration recorded."))
    return form_page(
        request,
        form,
        title=_("Record a legal-person registration or change"),
        back=_unit_url(unit),
        submit=_("Record"),
        unit=unit,
    )


# ---- audit trail ------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _may_any(request.user, Perm.VIEW_AUDIT):
        raise PermissionDenied
    form = forms.AuditFilterForm(request.GET or None)
    f = queries.AuditFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = queries.AuditFilter(
            action=d["action"].strip(),
            q=d["q"].strip(),
            actor=d["actor"].strip(),
            object_type=d["object_type"].strip(),
            date_from=d["date_from"],
            date_to=d["date_to"],
        )
    page = queries.audit_events(request.user, f, page=request.GET.get("page"))
    if page is None:
        raise PermissionDenied
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "form": form,
            "actions": queries.audit_actions(request.user),
            "query": params.urlencode(),
        },
    )


@login_required
@require_GET
def record_history(
    request: AuthenticatedHttpRequest, object_type: str, object_id: str
) -> HttpResponse:
    if not _may_any(request.user, Perm.VIEW_AUDIT):
        raise PermissionDenied
    events = queries.record_events(request.user, object_type, object_id)
    if events is None:
        raise Http404
    return render(
        request,
        "core/record_history.html",
        {
            "events": events,
            "object_type": object_type,
            "object_id": object_id,
            "title": events[-1].object_repr,
        },
    )


# ---- users and roles --------------------------------------------------------------------


def _require_user_manager(user: Any) -> None:
    if not _may_any(user, Perm.MANAGE_USERS):
        raise PermissionDenied


@login_required
@require_GET
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_user_manager(request.user)
    ctx = {
        "grants": queries.visible_grants(request.user),
        "without_roles": list(queries.users_without_roles(request.user)),
    }
    return render(request, "core/user_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = request.user
    _require_user_manager(actor)
    units = queries.units_managed(actor, Perm.MANAGE_USERS).order_by("path")
    form = forms.UserCreateForm(request.POST or None, units=units, admin=access.is_admin(actor))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = None
        if d["person_ref"]:
            found = queries.person_for_login(actor, d["person_ref"])
            if len(found) != 1:
                form.add_error(
                    "person_ref",
                    _("No single member of your union has this ID number or member number."),
                )
            else:
                person = found[0]
        if not form.errors:
            try:
                new_user = _create_user_with_role(actor, d, person)
            except DomainError as e:
                form_error(form, e)
            else:
                return _done(
                    request, reverse("user_list"), _("User %(u)s created.") % {"u": new_user}
                )
    return form_page(
        request, form, title=_("Create a user"), back=reverse("user_list"), submit=_("Create")
    )


def _create_user_with_role(actor: User, d: dict[str, Any], person: Any) -> User:
    with transaction.atomic():
        new_user = services.user_create(
            actor=actor,
            username=d["username"],
            display_name=d["display_name"],
            password=d["password"],
            person=person,
        )
        if d.get("role"):
            services.role_grant(actor=actor, user=new_user, role=d["role"], unit=d["unit"])
    return new_user


@login_required
@require_http_methods(["GET", "POST"])
def grant_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = request.user
    _require_user_manager(actor)
    units = queries.units_managed(actor, Perm.MANAGE_USERS).order_by("path")
    form = forms.RoleGrantForm(request.POST or None, units=units, admin=access.is_admin(actor))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grantee = User.objects.filter(username=d["username"].strip(), is_active=True).first()
        if grantee is None:
            form.add_error("username", _("There is no active user with this username."))
        else:
            try:
                services.role_grant(
                    actor=actor,
                    user=grantee,
                    role=d["role"],
                    unit=d["unit"],
                    may_see_individuals=d["may_see_individuals"],
                )
            except DomainError as e:
                form_error(form, e)
            else:
                return _done(request, reverse("user_list"), _("Role granted."))
    return form_page(
        request, form, title=_("Grant a role"), back=reverse("user_list"), submit=_("Grant")
    )


@login_required
@require_POST
def grant_revoke(request: AuthenticatedHttpRequest, grant_id: int) -> HttpResponse:
    _require_user_manager(request.user)
    grant = queries.visible_grant(request.user, grant_id)
    if grant is None:
        raise Http404
    try:
        services.role_revoke(actor=request.user, grant=grant)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("user_list")
    return _done(request, reverse("user_list"), _("Role revoked."))


# ---- background jobs --------------------------------------------------------------------


@login_required
@require_GET
def job_status(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    """Progress bar partial, polled by htmx while a background job runs."""
    job = get_object_or_404(BackgroundJob, pk=job_id)
    if job.created_by_id != request.user.pk and not access.is_admin(request.user):
        raise PermissionDenied
    response = render(request, "core/partials/_job_progress.html", {"job": job})
    if request.headers.get("HX-Request") and job.status in (
        BackgroundJob.Status.DONE,
        BackgroundJob.Status.FAILED,
    ):
        # The page that was polling was drawn before the work ended; reload it so it shows
        # the outcome itself (an import's preview), not just "done".
        response["HX-Refresh"] = "true"
    return response
