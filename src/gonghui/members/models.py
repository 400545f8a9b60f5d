"""Membership: who belongs to which union and group, and the history of how they got there."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person, User


class EmploymentType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent staff")  # 正式
    CONTRACT = "contract", _("Contract")  # 合同
    DISPATCHED = "dispatched", _("Dispatched")  # 劳务派遣
    SEASONAL = "seasonal", _("Seasonal")  # 季节工
    MIGRANT = "migrant", _("Migrant worker")  # 农民工
    TEMPORARY = "temporary", _("Temporary")  # 临时工


class WorkStatus(models.TextChoices):
    WORKING = "working", _("In work")  # 在职
    RETIRED = "retired", _("Retired")  # 离退休


class MemberStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # 申请中
    ACTIVE = "active", _("Active")  # 在册
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")  # 转出
    LEFT = "left", _("Left")  # 退会
    DECEASED = "deceased", _("Deceased")  # 故去
    REJECTED = "rejected", _("Application rejected")


class Member(models.Model):
    """A person's membership of a union. One row per person: a transfer moves the row and
    appends a MembershipEvent, so the history stays with the person."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="member")
    # No single-column indexes on union/unit: the (union, status) and (unit, status) indexes
    # below serve every lookup by union or unit, and each index slows a 100,000-row import.
    union = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="union_members", db_index=False
    )
    # The lowest unit the member belongs to: a union group, a branch union or the union itself.
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="unit_members", db_index=False
    )
    member_no = models.CharField(_("member number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    employment_type = models.CharField(
        _("employment type"),
        max_length=20,
        choices=EmploymentType.choices,
        default=EmploymentType.PERMANENT,
    )
    work_status = models.CharField(
        _("work status"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.WORKING
    )
    post = models.CharField(_("post"), max_length=60, blank=True)
    department = models.CharField(_("department"), max_length=60, blank=True)
    is_model_worker = models.BooleanField(_("model worker"), default=False)  # 劳模
    is_in_hardship = models.BooleanField(_("in hardship"), default=False)
    is_survivor = models.BooleanField(_("survivor of deceased staff"), default=False)  # 遗属
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member")
        # Each index here serves a query, and each costs every member a roster import writes.
        # (A (status, joined_on) index was dropped in 2026-12: no query reads members by join
        # date, and its inserts, in random order, took a fifth of the member insert time.)
        indexes = [
            models.Index(fields=["union", "status"]),
            models.Index(fields=["unit", "status"]),
            # The member list (members/queries.py): status, then member-number order, then
            # every column the list filters on, so the first, a filtered and a deep page and
            # their counts are read from this index alone, without a sort (migration 0002).
            models.Index(
                fields=[
                    "status",
                    "member_no",
                    "id",
                    "unit",
                    "person",
                    "employment_type",
                    "work_status",
                    "is_model_worker",
                    "is_in_hardship",
                    "is_survivor",
                ],
                name="member_list_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "member_no"],
                condition=~models.Q(member_no=""),
                name="unique_member_no_per_union",
            )
        ]

    def __str__(self) -> str:
        return self.person.name


class MembershipEvent(models.Model):
    """Append-only lifecycle history (会籍变动)."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        IMPORTED = "imported", _("Imported from roster")
        MOVED = "moved", _("Moved to another group")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        TRANSFERRED_IN = "transferred_in", _("Transferred in")
        RETIRED = "retired", _("Retired")
        LEFT = "left", _("Left the union")
        DIED = "died", _("Deceased")
        REINSTATED = "reinstated", _("Reinstated")

    # History is only ever read member by member (the member's page, the last transfer out),
    # so the member is the one indexed column: the units and the actor are shown, never
    # searched, and every index costs each of a roster import's 100,000 events an insert.
    # The units and the actor are not database constraints either (decision 0011): a history
    # row keeps what it recorded, units and users are archived rather than deleted, Django
    # still applies on_delete, and each constraint cost PostgreSQL a check per imported row.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    from_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    to_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, db_index=False, db_constraint=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]


class ProfileChangeRequest(models.Model):
    """A member's correction to a sensitive field, waiting for a cadre's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="change_requests")
    changes = models.JSONField()  # {field: {"old": ..., "new": ...}}
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.member} · {', '.join(self.changes)}"


class RosterImport(models.Model):
    """One uploaded roster file and what became of it (preview, commit, errors)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="roster_imports")
    file_name = models.CharField(max_length=200)
    stored_path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    header_map = models.JSONField(default=dict)  # source column -> field
    errors_sample = models.JSONField(default=list)  # first errors, for the page
    error_report_path = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(
        "core.BackgroundJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
