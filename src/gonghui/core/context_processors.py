from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu shows: entries only for what the user may open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "stats": access.has_any(user, access.Perm.VIEW_STATS) or access.is_admin(user),
            "org": access.has_any(user, access.Perm.VIEW_ORG) or access.is_admin(user),
            "members": access.has_any(user, access.Perm.VIEW_MEMBERS) or access.is_admin(user),
            "import": access.has_any(user, access.Perm.EDIT_MEMBERS) or access.is_admin(user),
            "approve": access.has_any(user, access.Perm.APPROVE_MEMBERS) or access.is_admin(user),
            "audit": access.has_any(user, access.Perm.VIEW_AUDIT) or access.is_admin(user),
            "users": access.has_any(user, access.Perm.MANAGE_USERS) or access.is_admin(user),
            "self": bool(getattr(user, "person_id", None)),
        }
    }
