"""The staff congress: congresses, terms, sessions, agenda, documents, delegates, check-in
and votes.

A congress (教代会 / 职代会 / 会员代表大会) belongs to a union and has terms (届); each term
has numbered sessions (第X届第Y次) and a roster of delegates elected by delegations.
Secret votes store a receipt (who voted on which item) and a ballot (which choice) with
nothing that joins the two: see docs/decisions/0005-secret-votes.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import OrgUnit, Person


class CongressKind(models.TextChoices):
    TEACHERS = "teachers", _("Teachers' and staff congress")  # 教职工代表大会
    STAFF = "staff", _("Staff congress")  # 职工代表大会
    MEMBERS = "members", _("Members' congress")  # 会员代表大会
    ALL_STAFF = "all_staff", _("All-staff meeting")  # 教职工大会 / 职工大会 (< 80 staff)


class Congress(models.Model):
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="congresses")
    kind = models.CharField(_("kind"), max_length=20, choices=CongressKind.choices)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("congress")

    def __str__(self) -> str:
        return self.name


class CongressRuleSet(models.Model):
    """A union's congress rules. Without a row the national defaults in
    ``congress.rules.NATIONAL_DEFAULTS`` apply; a row overrides all of them at once."""

    class PassBase(models.TextChoices):
        ALL_DELEGATES = "all", _("All delegates")
        PRESENT = "present", _("Delegates present")
        CAST = "cast", _("Votes cast")

    union = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="+")
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    pass_base = models.CharField(
        _("majority of"), max_length=10, choices=PassBase.choices, default=PassBase.ALL_DELEGATES
    )
    teacher_min_percent = models.PositiveSmallIntegerField(
        _("front-line staff at least %"), default=60
    )
    leader_max_percent = models.PositiveSmallIntegerField(_("leaders at most %"), default=20)
    cosigners_min = models.PositiveSmallIntegerField(_("co-signers at least"), default=2)
    proposal_close_days = models.PositiveSmallIntegerField(
        _("proposals close days before the session"), default=15
    )
    source_note = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.union} congress rules"


class CongressTerm(models.Model):
    """A term (届) of a congress, usually 3–5 years, with its delegate roster."""

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term number"))
    starts_on = models.DateField(_("starts on"))
    planned_end_on = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    roster_confirmed_at = models.DateTimeField(null=True, blank=True)
    roster_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Composition warnings the chair saw and accepted when confirming the roster.
    roster_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["congress", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="unique_congress_term")
        ]

    def __str__(self) -> str:
        return f"{self.congress} 第{self.number}届"


class CongressSession(models.Model):
    """第X届第Y次会议."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("In session")
        CLOSED = "closed", _("Closed")

    term = models.ForeignKey(CongressTerm, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Delegates type this code on their phone to check in; changes each session.
    checkin_code = models.CharField(_("check-in code"), max_length=8, blank=True)
    proposals_open_on = models.DateField(_("proposals open"), null=True, blank=True)
    proposals_close_on = models.DateField(_("proposals close"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)  # 会议纪要, edited by the secretariat
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="unique_session_number")
        ]

    def __str__(self) -> str:
        return f"{self.term.congress} 第{self.term.number}届第{self.number}次会议"

    @property
    def label(self) -> str:
        return f"第{self.term.number}届第{self.number}次会议"


