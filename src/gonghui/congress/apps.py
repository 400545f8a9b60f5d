from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "gonghui.congress"
    label = "congress"
    verbose_name = _("Congress")

    def ready(self) -> None:
        from gonghui.core.audit_labels import register_actions
        from gonghui.core.dashboard import register_tile

        from . import (
            appraisal,
            dashboard_tiles,
            disclosure,
            meeting,
            opinions,
            proposals,
            services,
        )

        for module in (services, meeting, proposals, disclosure, opinions, appraisal):
            register_actions(module.AUDIT_LABELS)
        register_tile("congress", dashboard_tiles.congress_tile)
