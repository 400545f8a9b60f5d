"""Care rules, life events, visit tasks, visits and the care-payment ledger.

Every cash or gift given to a member posts one ``CarePayment`` row: the ledger the spending
caps are checked against and the form the funds capability will take over.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person


class CapItem(models.TextChoices):
    """Welfare items that provinces cap per person and year."""

    FESTIVAL = "festival", _("Festival gifts")
    BIRTHDAY = "birthday", _("Birthday")
    WEDDING = "wedding", _("Wedding")
    CHILDBIRTH = "childbirth", _("Childbirth")
    HOSPITAL = "hospital", _("Hospitalisation or serious illness")
    DEATH_MEMBER = "death_member", _("Death of the member")
    DEATH_RELATIVE = "death_relative", _("Death of a direct relative")
    RETIREMENT = "retirement", _("Retirement")
    HEAT_RELIEF = "heat_relief", _("Heat relief")
    HARDSHIP = "hardship", _("Hardship aid")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospitalisation or serious illness")
    DEATH_MEMBER = "death_member", _("Death of the member")
    DEATH_RELATIVE = "death_relative", _("Death of a direct relative")
    WEDDING = "wedding", _("Wedding")
    CHILDBIRTH = "childbirth", _("Childbirth")
    RETIREMENT = "retirement", _("Retirement")
    MISFORTUNE = "misfortune", _("Accident or disaster")
    HARDSHIP = "hardship", _("Special hardship")


class SpendingCap(models.Model):
    """Per-person yearly cap of one item. Rows with ``union`` empty are a province's
    defaults (by year from which they apply); a union's own row overrides its province's."""

    province = models.CharField(_("province"), max_length=20)
    union = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("item"), max_length=20, choices=CapItem.choices)
    from_year = models.PositiveSmallIntegerField(_("from year"))
    amount = models.DecimalField(_("cap per person and year"), max_digits=10, decimal_places=2)
    source_note = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["province", "item", "-from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "union", "item", "from_year"], name="unique_spending_cap"
            ),
            # The constraint above never holds for a province's rows (no union: NULLs are
            # never equal), so one rule per province, item and year is kept here.
            models.UniqueConstraint(
                fields=["province", "item", "from_year"],
                condition=models.Q(union__isnull=True),
                name="unique_provincial_cap",
            ),
        ]

    def __str__(self) -> str:
        # The audit trail finds a province's changes by this prefix (cap_defaults.history).
        return f"{self.province} {self.get_item_display()} {self.from_year}"


class CareSettings(models.Model):
    """A union's care settings: which province's caps apply."""

    union = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="+")
    province = models.CharField(_("province"), max_length=20, default="安徽")


class VisitRule(models.Model):
    """必访制度: an event kind that requires a visit, who visits, what is given, by when.
    Without a union row the national-style defaults in ``care.rules.DEFAULT_VISIT_RULES``
    apply."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    event_kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    visit_required = models.BooleanField(_("visit required"), default=True)
    who_visits = models.CharField(_("who visits"), max_length=100, blank=True)
    standard_cash = models.DecimalField(
        _("standard cash"), max_digits=10, decimal_places=2, default=0
    )
    standard_gift = models.CharField(_("standard gift"), max_length=100, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("visit within days"), default=3)
    cap_item = models.CharField(_("cap item"), max_length=20, choices=CapItem.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["union", "event_kind"], name="unique_visit_rule")
        ]


class LifeEvent(models.Model):
    """An event in a member's life the union responds to, as reported."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting visit")
        VISITED = "visited", _("Visited")
        CLOSED = "closed", _("Closed without visit")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date of event"))
    relative = models.CharField(_("relative concerned"), max_length=40, blank=True)
    details = models.TextField(_("details"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["union", "status"])]


class VisitTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.OneToOneField(LifeEvent, on_delete=models.PROTECT, related_name="task")
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("visit due"))
    who_visits = models.CharField(_("who visits"), max_length=100, blank=True)
    standard_cash = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    standard_gift = models.CharField(max_length=100, blank=True)
    # The rule's cap item when the task was made: the visit is checked against it even if
    # the union changes its rules before the visit.
    cap_item = models.CharField(
        _("cap item"), max_length=20, choices=CapItem.choices, default=CapItem.OTHER
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["union", "status", "due_on"])]


class Visit(models.Model):
    """A visit as it happened (慰问记录)."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        VisitTask, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(_("occasion"), max_length=20, choices=CapItem.choices)
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=200)
    cash = models.DecimalField(_("cash"), max_digits=10, decimal_places=2, default=0)
    gift_description = models.CharField(_("gifts"), max_length=200, blank=True)
    gift_value = models.DecimalField(_("gift value"), max_digits=10, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    receipt_signed = models.BooleanField(_("receipt signed"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=300)
    size_bytes = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)


class CarePayment(models.Model):
    """Append-only ledger of every cash or gift value given to a member, by cap item and
    year. Corrections are new rows with negative amounts. ``override_reason`` is set when
    the chair allowed a payment over the cap."""

    class Source(models.TextChoices):
        VISIT = "visit", _("Visit")
        DISTRIBUTION = "distribution", _("Distribution")
        AID = "aid", _("Hardship aid")
        DONATION = "donation", _("Donation drive")
        CORRECTION = "correction", _("Correction")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    cap_item = models.CharField(max_length=20, choices=CapItem.choices)
    year = models.PositiveSmallIntegerField()
    paid_on = models.DateField()
    cash = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    gift_value = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=10, decimal_places=2)  # cash + gift_value
    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField()
    responsible = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "year", "cap_item"])]
