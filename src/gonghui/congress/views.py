"""Congress set-up pages: the congress home (managers, members, upper unions), rule set,
terms, sessions with officers, agenda and documents, delegations and delegates, and the
roster export. Views parse with a form, check access, call one service, render or redirect.

Access: a record of a union outside the user's reach does not exist for them (404); a
record in reach without the right is refused (403). Managing needs MANAGE_CONGRESS on the
congress's union; reading the congress is open to its members (PARTICIPATE).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from gonghui.core import access
from gonghui.core import rules as core_rules
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, UnitKind, User
from gonghui.core.web import AuthenticatedHttpRequest, form_error, form_page

from . import queries, rules, services
from .forms import (
    AdoptForm,
    AgendaItemForm,
    CongressForm,
    DelegationForm,
    DocumentForm,
    ElectForm,
    EndSeatForm,
    OfficerForm,
    ReplaceForm,
    RosterConfirmForm,
    RuleSetForm,
    SessionForm,
    TermEndForm,
    TermForm,
    VersionForm,
    members_of,
)
from .models import (
    AgendaDocument,
    AgendaItem,
    Congress,
    CongressRuleSet,
    CongressSession,
    CongressTerm,
    Delegate,
    Delegation,
    DocumentVersion,
    SessionOfficer,
)


def _today() -> date:
    return timezone.localdate()


# ---- access ---------------------------------------------------------------------------------


def _check(user: User, union: OrgUnit, *, manage: bool) -> None:
    """Refuse unless the user may manage (or, for reading, take part in) the union's
    congress: 403 within reach, 404 outside it, so ids of other unions cannot be probed."""
    if queries.may_manage(user, union):
        return
    if not manage and queries.may_take_part(user, union):
        return
    if queries.may_take_part(user, union) or access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied
    raise Http404


def _congress(request: AuthenticatedHttpRequest, pk: int, *, manage: bool = True) -> Congress:
    congress = Congress.objects.select_related("union").filter(pk=pk).first()
    if congress is None:
        raise Http404
    _check(request.user, congress.union, manage=manage)
    return congress


def _term(request: AuthenticatedHttpRequest, pk: int, *, manage: bool = True) -> CongressTerm:
    term = CongressTerm.objects.select_related("congress__union").filter(pk=pk).first()
    if term is None:
        raise Http404
    _check(request.user, term.congress.union, manage=manage)
    return term


def _item(request: AuthenticatedHttpRequest, pk: int) -> AgendaItem:
    item = AgendaItem.objects.select_related("session__term__congress__union").filter(pk=pk)
    found = item.first()
    if found is None:
        raise Http404
    _check(request.user, found.session.term.congress.union, manage=True)
    return found


def _document(request: AuthenticatedHttpRequest, pk: int) -> AgendaDocument:
    doc = (
        AgendaDocument.objects.select_related("item__session__term__congress__union")
        .filter(pk=pk)
        .first()
    )
    if doc is None:
        raise Http404
    _check(request.user, doc.item.session.term.congress.union, manage=True)
    return doc


def _delegation(request: AuthenticatedHttpRequest, pk: int) -> Delegation:
    d = Delegation.objects.select_related("term__congress__union", "unit").filter(pk=pk).first()
    if d is None:
        raise Http404
    _check(request.user, d.term.congress.union, manage=True)
    return d


def _delegate(request: AuthenticatedHttpRequest, pk: int) -> Delegate:
    d = (
        Delegate.objects.select_related("delegation__term__congress__union", "person")
        .filter(pk=pk)
        .first()
    )
    if d is None:
        raise Http404
    _check(request.user, d.delegation.term.congress.union, manage=True)
    return d


def _limit_people(form: Any) -> None:
    """Render only the chosen person as an option: the name search fills the rest, so the
    page never lists a whole union."""
    field = form.fields["person"]
    chosen = form["person"].value()
    options: list[tuple[Any, str]] = [("", _("Search by name first"))]
    person = field.queryset.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    if person is not None:
        options.append((person.pk, field.label_from_instance(person)))
    field.widget.choices = options


# The setup pages that hold just one form (new congress, term, session, replacing a delegate).
FORM_PAGE = "congress/setup/form.html"


# ---- home -----------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Managers land on their union's congress, members on the read-only view of their
    union's congress, upper-union officers on the counts of the unions below them."""
    user = request.user
    union = queries.home_union(user)
    managed = list(queries.unions_managed(user).order_by("depth", "path")[:200])
    chosen = request.GET.get("union", "")
    if chosen.isdigit():
        union = next((u for u in managed if u.pk == int(chosen)), None)
        if union is None:
            raise Http404
    if union is None:
        if access.has_any(user, Perm.VIEW_STATS):
            return redirect("congress:overview")
        raise PermissionDenied
    congress = queries.congresses_of(union).first()
    if queries.may_manage(user, union):
        if congress is None:
            ctx = {"union": union, "unions": managed, "manage": True, "congress": None}
            return render(request, "congress/home.html", ctx)
        return _manager_home(request, congress, unions=managed)
    return _member_home(request, union, congress)


