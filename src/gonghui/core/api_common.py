"""Small helpers every API router uses: who is calling, may they, and find-or-404.

An object outside the caller's scope is answered exactly like a missing one (404), so ids
of other unions cannot be probed. A visible object the caller may not change is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from . import access
from .access import Perm
from .models import OrgUnit, User


def user_of(request: HttpRequest) -> User:
    """The authenticated caller (token or session); ninja puts it on ``request.auth``."""
    return request.auth  # type: ignore[attr-defined]


def require(user: User, perm: Perm, unit: OrgUnit) -> None:
    if not access.has_perm(user, perm, unit):
        raise PermissionDenied


def unit_or_404(
    user: User, unit_id: int, perm: Perm = Perm.VIEW_ORG, *, field: str | None = None
) -> OrgUnit:
    """The unit if the caller holds ``perm`` on it; otherwise 404 (``field`` names the
    input that referred to it, for the error body)."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not access.has_perm(user, perm, unit):
        raise Http404(field)
    return unit
