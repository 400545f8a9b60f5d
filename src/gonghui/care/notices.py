"""Care notices: who hears of care work that is waiting for them, and what the notice says.

Every notice goes through ``core.notifications.notify`` with a key, so a reminder run twice
sends once: a new visit task once, a due or overdue task once a day, a hardship re-check
once per union and survey year, a renewal once per plan.

Who hears of a visit: those who manage care where the member is, from the member's group
up to the member's union (``users_with(MANAGE_CARE, unit, top=union)``): the chair, the
cadres and the care officers. Upper unions and administrators are not told; nor is the
group leader: they cannot open the task (recording or cancelling a visit needs
MANAGE_CARE), and a stay in hospital the member reported themselves is health data the
group leader has no need of (PIPL: no more people than the work needs). The chair brings
the group leader along when the union's rule says the group leader visits.

Hardship re-checks reach only those who may open the files on the union (VIEW_HARDSHIP,
never a cadre or an administrator), and the notice carries a count and a link, no name.

Notices are written in the site's language (``LANGUAGE_CODE``), as the emails that carry
them are: they are read by the chair and the cadres, not by whoever set them off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.models import OrgUnit, User
from gonghui.core.notifications import notify

from .models import EventKind, VisitTask
from .models.donations import InsurancePlan

KIND_TASK_NEW = "care.task_new"
KIND_VISIT_DUE = "care.visit_due"
KIND_HARDSHIP_RECHECK = "care.hardship_recheck"
KIND_INSURANCE_RENEWAL = "care.insurance_renewal"

T = TypeVar("T")


@dataclass(frozen=True)
class Reminded(Generic[T]):
    """What a reminder run did: the records it reminded now and the notices it sent."""

    reminded: list[T]
    notices: int


def care_managers(union: OrgUnit, unit: OrgUnit) -> QuerySet[User]:
    """Users who manage care at ``unit`` (the member's group) from within ``union``."""
    # A member moved to another union keeps the old union's task: ask at the union then.
    where = unit if unit.path.startswith(union.path) else union
    return access.users_with(Perm.MANAGE_CARE, where, top=union)


def hardship_keepers(union: OrgUnit) -> QuerySet[User]:
    """Users who may open the union's hardship files (the chair, named care officers)."""
    return access.users_with(Perm.VIEW_HARDSHIP, union, top=union)


def task_url(task: VisitTask) -> str:
    """The visit form of the task: where the reader records the visit."""
    return f"{reverse('care:visit_new')}?task={task.pk}"


def _who(task: VisitTask) -> str:
    event = task.event
    kind = EventKind(event.kind).label
    if event.relative:
        return _("%(name)s (%(kind)s: %(relative)s)") % {
            "name": event.member.person.name,
            "kind": kind,
            "relative": event.relative,
        }
    return _("%(name)s (%(kind)s)") % {"name": event.member.person.name, "kind": kind}


def _task_body(task: VisitTask) -> str:
    # The event's details (ward, bed, diagnosis) stay on the care pages, where reading them
    # is logged; a notice may be forwarded by email.
    lines = []
    if task.who_visits:
        lines.append(_("Who visits: %(who)s") % {"who": task.who_visits})
    standard = [f"¥{task.standard_cash}"] if task.standard_cash else []
    standard += [task.standard_gift] if task.standard_gift else []
    if standard:
        lines.append(_("Standard: %(what)s") % {"what": " + ".join(standard)})
    return "\n".join(lines)


def _send(
    recipients: Iterable[User],
    kind: str,
    key: tuple[object, ...],
    *,
    unit: OrgUnit,
    url: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
) -> int:
    """Send a notice of ``kind`` once per ``key`` (after the kind) and return how many went.
    ``title`` and ``body`` are called in the site's language, the language of the emails."""
    with translation.override(settings.LANGUAGE_CODE):
        text, more = title(), body()
    sent = notify(
        recipients,
        kind=kind,
        title=text,
        body=more,
        url=url,
        unit=unit,
        key=":".join(str(part) for part in (kind, *key)),
    )
    return len(sent)


def _send_task(
    task: VisitTask,
    recipients: Iterable[User],
    kind: str,
    key: tuple[object, ...],
    title: Callable[[], str],
) -> int:
    """A notice about a visit task: it links to the task's visit form and carries the task's
    body."""
    return _send(
        recipients,
        kind,
        (task.pk, *key),
        unit=task.union,
        url=task_url(task),
        title=title,
        body=lambda: _task_body(task),
    )


def task_created(task: VisitTask, *, reporter: User | None) -> int:
    """Tell the care managers of a new visit task at once (a group leader has just reported
    a stay in hospital); the one who reported it knows already. Returns notices sent."""
    member = task.event.member
    recipients = care_managers(task.union, member.unit)
    if reporter is not None and reporter.pk:
        recipients = recipients.exclude(pk=reporter.pk)
    return _send_task(
        task,
        recipients,
        KIND_TASK_NEW,
        (),
        lambda: (
            _("New visit task: %(who)s, to be visited by %(due)s")
            % {"who": _who(task), "due": task.due_on.isoformat()}
        ),
    )


def visit_due_title(task: VisitTask, today: date) -> str:
    late = (today - task.due_on).days
    if late <= 0:
        return _("Visit reminder: %(who)s is to be visited today (%(due)s)") % {
            "who": _who(task),
            "due": task.due_on.isoformat(),
        }
    return ngettext(
        "Visit reminder: %(who)s was to be visited by %(due)s, %(n)s day overdue",
        "Visit reminder: %(who)s was to be visited by %(due)s, %(n)s days overdue",
        late,
    ) % {"who": _who(task), "due": task.due_on.isoformat(), "n": late}


def visit_due(task: VisitTask, today: date, recipients: QuerySet[User] | list[User]) -> int:
    """Remind ``recipients`` of a task due or overdue on ``today``, once that day."""
    return _send_task(
        task, recipients, KIND_VISIT_DUE, (today.isoformat(),), lambda: visit_due_title(task, today)
    )


def survey_year(today: date) -> int:
    """The November survey a re-check belongs to: this year's from November on, else last
    year's (a file left unchecked in January is still last November's)."""
    return today.year if today.month >= 11 else today.year - 1


def _hardship_due_title(due: int, today: date) -> str:
    if today.month == 11:
        return ngettext(
            "%(n)s hardship file is due for its yearly re-check in November",
            "%(n)s hardship files are due for their yearly re-check in November",
            due,
        ) % {"n": due}
    return ngettext(
        "%(n)s hardship file has not had its yearly re-check yet",
        "%(n)s hardship files have not had their yearly re-check yet",
        due,
    ) % {"n": due}


def hardship_due(union: OrgUnit, due: int, today: date) -> int:
    """Tell the union's file keepers how many files wait for their re-check, once per
    survey year. The notice names no one: the list behind the link does, to those who may
    read it."""
    if due <= 0:
        return 0
    return _send(
        hardship_keepers(union),
        KIND_HARDSHIP_RECHECK,
        (union.pk, survey_year(today)),
        unit=union,
        url=f"{reverse('care:hardship_list')}?due=on",
        title=lambda: _hardship_due_title(due, today),
    )


def renewal_due(plan: InsurancePlan) -> int:
    """Tell the union's care managers that a mutual-aid plan is due for renewal, once."""
    return _send(
        care_managers(plan.union, plan.union),
        KIND_INSURANCE_RENEWAL,
        (plan.pk,),
        unit=plan.union,
        url=reverse("care:insurance_plan_detail", args=[plan.pk]),
        title=lambda: (
            _("Insurance renewal: %(year)s %(name)s, cover ends %(end)s; renew it")
            % {"year": plan.year, "name": plan.name, "end": plan.period_end.isoformat()}
        ),
    )