@login_required
@require_GET
def congress_detail(request: AuthenticatedHttpRequest, congress_id: int) -> HttpResponse:
    congress = _congress(request, congress_id)
    return _manager_home(request, congress, unions=[])


def _manager_home(
    request: AuthenticatedHttpRequest, congress: Congress, *, unions: list
) -> HttpResponse:
    union = congress.union
    term = queries.current_term(congress)
    ctx: dict[str, Any] = {
        "manage": True,
        "union": union,
        "unions": unions,
        "congress": congress,
        "term": term,
        "terms": list(congress.terms.annotate(n_sessions=Count("sessions")).order_by("-number")),
        "small_unit": services.all_staff_meeting_advised(union, congress.kind),
        "rules": queries.rules_for(union),
        "has_own_rules": CongressRuleSet.objects.filter(union=union).exists(),
    }
    if term is not None:
        delegations = list(
            term.delegations.annotate(
                serving=Count("delegates", filter=Q(delegates__status=Delegate.Status.ACTIVE))
            )
        )
        ctx["sessions"] = list(term.sessions.annotate(n_items=Count("items")))
        ctx["delegates_count"] = sum(d.serving for d in delegations)
        ctx["seats"] = sum(d.seats for d in delegations)
        ctx["vacancies"] = sum(max(d.seats - d.serving, 0) for d in delegations)
        ctx["next_session_number"] = services.next_session_number(term)
        ctx["end_form"] = TermEndForm(initial={"on": _today()})
    return render(request, "congress/home.html", ctx)


