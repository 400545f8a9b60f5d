"""Affairs disclosure (校务公开 / 厂务公开 / 院务公开): categories with a responsible
department, disclosed items with their stages and revisions, a board members read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit


class DisclosureCategory(models.Model):
    """A board section: 财务收支, 基建工程, 职称评聘与评优, 福利, 大宗采购, 干部任免..."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    responsible_department = models.CharField(_("responsible department"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["union", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["union", "name"], name="unique_disclosure_category")
        ]

    def __str__(self) -> str:
        return self.name


class DisclosureItem(models.Model):
    class Regularity(models.TextChoices):
        REGULAR = "regular", _("Regular disclosure")  # 定期公开
        AD_HOC = "ad_hoc", _("Ad hoc disclosure")  # 随时公开

    class Stage(models.TextChoices):
        POLICY = "policy", _("Before: policy")  # 事前: 政策、方案
        PROCESS = "process", _("During: process")  # 事中: 过程
        RESULT = "result", _("After: result")  # 事后: 结果

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    category = models.ForeignKey(DisclosureCategory, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    regularity = models.CharField(_("regular or ad hoc"), max_length=10, choices=Regularity.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    visible_until = models.DateField(_("shown until"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    # A withdrawn item leaves the board but stays on record, with why it was taken down.
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class DisclosureRevision(models.Model):
    """Each published text is kept: a revision stores what was shown before and why it
    changed (append-only)."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="unique_disclosure_revision")
        ]


class DisclosureAttachment(models.Model):
    """A file shown with an item (a signed table, a photo of the paper board). Stored under
    MEDIA_ROOT/disclosure/ with a random name; ``file_name`` is only for display."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="attachments")
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
