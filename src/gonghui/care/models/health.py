"""Health checks, rest and recuperation (疗休养) and retirees' activities.

The union tracks who went to a health check, never what the doctors found: results are
medical data the union has no need for (PIPL, data minimisation).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit


class HealthCampaign(models.Model):
    """A health-check month (体检月) or a women's special check (女职工专项检查)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("Health check")
        WOMEN = "women", _("Women's special check")
        OTHER = "other", _("Other check")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Finished")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(_("title"), max_length=120)
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["union", "year"])]


class HealthCheck(models.Model):
    """One member's place in a campaign: scheduled, done or excused. No results."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        EXCUSED = "excused", _("Excused")

    campaign = models.ForeignKey(HealthCampaign, on_delete=models.PROTECT, related_name="checks")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    scheduled_on = models.DateField(_("scheduled on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_check_per_member")
        ]


class RestRotation(models.Model):
    """A rest and recuperation trip (疗休养) with a number of places."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    destination = models.CharField(_("destination"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("places"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["union", "year"])]


class RestParticipant(models.Model):
    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        GONE = "gone", _("Went")
        DECLINED = "declined", _("Declined")

    rotation = models.ForeignKey(
        RestRotation, on_delete=models.PROTECT, related_name="participants"
    )
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NOMINATED)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rotation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "member"], name="one_place_per_member")
        ]


class RetireeActivity(models.Model):
    """Something the union did with or for its retirees: a festival visit round (Spring
    Festival, Double Ninth), an outing, a lecture."""

    class Kind(models.TextChoices):
        FESTIVAL_VISIT = "festival_visit", _("Festival visits")
        ACTIVITY = "activity", _("Activity")
        LECTURE = "lecture", _("Lecture")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    participants = models.ManyToManyField("members.Member", related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