def _member_home(
    request: AuthenticatedHttpRequest, union: OrgUnit, congress: Congress | None
) -> HttpResponse:
    ctx: dict[str, Any] = {"manage": False, "union": union, "congress": congress}
    term = queries.current_term(congress) if congress else None
    ctx["term"] = term
    if term is not None:
        ctx["my_seat"] = queries.delegate_for(request.user, term)
        ctx["sessions"] = list(
            term.sessions.prefetch_related(
                Prefetch("items", queryset=AgendaItem.objects.order_by("order", "id")),
                Prefetch(
                    "items__documents",
                    queryset=AgendaDocument.objects.filter(
                        adopted_version__isnull=False
                    ).select_related("adopted_version"),
                ),
            )
        )
        ctx["delegates"] = list(
            queries.active_delegates(term).order_by(
                "delegation__sort_order", "delegation__name", "person__name"
            )
        )
    return render(request, "congress/home.html", ctx)


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upper unions: how many sessions each union below held this year and how many
    delegates serve. Counts only, never a name or a document."""
    user = request.user
    if not access.has_any(user, Perm.VIEW_STATS):
        raise PermissionDenied
    today = _today()
    unions = access.units_with(user, Perm.VIEW_STATS).filter(
        kind__in=[UnitKind.GRASSROOTS_UNION, UnitKind.JOINT_UNION]
    )
    congresses = (
        Congress.objects.filter(union__in=unions.values("pk"), archived_at__isnull=True)
        .select_related("union")
        .annotate(
            sessions_this_year=Count(
                "terms__sessions",
                filter=Q(
                    terms__sessions__held_on__year=today.year,
                    terms__sessions__held_on__lte=today,
                ),
                distinct=True,
            ),
        )
        .order_by("union__path")
    )
    rows = list(congresses[:500])
    serving = dict(
        Delegate.objects.filter(
            term__congress__in=[c.pk for c in rows],
            term__ended_on__isnull=True,
            status=Delegate.Status.ACTIVE,
        )
        .values_list("term__congress")
        .annotate(n=Count("id"))
    )
    for c in rows:
        c.delegates = serving.get(c.pk, 0)  # type: ignore[attr-defined]  # display only
    ctx = {
        "rows": rows,
        "year": today.year,
        "without": unions.exclude(congresses__isnull=False)[:100],
    }
    return render(request, "congress/setup/overview.html", ctx)


# ---- congress, rules, terms -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def congress_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    unions = queries.unions_managed(request.user)
    if not unions.exists():
        raise PermissionDenied
    form = CongressForm(request.POST or None, unions=unions)
    warning = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if services.all_staff_meeting_advised(d["union"], d["kind"]) and not d["small_unit_seen"]:
            warning = _(
                "%(union)s has %(n)s staff. A unit with fewer than 80 staff holds an all-staff "
                "meeting instead of a delegates' congress (school staff congress rules)."
            ) % {"union": d["union"].name, "n": d["union"].staff_count}
            form.add_error("small_unit_seen", warning)
        else:
            try:
                congress = services.congress_create(
                    actor=request.user, union=d["union"], kind=d["kind"], name=d["name"]
                )
            except DomainError as err:
                form_error(form, err)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": congress.name})
                return redirect("congress:detail", congress_id=congress.pk)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("New congress"),
        cancel=reverse("congress:home"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def ruleset(request: AuthenticatedHttpRequest, congress_id: int) -> HttpResponse:
    congress = _congress(request, congress_id)
    union = congress.union
    form = RuleSetForm(request.POST or None, initial=services.ruleset_initial(union))
    if request.method == "POST" and form.is_valid():
        try:
            services.ruleset_update(actor=request.user, union=union, **form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("The congress rules were saved."))
            return redirect("congress:detail", congress_id=congress.pk)
    d = rules.NATIONAL_DEFAULTS
    ctx = {
        "congress": congress,
        "form": form,
        "defaults": d,
        "defaults_rows": [
            (_("Quorum"), f"{d.quorum.numerator}/{d.quorum.denominator}"),
            (_("Majority of"), CongressRuleSet.PassBase(str(d.pass_base)).label),
            (_("Front-line staff at least %"), core_rules.percent(d.frontline_min, 0)),
            (_("Leaders at most %"), core_rules.percent(d.leader_max, 0)),
            (_("Co-signers at least"), d.cosigners_min),
            (_("Proposals close days before the session"), d.proposal_close_days),
        ],
        "own": CongressRuleSet.objects.filter(union=union).first(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "congress/setup/ruleset.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def term_new(request: AuthenticatedHttpRequest, congress_id: int) -> HttpResponse:
    congress = _congress(request, congress_id)
    last = congress.terms.order_by("-number").first()
    start = _today()
    initial = {
        "number": (last.number + 1) if last else 1,
        "starts_on": start,
        "planned_end_on": services.add_years(start, 5),
    }
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_start(actor=request.user, congress=congress, **form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Term %(n)s started.") % {"n": term.number})
            return redirect("congress:detail", congress_id=congress.pk)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("Start a term of %(name)s") % {"name": congress.name},
        cancel=reverse("congress:detail", args=[congress.pk]),
    )


@login_required
@require_POST
def term_end(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    form = TermEndForm(request.POST)
    if form.is_valid():
        try:
            services.term_end(actor=request.user, term=term, on=form.cleaned_data["on"])
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The term has ended."))
    else:
        messages.error(request, _("Give the date the term ended."))
    return redirect("congress:detail", congress_id=term.congress_id)


# ---- sessions -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    form = SessionForm(request.POST or None, initial={"number": services.next_session_number(term)})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, term=term, **form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": session.label})
            return redirect("congress:session", session_id=session.pk)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("New session of term %(n)s") % {"n": term.number},
        cancel=reverse("congress:detail", args=[term.congress_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = queries.get_session_for(request.user, session_id, manage=True)
    fields = services.SESSION_FIELDS
    initial = {f: getattr(session, f) for f in fields}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            if changes:
                services.session_update(actor=request.user, session=session, **changes)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": session.label})
            return redirect("congress:session", session_id=session.pk)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("Edit %(name)s") % {"name": session.label},
        cancel=reverse("congress:session", args=[session.pk]),
    )


MANAGER_ACTIONS = (
    ("checkin", _lazy("Check-in")),
    ("screen", _lazy("Attendance screen")),
    ("minutes", _lazy("Minutes")),
)
DELEGATE_ACTIONS = (("delegate", _lazy("Check in and vote")),)


def _session_actions(session: CongressSession, names: Any) -> list[tuple[str, str]]:
    """Links to the meeting pages (check-in, the projector screen, the delegate's phone
    page), for those of them the meeting module provides."""
    out = []
    for name, label in names:
        try:
            out.append((reverse(f"congress:{name}", args=[session.pk]), str(label)))
        except NoReverseMatch:
            continue
    return out


def _session_context(
    request: AuthenticatedHttpRequest, session: CongressSession, **forms: Any
) -> dict[str, Any]:
    union = session.term.congress.union
    manage = queries.may_manage(request.user, union)
    docs = AgendaDocument.objects.select_related("adopted_version").annotate(
        n_versions=Count("versions")
    )
    if not manage:
        docs = docs.filter(adopted_version__isnull=False)
    items = list(
        session.items.order_by("order", "id").prefetch_related(Prefetch("documents", docs))
    )
    ctx: dict[str, Any] = {
        "session": session,
        "term": session.term,
        "congress": session.term.congress,
        "union": union,
        "manage": manage,
        "items": items,
        "officers": list(session.officers.select_related("person").order_by("kind", "id")),
    }
    if manage:
        ctx["actions"] = _session_actions(session, MANAGER_ACTIONS)
        ctx["item_form"] = forms.get("item_form") or AgendaItemForm()
        officer_form = forms.get("officer_form") or OfficerForm(union=union)
        _limit_people(officer_form)
        ctx["officer_form"] = officer_form
        ctx["people_url"] = reverse("congress:people", args=[union.pk])
    else:
        ctx["my_seat"] = queries.delegate_for(request.user, session.term)
        if ctx["my_seat"] is not None and session.status != CongressSession.Status.CLOSED:
            ctx["actions"] = _session_actions(session, DELEGATE_ACTIONS)
    return ctx


@login_required
@require_GET
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = queries.get_session_for(request.user, session_id)
    return render(request, "congress/setup/session_detail.html", _session_context(request, session))


@login_required
@require_POST
def officer_add(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = queries.get_session_for(request.user, session_id, manage=True)
    form = OfficerForm(request.POST, union=session.term.congress.union)
    if form.is_valid():
        try:
            services.officer_add(actor=request.user, session=session, **form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved."))
            return redirect("congress:session", session_id=session.pk)
    ctx = _session_context(request, session, officer_form=form)
    return render(request, "congress/setup/session_detail.html", ctx, status=400)


@login_required
@require_POST
def officer_remove(request: AuthenticatedHttpRequest, officer_id: int) -> HttpResponse:
    officer = SessionOfficer.objects.select_related("person").filter(pk=officer_id).first()
    if officer is None:
        raise Http404
    session = queries.get_session_for(request.user, officer.session_id, manage=True)
    try:
        services.officer_remove(actor=request.user, officer=officer)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Removed: %(name)s.") % {"name": officer.person.name})
    return redirect("congress:session", session_id=session.pk)


@login_required
@require_POST
def item_add(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = queries.get_session_for(request.user, session_id, manage=True)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.agenda_item_add(
                actor=request.user,
                session=session,
                kind=d["kind"],
                title=d["title"],
                presenter=d["presenter"],
                vote_mode=d["vote_mode"] or None,
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": d["title"]})
            return redirect("congress:session", session_id=session.pk)
    ctx = _session_context(request, session, item_form=form)
    return render(request, "congress/setup/session_detail.html", ctx, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    initial = {f: getattr(item, f) for f in ("kind", "title", "presenter", "vote_mode")}
    form = AgendaItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = {**form.cleaned_data, "vote_mode": form.cleaned_data["vote_mode"] or item.vote_mode}
        changes = {k: v for k, v in d.items() if v != initial[k]}
        try:
            if changes:
                services.agenda_item_update(actor=request.user, item=item, **changes)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": item.title})
            return redirect("congress:session", session_id=item.session_id)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("Edit agenda item"),
        cancel=reverse("congress:session", args=[item.session_id]),
    )


@login_required
@require_POST
def item_move(request: AuthenticatedHttpRequest, item_id: int, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    item = _item(request, item_id)
    order = list(item.session.items.order_by("order", "id").values_list("pk", flat=True))
    new_order = services.move_item(order, item.pk, -1 if direction == "up" else 1)
    try:
        services.agenda_reorder(actor=request.user, session=item.session, item_ids=new_order)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect(reverse("congress:session", args=[item.session_id]) + "#agenda")


# ---- documents ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            doc = services.document_add(
                actor=request.user,
                item=item,
                title=d["title"],
                body=d["body"],
                upload=form.to_upload(),
                change_note=d["change_note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": doc.title})
            return redirect("congress:document", document_id=doc.pk)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("Add a document to: %(item)s") % {"item": item.title},
        cancel=reverse("congress:session", args=[item.session_id]),
        files=True,
    )


def _document_context(
    request: AuthenticatedHttpRequest, doc: AgendaDocument, version_form: Any = None
) -> dict[str, Any]:
    versions = list(doc.versions.select_related("created_by").order_by("number"))
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int | None) -> DocumentVersion | None:
        raw = request.GET.get(name, "")
        return by_number.get(int(raw)) if raw.isdigit() else by_number.get(default or 0)

    newest = versions[-1].number if versions else None
    a = pick("a", newest - 1 if newest and newest > 1 else None)
    b = pick("b", newest)
    return {
        "doc": doc,
        "item": doc.item,
        "session": doc.item.session,
        "versions": versions,
        "a": a,
        "b": b,
        "diff": services.version_diff(a.body, b.body) if a and b and a != b else None,
        # A revised draft starts from the newest text, as an office edits the last draft.
        "version_form": version_form
        or VersionForm(initial={"body": versions[-1].body if versions else ""}),
        "adopt_form": AdoptForm(document=doc),
    }


@login_required
@require_GET
def document_detail(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    return render(request, "congress/setup/document_detail.html", _document_context(request, doc))


@login_required
@require_POST
def version_add(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            v = services.document_version_add(
                actor=request.user,
                document=doc,
                body=d["body"],
                upload=form.to_upload(),
                change_note=d["change_note"],
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Draft %(n)s saved.") % {"n": v.number})
            return redirect("congress:document", document_id=doc.pk)
    ctx = _document_context(request, doc, version_form=form)
    return render(request, "congress/setup/document_detail.html", ctx, status=400)


@login_required
@require_POST
def document_adopt(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    form = AdoptForm(request.POST, document=doc)
    if form.is_valid():
        try:
            services.document_adopt(
                actor=request.user, document=doc, version=form.cleaned_data["version"]
            )
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The document was adopted; its text is now frozen."))
    else:
        messages.error(request, _("Choose a version of this document."))
    return redirect("congress:document", document_id=doc.pk)


@login_required
@require_GET
def version_file(request: AuthenticatedHttpRequest, version_id: int) -> FileResponse:
    """The uploaded file of a draft: managers any draft, members the adopted one only."""
    v = (
        DocumentVersion.objects.select_related("document__item__session__term__congress__union")
        .filter(pk=version_id)
        .first()
    )
    if v is None or not v.stored_path:
        raise Http404
    union = v.document.item.session.term.congress.union
    _check(request.user, union, manage=False)
    if not queries.may_manage(request.user, union) and v.document.adopted_version_id != v.pk:
        raise PermissionDenied
    path = services.stored_file(v)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=v.file_name or path.name)


# ---- delegates ------------------------------------------------------------------------------


@login_required
@require_GET
def people(request: AuthenticatedHttpRequest, union_id: int) -> HttpResponse:
    """<option>s of the union's active members whose name contains the search (htmx)."""
    union = OrgUnit.objects.filter(pk=union_id).first()
    if union is None:
        raise Http404
    _check(request.user, union, manage=True)
    q = request.GET.get("q", "").strip()
    found = list(members_of(union).filter(name__icontains=q)[:30]) if q else []
    return render(request, "congress/setup/_person_options.html", {"people": found, "q": q})


