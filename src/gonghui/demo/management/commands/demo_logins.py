"""``gonghui demo_logins``: print the demo logins (username, password, role, unit)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.demo.logins import logins_table


class Command(BaseCommand):
    help = "Print the demo logins: username, password, role and unit."

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # role names as the UI shows them
            table, count = logins_table()
        if not count:
            raise CommandError("No demo logins in this database: run `gonghui seed` first.")
        self.stdout.write("Demo logins (演示账号) — demo passwords, for a laptop only:")
        self.stdout.write(table)
