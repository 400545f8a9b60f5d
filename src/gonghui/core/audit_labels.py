"""Words for the audit trail: what an action code and a field name mean to a person.

Apps add their action codes with ``register_actions`` from their AppConfig.ready(), so core
needs no knowledge of them. Field names take the verbose name of the model field that has
that name, so a new field reads well in the log without extra work.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Labels stay lazy until read, so each request renders them in its own language.
_ACTIONS: dict[str, str | Promise] = {
    "unit.create": _("Unit added"),
    "unit.update": _("Unit changed"),
    "unit.move": _("Unit moved"),
    "unit.archive": _("Unit archived"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "user.create": _("User created"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "term.start": _("New committee term"),
    "term.end": _("Committee term ended"),
    "position.assign": _("Seat assigned"),
    "position.end": _("Seat ended"),
    "registration.record": _("Legal-person registration recorded"),
    "read_sensitive": _("Sensitive data viewed"),
}


def register_actions(labels: Mapping[str, str | Promise]) -> None:
    _ACTIONS.update(labels)


# Audit rows whose before/after carry data only some roles may read (hardship files hold
# household incomes and family members): object type or action prefix -> the permission
# a reader needs on the row's unit. Apps register them from AppConfig.ready().
_RESTRICTED: dict[str, str] = {}


def register_restricted(rules: dict[str, str]) -> None:
    """``{"care.hardshipfile": "care.hardship", "care.hardship": "care.hardship"}``: keys
    are object types (``app.model``) or action prefixes; values are permission codes."""
    _RESTRICTED.update(rules)


def restricted() -> dict[str, str]:
    return dict(_RESTRICTED)


def action_label(code: str) -> str:
    return str(_ACTIONS.get(code, code))


@cache
def _field_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("gonghui."):
            continue
        for f in model._meta.concrete_fields:
            for key in (f.name, f.attname):
                labels.setdefault(key, str(f.verbose_name))
    return labels


def field_label(name: str) -> str:
    return _field_labels().get(name, name)