class SessionOfficer(models.Model):
    """Presidium (主席团), secretariat (秘书处) and other session roles."""

    class Kind(models.TextChoices):
        PRESIDIUM = "presidium", _("Presidium")
        PRESIDIUM_CHAIR = "presidium_chair", _("Executive chair of the presidium")
        SECRETARIAT = "secretariat", _("Secretariat")
        SCRUTINEER = "scrutineer", _("Scrutineer")
        COUNTER = "counter", _("Counter")

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="officers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "kind"], name="unique_session_officer"
            )
        ]


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Report to hear and review")
        ADOPT = "adopt", _("Document to adopt")
        APPRAISAL = "appraisal", _("Democratic appraisal")
        ELECTION = "election", _("Election")
        OTHER = "other", _("Other")

    class VoteMode(models.TextChoices):
        NONE = "none", _("No vote")
        OPEN = "open", _("Open vote")
        SECRET = "secret", _("Secret vote")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VOTING = "voting", _("Voting")
        DECIDED = "decided", _("Decided")

    class Result(models.TextChoices):
        PASSED = "passed", _("Adopted")
        FAILED = "failed", _("Not adopted")

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.CharField(_("presenter"), max_length=60, blank=True)
    vote_mode = models.CharField(
        _("vote"), max_length=10, choices=VoteMode.choices, default=VoteMode.NONE
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closed_at = models.DateTimeField(null=True, blank=True)
    # Filled when the vote closes: the figures the resolution states.
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    delegates_total = models.PositiveIntegerField(null=True, blank=True)
    present_count = models.PositiveIntegerField(null=True, blank=True)
    yes_count = models.PositiveIntegerField(null=True, blank=True)
    no_count = models.PositiveIntegerField(null=True, blank=True)
    abstain_count = models.PositiveIntegerField(null=True, blank=True)
    resolution_no = models.CharField(_("resolution number"), max_length=40, blank=True)

    class Meta:
        ordering = ["session", "order", "id"]

    def __str__(self) -> str:
        return self.title


class AgendaDocument(models.Model):
    """A document laid before the congress; it goes through drafts until one is adopted."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    adopted_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """One draft. Versions are append-only; the adopted one is frozen (no newer drafts)."""

    document = models.ForeignKey(AgendaDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    stored_path = models.CharField(max_length=300, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")
        ]


class Delegation(models.Model):
    """代表团/组: usually a union group or a department, with a number of seats."""

    term = models.ForeignKey(CongressTerm, on_delete=models.PROTECT, related_name="delegations")
    name = models.CharField(_("name"), max_length=80)
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["term", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    """A delegate for a term. Replacement and by-election end one row and add another."""

    class Source(models.TextChoices):
        ELECTED = "elected", _("Elected by the delegation")
        BY_ELECTION = "by_election", _("By-election")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Serving")
        REPLACED = "replaced", _("Replaced")
        LEFT = "left", _("Left")

    term = models.ForeignKey(CongressTerm, on_delete=models.PROTECT, related_name="delegates")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="delegates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="delegate_seats")
    # Composition categories: front-line teachers/workers, and unit leaders/managers.
    is_frontline = models.BooleanField(_("front-line teacher or worker"), default=True)
    is_leader = models.BooleanField(_("unit leader or manager"), default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ELECTED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    elected_on = models.DateField(_("elected on"))
    votes_received = models.PositiveIntegerField(_("votes received"), null=True, blank=True)
    voters_total = models.PositiveIntegerField(_("voters in delegation"), null=True, blank=True)
    election_note = models.CharField(_("election note"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=200, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )

    class Meta:
        ordering = ["term", "delegation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "person"],
                condition=models.Q(status="active"),
                name="one_active_seat_per_person_and_term",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.delegation})"


class CheckIn(models.Model):
    class Method(models.TextChoices):
        CADRE = "cadre", _("Marked by staff")
        CODE = "code", _("Own phone with session code")

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="checkins")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="checkins")
    method = models.CharField(max_length=10, choices=Method.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "delegate"], name="one_checkin_per_session")
        ]


class VoteReceipt(models.Model):
    """That a delegate voted on an item, never how. The unique constraint is what makes a
    second vote impossible, also from two browsers at the same moment."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="receipts")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="receipts")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "delegate"], name="one_vote_per_delegate")
        ]


class Ballot(models.Model):
    """How one vote went. For secret votes it carries no delegate, no time and a random key,
    so neither a column nor the key order ties it to a receipt. Open votes name the delegate."""

    class Choice(models.TextChoices):
        YES = "yes", _("For")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # open votes only
