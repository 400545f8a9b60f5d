"""``makemessages`` that also extracts ``_lazy("…")``: modules import ``gettext_lazy as _lazy``
beside ``gettext as _`` (labels built at import time, e.g. audit action labels), and
Django's own command only knows the full function names."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
