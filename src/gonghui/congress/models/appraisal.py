"""Democratic appraisal (民主评议 / 民主测评): delegates or all members rate leaders and middle
managers on a scale such as 优秀 / 称职 / 基本称职 / 不称职.

Ratings follow docs/decisions/0005-secret-votes.md: a receipt says who has rated (unique per
appraisal and person, so a second submission is refused by the database), a rating row says
which grade one subject got, with a random key, no rater and no time. Nothing joins the two.
Paper forms are entered as counts per subject and grade, one batch per pile of forms.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person

from .meeting import CongressTerm


class Appraisal(models.Model):
    class RaterBase(models.TextChoices):
        DELEGATES = "delegates", _("Delegates of a congress term")
        MEMBERS = "members", _("All active members of the union")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for rating")
        CLOSED = "closed", _("Closed")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="appraisals")
    title = models.CharField(_("title"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    rater_base = models.CharField(
        _("who rates"), max_length=12, choices=RaterBase.choices, default=RaterBase.DELEGATES
    )
    term = models.ForeignKey(
        CongressTerm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisals",
        verbose_name=_("congress term"),
    )
    # [{"label": "优秀", "weight": 100}, ...], best grade first.
    scale = models.JSONField(_("scale"))
    weighted = models.BooleanField(_("show a weighted score"), default=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Raters who could take part, fixed when rating opens so the rate does not drift.
    eligible_count = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Results are for the managers and the personnel office; a union may show them to its
    # members after closing.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("democratic appraisal")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rater_base="members") | models.Q(term__isnull=False),
                name="appraisal_delegates_need_term",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="appraisal_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def labels(self) -> list[str]:
        return [g["label"] for g in self.scale]

    @property
    def weights(self) -> list[int]:
        return [int(g["weight"]) for g in self.scale]


class AppraisalSubject(models.Model):
    """A leader or middle manager being appraised, with the post they hold."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "person"], name="appraisal_subject_once")
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post}）"


class AppraisalReceipt(models.Model):
    """That a person has rated, never how. The unique constraint makes a second submission
    impossible, also from two browsers at the same moment."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.PROTECT, related_name="receipts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "person"], name="appraisal_one_rating_per_rater"
            )
        ]


class AppraisalRating(models.Model):
    """One grade for one subject. Random key, no rater, no time: see the module docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appraisal = models.ForeignKey(Appraisal, on_delete=models.PROTECT, related_name="ratings")
    subject = models.ForeignKey(AppraisalSubject, on_delete=models.PROTECT, related_name="ratings")
    grade = models.PositiveSmallIntegerField()  # index into Appraisal.scale


class PaperBatch(models.Model):
    """A pile of paper forms typed in by a cadre: how many forms, and the counts per
    subject and grade (a blank grade on a form counts nowhere)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.PROTECT, related_name="paper")
    forms_count = models.PositiveIntegerField(_("number of forms"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.appraisal} paper ×{self.forms_count}"


class PaperCount(models.Model):
    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="counts")
    subject = models.ForeignKey(AppraisalSubject, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "subject", "grade"], name="paper_count_once")
        ]
