from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import proposals


def congress_nav(request: HttpRequest) -> dict[str, Any]:
    """Whether the user answers proposals for a department. Lazy: only the congress tabs
    ask, so other pages pay no query for it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "proposal_handler": SimpleLazyObject(lambda: proposals.handler_departments(user).exists())
    }
