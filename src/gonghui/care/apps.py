from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gonghui.care"
    label = "care"
    verbose_name = _("Care and assistance")

    def ready(self) -> None:
        from gonghui.core.access import Perm
        from gonghui.core.audit_labels import register_actions, register_restricted
        from gonghui.core.dashboard import register_tile

        from . import (
            cap_defaults,
            dashboard_tiles,
            distributions,
            donations,
            hardship,
            health,
            insurance,
            rest,
            retirees,
            services,
        )

        register_actions(services.AUDIT_LABELS)
        register_actions(hardship.AUDIT_LABELS)
        for module in (distributions, health, rest, retirees, donations, insurance, cap_defaults):
            register_actions(module.AUDIT_LABELS)
        # Hardship rows in the audit trail carry incomes, family members and students'
        # names: only those who may open the files read them there (decision 0006).
        hardship_only = str(Perm.VIEW_HARDSHIP)
        register_restricted(
            {
                "care.hardshipfile": hardship_only,
                "care.hardshipfamilymember": hardship_only,
                "care.hardshipreview": hardship_only,
                "care.aidrecord": hardship_only,
                "care.hardship": hardship_only,  # action prefix: reads, aid payments
            }
        )
        # Claim rows may name an illness in a decision note: care managers only.
        register_restricted({"care.insuranceclaim": str(Perm.MANAGE_CARE)})
        register_tile("care", dashboard_tiles.care_tile)