def _roster_context(
    request: AuthenticatedHttpRequest, term: CongressTerm, **extra: Any
) -> dict[str, Any]:
    today = _today()
    union = term.congress.union
    delegations = list(
        term.delegations.select_related("unit").annotate(
            serving=Count("delegates", filter=Q(delegates__status=Delegate.Status.ACTIVE))
        )
    )
    for d in delegations:
        d.vacant = rules.seats_check(d.seats, d.serving)  # type: ignore[attr-defined]  # display only
    delegates = list(
        queries.active_delegates(term).order_by(
            "delegation__sort_order", "delegation__name", "person__name"
        )
    )
    for seat, p in zip(delegates, services.roster_people(delegates, today), strict=True):
        seat.woman, seat.young = p.woman, p.young  # type: ignore[attr-defined]  # display only
    check = services.roster_composition(term, today)
    shares = services.staff_shares(union, today)
    return {
        "term": term,
        "congress": term.congress,
        "union": union,
        "delegations": delegations,
        "delegates": delegates,
        "check": check,
        "shares": shares,
        "share_rows": _share_rows(check, shares, queries.rules_for(union)),
        "delegation_form": extra.get("delegation_form") or DelegationForm(union=union),
        "confirm_form": extra.get("confirm_form") or RosterConfirmForm(),
    }


