"""Must-visit pages: the care home, reporting a life event (phone-sized), visit tasks, the
visit form, a member's care history and "my care", the upper-union counts and the care
settings. Views parse with a form, check access, call one service, render or redirect."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.services import log_sensitive_read
from gonghui.core.web import AuthenticatedHttpRequest, chosen_union, form_error
from gonghui.members.models import Member
from gonghui.members.queries import member_of_user

from . import cap_defaults, ledger, rules, services, stats
from .forms import (
    CapForm,
    EventReportForm,
    ProvinceForm,
    TaskCancelForm,
    VisitForm,
    VisitRuleForm,
)
from .models import EventKind, LifeEvent, Visit, VisitPhoto, VisitTask

RECENT_VISITS = 10


def _today() -> date:
    return timezone.localdate()


def _managed_unions(request: AuthenticatedHttpRequest) -> list[OrgUnit]:
    unions = services.manageable_unions(request.user)
    if not unions:
        raise PermissionDenied
    return unions


def _task_rows(tasks: list[VisitTask], today: date) -> list[dict[str, Any]]:
    """Tasks as the lists show them: overdue ones flagged with the days they are late."""
    return [
        {
            "task": t,
            "member": t.event.member,
            "overdue": rules.is_overdue(t.due_on, t.status != VisitTask.Status.OPEN, today),
            "days_late": (today - t.due_on).days,
            "days_left": (t.due_on - today).days,
        }
        for t in tasks
    ]


def _open_tasks(union: OrgUnit) -> list[VisitTask]:
    return list(
        VisitTask.objects.filter(union=union, status=VisitTask.Status.OPEN)
        .select_related("event__member__person", "event__member__unit")
        .order_by("due_on", "pk")
    )


# ---- the care home ------------------------------------------------------------------------


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    unions = services.manageable_unions(user)
    if not unions:
        # The menu's "Care" leads everyone where their part of the work is.
        if access.has_any(user, Perm.REPORT_CARE):
            return redirect("care:event_report")
        if member_of_user(user) is not None:
            return redirect("care:my_care")
        if access.has_any(user, Perm.VIEW_STATS):
            return redirect("care:counts")
        raise PermissionDenied
    union = chosen_union(request, unions)
    today = _today()
    figures = stats.care_figures(union, today.year, today=today)
    rows = _task_rows(_open_tasks(union), today)
    recent = list(
        Visit.objects.filter(union=union)
        .select_related("member__person", "member__unit")
        .order_by("-visited_on", "-pk")[:RECENT_VISITS]
    )
    ctx = {
        "union": union,
        "unions": unions,
        "today": today,
        "figures": figures,
        "overdue": [r for r in rows if r["overdue"]],
        "upcoming": [r for r in rows if not r["overdue"]],
        "recent": recent,
        "charts": stats.chart_data(figures),
        "can_settings": True,
    }
    return render(request, "care/home.html", ctx)


# ---- reporting an event -------------------------------------------------------------------


def _may_report(request: AuthenticatedHttpRequest) -> tuple[bool, Member | None]:
    own = member_of_user(request.user)
    reporter = access.has_any(request.user, Perm.REPORT_CARE)
    if not reporter and own is None:
        raise PermissionDenied
    return reporter, own


def _reportable(
    request: AuthenticatedHttpRequest, member_id: Any, own: Member | None
) -> Member | None:
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        return None
    if own is not None and own.pk == pk:
        return own
    qs = access.scope(Member.objects.all(), request.user, Perm.REPORT_CARE, "unit")
    return qs.select_related("person", "unit", "union").filter(pk=pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def event_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    reporter, own = _may_report(request)
    chosen: Member | None = None
    if request.method == "POST":
        form = EventReportForm(request.POST)
        if form.is_valid():
            chosen = _reportable(request, form.cleaned_data["member"], own)
            if chosen is None:
                form.add_error(None, _("Choose a member whose events you may report."))
            else:
                d = form.cleaned_data
                try:
                    event = services.event_report(
                        user=request.user,
                        member=chosen,
                        kind=d["kind"],
                        occurred_on=d["occurred_on"],
                        relative=d["relative"],
                        details=d["details"],
                    )
                except DomainError as err:
                    form_error(form, err)
                else:
                    messages.success(request, _reported_message(event))
                    return redirect("care:event_report")
        else:
            chosen = _reportable(request, request.POST.get("member"), own)
    else:
        form = EventReportForm()
        chosen = _reportable(request, request.GET.get("member"), own)
        if chosen is None and not reporter:
            chosen = own
    ctx = {"form": form, "chosen": chosen, "reporter": reporter, "own": own}
    return render(request, "care/visits/event_report.html", ctx, status=400 if form.errors else 200)


def _reported_message(event: LifeEvent) -> str:
    name, kind = event.member.person.name, EventKind(event.kind).label
    task = VisitTask.objects.filter(event=event).first()
    if task is None:
        return _("Reported: %(name)s, %(kind)s. No visit is required by the union's rules.") % {
            "name": name,
            "kind": kind,
        }
    return _("Reported: %(name)s, %(kind)s. The union will visit by %(due)s.") % {
        "name": name,
        "kind": kind,
        "due": task.due_on.isoformat(),
    }


@login_required
@require_GET
def report_members(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member chooser's results (htmx): members in the user's reach, by name."""
    if not access.has_any(request.user, Perm.REPORT_CARE):
        raise PermissionDenied
    q = request.GET.get("q", "")
    found = list(services.reportable_members(request.user, q)) if q.strip() else []
    return render(request, "care/visits/partials/_member_choices.html", {"found": found, "q": q})


