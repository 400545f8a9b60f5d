"""Care reminders reach people: a new visit task, due and overdue visits, hardship
re-checks and insurance renewals become notices in the right inboxes only, once per key,
with a text that says what to do; the commands share their options and print the count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.care import hardship_tasks, insurance, notices, services
from gonghui.care.models import VisitTask
from gonghui.core.errors import DomainError
from gonghui.core.models import Notification, RoleGrant
from gonghui.core.services import role_revoke
from gonghui.testing.care_factories import HardshipFileFactory

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)  # a hospital stay reported today is due 03-13


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


@pytest.fixture(autouse=True)
def _clock():
    with _at(TODAY):
        yield


@pytest.fixture
def english(settings):
    # Notices are written in the site's language; English keeps the exact text stable
    # whether or not the Chinese catalogue is compiled.
    settings.LANGUAGE_CODE = "en"


def _report(world, user=None, member=None, kind="hospital", **kw):
    kw.setdefault("occurred_on", TODAY)
    return services.event_report(
        user=user or world.group_leader, member=member or world.member_a, kind=kind, **kw
    )


def _recipients(kind: str, **filters) -> set[str]:
    rows = Notification.objects.filter(kind=kind, **filters).select_related("recipient")
    return {n.recipient.username for n in rows}


NOT_TOLD = {"member", "leader", "other_chair", "upper", "auditor", "admin"}


# ---- a new visit task ----------------------------------------------------------------------


def test_it_tells_the_union_care_managers_of_a_new_task_at_once(world, care_officer):
    # when the group leader reports a stay in hospital
    task = _report(world).task
    # then the chair, the cadre and the care officer hear of it, nobody else
    told = _recipients(notices.KIND_TASK_NEW)
    assert told == {"chair", "cadre", "care_officer"}
    assert not told & NOT_TOLD
    n = Notification.objects.filter(kind=notices.KIND_TASK_NEW).first()
    assert n.url == f"/care/visits/new/?task={task.pk}"
    assert n.unit == world.school
    assert "李芳" in n.title and "2026-03-13" in n.title


def test_it_says_who_is_to_be_visited_by_when_and_how(world, english):
    task = _report(world, details="县人民医院内科 5 楼 12 床").task
    n = Notification.objects.filter(kind=notices.KIND_TASK_NEW, recipient=world.chair).get()
    assert n.title == (
        "New visit task: 李芳 (Hospitalisation or serious illness), to be visited by 2026-03-13"
    )
    assert n.body == "Who visits: 工会主席、小组长\nStandard: ¥500.00 + 水果、营养品"
    # the ward and bed stay on the care pages, where reading them is logged
    assert "12 床" not in n.title + n.body
    assert task.who_visits in n.body


def test_it_leaves_out_the_one_who_reported(world):
    _report(world, user=world.chair, member=world.member_b)
    assert _recipients(notices.KIND_TASK_NEW) == {"cadre"}


def test_it_tells_the_other_union_only_of_its_own_members(world):
    _report(world, user=world.other_chair, member=world.outsider)
    assert _recipients(notices.KIND_TASK_NEW) == set()  # the chair reported it: nobody else
    # the system (an import, say) reports for nobody in particular: the chair is told
    services.event_report(user=None, member=world.outsider, kind="wedding", occurred_on=TODAY)
    assert _recipients(notices.KIND_TASK_NEW) == {"other_chair"}


def test_it_sends_nothing_for_a_refused_or_back_dated_report(world):
    with pytest.raises(DomainError):
        _report(world, user=world.group_leader, member=world.member_b)  # not their group
    _report(world, occurred_on=TODAY - timedelta(days=40), reported_on=TODAY - timedelta(days=40))
    assert not Notification.objects.exists()


def test_it_sends_nothing_to_a_revoked_or_inactive_manager(world):
    grant = RoleGrant.objects.get(user=world.cadre)
    role_revoke(actor=world.admin, grant=grant)
    world.chair.is_active = False
    world.chair.save()
    _report(world)
    assert _recipients(notices.KIND_TASK_NEW) == set()


# ---- due and overdue visits ------------------------------------------------------------------


def test_it_reminds_due_and_overdue_visits_once_a_day(world, care_officer):
    # given a hospital task due 03-13
    task = _report(world).task
    # when the reminder runs on the due day, twice
    with _at(date(2026, 3, 13)):
        first = services.care_remind_overdue(date(2026, 3, 13))
        again = services.care_remind_overdue(date(2026, 3, 13))
    # then the managers get one notice each, that day
    assert first.reminded == [task] and first.notices == 3
    assert again.reminded == [] and again.notices == 0
    assert _recipients(notices.KIND_VISIT_DUE) == {"chair", "cadre", "care_officer"}
    # and the next days one more each, not more on a rerun even with the mark lost
    with _at(date(2026, 3, 15)):
        assert services.care_remind_overdue(date(2026, 3, 15)).notices == 3
        VisitTask.objects.filter(pk=task.pk).update(reminded_at=None)
        rerun = services.care_remind_overdue(date(2026, 3, 15))
    assert rerun.reminded == [task] and rerun.notices == 0
    assert Notification.objects.filter(kind=notices.KIND_VISIT_DUE).count() == 6
    keys = set(
        Notification.objects.filter(kind=notices.KIND_VISIT_DUE).values_list("key", flat=True)
    )
    assert keys == {f"care.visit_due:{task.pk}:2026-03-13", f"care.visit_due:{task.pk}:2026-03-15"}


def test_it_writes_how_late_a_visit_is(world, english):
    task = _report(world).task
    with _at(date(2026, 3, 13)):
        services.care_remind_overdue(date(2026, 3, 13))
    with _at(date(2026, 3, 15)):
        services.care_remind_overdue(date(2026, 3, 15))
    titles = list(
        Notification.objects.filter(kind=notices.KIND_VISIT_DUE, recipient=world.chair)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )
    who = "李芳 (Hospitalisation or serious illness)"
    assert titles == [
        f"Visit reminder: {who} is to be visited today (2026-03-13)",
        f"Visit reminder: {who} was to be visited by 2026-03-13, 2 days overdue",
    ]
    assert notices.visit_due_title(task, date(2026, 3, 14)).endswith("1 day overdue")


def test_it_names_the_relative_in_the_reminder(world, english):
    _report(world, kind="death_relative", relative="父亲")
    with _at(date(2026, 3, 20)):
        services.care_remind_overdue(date(2026, 3, 20))
    n = Notification.objects.filter(kind=notices.KIND_VISIT_DUE, recipient=world.chair).get()
    assert "李芳 (Death of a direct relative: 父亲)" in n.title


def test_it_reminds_nobody_outside_the_union_and_nothing_done(world, care_officer):
    task = _report(world).task
    _report(world, user=world.other_chair, member=world.outsider)
    services.visit_record(
        actor=world.cadre, member=world.member_a, task=task, kind="hospital",
        visited_on=TODAY, visitors="张主席",
    )  # fmt: skip
    with _at(date(2026, 3, 20)):
        run = services.care_remind_overdue(date(2026, 3, 20))
    assert [t.union for t in run.reminded] == [world.factory_union]
    assert _recipients(notices.KIND_VISIT_DUE) == {"other_chair"}


def test_it_sends_the_reminders_from_the_background_task(world):
    from gonghui.care.tasks import care_remind_task

    _report(world)
    with _at(date(2026, 3, 20)):
        assert care_remind_task.enqueue().return_value == 1
    assert _recipients(notices.KIND_VISIT_DUE) == {"chair", "cadre"}


# ---- hardship re-checks ----------------------------------------------------------------------


@pytest.fixture
def files(world):
    HardshipFileFactory(member=world.member_a, file_no="KN-2026-001")
    HardshipFileFactory(member=world.member_b, file_no="KN-2026-002")
    HardshipFileFactory(member=world.outsider, file_no="KN-2026-003")


def test_it_tells_only_the_file_keepers_of_the_rechecks_due(world, care_officer, files):
    # when the reminder runs in November
    job = hardship_tasks.hardship_remind(date(2026, 11, 2))
    # then the school's chair and care officer hear of their two files, the factory's chair
    # of one; never a cadre, an administrator or the upper union
    assert _recipients(notices.KIND_HARDSHIP_RECHECK, unit=world.school) == {
        "chair",
        "care_officer",
    }
    assert _recipients(notices.KIND_HARDSHIP_RECHECK, unit=world.factory_union) == {"other_chair"}
    assert not _recipients(notices.KIND_HARDSHIP_RECHECK) & {"cadre", "admin", "upper"}
    assert job.result["notices"] == 3
    n = Notification.objects.get(kind=notices.KIND_HARDSHIP_RECHECK, recipient=world.chair)
    assert n.url == "/care/hardship/?due=on"
    assert "2" in n.title
    for secret in ("李芳", "王强", "KN-2026"):
        assert secret not in n.title + n.body


def test_it_counts_the_files_in_the_text(world, files, english):
    hardship_tasks.hardship_remind(date(2026, 11, 2))
    n = Notification.objects.get(kind=notices.KIND_HARDSHIP_RECHECK, recipient=world.chair)
    assert n.title == "2 hardship files are due for their yearly re-check in November"
    n = Notification.objects.get(kind=notices.KIND_HARDSHIP_RECHECK, recipient=world.other_chair)
    assert n.title == "1 hardship file is due for its yearly re-check in November"


def test_it_tells_the_keepers_once_per_survey_year(world, files):
    hardship_tasks.hardship_remind(date(2026, 11, 2))
    assert hardship_tasks.hardship_remind(date(2026, 11, 20)).result["notices"] == 0
    # January: still last November's survey, already told
    assert hardship_tasks.hardship_remind(date(2027, 1, 5)).result["notices"] == 0
    # the next November is a new survey
    assert hardship_tasks.hardship_remind(date(2027, 11, 2)).result["notices"] == 2
    keys = set(Notification.objects.filter(recipient=world.chair).values_list("key", flat=True))
    assert keys == {
        f"care.hardship_recheck:{world.school.pk}:2026",
        f"care.hardship_recheck:{world.school.pk}:2027",
    }


def test_it_tells_late_of_files_left_unchecked(world, english):
    # a file whose re-check fell due last November, in a system set up in January
    HardshipFileFactory(member=world.member_a, next_review_on=date(2025, 11, 1))
    hardship_tasks.hardship_remind(date(2026, 1, 5))
    n = Notification.objects.get(kind=notices.KIND_HARDSHIP_RECHECK, recipient=world.chair)
    assert n.title == "1 hardship file has not had its yearly re-check yet"
    assert n.key == f"care.hardship_recheck:{world.school.pk}:2025"


def test_it_sends_no_hardship_notice_when_nothing_is_due(world, files):
    job = hardship_tasks.hardship_remind(date(2026, 6, 15))
    assert job.result == {"unions": [], "notices": 0}
    assert not Notification.objects.exists()


# ---- insurance renewals ----------------------------------------------------------------------


def _plan(world, union=None, actor=None):
    return insurance.plan_create(
        actor=actor or world.chair,
        union=union or world.school,
        kind="inpatient",
        name="住院医疗互助保障",
        year=2025,
        premium_per_person=Decimal("50"),
        period_start=date(2025, 5, 1),
        period_end=date(2026, 4, 30),
        claim_limit=Decimal("5000"),
        renewal_reminder_on=date(2026, 3, 1),
    )


def test_it_tells_the_care_managers_of_a_renewal_once_per_plan(world, care_officer, english):
    plan = _plan(world)
    other = _plan(world, union=world.factory_union, actor=world.other_chair)
    first = insurance.renewal_remind(actor=None, today=date(2026, 3, 2))
    assert set(first.reminded) == {plan, other} and first.notices == 4
    assert insurance.renewal_remind(actor=None, today=date(2026, 3, 3)).notices == 0
    assert _recipients(notices.KIND_INSURANCE_RENEWAL, unit=world.school) == {
        "chair",
        "cadre",
        "care_officer",
    }
    assert _recipients(notices.KIND_INSURANCE_RENEWAL, unit=world.factory_union) == {"other_chair"}
    n = Notification.objects.get(kind=notices.KIND_INSURANCE_RENEWAL, recipient=world.cadre)
    assert n.title == "Insurance renewal: 2025 住院医疗互助保障, cover ends 2026-04-30; renew it"
    assert n.url == f"/care/insurance/{plan.pk}/"
    assert n.key == f"care.insurance_renewal:{plan.pk}"


# ---- the commands --------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--language", "en", stdout=out)
    return out.getvalue()


def test_the_care_command_prints_the_notices_it_sent(world):
    _report(world)
    text = _run("care", "remind", "--date", "2026-03-20")
    assert "第一中学工会: 1 visits due or overdue" in text
    assert text.rstrip().endswith("2 notices sent.")
    assert _run("care", "remind", "--date", "2026-03-20").rstrip().endswith("0 notices sent.")


def test_the_insurance_command_prints_the_notices_it_sent(world):
    _plan(world)
    text = _run("insurance", "remind", "--date", "2026-03-15", "--union", "SCH")
    assert "住院医疗互助保障" in text and text.rstrip().endswith("2 notices sent.")


def test_the_hardship_command_prints_the_notices_it_sent(world, files):
    text = _run("hardship", "remind", "--date", "2026-11-02", "--union", "SCH")
    assert "KN-2026-001" in text and "李芳" not in text
    assert text.rstrip().endswith("1 notice sent.")
    assert _recipients(notices.KIND_HARDSHIP_RECHECK) == {"chair"}  # the factory: not asked
    text = _run("hardship", "remind", "--date", "2026-11-02")
    assert "红星机械厂工会 (FAC): 1 re-checks due" in text
    assert text.rstrip().endswith("1 notice sent.")


@pytest.mark.parametrize("command", ["care", "hardship", "insurance"])
def test_the_commands_refuse_an_unknown_union_or_a_bad_date(world, command):
    with pytest.raises(CommandError) as e:
        _run(command, "remind", "--union", "NOPE")
    assert e.value.returncode == 2 and "NOPE" in str(e.value)
    with pytest.raises(CommandError) as e:
        _run(command, "remind", "--date", "2026-13-01")
    assert "2026-13-01" in str(e.value)
    assert not Notification.objects.exists()
