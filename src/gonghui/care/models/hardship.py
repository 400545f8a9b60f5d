"""Hardship files (困难职工档案): the most sensitive records in the system.

Only the chair and named care officers open them (``Perm.VIEW_HARDSHIP``); every read is
logged as an AuditEvent and shown to the chair; a member sees only their own file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person


class HardshipTier(models.TextChoices):
    DEEP = "deep", _("Deep hardship")  # 深度困难
    RELATIVE = "relative", _("Relative hardship")  # 相对困难
    ACCIDENT = "accident", _("Accident-caused hardship")  # 意外致困


class HardshipCause(models.TextChoices):
    NO_WORK_CAPACITY = "no_work_capacity", _("No capacity to work")
    UNEMPLOYED = "unemployed", _("Unemployment in the family")
    LAID_OFF = "laid_off", _("Laid off")
    UNINSURED = "uninsured", _("Without social insurance")
    UNPAID = "unpaid", _("Benefits not paid")
    ILLNESS = "illness", _("Serious illness")
    DISABILITY = "disability", _("Disability")
    SINGLE_PARENT = "single_parent", _("Single parent")
    DISASTER = "disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    SCHOOLING = "schooling", _("Children's schooling")
    OTHER = "other", _("Other")


class HardshipFile(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("On file")  # 在档
        EXITED = "exited", _("Out of hardship")  # 解困脱困

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    file_no = models.CharField(_("file number"), max_length=30, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=HardshipTier.choices)
    primary_cause = models.CharField(
        _("primary cause"), max_length=20, choices=HardshipCause.choices
    )
    secondary_causes = models.JSONField(_("other causes"), default=list, blank=True)  # ≤ 3
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    household_income_monthly = models.DecimalField(
        _("household income per month"), max_digits=10, decimal_places=2, default=0
    )
    hardship_costs_monthly = models.DecimalField(
        _("hardship costs per month"), max_digits=10, decimal_places=2, default=0
    )
    local_min_income_line = models.DecimalField(
        _("local minimum-income line"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    needs = models.TextField(_("needs"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    pair_cadre = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paired cadre"),
    )  # 一帮一
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField(_("filed on"))
    next_review_on = models.DateField(_("next re-check"))
    exited_on = models.DateField(_("out of hardship on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["union", "-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="active"),
                name="one_active_hardship_file_per_member",
            ),
            # File numbers (KN-2026-001) are the handle cadres quote on paper and in the
            # read log, so two files of one union never share one.
            models.UniqueConstraint(
                fields=["union", "file_no"],
                condition=~models.Q(file_no=""),
                name="unique_hardship_file_no_per_union",
            ),
        ]

    def __str__(self) -> str:
        # The file number, never the member's name: this string lands in the audit trail,
        # which people without access to hardship files may read.
        return self.file_no or f"#{self.pk}"


class HardshipFamilyMember(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="family")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    occupation = models.CharField(_("work or school"), max_length=60, blank=True)
    income_monthly = models.DecimalField(
        _("income per month"), max_digits=10, decimal_places=2, default=0
    )
    health = models.CharField(_("health"), max_length=60, blank=True)
    # Records are never deleted: a person who leaves the household is archived, with why.
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.CharField(_("reason"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.file} · {self.relation}"


class HardshipReview(models.Model):
    """Yearly re-check (动态管理): append-only."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Stays on file")
        RETIER = "retier", _("Tier changed")
        EXIT = "exit", _("Out of hardship")

    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("re-checked on"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    tier_before = models.CharField(max_length=10, choices=HardshipTier.choices)
    tier_after = models.CharField(max_length=10, choices=HardshipTier.choices, blank=True)
    household_income_monthly = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )


class AidRecord(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily aid")
        FESTIVAL = "festival", _("Festival aid")
        TARGETED = "targeted", _("Targeted aid")
        MEDICAL = "medical", _("Medical aid")
        EDUCATION = "education", _("Education aid (金秋助学)")
        MIN_INCOME = "min_income", _("Referral to minimum-income support")
        LEGAL = "legal", _("Legal aid")

    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="aid")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    given_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)
    student_name = models.CharField(_("student"), max_length=50, blank=True)
    student_school = models.CharField(_("school or college"), max_length=100, blank=True)
    responsible = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment = models.OneToOneField(
        "care.CarePayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["file", "-given_on", "-id"]
