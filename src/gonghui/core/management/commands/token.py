"""``gonghui token USER [--name NAME]``: issue an API token and print it once.

``--list`` shows the user's tokens (prefix, name, dates), ``--revoke PREFIX`` revokes the
user's active token with that 8-character prefix. Only a digest of each token is stored, so a lost
token cannot be shown again: issue a new one and revoke the old.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gonghui.core import services
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
        if len(prefix) < 8:
            raise CommandError("Give the token's 8-character prefix (see --list) or the token.")
        # TODO(lead): move into core.services as token_revoke(*, actor, user, prefix).
        with transaction.atomic():
            tokens = list(
                ApiToken.objects.select_for_update().filter(
                    user=user, revoked_at__isnull=True, prefix=prefix[:8]
                )
            )
            if not tokens:
                raise CommandError(f"No active token of {user.username} starts with {prefix}.")
            now = timezone.now()
            for t in tokens:
                t.revoked_at = now
                t.save(update_fields=["revoked_at"])
                services.audit(
                    actor=None, action="token.revoke", obj=t, note=f"for {user.username}"
                )
        self.stdout.write(f"Revoked {len(tokens)} token(s) of {user.username}.")
