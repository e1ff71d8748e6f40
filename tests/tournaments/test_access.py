"""The access rule (`tournaments.access`): who sees a tournament, who acts for a registration.

The table is checked on unsaved tournaments, with the registrations port answered by a fake
that lists one participant, so each cell proves the rule alone; the REST and websocket
suites prove that every entrypoint asks it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from deltacrown.tournaments import access, ports
from deltacrown.tournaments.access import Sight
from deltacrown.tournaments.models import (
    Tournament,
    TournamentOrganizer,
    TournamentStatus,
    Visibility,
)

ORGANIZER, PARTICIPANT, PLAYER, STAFF = 1, 2, 3, 4
TOURNAMENT_ID = 77
INVITE = "let-me-in"

ACTORS: dict[str, Any] = {
    "anonymous": None,
    "player": SimpleNamespace(id=PLAYER, is_staff=False, is_superuser=False),
    "participant": SimpleNamespace(id=PARTICIPANT, is_staff=False, is_superuser=False),
    "organizer": SimpleNamespace(id=ORGANIZER, is_staff=False, is_superuser=False),
    "staff": SimpleNamespace(id=STAFF, is_staff=True, is_superuser=False),
}

V, NF, SI, FB = Sight.VISIBLE, Sight.NOT_FOUND, Sight.SIGN_IN, Sight.FORBIDDEN
# tournament kind -> the answer for anonymous, player, participant, organizer, staff
TABLE = {
    "public": (V, V, V, V, V),
    "unlisted": (V, V, V, V, V),
    "private": (SI, FB, V, V, V),
    "draft": (NF, NF, NF, V, V),
    "private draft": (NF, NF, NF, V, V),
    "deleted": (NF, NF, NF, NF, NF),
}
CASES = [
    (kind, actor, expected)
    for kind, answers in TABLE.items()
    for actor, expected in zip(ACTORS, answers, strict=True)
]


class OneParticipant:
    """The registrations port: PARTICIPANT is listed on the tournament, nobody else."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, int]] = []

    def has_registrations(self, tournament_id: int) -> bool:
        return tournament_id == TOURNAMENT_ID

    def is_listed(self, tournament_id: int, user_id: int) -> bool:
        self.asked.append((tournament_id, user_id))
        return (tournament_id, user_id) == (TOURNAMENT_ID, PARTICIPANT)

    def held_places(self, tournament_id: Any) -> Any:
        return 0


@pytest.fixture
def facts(app_ctx: Any) -> Iterator[OneParticipant]:
    with ports.registrations.substituted(app_ctx, OneParticipant()) as fake:
        yield fake


def tournament(kind: str) -> Tournament:
    status = TournamentStatus.DRAFT if "draft" in kind else TournamentStatus.PUBLISHED
    visibility = {"unlisted": Visibility.UNLISTED}.get(kind, Visibility.PUBLIC)
    if "private" in kind:
        visibility = Visibility.PRIVATE
    t = Tournament(
        organizer_id=ORGANIZER,
        status=status,
        visibility=visibility,
        invite_code=INVITE if visibility is Visibility.PRIVATE else None,
    )
    t.id = TOURNAMENT_ID  # after the status: an unsaved row announces no state change
    if kind == "deleted":
        t.deleted_at = datetime(2026, 1, 1, tzinfo=UTC)
    return t


@pytest.mark.parametrize(
    ("kind", "actor", "expected"), CASES, ids=[f"{k}-{a}" for k, a, _ in CASES]
)
def test_who_sees_a_tournament_follows_the_rule_table(facts, kind, actor, expected):
    t = tournament(kind)
    assert access.sight(ACTORS[actor], t) is expected
    assert access.can_see(ACTORS[actor], t) is (expected is Sight.VISIBLE)


@pytest.mark.parametrize("actor", ["anonymous", "player"])
def test_the_invite_code_opens_a_private_tournament_but_not_a_draft(facts, actor):
    assert access.sight(ACTORS[actor], tournament("private"), invite_code=INVITE) is V
    assert access.sight(ACTORS[actor], tournament("private"), invite_code="wrong") in (SI, FB)
    assert access.sight(ACTORS[actor], tournament("private draft"), invite_code=INVITE) is NF


def test_a_co_organizer_sees_what_the_owner_sees(facts):
    t = tournament("draft")
    co = SimpleNamespace(id=PLAYER, is_staff=False, is_superuser=False)
    assert access.sight(co, t) is NF
    t.organizer_links.append(TournamentOrganizer(user_id=PLAYER))
    assert access.sight(co, t) is V


def test_participation_is_asked_only_when_nothing_else_decides(facts):
    for kind in ("public", "unlisted", "draft", "deleted"):
        for actor in ACTORS.values():
            access.sight(actor, tournament(kind))
    access.sight(ACTORS["organizer"], tournament("private"))
    access.sight(None, tournament("private"))
    assert facts.asked == []
    access.sight(ACTORS["player"], tournament("private"))
    assert facts.asked == [(TOURNAMENT_ID, PLAYER)]


def registration(*, user_id: int | None = None, captain_id: int | None = None) -> Any:
    return SimpleNamespace(registrant_id=user_id if captain_id is None else captain_id)


ACT_CASES = [
    # (actor, registration, may act)
    ("anonymous", registration(user_id=PLAYER), False),
    ("player", registration(user_id=PLAYER), True),
    ("participant", registration(user_id=PLAYER), False),
    ("organizer", registration(user_id=PLAYER), False),
    ("staff", registration(user_id=PLAYER), True),
    ("player", registration(captain_id=PLAYER), True),
    ("participant", registration(captain_id=PLAYER), False),
    ("player", registration(), False),
]


@pytest.mark.parametrize(("actor", "reg", "allowed"), ACT_CASES)
def test_who_acts_for_a_registration_is_its_registrant_or_staff(actor, reg, allowed):
    assert access.can_act_for(ACTORS[actor], reg) is allowed


def test_a_registration_names_its_solo_player_or_its_teams_captain():
    from deltacrown.registrations.models import Registration
    from deltacrown.teams.models import Team

    assert Registration(user_id=PLAYER).registrant_id == PLAYER
    team = Team(captain_id=PARTICIPANT)
    assert Registration(team_id=5, team=team).registrant_id == PARTICIPANT
    assert Registration(team_id=5).registrant_id is None
