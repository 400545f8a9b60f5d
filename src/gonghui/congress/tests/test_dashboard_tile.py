"""The congress tile on the dashboard: those who run the union's congress see its next
session and the proposals waiting for them; readers of statistics see counts only (never a
title or a name); the figures are the proposal list's; queries are bounded."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gonghui.congress import proposals
from gonghui.congress.dashboard_tiles import congress_tile
from gonghui.congress.models import CongressSession, Proposal
from gonghui.core.models import Role
from gonghui.core.services import role_grant
from gonghui.testing.congress_factories import (
    CongressFactory,
    CongressSessionFactory,
    CongressTermFactory,
    DelegateFactory,
    DelegationFactory,
)
from gonghui.testing.factories import make_unit

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 15)
S = Proposal.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 6, 15, 10, tzinfo=TZ), tick=False):
        yield


def _proposal(session, proposer, status, **kw):
    return Proposal.objects.create(
        session=session,
        proposer=proposer,
        title=kw.pop("title", "关于定期组织教职工体检的提案"),
        reasons="教师健康",
        measures="每年三月体检",
        category="welfare",
        status=status,
        **kw,
    )


@pytest.fixture
def congress(world):
    """The school's 8th term: the 3rd session held in March (closed), the 4th planned for
    December; proposals of the March session: one awaiting review, one accepted with its
    reply overdue, one replied awaiting rating, one closed. The factory union: a session
    held in May with one proposal awaiting review."""
    term = CongressTermFactory(congress=CongressFactory(union=world.school), number=8)
    held = CongressSessionFactory(
        term=term, number=3, held_on=date(2026, 3, 20), status=CongressSession.Status.CLOSED
    )
    nxt = CongressSessionFactory(term=term, number=4, held_on=date(2026, 12, 18), venue="报告厅")
    proposer = DelegateFactory(delegation=DelegationFactory(term=term))
    _proposal(held, proposer, S.SUBMITTED, title="关于食堂的提案")
    _proposal(held, proposer, S.ACCEPTED, due_on=date(2026, 5, 31))
    _proposal(held, proposer, S.REPLIED, due_on=date(2026, 5, 31))
    _proposal(held, proposer, S.CLOSED)
    other_term = CongressTermFactory(congress=CongressFactory(union=world.factory_union))
    other = CongressSessionFactory(
        term=other_term, number=1, held_on=date(2026, 5, 8), status=CongressSession.Status.CLOSED
    )
    _proposal(other, DelegateFactory(delegation=DelegationFactory(term=other_term)), S.SUBMITTED)
    return {"next": nxt, "held": held}


def _tile(response):
    tiles = [t for t in response.context["tiles"] if t.template == "congress/dashboard_tile.html"]
    return tiles[0] if tiles else None


def _dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard"), params)


MATRIX = {
    "chair": "manage",
    "cadre": "manage",
    "group_leader": None,  # a group holds no congress
    "other_chair": "manage",
    "upper_officer": "counts",
    "auditor": "counts",
    "admin": "counts",  # the county federation
}


@pytest.mark.parametrize("persona", MATRIX)
def test_it_shows_each_persona_the_tile_of_their_part(client, world, congress, persona):
    response = _dashboard(client, world.personas()[persona])
    assert response.status_code == 200
    tile = _tile(response)
    html = response.content.decode()
    if MATRIX[persona] is None:
        assert tile is None and 'id="tile-congress"' not in html
        return
    assert ("manage" if tile.context["manage"] else "counts") == MATRIX[persona]
    assert 'id="tile-congress"' in html
    if MATRIX[persona] == "counts":
        assert "关于食堂的提案" not in html and "关于定期组织" not in html


def test_it_gives_a_member_no_dashboard_and_anonymous_the_login(client, world, congress):
    assert _dashboard(client, world.member).status_code == 302
    client.logout()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_it_shows_the_chair_the_next_session_and_the_proposals_waiting(client, world, congress):
    response = _dashboard(client, world.chair)
    tile = _tile(response)
    assert tile.context["session"] == congress["next"]
    counts = tile.context["counts"]
    assert (counts.pending_review, counts.overdue, counts.awaiting_rating) == (1, 1, 1)
    html = response.content.decode()
    assert "第8届第4次会议" in html and "2026-12-18" in html and "报告厅" in html
    assert f'href="/congress/sessions/{congress["next"].pk}/"' in html
    assert "?status=submitted" in html and "?overdue=on" in html
    assert tile.url == f"/congress/?union={world.school.pk}"


def test_it_shows_an_open_session_before_a_later_one(world, congress):
    congress["held"].status = CongressSession.Status.OPEN
    congress["held"].save()
    tile = congress_tile(world.cadre, world.school, TODAY)
    assert tile.context["session"] == congress["held"]


def test_it_says_when_no_session_or_no_congress_is_there(client, world, congress):
    CongressSession.objects.filter(pk=congress["next"].pk).update(
        status=CongressSession.Status.CLOSED
    )
    tile = congress_tile(world.chair, world.school, TODAY)
    assert tile.context["session"] is None and tile.context["has_congress"] is True
    # a union without a congress: the tile says so instead of showing zeros alone
    bare = make_unit("新建小学工会", "grassroots", world.edu, code="NEW")
    role_grant(actor=None, user=world.upper_officer, role=Role.CHAIR, unit=bare)
    tile = congress_tile(world.upper_officer, bare, TODAY)
    assert tile.context["manage"] and tile.context["has_congress"] is False


def test_its_figures_are_the_proposal_lists(client, world, congress):
    tile = _tile(_dashboard(client, world.chair))
    page = client.get(reverse("congress:proposal_list"))
    assert tile.context["counts"] == page.context["counts"]


def test_it_shows_the_other_chair_only_their_own_union(client, world, congress):
    tile = _tile(_dashboard(client, world.other_chair))
    assert tile.context["union"] == world.factory_union
    assert tile.context["session"] is None
    assert tile.context["counts"].pending_review == 1
    assert tile.context["counts"].overdue == 0


def test_it_counts_this_years_sessions_and_proposals_for_the_upper_union(client, world, congress):
    tile = _tile(_dashboard(client, world.upper_officer))
    c = tile.context
    # the December session is not held yet; five proposals, of the two sessions held
    assert (c["unions"], c["sessions_held"]) == (2, 2)
    assert (c["counts"].received, c["counts"].accepted, c["counts"].overdue) == (5, 3, 1)
    assert tile.url == reverse("congress:overview")
    # the school alone, for its own auditor
    school = congress_tile(world.auditor, world.school, TODAY).context
    assert (school["unions"], school["sessions_held"], school["counts"].received) == (1, 1, 4)
    same = proposals.proposal_counts(Proposal.objects.filter(session=congress["held"]), TODAY)
    assert school["counts"] == same


@pytest.mark.parametrize("persona", ["chair", "upper_officer"])
def test_its_queries_do_not_grow_with_the_records(
    world, congress, persona, django_assert_max_num_queries
):
    user = world.personas()[persona]
    unit = world.school if persona == "chair" else world.county
    congress_tile(user, unit, TODAY)  # grants are cached per user, as within one request
    # the next session and the proposal counts; counts only: unions, sessions, proposals
    with django_assert_max_num_queries(3):
        congress_tile(user, unit, TODAY)
    proposer = Proposal.objects.first().proposer
    for _ in range(5):
        _proposal(congress["held"], proposer, S.SUBMITTED)
    with django_assert_max_num_queries(3):
        congress_tile(user, unit, TODAY)
