"""Demo data: past congress sessions run through the meeting services, as a chair would run
them: opened, most delegates checked in at the desk, each voting item opened, voted on with
a realistic split and closed, the session closed and short minutes written.

Deterministic: every choice comes from the ``rng`` passed in.
"""

from __future__ import annotations

import random
from datetime import date

from gonghui.congress import meeting
from gonghui.congress.models import AgendaItem, CongressSession
from gonghui.congress.queries import active_delegates
from gonghui.core.models import User


def _voter(person_id: int) -> User:
    # Demo delegates have no logins: an unsaved user standing for the person casts through
    # the same service a phone would (no audit actor, as for the system's own work).
    return User(person_id=person_id)


def _split(rng: random.Random, present: int, *, failing: bool) -> list[str]:
    """Choices for everyone present: mostly for, a few against and abstaining; a failing
    item gets far fewer than half of all delegates for it."""
    yes_share = rng.uniform(0.3, 0.42) if failing else rng.uniform(0.86, 0.97)
    yes = round(present * yes_share)
    no = round((present - yes) * rng.uniform(0.3, 0.6))
    abstain = present - yes - no
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    rng.shuffle(choices)
    return choices


def _minutes(session: CongressSession, att: meeting.Attendance) -> str:
    lines = [
        f"{session.held_on:%Y年%m月%d日}，{session.term.congress.name}"
        f"第{session.term.number}届第{session.number}次会议在{session.venue or '学校会议室'}召开。",
        f"应到代表{att.total}人，实到{att.present}人，符合法定人数。",
    ]
    for item in meeting.agenda(session):
        if item.status == AgendaItem.Status.DECIDED:
            verdict = "表决通过" if item.result == AgendaItem.Result.PASSED else "未获通过"
            lines.append(f"会议审议了{item.title}，赞成{item.yes_count}票，{verdict}。")
        else:
            lines.append(f"会议听取了{item.title}。")
    lines.append("会议在热烈的气氛中圆满完成各项议程。")
    return "\n".join(lines)


def seed_congress_meetings(
    *, sessions: list[CongressSession], actor: User | None, rng: random.Random, today: date
) -> None:
    """Run each past, planned session through the meeting services. About 90% of delegates
    check in (the first session about 95%); the last voting item of the last session fails,
    every other one passes."""
    past = [s for s in sessions if s.held_on < today and s.status == CongressSession.Status.PLANNED]
    for n, session in enumerate(past):
        meeting.session_open(actor=actor, session=session)
        delegates = list(active_delegates(session.term).order_by("pk"))
        rate = 0.95 if n == 0 else rng.uniform(0.88, 0.92)
        present = rng.sample(delegates, max(1, round(len(delegates) * rate)))
        for d in sorted(present, key=lambda d: d.pk):
            meeting.checkin_mark(actor=actor, session=session, delegate=d)
        if not meeting.attendance(session).met:
            continue  # cannot vote; leave the session open as the record of a failed quorum
        voting = [it for it in meeting.agenda(session) if it.vote_mode != AgendaItem.VoteMode.NONE]
        for i, item in enumerate(voting):
            failing = n == len(past) - 1 and i == len(voting) - 1
            meeting.vote_open(actor=actor, item=item)
            for d, choice in zip(present, _split(rng, len(present), failing=failing), strict=True):
                meeting.vote_cast(user=_voter(d.person_id), item=item, choice=choice)
            meeting.vote_close(actor=actor, item=item)
        meeting.session_close(actor=actor, session=session)
        meeting.minutes_update(
            actor=actor, session=session, minutes=_minutes(session, meeting.attendance(session))
        )
