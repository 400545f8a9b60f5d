"""Proposals (提案): submitted by a delegate before a session, co-signed, reviewed by the
proposal committee, handled by a department, rated by the proposer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person

from .meeting import CongressSession, Delegate


class Department(models.Model):
    """A responsible department (承办部门) of the unit: 校长办公室, 总务处, 人事处...
    Its handlers are the users who may see and answer the proposals assigned to it."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("name"), max_length=80)
    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["union", "name"]
        constraints = [
            models.UniqueConstraint(fields=["union", "name"], name="unique_department_name")
        ]

    def __str__(self) -> str:
        return self.name


class ProposalCategory(models.TextChoices):
    TEACHING = "teaching", _("Teaching and research")
    PAY = "pay", _("Pay and performance pay")
    WELFARE = "welfare", _("Welfare and care")
    SAFETY = "safety", _("Safety and facilities")
    MANAGEMENT = "management", _("Management and rules")
    TRAINING = "training", _("Training and careers")
    OTHER = "other", _("Other")


class Proposal(models.Model):
    class Status(models.TextChoices):
        COLLECTING = "collecting", _("Collecting co-signers")
        SUBMITTED = "submitted", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted, being handled")  # 立案, assigned
        REPLIED = "replied", _("Replied, awaiting rating")
        REHANDLING = "rehandling", _("Back for re-handling")
        CLOSED = "closed", _("Handled and closed")
        CONVERTED = "converted", _("Turned into an opinion")  # 不立案 → 意见建议
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")  # 满意
        BASIC = "basic", _("Basically satisfied")  # 基本满意
        UNSATISFIED = "unsatisfied", _("Not satisfied")  # 不满意

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)  # 第N号, on 立案
    proposer = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    reasons = models.TextField(_("reasons"))  # 案由
    measures = models.TextField(_("suggested measures"))  # 建议措施
    category = models.CharField(_("category"), max_length=20, choices=ProposalCategory.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COLLECTING)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_reason = models.CharField(_("review note"), max_length=300, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    due_on = models.DateField(_("reply due"), null=True, blank=True)
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    is_outstanding = models.BooleanField(_("outstanding proposal"), default=False)  # 优秀提案
    closed_at = models.DateTimeField(null=True, blank=True)
    # 不立案 → 意见建议: the review reason is kept above; the opinions tracker sets this when
    # it takes the item over, so converted proposals waiting for it can be found.
    opinion_taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                condition=models.Q(number__isnull=False),
                name="unique_proposal_number",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CoSignature(models.Model):
    """附议: another delegate of the same term supports the proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="cosignatures")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "delegate"], name="one_cosignature")
        ]


class ProposalReply(models.Model):
    """A department's reply; each round of handling adds one (append-only)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(default=1)
    # Point-by-point answers: [{"point": "...", "answer": "..."}]
    points = models.JSONField(default=list)
    body = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(default=timezone.now)
    rating = models.CharField(max_length=12, choices=Proposal.Rating.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "round"]


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="attachments")
    reply = models.ForeignKey(
        ProposalReply, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)


class ProposalEvent(models.Model):
    """The proposal's history as people read it: submitted, co-signed, accepted, assigned,
    replied, rated, sent back, closed."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "at", "id"]
