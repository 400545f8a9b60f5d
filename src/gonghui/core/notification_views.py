"""The notification inbox: the user's own notices, opened one by one or all marked read.

Every user has an inbox and sees only their own notices: there is no role to check, and
another user's notice id answers 404 exactly like a missing one. Opening a notice is a
POST (it changes the notice) that marks it read and then follows its link, but only to a
path on this site, so a notice can never send anyone elsewhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import notifications
from .models import Notification
from .web import AuthenticatedHttpRequest

PER_PAGE = 25


def _show(request: HttpRequest) -> str:
    value = request.GET.get("show") or request.POST.get("show") or ""
    return "unread" if value == "unread" else "all"


def _inbox_url(show: str) -> str:
    url = reverse("notifications")
    return f"{url}?show=unread" if show == "unread" else url


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = _show(request)
    qs = notifications.inbox(request.user)
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications/inbox.html",
        {"page": page, "show": show, "unread": notifications.unread_for(request).count},
    )


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = notifications.notification_open(user=request.user, notice_id=notice_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if notice.url and notifications.is_local_path(notice.url):
        return redirect(notice.url)
    return redirect(_inbox_url(_show(request)))


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    n = notifications.mark_read(request.user)
    if n:
        messages.success(
            request,
            ngettext("%(n)s notice marked read.", "%(n)s notices marked read.", n) % {"n": n},
        )
    else:
        messages.info(request, _("There were no unread notices."))
    return redirect(_inbox_url(_show(request)))