# ---- tasks ----------------------------------------------------------------------------


TASK_FILTERS = ("open", "done", "cancelled", "all")


@login_required
@require_GET
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    unions = _managed_unions(request)
    union = chosen_union(request, unions)
    status = request.GET.get("status", "open")
    if status not in TASK_FILTERS:
        status = "open"
    qs = VisitTask.objects.filter(union=union).select_related(
        "event__member__person", "event__member__unit"
    )
    if status != "all":
        qs = qs.filter(status=status)
    tasks = list(qs.order_by("due_on", "pk")[:500])
    ctx = {
        "union": union,
        "unions": unions,
        "status": status,
        "filters": TASK_FILTERS,
        "rows": _task_rows(tasks, _today()),
        "cancel_form": TaskCancelForm(),
    }
    return render(request, "care/visits/task_list.html", ctx)


@login_required
@require_POST
def task_cancel(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    if not access.has_any(request.user, Perm.MANAGE_CARE):
        raise PermissionDenied
    task = services.managed_task(request.user, task_id)
    if task is None:
        raise Http404
    form = TaskCancelForm(request.POST)
    if form.is_valid():
        try:
            services.task_cancel(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The visit task was cancelled."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect(f"{reverse('care:tasks')}?union={task.union_id}")


# ---- the visit form ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.MANAGE_CARE):
        raise PermissionDenied
    task: VisitTask | None = None
    if request.GET.get("task"):
        task = services.managed_task(request.user, _int_or_404(request.GET["task"]))
        if task is None:
            raise Http404
        member = services.managed_member(request.user, task.event.member_id)
    else:
        member = services.managed_member(request.user, _int_or_404(request.GET.get("member")))
    if member is None:
        raise Http404
    can_override = access.has_perm(request.user, Perm.OVERRIDE_CAPS, member.union)
    initial: dict[str, Any] = {}
    if task is not None:
        initial = {
            "kind": task.cap_item,
            "cash": task.standard_cash,
            "gift_description": task.standard_gift,
            "visitors": task.who_visits,
        }
    form = VisitForm(
        request.POST or None, request.FILES or None, initial=initial, can_override=can_override
    )
    over_cap = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_record(
                actor=request.user,
                member=member,
                task=task,
                kind=d["kind"],
                visited_on=d["visited_on"],
                visitors=d["visitors"],
                cash=d["cash"],
                gift_description=d["gift_description"],
                gift_value=d["gift_value"],
                notes=d["notes"],
                receipt_signed=d["receipt_signed"],
                photos=d["photos"],
                override_reason=d.get("override_reason", ""),
            )
        except DomainError as err:
            form_error(form, err)
            over_cap = err.code == "over_cap"
        else:
            messages.success(request, _("Visit recorded: %(name)s.") % {"name": member.person.name})
            return redirect("care:member_history", member_id=member.pk)
    year = _today().year
    ctx = {
        "form": form,
        "member": member,
        "task": task,
        "cap_use": stats.cap_use(member, year, items=_visit_items(task)),
        "year": year,
        "can_override": can_override,
        "over_cap": over_cap,
    }
    return render(request, "care/visits/visit_form.html", ctx, status=400 if form.errors else 200)


def _visit_items(task: VisitTask | None) -> list[str]:
    """The items the form's cap panel shows: the task's first, then the must-visit ones."""
    items = [r.cap_item for r in rules.DEFAULT_VISIT_RULES.values()]
    if task is not None:
        items.insert(0, task.cap_item)
    return list(dict.fromkeys(items))


def _int_or_404(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_GET
def visit_photo(request: AuthenticatedHttpRequest, photo_id: int) -> FileResponse:
    if not access.has_any(request.user, Perm.MANAGE_CARE):
        raise PermissionDenied
    photo = VisitPhoto.objects.select_related("visit").filter(pk=photo_id).first()
    if photo is None or services.managed_member(request.user, photo.visit.member_id) is None:
        raise Http404
    path = services.photo_path(photo)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), filename=photo.file_name)


# ---- a member's care history ----------------------------------------------------------


@login_required
@require_GET
def member_history(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    user = request.user
    if not access.has_any(user, Perm.MANAGE_CARE):
        own = member_of_user(user)
        if own is not None and own.pk == member_id:
            return redirect("care:my_care")
        raise PermissionDenied
    member = services.managed_member(user, member_id)
    if member is None:
        raise Http404
    # Hospital stays and family misfortunes are health and hardship data (PIPL).
    log_sensitive_read(
        actor=user,
        person=member.person,
        fields=["care_history"],
        unit=member.union,
        context=f"care history of member {member.pk}",
    )
    year = _today().year
    include_aid = access.has_perm(user, Perm.VIEW_HARDSHIP, member.union)
    history = stats.care_history(member, year, include_aid=include_aid)
    ctx = {"h": history, "member": member, "year": year, "can_report": True}
    return render(request, "care/visits/member_history.html", ctx)


@login_required
@require_GET
def my_care(request: AuthenticatedHttpRequest) -> HttpResponse:
    own = member_of_user(request.user)
    if own is None:
        raise Http404
    history = stats.care_history(own, _today().year, include_aid=True)
    return render(request, "care/visits/my_care.html", {"h": history, "member": own})


# ---- upper unions: counts only ---------------------------------------------------------


@login_required
@require_GET
def counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    unions = list(
        access.units_with(request.user, Perm.VIEW_STATS)
        .filter(kind__in=["grassroots", "joint"])
        .order_by("path")
    )
    if not unions:
        raise PermissionDenied
    today = _today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    rows = stats.union_rows(unions, year, today=today)
    total = {
        "visits": sum(r.visits for r in rows),
        "households": sum(r.households for r in rows),
        "amount": sum((r.amount for r in rows), rules.yuan(0)),
        "overdue": sum(r.overdue_tasks for r in rows),
    }
    charts = {
        "unions": {
            "type": "bar",
            "data": [{"name": r.union.short_name or r.union.name, "value": r.visits} for r in rows],
        }
    }
    ctx = {
        "rows": rows,
        "total": total,
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "charts": charts,
        # Upper unions land here: the provincial caps their unions work under.
        "caps_readable": cap_defaults.may_read(request.user),
    }
    return render(request, "care/visits/counts.html", ctx)


# ---- settings ----------------------------------------------------------------------------


def _settings_context(
    request: AuthenticatedHttpRequest, union: OrgUnit, unions: list[OrgUnit], **bound: Any
) -> dict[str, Any]:
    year = _today().year
    province = ledger.province_of(union)
    lines = services.visit_rules(union)
    rule_forms = bound.get("rule_forms", {})
    return {
        "union": union,
        "unions": unions,
        "year": year,
        "province": province,
        "caps": services.cap_table(union, year),
        "caps_source": rules.DEFAULT_CAPS_SOURCE,
        "rules_source": rules.DEFAULT_VISIT_RULES_SOURCE,
        "rules": [
            (
                line,
                rule_forms.get(line.rule.event_kind)
                or VisitRuleForm(
                    initial={
                        "visit_required": line.rule.visit_required,
                        "who_visits": line.rule.who_visits,
                        "standard_cash": line.rule.standard_cash,
                        "standard_gift": line.rule.standard_gift,
                        "deadline_days": line.rule.deadline_days,
                        "cap_item": line.rule.cap_item,
                    },
                    prefix=line.rule.event_kind,
                ),
            )
            for line in lines
        ],
        "open_rule": next(iter(rule_forms), ""),
        "can_edit": access.has_perm(request.user, Perm.OVERRIDE_CAPS, union),
        "province_form": bound.get("province_form") or ProvinceForm(initial={"province": province}),
        "cap_form": bound.get("cap_form") or CapForm(initial={"from_year": year}),
    }


@login_required
@require_GET
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    unions = _managed_unions(request)
    union = chosen_union(request, unions)
    return render(request, "care/settings/settings.html", _settings_context(request, union, unions))


def _editable_union(
    request: AuthenticatedHttpRequest, union_id: int
) -> tuple[OrgUnit, list[OrgUnit]]:
    unions = _managed_unions(request)
    union = next((u for u in unions if u.pk == union_id), None)
    if union is None:
        raise Http404
    if not access.has_perm(request.user, Perm.OVERRIDE_CAPS, union):
        raise PermissionDenied
    return union, unions


def _settings_saved(union: OrgUnit) -> HttpResponse:
    return redirect(f"{reverse('care:settings')}?union={union.pk}")


def _settings_refused(
    request: AuthenticatedHttpRequest, union: OrgUnit, unions: list[OrgUnit], **bound: Any
) -> HttpResponse:
    ctx = _settings_context(request, union, unions, **bound)
    return render(request, "care/settings/settings.html", ctx, status=400)


@login_required
@require_POST
def settings_province(request: AuthenticatedHttpRequest, union_id: int) -> HttpResponse:
    union, unions = _editable_union(request, union_id)
    form = ProvinceForm(request.POST)
    if form.is_valid():
        try:
            services.care_province_set(
                actor=request.user, union=union, province=form.cleaned_data["province"]
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved."))
            return _settings_saved(union)
    return _settings_refused(request, union, unions, province_form=form)


@login_required
@require_POST
def settings_cap(request: AuthenticatedHttpRequest, union_id: int) -> HttpResponse:
    union, unions = _editable_union(request, union_id)
    form = CapForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.spending_cap_set(
                actor=request.user,
                union=union,
                item=d["item"],
                from_year=d["from_year"],
                amount=d["amount"],
                source_note=d["source_note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved."))
            return _settings_saved(union)
    return _settings_refused(request, union, unions, cap_form=form)


@login_required
@require_POST
def settings_rule(request: AuthenticatedHttpRequest, union_id: int, kind: str) -> HttpResponse:
    if kind not in EventKind.values:
        raise Http404
    union, unions = _editable_union(request, union_id)
    form = VisitRuleForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.visit_rule_set(
                actor=request.user, union=union, event_kind=kind, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved."))
            return _settings_saved(union)
    return _settings_refused(request, union, unions, rule_forms={kind: form})
