"""Notifications as a service: notify with keys, inactive users, email after commit (and
never after a rollback), a failing mail server, the retry and prune command, the bell's
count in the context processor."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from gonghui.core import notifications
from gonghui.core.context_processors import navigation
from gonghui.core.models import Notification

MAIL = {
    "GONGHUI_NOTIFY_EMAIL": True,
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "GONGHUI_BASE_URL": "https://gh.example.org/",
}


class RefusingBackend(EmailBackend):
    """A mail server that accepts the connection and refuses every message."""

    def send_messages(self, messages):
        raise OSError("550 mailbox unavailable")


class UnreachableBackend(EmailBackend):
    """A mail server that is down."""

    def open(self):
        raise ConnectionRefusedError("connection refused")


def _send(users, **kw):
    args = {"kind": "care.visit_due", "title": "李芳的住院慰问已逾期", "url": "/care/tasks/"}
    return notifications.notify(users, **(args | kw))


@pytest.fixture
def mailable(world):
    world.chair.email = "chair@example.org"
    world.chair.save()
    world.cadre.email = "cadre@example.org"
    world.cadre.save()
    return world


# ---- notify -----------------------------------------------------------------------------


def test_it_gives_each_recipient_one_notice(world):
    created = _send([world.chair, world.cadre, world.chair], unit=world.school, body="请尽快走访")
    assert len(created) == 2
    notice = Notification.objects.get(recipient=world.chair)
    assert (notice.title, notice.body, notice.url, notice.unit) == (
        "李芳的住院慰问已逾期",
        "请尽快走访",
        "/care/tasks/",
        world.school,
    )
    assert notice.read_at is None and notice.emailed_at is None


def test_it_sends_a_keyed_notice_once_per_recipient(world):
    # given a reminder that reached the chair yesterday
    _send([world.chair], key="visit-7-due")
    # when the reminder runs again, now also for the cadre, and once more
    second = _send([world.chair, world.cadre], key="visit-7-due")
    third = _send([world.chair, world.cadre], key="visit-7-due")
    # then the cadre got it once and the chair still has one
    assert [n.recipient for n in second] == [world.cadre]
    assert third == []
    assert Notification.objects.filter(key="visit-7-due").count() == 2


def test_it_repeats_notices_without_a_key(world):
    _send([world.chair])
    _send([world.chair])
    assert Notification.objects.filter(recipient=world.chair).count() == 2


def test_it_skips_inactive_users(world):
    world.cadre.is_active = False
    world.cadre.save()
    created = _send([world.chair, world.cadre])
    assert [n.recipient for n in created] == [world.chair]
    assert not Notification.objects.filter(recipient=world.cadre).exists()


def test_it_drops_a_link_that_leads_off_the_site(world):
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        _send([world.chair], url=bad)
    assert set(Notification.objects.values_list("url", flat=True)) == {""}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/care/tasks/?union=3", True),
        ("/", True),
        ("", False),
        ("care/tasks/", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/x\n/y", False),
        ("/\t/evil.example", False),
    ],
)
def test_it_knows_a_local_path(url, ok):
    assert notifications.is_local_path(url) is ok


# ---- email ------------------------------------------------------------------------------


@override_settings(**MAIL)
def test_it_emails_after_commit_and_records_it(mailable, django_capture_on_commit_callbacks):
    # given mail is configured and the chair and cadre have addresses, the member none
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send([mailable.chair, mailable.cadre, mailable.member], body="住院 3 天，请走访。")
        # then nothing is mailed before the transaction commits
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["cadre@example.org", "chair@example.org"]
    message = next(m for m in mail.outbox if m.to == ["chair@example.org"])
    assert "李芳的住院慰问已逾期" in message.subject
    assert "住院 3 天，请走访。" in message.body
    assert "https://gh.example.org/care/tasks/" in message.body
    assert "https://gh.example.org/notifications/" in message.body
    emailed = dict(Notification.objects.values_list("recipient__username", "emailed_at"))
    assert emailed["chair"] is not None and emailed["cadre"] is not None
    assert emailed["member"] is None  # no address: inbox only


@override_settings(**MAIL)
def test_it_emails_a_keyed_notice_once(mailable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send([mailable.chair], key="proposal-9")
    with django_capture_on_commit_callbacks(execute=True) as second:
        _send([mailable.chair], key="proposal-9")
    assert len(mail.outbox) == 1
    assert second == []  # nothing new, nothing to mail


@pytest.mark.django_db(transaction=True)
@override_settings(**MAIL)
def test_it_mails_nothing_when_the_transaction_rolls_back(mailable):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send([mailable.chair])
        raise RuntimeError("the reminder run failed")
    assert mail.outbox == []
    assert not Notification.objects.exists()


@override_settings(GONGHUI_NOTIFY_EMAIL=False, EMAIL_BACKEND=MAIL["EMAIL_BACKEND"])
def test_it_mails_nothing_without_the_setting(mailable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send([mailable.chair])
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


@override_settings(**(MAIL | {"EMAIL_BACKEND": f"{__name__}.RefusingBackend"}))
def test_it_logs_a_refused_mail_and_leaves_it_for_the_retry(
    mailable, django_capture_on_commit_callbacks, caplog
):
    # given a mail server that refuses the message
    with django_capture_on_commit_callbacks(execute=True):
        (notice,) = _send([mailable.chair])
    # then the failure is logged, the notice is in the inbox and not marked emailed
    assert "email to user" in caplog.text
    notice.refresh_from_db()
    assert notice.emailed_at is None
    # when the server is back and the cron retry runs
    with override_settings(EMAIL_BACKEND=MAIL["EMAIL_BACKEND"]):
        out = StringIO()
        call_command("notifications", "email", stdout=out)
    # then it is sent once, and a second run sends nothing
    assert [m.to for m in mail.outbox] == [["chair@example.org"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert "1" in out.getvalue()
    with override_settings(EMAIL_BACKEND=MAIL["EMAIL_BACKEND"]):
        call_command("notifications", "email", stdout=StringIO())
    assert len(mail.outbox) == 1


@override_settings(**(MAIL | {"EMAIL_BACKEND": f"{__name__}.UnreachableBackend"}))
def test_it_survives_a_mail_server_that_is_down(mailable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send([mailable.chair, mailable.cadre])
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    # and the cron run says so with a non-zero exit
    with pytest.raises(CommandError) as err:
        call_command("notifications", "email", stdout=StringIO())
    assert err.value.returncode == 1
    assert "2" in str(err.value)


@override_settings(**MAIL)
def test_the_retry_leaves_old_and_addressless_notices_alone(mailable):
    old = _send([mailable.chair], title="旧提醒")[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    _send([mailable.member], title="会员没有邮箱")
    run = notifications.email_unsent()
    assert run == notifications.EmailRun(sent=0, still_pending=0)
    assert mail.outbox == []


def test_the_email_command_says_when_mail_is_off(world):
    out = StringIO()
    call_command("notifications", "email", stdout=out)
    assert "GONGHUI_NOTIFY_EMAIL" in out.getvalue()


# ---- prune ------------------------------------------------------------------------------


def test_prune_deletes_only_old_read_notices(world):
    # given four notices: old read, old unread, recent read, another user's old read
    old_read, old_unread, _recent_read = (
        _send([world.chair], title=t)[0] for t in ("旧已读", "旧未读", "新已读")
    )
    (others,) = _send([world.cadre], title="他人旧已读")
    long_ago = timezone.now() - timedelta(days=400)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk, others.pk]).update(
        created_at=long_ago
    )
    Notification.objects.exclude(pk=old_unread.pk).update(read_at=timezone.now())
    # when the default prune runs
    out = StringIO()
    call_command("notifications", "prune", stdout=out)
    # then only the old read ones are gone
    left = set(Notification.objects.values_list("title", flat=True))
    assert left == {"旧未读", "新已读"}
    assert "2" in out.getvalue()


def test_prune_honours_days_and_refuses_nonsense(world):
    (n,) = _send([world.chair])
    Notification.objects.filter(pk=n.pk).update(
        created_at=timezone.now() - timedelta(days=40), read_at=timezone.now()
    )
    call_command("notifications", "prune", "--days", "60", stdout=StringIO())
    assert Notification.objects.filter(pk=n.pk).exists()
    call_command("notifications", "prune", "--days", "30", stdout=StringIO())
    assert not Notification.objects.filter(pk=n.pk).exists()
    with pytest.raises(CommandError) as err:
        call_command("notifications", "prune", "--days", "0")
    assert err.value.returncode == 2


# ---- reading ----------------------------------------------------------------------------


def test_mark_read_touches_only_the_users_own(world):
    mine = _send([world.chair])[0]
    theirs = _send([world.other_chair])[0]
    assert notifications.mark_read(world.chair, [mine.pk, theirs.pk]) == 1
    assert notifications.unread_count(world.chair) == 0
    assert notifications.unread_count(world.other_chair) == 1


def test_open_refuses_another_users_notice(world):
    theirs = _send([world.other_chair])[0]
    with pytest.raises(Notification.DoesNotExist):
        notifications.notification_open(user=world.chair, notice_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


# ---- the bell's count -------------------------------------------------------------------


def test_the_context_counts_only_the_users_unread(world, django_assert_num_queries):
    _send([world.chair])
    _send([world.chair])
    notifications.mark_read(world.chair, [_send([world.chair])[0].pk])
    _send([world.cadre])
    request = RequestFactory().get("/")
    request.user = world.chair
    lazy = navigation(request)["unread_notices"]
    with django_assert_num_queries(1):
        assert lazy.count == 2
        assert lazy.count == 2  # counted once per request


def test_the_context_has_no_count_for_anonymous_visitors(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/login/")
    request.user = AnonymousUser()
    assert "unread_notices" not in navigation(request)
