"""Donation drives (捐款倡议) and mutual-aid insurance (职工互助保障).

Money given out of a drive to a member also posts to the care ledger (``CarePayment``,
source "donation"), so the member's care history and the caps see it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit


class DonationDrive(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Collecting")
        CLOSED = "closed", _("Closed")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    purpose = models.TextField(_("purpose"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Donation(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", _("Staff (individuals)")
        PARTY_MEMBERS = "party_members", _("Party members' special dues")
        UNION_FUNDS = "union_funds", _("Union funds")
        OTHER = "other", _("Other")

    drive = models.ForeignKey(DonationDrive, on_delete=models.PROTECT, related_name="donations")
    # Outside donors have no Person: they are known by name only.
    donor = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    donor_name = models.CharField(_("donor"), max_length=100)
    source = models.CharField(_("donation source"), max_length=20, choices=Source.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    donated_on = models.DateField(_("date"))
    anonymous_on_public_list = models.BooleanField(_("anonymous on the public list"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["donated_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="donation_amount_positive"
            )
        ]


class DonationUse(models.Model):
    drive = models.ForeignKey(DonationDrive, on_delete=models.PROTECT, related_name="uses")
    given_on = models.DateField(_("date given"))
    recipient = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a recipient who is not a member (a disaster area, another union's appeal).
    recipient_description = models.CharField(_("recipient"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=300, blank=True)
    payment = models.OneToOneField(
        "care.CarePayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["given_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="donation_use_amount_positive"
            )
        ]


class InsurancePlan(models.Model):
    class Kind(models.TextChoices):
        INPATIENT = "inpatient", _("In-patient medical")
        CRITICAL_ILLNESS = "critical_illness", _("Critical illness")
        WOMEN_SPECIAL = "women_special", _("Women's special diseases")
        ACCIDENT = "accident", _("Accident")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("plan name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    premium_per_person = models.DecimalField(
        _("premium per person"), max_digits=10, decimal_places=2
    )
    period_start = models.DateField(_("cover starts"))
    period_end = models.DateField(_("cover ends"))
    insurer = models.CharField(_("insurer"), max_length=120, blank=True)
    # Most benefit paid on one claim; empty when the plan's schedule has no single figure.
    claim_limit = models.DecimalField(
        _("limit per claim"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    renewal_reminder_on = models.DateField(_("renewal reminder on"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class InsuranceEnrolment(models.Model):
    class PaidBy(models.TextChoices):
        SELF = "self", _("The member")
        UNION = "union", _("The union")
        EMPLOYER = "employer", _("The employer")

    plan = models.ForeignKey(InsurancePlan, on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    paid_by = models.CharField(_("paid by"), max_length=10, choices=PaidBy.choices)
    premium = models.DecimalField(_("premium"), max_digits=10, decimal_places=2)
    enrolled_on = models.DateField(_("enrolled on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="insurance_enrolment_once")
        ]


class InsuranceClaim(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        APPROVED = "approved", _("Approved for payment")
        REJECTED = "rejected", _("Not paid (rejected)")
        PAID = "paid", _("Paid out")

    enrolment = models.ForeignKey(
        InsuranceEnrolment, on_delete=models.PROTECT, related_name="claims"
    )
    submitted_on = models.DateField(_("submitted on"))
    illness_or_event = models.CharField(_("illness or event"), max_length=200)
    # [{"label": client file name, "path": stored path under MEDIA_ROOT, "size": bytes}]
    documents = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    claimed_amount = models.DecimalField(
        _("amount claimed"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    approved_amount = models.DecimalField(
        _("amount approved"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_on", "-id"]
