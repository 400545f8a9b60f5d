"""``gonghui token USER [--name NAME]``: issue an API token and print it once.

``--list`` shows the user's tokens (prefix, name, dates), ``--revoke PREFIX`` revokes the
user's active token with that 8-character prefix. Only a digest of each token is stored, so a lost
token cannot be shown again: issue a new one and revoke the old.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core import services
from gonghui.core.errors import DomainError
from gonghui.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token for USER and print it once (or --list / --revoke PREFIX)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", metavar="USER")
        parser.add_argument("--name", default="cli", help="What the token is for (default: cli)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--revoke", metavar="PREFIX", help="Revoke the tokens with this prefix")
        group.add_argument("--list", action="store_true", help="List the user's tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user: {username}")
        if options["list"]:
            self._list(user)
        elif options["revoke"]:
            self._revoke(user, options["revoke"])
        else:
            if not user.is_active:
                raise CommandError(f"User {username} is inactive; a token would not work.")
            raw = services.token_create(actor=None, user=user, name=options["name"][:60])
            self.stdout.write(raw)
            self.stderr.write(
                f"Token for {username} ({options['name']}). It is shown only this once; "
                "send it as 'Authorization: Bearer <token>'."
            )

    def _list(self, user: User) -> None:
        for t in ApiToken.objects.filter(user=user).order_by("created_at"):
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            self.stdout.write(f"{t.prefix}  {t.name}  {t.created_at:%Y-%m-%d}  {used}  {state}")

    def _revoke(self, user: User, prefix: str) -> None:
        try:
            n = services.token_revoke(actor=None, user=user, prefix=prefix)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(f"Revoked {n} token(s) of {user.username}.")
