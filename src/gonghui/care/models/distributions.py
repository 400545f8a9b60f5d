"""Festival, birthday and seasonal distributions: a plan, its recipients, ticked off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BackgroundJob, OrgUnit

from .visits import CapItem


class Distribution(models.Model):
    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("Festival")
        BIRTHDAY = "birthday", _("Birthdays")
        HEAT_RELIEF = "heat_relief", _("Heat relief")
        RETIREES = "retirees", _("Retirees")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        BUILDING = "building", _("Building the list")
        READY = "ready", _("List ready")
        CLOSED = "closed", _("Closed")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cap_item = models.CharField(_("cap item"), max_length=20, choices=CapItem.choices)
    given_on = models.DateField(_("date of distribution"))
    amount_per_person = models.DecimalField(_("value per person"), max_digits=10, decimal_places=2)
    gift_description = models.CharField(_("what is given"), max_length=200)
    # Who receives it: {"work_status": [...], "employment_types": [...], "unit_ids": [...],
    # "birth_month": 9, "posts": [...]}; the builder reads it, see care.rules.
    criteria = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    job = models.ForeignKey(
        BackgroundJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients_count = models.PositiveIntegerField(default=0)
    over_cap_count = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    handed_out_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]


class DistributionLine(models.Model):
    class CapState(models.TextChoices):
        OK = "ok", _("Within cap")
        OVER = "over", _("Would exceed cap")
        OVERRIDDEN = "overridden", _("Over cap, allowed by the chair")

    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="lines")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    cap_state = models.CharField(max_length=12, choices=CapState.choices, default=CapState.OK)
    cap_room = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Taken off the list before hand-out (on leave, declined...): kept, with the reason.
    excluded_at = models.DateTimeField(null=True, blank=True)
    exclude_reason = models.CharField(max_length=200, blank=True)
    handed_out_at = models.DateTimeField(null=True, blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment = models.OneToOneField(
        "care.CarePayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["distribution", "id"]
        constraints = [
            models.UniqueConstraint(fields=["distribution", "member"], name="one_line_per_member")
        ]
