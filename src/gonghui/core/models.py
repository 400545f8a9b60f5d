"""Core data: the organisation tree, people, users and their role grants, the audit trail.

Records are archived (``archived_at``), never deleted; every write goes through a service
in ``services.py`` that also writes an ``AuditEvent``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    FEDERATION = "federation", _("Federation")  # 总工会
    SECTOR_UNION = "sector", _("Sector union")  # 产业/系统工会
    JOINT_UNION = "joint", _("Joint union")  # 联合工会
    GRASSROOTS_UNION = "grassroots", _("Grassroots union")  # 基层工会
    BRANCH_UNION = "branch", _("Branch union")  # 分工会
    UNION_GROUP = "group", _("Union group")  # 工会小组


# Units that own a membership roll: members are numbered and counted per union.
UNION_KINDS = {UnitKind.JOINT_UNION, UnitKind.GRASSROOTS_UNION}


class OrgUnit(models.Model):
    """A node of the union tree. ``path`` is a materialised path of primary keys
    ("/1/7/42/") so a subtree is one indexed prefix query, at any depth."""

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_affiliated = models.BooleanField(_("affiliated unit (挂靠)"), default=False)
    staff_count = models.PositiveIntegerField(
        _("staff count"),
        null=True,
        blank=True,
        help_text=_("Staff of the unit, for enrolment rate"),
    )
    sort_order = models.PositiveIntegerField(default=0)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")

    def __str__(self) -> str:
        return self.name

    @property
    def is_union(self) -> bool:
        return self.kind in UNION_KINDS

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Person(models.Model):
    """A natural person. The ID number (身份证号) is the natural key when present."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    # No index of its own: person_name_gender (below) serves every search by name, and each
    # index costs every person a roster import writes.
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Unique by a constraint (person_id_number_unique) rather than unique=True, which on
    # PostgreSQL adds a second, pattern index for LIKE that nothing uses: ID numbers are only
    # ever looked up whole. NULL, not "", for a person without one: NULLs never collide.
    id_number = models.CharField(  # noqa: DJ001  (sensitive)
        _("ID number"), max_length=18, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # sensitive
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=20, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        indexes = [
            models.Index(fields=["birth_date"]),
            # The member list's name search with a gender (members/queries.py), read from
            # the index alone: PostgreSQL needs the pattern operator class for LIKE '王%'
            # and the id in the index (as a key column: SQLite warns about INCLUDE, and
            # ignores operator classes).
            models.Index(
                fields=["name", "gender", "id"],
                name="person_name_gender",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="person_id_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    GROUP_LEADER = "group_leader", _("Union group leader")
    CADRE = "cadre", _("Union cadre")
    CHAIR = "chair", _("Chair")
    CARE_OFFICER = "care_officer", _("Care officer")  # named by the chair for hardship work
    AUDITOR = "auditor", _("Funds auditor")
    UPPER_OFFICER = "upper_officer", _("Upper-union officer")
    ADMIN = "admin", _("System administrator")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role granted on an org unit; it reaches down the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="grants")
    # Upper-union officers see aggregates only; this explicit grant lets one see individuals.
    may_see_individuals = models.BooleanField(_("may see individual records"), default=False)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_grant_per_user_role_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class AuditEvent(models.Model):
    """Append-only trail of every write and every read of sensitive data."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """Token for API integrations. Only a SHA-256 digest of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, default="cli")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class LegalPersonRegistration(models.Model):
    """法人资格登记: one row per registration or change, newest is current."""

    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="registrations")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    change_note = models.CharField(_("change note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.union} {self.credit_code} ({self.registered_on:%Y-%m-%d})"


class CommitteeKind(models.TextChoices):
    UNION = "union", _("Union committee")  # 工会委员会
    FUNDS_AUDIT = "funds_audit", _("Funds audit committee")  # 经费审查委员会
    WOMEN = "women", _("Women workers' committee")  # 女职工委员会
    MEDIATION = "mediation", _("Labour-dispute mediation committee")  # 劳动争议调解委员会
    LABOUR_LAW = "labour_law", _("Labour-law supervision committee")  # 劳动法律监督委员会


class Committee(models.Model):
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="committees")
    kind = models.CharField(_("kind"), max_length=20, choices=CommitteeKind.choices)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["union", "kind"], name="one_committee_kind_per_union")
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.get_kind_display()}"


class CommitteeTerm(models.Model):
    """A term (届) of a committee: 第N届, usually 3 or 5 years."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term number"))
    starts_on = models.DateField(_("starts on"))
    planned_end_on = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="unique_term_number")
        ]

    def __str__(self) -> str:
        return f"{self.committee} 第{self.number}届"


class PositionKind(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    STANDING = "standing", _("Standing committee member")
    MEMBER = "member", _("Committee member")


class CommitteePosition(models.Model):
    """Who held which seat in a term, and when. Changes append rows (增补/补选/离任)."""

    class Source(models.TextChoices):
        ELECTED = "elected", _("Elected at re-election")
        BY_ELECTION = "by_election", _("By-election")
        APPOINTED = "appointed", _("Co-opted")

    term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, related_name="positions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="positions")
    position = models.CharField(_("position"), max_length=20, choices=PositionKind.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ELECTED)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["term", "position", "starts_on"]

    def __str__(self) -> str:
        return f"{self.term} {self.get_position_display()} {self.person}"


class BackgroundJob(models.Model):
    """Progress and outcome of long work (imports, exports, reports) run as a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(100 * self.progress_done / self.progress_total))


class Notification(models.Model):
    """A message to one user: a reminder of work that is due, shown in their inbox and, when
    the operator has set up mail, also sent by email. ``key`` makes a reminder idempotent:
    the same key reaches the same user once (a reminder run twice a day sends once)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="one_notification_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"
