"""The ``gonghui`` command: Django's manage.py plus the domain commands
(``gonghui seed``, ``gonghui members import``, ``gonghui token`` ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "gonghui"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
