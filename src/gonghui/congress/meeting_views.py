"""Pages for running a session: the desk (check-in list and session controls), the
projector screen, the delegate's phone page, and the minutes with their Word download.

Views load the session through ``queries.get_session_for`` (404 outside the user's reach,
403 within it without the right), call one meeting service and render or redirect; htmx
requests get the partial.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.context_processors import csrf
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from gonghui.core.errors import DomainError
from gonghui.core.web import AuthenticatedHttpRequest

from . import meeting, minutes_docx, queries
from .meeting_forms import CheckinCodeForm, DelegateSearchForm, MinutesForm, VoteForm
from .models import AgendaItem, Ballot, CongressSession, Delegate


def _managed(request: AuthenticatedHttpRequest, session_id: int) -> CongressSession:
    return queries.get_session_for(request.user, session_id, manage=True)


def _item_of(session: CongressSession, item_id: int) -> AgendaItem:
    item = session.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def _partial(request: AuthenticatedHttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


VOTE_BUTTON_STYLES = {"yes": "btn-success", "no": "btn-danger", "abstain": "btn-secondary"}


def _choice_labels() -> dict[str, str]:
    return {c.value: str(c.label) for c in Ballot.Choice}


# ---- the desk: check-in list and session controls ------------------------------------------


def _desk_context(session: CongressSession) -> dict[str, Any]:
    items = meeting.agenda_with_votes_cast(session)
    labels = _choice_labels()
    for it in items:
        # name_rows: a display-only attribute for the template
        names = meeting.open_vote_names(it) if it.status == AgendaItem.Status.DECIDED else {}
        it.name_rows = [(labels[c], ns) for c, ns in names.items() if ns]  # type: ignore[attr-defined]
    return {
        "session": session,
        "att": meeting.attendance(session),
        "items": items,
        "is_planned": session.status == CongressSession.Status.PLANNED,
        "is_open": session.status == CongressSession.Status.OPEN,
        "is_closed": session.status == CongressSession.Status.CLOSED,
    }


@login_required
@require_GET
def checkin(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    form = DelegateSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    ctx = {**_desk_context(session), "form": form, "rows": meeting.checkin_rows(session, q)}
    if _partial(request):
        part = request.GET.get("part")
        if part == "desk":
            return render(request, "congress/meeting/partials/_desk.html", ctx)
        return render(request, "congress/meeting/partials/_checkin_rows.html", ctx)
    return render(request, "congress/meeting/checkin.html", ctx)


def _delegate_of(session: CongressSession, delegate_id: int) -> Delegate:
    delegate = queries.active_delegates(session.term).filter(pk=delegate_id).first()
    if delegate is None:
        raise Http404
    return delegate


def _after_checkin(
    request: AuthenticatedHttpRequest, session: CongressSession, delegate: Delegate, error: str = ""
) -> HttpResponse:
    if not _partial(request):
        if error:
            messages.error(request, error)
        return redirect("congress:checkin", session_id=session.pk)
    [row] = [r for r in meeting.checkin_rows(session) if r.delegate.pk == delegate.pk]
    # The row swaps in place; the attendance figures follow out of band.
    ctx = {"session": session, "att": meeting.attendance(session), "row": row, "oob": True}
    return render(request, "congress/meeting/partials/_checkin_row.html", {**ctx, "error": error})


@login_required
@require_POST
def checkin_mark(
    request: AuthenticatedHttpRequest, session_id: int, delegate_id: int
) -> HttpResponse:
    session = _managed(request, session_id)
    delegate = _delegate_of(session, delegate_id)
    try:
        meeting.checkin_mark(actor=request.user, session=session, delegate=delegate)
    except DomainError as err:
        return _after_checkin(request, session, delegate, err.message)
    return _after_checkin(request, session, delegate)


@login_required
@require_POST
def checkin_undo(
    request: AuthenticatedHttpRequest, session_id: int, delegate_id: int
) -> HttpResponse:
    session = _managed(request, session_id)
    delegate = _delegate_of(session, delegate_id)
    try:
        meeting.checkin_undo(actor=request.user, session=session, delegate=delegate)
    except DomainError as err:
        return _after_checkin(request, session, delegate, err.message)
    return _after_checkin(request, session, delegate)


def _run(
    request: AuthenticatedHttpRequest, session: CongressSession, action: Any, done: str
) -> HttpResponse:
    try:
        action()
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, done)
    return redirect("congress:checkin", session_id=session.pk)


@login_required
@require_POST
def session_open(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    return _run(
        request,
        session,
        lambda: meeting.session_open(actor=request.user, session=session),
        _("The session is open."),
    )


@login_required
@require_POST
def session_close(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    return _run(
        request,
        session,
        lambda: meeting.session_close(actor=request.user, session=session),
        _("The session is closed."),
    )


@login_required
@require_POST
def vote_open(request: AuthenticatedHttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    item = _item_of(session, item_id)
    return _run(
        request,
        session,
        lambda: meeting.vote_open(actor=request.user, item=item),
        _("Voting on %(title)s is open.") % {"title": item.title},
    )


@login_required
@require_POST
def vote_close(request: AuthenticatedHttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    item = _item_of(session, item_id)
    return _run(
        request,
        session,
        lambda: meeting.vote_close(actor=request.user, item=item),
        _("Voting on %(title)s is closed and counted.") % {"title": item.title},
    )


# ---- the projector screen -----------------------------------------------------------------


@login_required
@require_GET
def screen(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    # The screen shows the check-in code, so only those running the session open it.
    session = _managed(request, session_id)
    ctx = {
        "session": session,
        "att": meeting.attendance(session),
        "voting": meeting.voting_items(session),
        "decided": meeting.decided_items(session)[:3],
        "is_closed": session.status == CongressSession.Status.CLOSED,
    }
    if _partial(request):
        return render(request, "congress/meeting/partials/_screen.html", ctx)
    return render(request, "congress/meeting/screen.html", ctx)


# ---- the delegate's phone page --------------------------------------------------------------


def _seat_in(request: AuthenticatedHttpRequest, session: CongressSession) -> Delegate:
    """The user's serving seat in the session's term. Someone who may see the union's
    congress but holds no seat is refused (403); outside the union, the session is 404."""
    delegate = queries.delegate_for(request.user, session.term)
    if delegate is None:
        queries.get_session_for(request.user, session.pk)
        raise PermissionDenied
    return delegate


def _as_delegate(
    request: AuthenticatedHttpRequest, session_id: int
) -> tuple[CongressSession, Delegate]:
    """The session and the user's serving seat in its term (see ``_seat_in``)."""
    session = (
        CongressSession.objects.select_related("term__congress__union")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    return session, _seat_in(request, session)


def _voting_on(
    request: AuthenticatedHttpRequest, session_id: int, item_id: int
) -> tuple[CongressSession, Delegate, AgendaItem]:
    """The item with its session (one query) and the user's seat: answers 404 / 403 as
    ``_as_delegate`` then ``_item_of`` would, so ids cannot be probed."""
    item = (
        AgendaItem.objects.select_related("session__term__congress__union")
        .filter(pk=item_id, session_id=session_id)
        .first()
    )
    if item is None:
        _as_delegate(request, session_id)  # 404 or 403 first, as for the page
        raise Http404
    return item.session, _seat_in(request, item.session), item


def _vote_buttons() -> list[tuple[str, Any, str]]:
    return [(c.value, c.label, VOTE_BUTTON_STYLES[c.value]) for c in Ballot.Choice]


def _render_partial(
    request: AuthenticatedHttpRequest, template: str, ctx: dict[str, Any]
) -> HttpResponse:
    """An htmx partial of the phone page, rendered without the context processors: it shows
    no menu, so the navigation's permission queries would be wasted on every poll and vote.
    The vote forms need only the CSRF token."""
    return HttpResponse(render_to_string(template, {**csrf(request), **ctx}))


def _delegate_context(session: CongressSession, delegate: Delegate) -> dict[str, Any]:
    voted = meeting.voted_item_ids(session, delegate)
    voting = meeting.voting_items(session)
    for it in voting:
        it.voted = it.pk in voted  # type: ignore[attr-defined]  # display only
    return {
        "session": session,
        "delegate": delegate,
        "checked_in": meeting.is_checked_in(session, delegate),
        "voting": voting,
        "decided": meeting.decided_items(session),
        "is_closed": session.status == CongressSession.Status.CLOSED,
        "vote_buttons": _vote_buttons(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def delegate(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session, seat = _as_delegate(request, session_id)
    form = CheckinCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting.checkin_with_code(
                    user=request.user, session=session, code=form.cleaned_data["code"]
                )
            except DomainError as err:
                form.add_error("code", err.message)
            else:  # the page itself says so, in place of the code form
                return redirect("congress:delegate", session_id=session.pk)
        status = 400
    ctx = {**_delegate_context(session, seat), "form": form}
    if _partial(request) and request.method == "GET":
        return _render_partial(request, "congress/meeting/partials/_delegate_items.html", ctx)
    return render(request, "congress/meeting/delegate.html", ctx, status=status)


# Refusals after which only the item's own card changes; any other (the vote closed, the
# check-in undone) redraws the delegate's whole list.
CARD_ERRORS = {"", "already_voted", "vote.choice"}


@login_required
@require_POST
def vote_cast(request: AuthenticatedHttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session, seat, item = _voting_on(request, session_id, item_id)
    form = VoteForm(request.POST)
    error = code = ""
    if not form.is_valid():
        error, code = _("Choose for, against or abstain."), "vote.choice"
    else:
        try:
            meeting.vote_cast(
                user=request.user, item=item, choice=form.cleaned_data["choice"], delegate=seat
            )
        except DomainError as err:
            error, code = err.message, err.code
    if not _partial(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Your vote is recorded."))
        return redirect("congress:delegate", session_id=session.pk)
    if code in CARD_ERRORS and item.status == AgendaItem.Status.VOTING:
        # The vote answers with the item's card alone; the page's polling brings the rest.
        # voted: display only, as in _delegate_context.
        if code == "vote.choice":
            item.voted = item.pk in meeting.voted_item_ids(session, seat)  # type: ignore[attr-defined]
        else:
            item.voted = True  # type: ignore[attr-defined]
        ctx = {
            "session": session,
            "item": item,
            "error": error,
            "error_item": item.pk,
            "vote_buttons": _vote_buttons(),
        }
        return _render_partial(request, "congress/meeting/partials/_delegate_item.html", ctx)
    ctx = {**_delegate_context(session, seat), "error": error, "error_item": item.pk}
    response = _render_partial(request, "congress/meeting/partials/_delegate_items.html", ctx)
    return reswap(retarget(response, "#delegate-items"), "outerHTML")


# ---- minutes ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    form = MinutesForm(request.POST or None, initial={"minutes": session.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            meeting.minutes_update(
                actor=request.user, session=session, minutes=form.cleaned_data["minutes"]
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("congress:minutes", session_id=session.pk)
    status = 400 if request.method == "POST" else 200
    ctx = {"session": session, "form": form, "att": meeting.attendance(session)}
    return render(request, "congress/meeting/minutes.html", ctx, status=status)


@login_required
@require_GET
def minutes_docx_download(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = _managed(request, session_id)
    content = minutes_docx.build(session)
    response = HttpResponse(content, content_type=minutes_docx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, minutes_docx.file_name(session)
    )
    return response
