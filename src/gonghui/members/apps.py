from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gonghui.core.access import Perm
        from gonghui.core.audit_labels import register_actions, register_restricted
        from gonghui.core.models import Person

        from .counts import members_changed
        from .models import Member

        # Cache invalidation only (see counts.py): the list's cached counts follow every
        # saved member or person, whoever saves them.
        for model in (Member, Person):
            post_save.connect(members_changed, sender=model, dispatch_uid=f"counts-{model}")
            post_delete.connect(members_changed, sender=model, dispatch_uid=f"counts-d-{model}")

        register_actions(
            {
                "member.apply": _("Application entered"),
                "member.approve": _("Application approved"),
                "member.reject": _("Application rejected"),
                "member.update": _("Member data changed"),
                "member.move": _("Moved to another group"),
                "member.transfer_out": _("Transferred out"),
                "member.transfer_in": _("Transferred in"),
                "member.retire": _("Retired"),
                "member.leave": _("Left the union"),
                "member.decease": _("Deceased"),
                "member.reinstate": _("Reinstated"),
                "member.self_update": _("Member corrected own contact data"),
                "member.change_request": _("Correction requested"),
                "member.change_request_approved": _("Correction approved"),
                "member.change_request_rejected": _("Correction rejected"),
                "member.import": _("Roster imported"),
                "member.export_sensitive": _("Export with ID numbers and phones"),
                "member.hardship_flag": _("Hardship category changed"),
            }
        )
        # Whether a member is in hardship is read like the hardship files themselves.
        register_restricted({"member.hardship_flag": str(Perm.VIEW_HARDSHIP)})
