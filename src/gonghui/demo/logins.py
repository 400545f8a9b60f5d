"""The demo logins: one per role, with simple passwords that are printed on purpose."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from gonghui.core.models import Role, User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    unit_code: str
    display_name: str = ""  # empty: the linked person's name
    person_key: str = ""  # which demo person the login belongs to, if any


FED, EDU, CENTER, MIDDLE, FACTORY = "QSX", "QSX-JY", "QSX-JY-ZX", "QSX-JY-YZ", "QSX-QSJX"

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "admin-demo", Role.ADMIN, FED, "系统管理员"),
    DemoLogin("county", "county-demo", Role.UPPER_OFFICER, FED, "县总工会组织部 何永明"),
    DemoLogin("chair", "chair-demo", Role.CHAIR, MIDDLE, person_key="chair"),
    DemoLogin("cadre", "cadre-demo", Role.CADRE, MIDDLE, person_key="cadre"),
    DemoLogin("leader", "leader-demo", Role.GROUP_LEADER, f"{MIDDLE}-01", person_key="leader"),
    DemoLogin("member", "member-demo", Role.MEMBER, MIDDLE, person_key="member"),
    DemoLogin("auditor", "auditor-demo", Role.AUDITOR, MIDDLE, person_key="auditor"),
    DemoLogin("care", "care-demo", Role.CARE_OFFICER, MIDDLE, "帮扶专干 林晓梅"),
    DemoLogin("center", "center-demo", Role.CHAIR, CENTER, person_key="center_chair"),
    DemoLogin("factory", "factory-demo", Role.CHAIR, FACTORY, person_key="factory_chair"),
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[list[str]]) -> str:
    """Columns aligned for a terminal, counting Chinese characters as two columns."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def logins_table() -> tuple[str, int]:
    """The demo logins that exist in the database, as a table, and how many there are."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])
        .select_related("person")
        .prefetch_related("grants__unit")
    }
    rows = [["username", "password", "role", "unit", "name"]]
    for d in DEMO_LOGINS:
        user = users.get(d.username)
        if user is None:
            continue
        grants = [g for g in user.grants.all() if g.revoked_at is None]
        role = ", ".join(str(g.get_role_display()) for g in grants) or "-"
        unit = ", ".join(g.unit.name for g in grants) or "-"
        rows.append([d.username, d.password, role, unit, str(user)])
    return format_table(rows), len(rows) - 1
