"""The demo's democratic appraisal: December 2025, six leaders rated online by every
delegate of the term, plus one pile of paper forms from delegates who rated at the meeting."""

from __future__ import annotations

import random
from datetime import date

from gonghui.congress import appraisal as svc
from gonghui.congress.models import CongressTerm
from gonghui.congress.queries import active_delegates
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member

POSTS = ("校长", "党委书记", "副校长（教学）", "副校长（后勤）", "工会主席", "教务处主任")
# Most leaders are rated 优秀 or 称职; the share of 优秀 differs from one leader to the next.
TOP_SHARES = (0.78, 0.72, 0.64, 0.55, 0.7, 0.48)
RATING_DAY = date(2025, 12, 15)


def _voter(person_id: int) -> User:
    # Demo delegates have no logins: an unsaved user standing for the person rates through
    # the same service a phone would.
    return User(person_id=person_id)


def _grade(rng: random.Random, top: float) -> int:
    x = rng.random()
    if x < top:
        return 0
    if x < top + (1 - top) * 0.85:
        return 1
    return 2 if x < 0.995 else 3


def seed_appraisal(
    *,
    union: OrgUnit,
    members: list[Member],
    term: CongressTerm,
    actor: User | None,
    today: date,
    rng: random.Random,
) -> None:
    """Six leaders (the first six of ``members``) rated by every serving delegate of the
    term: most online, the last dozen on paper forms typed in as one pile (so participation
    is 100%). Closed once the window has passed ``today``."""
    if today < RATING_DAY:
        return
    appraisal = svc.appraisal_create(
        actor=actor,
        union=union,
        title="2025年度学校领导班子及成员民主测评",
        year=2025,
        rater_base="delegates",
        term=term,
        opens_on=date(2025, 12, 10),
        closes_on=date(2025, 12, 20),
    )
    subjects = [
        svc.subject_add(actor=actor, appraisal=appraisal, person=m.person, post=post)
        for m, post in zip(members[:6], POSTS, strict=False)
    ]
    svc.appraisal_open(actor=actor, appraisal=appraisal)
    delegates = list(active_delegates(term).order_by("pk"))
    # Paper needs someone to type it in; without an actor everyone rates online.
    forms = min(12, len(delegates) // 4) if actor is not None else 0
    for d in delegates[: len(delegates) - forms]:
        grades = {s.pk: _grade(rng, top) for s, top in zip(subjects, TOP_SHARES, strict=False)}
        svc.rating_submit(
            user=_voter(d.person_id), appraisal=appraisal, grades=grades, today=RATING_DAY
        )
    counts = {}
    for s, top in zip(subjects, TOP_SHARES, strict=False):
        row = [0, 0, 0, 0]
        for _ in range(forms - rng.randint(0, 1)):  # now and then a form leaves one blank
            row[_grade(rng, top)] += 1
        counts[s.pk] = row
    if forms:
        assert actor is not None
        svc.paper_enter(
            actor=actor,
            appraisal=appraisal,
            forms=forms,
            counts=counts,
            note="列席代表纸质测评表",
        )
    if today > appraisal.closes_on:
        svc.appraisal_close(actor=actor, appraisal=appraisal)
