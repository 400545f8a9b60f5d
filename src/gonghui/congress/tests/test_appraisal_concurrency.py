"""Ratings under concurrent requests, on PostgreSQL where it must be right: a rater who
submits from two browsers at the same moment gets one receipt and one set of ratings, and
many raters at once leave exactly one rating per subject per receipt."""

from __future__ import annotations

import pytest
from django.db import connection

from gonghui.congress import appraisal as svc
from gonghui.congress.models.appraisal import AppraisalRating, AppraisalReceipt
from gonghui.core.errors import DomainError

from .test_appraisal_services import _clock, build  # noqa: F401  (the clock fixture)
from .test_vote_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def test_it_keeps_one_submission_when_a_rater_submits_from_two_browsers_at_once(world):
    # given an open appraisal of two leaders
    s = build(world, raters=2)
    a, b = s.subjects
    user = s.raters[0]
    # when the same rater submits twice at the same moment
    results, errors = _race(
        [
            lambda: svc.rating_submit(user=user, appraisal=s.appraisal, grades={a.pk: 0, b.pk: 0}),
            lambda: svc.rating_submit(user=user, appraisal=s.appraisal, grades={a.pk: 3, b.pk: 3}),
        ]
    )
    # then one went in, the other was told so, and nothing else was stored
    assert len(results) == 1
    assert [getattr(e, "code", repr(e)) for e in errors] == ["appraisal.already_rated"]
    assert AppraisalReceipt.objects.filter(appraisal=s.appraisal).count() == 1
    assert AppraisalRating.objects.filter(appraisal=s.appraisal).count() == 2


def test_it_counts_every_submission_when_many_rate_at_once_while_it_closes(world):
    # given 16 raters submitting (each twice) while the chair closes rating
    s = build(world, raters=16)
    grades = {x.pk: i % 4 for i, x in enumerate(s.subjects)}
    calls = [
        (lambda u=u: svc.rating_submit(user=u, appraisal=s.appraisal, grades=grades))
        for u in s.raters
    ]
    calls = calls + calls
    calls.append(lambda: svc.appraisal_close(actor=world.chair, appraisal=s.appraisal))
    # when they race
    _results, errors = _race(calls)
    # then receipts and ratings agree, and every refusal is a duplicate or a late one
    receipts = AppraisalReceipt.objects.filter(appraisal=s.appraisal).count()
    assert AppraisalRating.objects.filter(appraisal=s.appraisal).count() == receipts * 2
    assert all(isinstance(e, DomainError) for e in errors), errors
    assert {e.code for e in errors} <= {"appraisal.already_rated", "appraisal.closed"}
    assert receipts + len(errors) == 32
    assert svc.results(s.appraisal).ratings_match
