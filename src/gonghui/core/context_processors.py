from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access, notifications


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu shows: entries only for what the user may open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        # Lazy: the COUNT runs only when a template shows the bell.
        "unread_notices": notifications.unread_for(request),
        "nav": {
            "stats": access.has_any(user, access.Perm.VIEW_STATS),
            "org": access.has_any(user, access.Perm.VIEW_ORG),
            "members": access.has_any(user, access.Perm.VIEW_MEMBERS),
            "import": access.has_any(user, access.Perm.EDIT_MEMBERS),
            "approve": access.has_any(user, access.Perm.APPROVE_MEMBERS),
            "audit": access.has_any(user, access.Perm.VIEW_AUDIT),
            "users": access.has_any(user, access.Perm.MANAGE_USERS),
            "self": bool(getattr(user, "person_id", None)),
            # Upper unions and auditors reach the congress overview (counts only).
            "congress": access.has_any(user, access.Perm.PARTICIPATE)
            or access.has_any(user, access.Perm.MANAGE_CONGRESS)
            or access.has_any(user, access.Perm.VIEW_STATS),
            "care": access.has_any(user, access.Perm.REPORT_CARE)
            or access.has_any(user, access.Perm.MANAGE_CARE)
            or access.has_any(user, access.Perm.VIEW_STATS),
            "hardship": access.has_any(user, access.Perm.VIEW_HARDSHIP),
        },
    }
