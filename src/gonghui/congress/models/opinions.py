"""Opinions and suggestions (意见建议) and rationalisation suggestions (合理化建议, 金点子):
one tracker from receipt to an outcome, with its history and the union's yearly quotas."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person

from .proposals import Department, Proposal


class OpinionKind(models.TextChoices):
    OPINION = "opinion", _("Opinion or suggestion")  # 意见建议
    RATIONALISATION = "rationalisation", _("Rationalisation suggestion")  # 合理化建议


class OpinionSource(models.TextChoices):
    FORUM = "forum", _("Forum")  # 座谈会
    BOX = "box", _("Suggestion box")  # 意见箱
    HOTLINE = "hotline", _("Hotline")  # 热线电话
    RECEPTION = "reception", _("Reception day")  # 接待日
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")  # 问卷调查
    EVALUATION = "evaluation", _("Parent and student evaluation")  # 家长、学生评教
    ONLINE = "online", _("Submitted online")  # a member's own submission from the site
    PROPOSAL = "proposal", _("Converted proposal")  # 不立案 → 意见建议


class OpinionOutcome(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")  # 整改落实
    PHONE = "phone", _("Answered by phone")  # 电话答复
    INTERVIEW = "interview", _("Interview held")  # 约谈
    NOT_ADOPTED = "not_adopted", _("Declined")  # 不予采纳
    ADOPTED_REWARDED = "adopted_rewarded", _("Adopted and rewarded")  # 采纳并奖励


class Opinion(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Being handled")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Handled and closed")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="opinions")
    kind = models.CharField(_("kind"), max_length=16, choices=OpinionKind.choices)
    source = models.CharField(
        _("source of the opinion"), max_length=16, choices=OpinionSource.choices
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    # Empty for the anonymous box; ``submitter_name`` covers people outside the roll (a parent).
    submitted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitter_name = models.CharField(_("submitted by (name)"), max_length=80, blank=True)
    team = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )
    received_on = models.DateField(_("received on"))
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("responsible department"),
    )
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=OpinionOutcome.choices, blank=True
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    interview_count = models.PositiveIntegerField(_("people interviewed"), default=0)
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="opinion"
    )
    # Rationalisation suggestions: assessment, adoption, reward.
    score = models.PositiveSmallIntegerField(_("assessment score"), null=True, blank=True)
    assessment_note = models.CharField(_("assessment"), max_length=300, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)
    benefit_estimate = models.DecimalField(
        _("estimated benefit (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward = models.DecimalField(
        _("reward (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rewarded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["union", "received_on"], name="opinion_union_received")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reward__isnull=True) | models.Q(reward__gte=0),
                name="opinion_reward_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="opinion_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OpinionEvent(models.Model):
    """The item's history as people read it (append-only)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["opinion", "at", "id"]


class SuggestionQuota(models.Model):
    """A yearly target for rationalisation suggestions, e.g. "3510": every worker 3, every
    team 5, every unit (车间/年级) 10."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    per_person = models.PositiveSmallIntegerField(_("per person"), default=0)
    per_team = models.PositiveSmallIntegerField(_("per team"), default=0)
    per_unit = models.PositiveSmallIntegerField(_("per unit"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["union", "year"], name="one_suggestion_quota_a_year")
        ]