def _share_rows(
    check: rules.CompositionCheck, shares: rules.StaffShares | None, rs: rules.RuleSet
) -> list[tuple[str, int, str, str]]:
    """(category, delegates, their share, the yardstick) for the composition table."""

    def pct(n: int) -> str:
        return core_rules.percent(core_rules.rate(n, check.total), 0) if check.total else "—"

    def pct_of(share: Any) -> str:
        return core_rules.percent(share, 0)

    women_bar = core_rules.percent(shares.women, 0) if shares else "—"
    young_bar = core_rules.percent(shares.young, 0) if shares else "—"
    of_staff = _("share of staff %(p)s")
    return [
        (
            _("Front-line staff"),
            check.frontline,
            pct(check.frontline),
            "≥ " + pct_of(rs.frontline_min),
        ),
        (_("Leaders"), check.leaders, pct(check.leaders), "≤ " + pct_of(rs.leader_max)),
        (_("Women delegates"), check.women, pct(check.women), of_staff % {"p": women_bar}),
        (_("Under 35"), check.young, pct(check.young), of_staff % {"p": young_bar}),
    ]


@login_required
@require_GET
def roster(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    return render(request, "congress/setup/roster.html", _roster_context(request, term))


@login_required
@require_POST
def delegation_new(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    form = DelegationForm(request.POST, union=term.congress.union)
    if form.is_valid():
        try:
            d = services.delegation_create(actor=request.user, term=term, **form.cleaned_data)
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": d.name})
            return redirect("congress:roster", term_id=term.pk)
    ctx = _roster_context(request, term, delegation_form=form)
    return render(request, "congress/setup/roster.html", ctx, status=400)


@login_required
@require_POST
def roster_confirm(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    term = _term(request, term_id)
    form = RosterConfirmForm(request.POST)
    form.is_valid()
    try:
        services.roster_confirm(
            actor=request.user,
            term=term,
            warnings_seen=form.cleaned_data.get("warnings_seen", False),
            today=_today(),
        )
    except DomainError as err:
        form_error(form, err)
        ctx = _roster_context(request, term, confirm_form=form)
        return render(request, "congress/setup/roster.html", ctx, status=400)
    messages.success(request, _("The delegate roster was confirmed."))
    return redirect("congress:roster", term_id=term.pk)


def _delegation_context(
    request: AuthenticatedHttpRequest,
    delegation: Delegation,
    form: Any = None,
    edit_form: Any = None,
) -> dict[str, Any]:
    union = delegation.term.congress.union
    form = form or ElectForm(union=union, initial={"elected_on": _today()})
    edit_form = edit_form or DelegationForm(
        union=union,
        initial={"name": delegation.name, "seats": delegation.seats, "unit": delegation.unit_id},
    )
    _limit_people(form)
    history = list(
        delegation.delegates.select_related("person", "replaces__person").order_by(
            "elected_on", "id"
        )
    )
    serving = sum(1 for d in history if d.status == Delegate.Status.ACTIVE)
    return {
        "delegation": delegation,
        "term": delegation.term,
        "congress": delegation.term.congress,
        "history": history,
        "serving": serving,
        "vacant": rules.seats_check(delegation.seats, serving),
        "form": form,
        "end_form": EndSeatForm(initial={"on": _today()}),
        "edit_form": edit_form,
        "people_url": reverse("congress:people", args=[union.pk]),
    }


@login_required
@require_GET
def delegation_detail(request: AuthenticatedHttpRequest, delegation_id: int) -> HttpResponse:
    delegation = _delegation(request, delegation_id)
    ctx = _delegation_context(request, delegation)
    return render(request, "congress/setup/delegation.html", ctx)


@login_required
@require_POST
def delegation_edit(request: AuthenticatedHttpRequest, delegation_id: int) -> HttpResponse:
    delegation = _delegation(request, delegation_id)
    form = DelegationForm(request.POST, union=delegation.term.congress.union)
    if form.is_valid():
        try:
            d = services.delegation_update(
                actor=request.user, delegation=delegation, **form.cleaned_data
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": d.name})
            return redirect("congress:delegation", delegation_id=delegation.pk)
    ctx = _delegation_context(request, delegation, edit_form=form)
    return render(request, "congress/setup/delegation.html", ctx, status=400)


@login_required
@require_POST
def delegate_elect(request: AuthenticatedHttpRequest, delegation_id: int) -> HttpResponse:
    delegation = _delegation(request, delegation_id)
    form = ElectForm(request.POST, union=delegation.term.congress.union)
    if form.is_valid():
        d = form.cleaned_data
        service = (
            services.delegate_by_elect if d["how"] == form.BY_ELECTION else services.delegate_elect
        )
        try:
            delegate = service(
                actor=request.user,
                delegation=delegation,
                person=d["person"],
                elected_on=d["elected_on"],
                **form.seat_data(),
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": delegate.person.name})
            return redirect("congress:delegation", delegation_id=delegation.pk)
    ctx = _delegation_context(request, delegation, form)
    return render(request, "congress/setup/delegation.html", ctx, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def delegate_replace(request: AuthenticatedHttpRequest, delegate_id: int) -> HttpResponse:
    delegate = _delegate(request, delegate_id)
    union = delegate.delegation.term.congress.union
    form = ReplaceForm(request.POST or None, union=union, initial={"on": _today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = services.delegate_replace(
                actor=request.user,
                delegate=delegate,
                successor=d["person"],
                on=d["on"],
                reason=d["reason"],
                **form.seat_data(),
            )
        except DomainError as err:
            form_error(form, err)
        else:
            messages.success(
                request,
                _("%(old)s was replaced by %(new)s.")
                % {"old": delegate.person.name, "new": new.person.name},
            )
            return redirect("congress:delegation", delegation_id=delegate.delegation_id)
    _limit_people(form)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        title=_("Replace delegate %(name)s") % {"name": delegate.person.name},
        cancel=reverse("congress:delegation", args=[delegate.delegation_id]),
        people_url=reverse("congress:people", args=[union.pk]),
    )


@login_required
@require_POST
def delegate_end(request: AuthenticatedHttpRequest, delegate_id: int) -> HttpResponse:
    delegate = _delegate(request, delegate_id)
    form = EndSeatForm(request.POST)
    if form.is_valid():
        try:
            services.delegate_end(actor=request.user, delegate=delegate, **form.cleaned_data)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The seat of %(name)s ended.") % {"name": delegate.person})
    else:
        messages.error(request, _("Give the date and the reason."))
    return redirect("congress:delegation", delegation_id=delegate.delegation_id)


@login_required
@require_GET
def roster_export(request: AuthenticatedHttpRequest, term_id: int) -> HttpResponse:
    """The serving delegates for printing: names, gender, delegation and categories. No ID
    numbers or phones, so the sheet can go on a notice board."""
    term = _term(request, term_id)
    today = _today()
    delegates = list(
        queries.active_delegates(term).order_by(
            "delegation__sort_order", "delegation__name", "person__name"
        )
    )
    people = services.roster_people(delegates, today)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Delegates")
    ws.append([f"{term}  {_('Delegate roster')}"])
    ws["A1"].font = Font(bold=True, size=14)
    header = [_("No."), _("Name"), _("Gender"), _("Delegation"), _("Categories"), _("Elected on")]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for n, (d, p) in enumerate(zip(delegates, people, strict=True), start=1):
        cats = [
            label
            for flag, label in (
                (p.frontline, _("Front-line")),
                (p.leader, _("Leader")),
                (p.woman, _("Woman")),
                (p.young, _("Under 35")),
            )
            if flag
        ]
        ws.append(
            [
                n,
                d.person.name,
                d.person.get_gender_display(),
                d.delegation.name,
                "、".join(cats),
                d.elected_on,
            ]
        )
        ws.cell(row=ws.max_row, column=6).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", (6, 12, 6, 18, 28, 12), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="delegates-term-{term.number}.xlsx"'
    return response
