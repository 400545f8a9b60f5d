"""Reads shared by the congress pages, API and documents, scoped through core access.

The ``get_*_for`` functions are the congress's access helpers: they load a record by id and
refuse (404 for a record outside the user's reach, 403 for a record in reach without the
permission) before any view touches it.
"""

from __future__ import annotations

from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import MemberStatus
from gonghui.members.queries import member_of_user

from . import rules
from .models import Congress, CongressRuleSet, CongressSession, CongressTerm, Delegate


def rules_for(union: OrgUnit) -> rules.RuleSet:
    """The union's congress rules: its own rule set, else the national defaults."""
    row = CongressRuleSet.objects.filter(union=union).first()
    if row is None:
        return rules.NATIONAL_DEFAULTS
    return rules.RuleSet(
        quorum=Fraction(row.quorum_numerator, row.quorum_denominator),
        pass_base=rules.PassBase(row.pass_base),
        frontline_min=Fraction(row.teacher_min_percent, 100),
        leader_max=Fraction(row.leader_max_percent, 100),
        cosigners_min=row.cosigners_min,
        proposal_close_days=row.proposal_close_days,
        source=row.source_note,
    )


def may_manage(user: User, union: OrgUnit) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONGRESS, union)


def may_take_part(user: User, union: OrgUnit) -> bool:
    """Members of the union (and its cadres) see its congress; upper unions see counts.
    Being on the union's active roll counts as much as a member grant: a group leader's
    grant sits on their group, but they are members of the union all the same."""
    if access.has_perm(user, Perm.PARTICIPATE, union) or may_manage(user, union):
        return True
    member = member_of_user(user)
    return (
        member is not None and member.union_id == union.pk and member.status == MemberStatus.ACTIVE
    )


def unions_managed(user: User) -> QuerySet[OrgUnit]:
    return access.units_with(user, Perm.MANAGE_CONGRESS).filter(kind__in=["grassroots", "joint"])


def home_union(user: User) -> OrgUnit | None:
    """The union whose congress the user lands on: the one they manage, else their own
    membership's union."""
    managed = unions_managed(user).order_by("depth", "path").first()
    if managed is not None:
        return managed
    member = member_of_user(user)
    if member is not None and may_take_part(user, member.union):
        return member.union
    return None


def congresses_of(union: OrgUnit) -> QuerySet[Congress]:
    return Congress.objects.filter(union=union, archived_at__isnull=True).order_by("id")


def current_term(congress: Congress) -> CongressTerm | None:
    return congress.terms.filter(ended_on__isnull=True).order_by("-number").first()


def active_delegates(term: CongressTerm) -> QuerySet[Delegate]:
    return term.delegates.filter(status=Delegate.Status.ACTIVE).select_related(
        "person", "delegation"
    )


def delegate_for(user: User, term: CongressTerm) -> Delegate | None:
    """The user's serving seat in the term, if they are a delegate."""
    if not user.is_authenticated or user.person_id is None:
        return None
    return (
        term.delegates.filter(person_id=user.person_id, status=Delegate.Status.ACTIVE)
        .select_related("delegation")
        .first()
    )


def get_session_for(user: User, session_id: int, *, manage: bool = False) -> CongressSession:
    """Load a session the user may see (``manage``: may run). Sessions of unions outside
    the user's reach are 404, so ids cannot be probed."""
    session = (
        CongressSession.objects.select_related("term__congress__union")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    union = session.term.congress.union
    if manage:
        if may_manage(user, union):
            return session
    elif may_take_part(user, union):
        return session
    if may_take_part(user, union) or access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied  # within reach, but not this (upper unions: counts only)
    raise Http404
