"""The map veto of a head-to-head match: read its state, act on it (a side whose turn it is, or
an organizer for that side), and the sweep that opens timed vetoes and takes a random action
for a side whose turn ran out. The rules are `matches.veto_rules` (pure); the pool comes from
the game's settings schema (`games.mappools`).

Every write locks the tournament row, then the match row (`queries.lock_match`), so two posts
at once are applied one after the other: the second sees the first's history and gets
`not_your_turn` (or a fresh turn). The finished veto writes each game's map (`MatchGame`), and
every change is published as `veto.updated` on the match channel.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.core import realtime
from deltacrown.core.actors import SYSTEM
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games import mappools
from deltacrown.games.config import schema_for
from deltacrown.games.models import Game
from deltacrown.matches import policies, queries
from deltacrown.matches.errors import PermissionDeniedError
from deltacrown.matches.game_models import MatchGame, MatchVeto
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.matches.veto_rules import VetoNotAvailableError, VetoState, replay
from deltacrown.registrations.models import Registration
from deltacrown.teams.models import Team
from deltacrown.tournaments.models import Tournament, TournamentStatus

M = MatchStatus
OPEN_STATUSES = (M.READY, M.LIVE)
_rng = random.SystemRandom()


# ----- the match's veto setup --------------------------------------------------------------------
def _setup(match: Match, tournament: Tournament) -> tuple[list[str], tuple[str, str] | None]:
    """The pool and starting sides for this match; VetoNotAvailableError when it has none."""
    if match.lobby is not None:
        raise VetoNotAvailableError("A battle-royale lobby has no map veto.")
    game = db.session.get_one(Game, tournament.game_id)
    schema = schema_for(game, tournament.settings_schema_version or None)["schema"]
    pool = mappools.pool_of(schema, tournament.settings or {})
    if pool is None:
        raise VetoNotAvailableError(f"{game.name} has no map pool to veto from.")
    return pool, mappools.sides_of(game.slug)


def _fresh(match: Match, tournament: Tournament) -> MatchVeto:
    pool, sides = _setup(match, tournament)
    state = VetoState(pool, match.best_of, sides)  # checks the best-of and the pool size
    return MatchVeto(
        match_id=match.id,
        tournament_id=match.tournament_id,
        best_of=state.best_of,
        pool=list(pool),
        sides=list(sides) if sides else None,
        history=[],
        turn_seconds=mappools.turn_seconds(tournament.settings or {}),
    )


def _veto_row(match_id: int, *, for_update: bool = False) -> MatchVeto | None:
    query = sa.select(MatchVeto).where(MatchVeto.match_id == match_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def state_of(veto: MatchVeto) -> VetoState:
    return replay(veto.pool, veto.best_of, veto.history, veto.sides)


def present(match: Match, veto: MatchVeto) -> dict[str, Any]:
    state = state_of(veto)
    data = state.as_dict()
    slots = {1: match.participant1_registration_id, 2: match.participant2_registration_id}
    turn = data["next"]
    if turn is not None:
        turn["registration_id"] = slots[turn["by"]]
    data.update(
        match_id=match.id,
        turn_seconds=veto.turn_seconds,
        turn_due_at=veto.turn_due_at,
        completed_at=veto.completed_at,
        participants=[slots[1], slots[2]],
    )
    return data


# ----- reads -------------------------------------------------------------------------------------
def get_veto(match_id: int, actor: Any) -> dict[str, Any]:
    """The veto's state as the actor sees the match (404 when they may not): whose turn, the
    remaining maps, the history and the maps chosen so far. A veto nobody acted on yet is
    shown at its first turn."""
    match, tournament = queries.visible_match(match_id, actor)
    veto = _veto_row(match.id) or _fresh(match, tournament)
    return present(match, veto)


# ----- acting ------------------------------------------------------------------------------------
def _slot_of(match: Match, actor: Any) -> int | None:
    """The slot (1 or 2) the actor speaks for in a veto: a solo player, or a team's captain."""
    if actor is None or getattr(actor, "id", None) is None:
        return None
    ids = [r for r in match.participant_ids if r is not None]
    rows = db.session.execute(
        sa.select(Registration.id, Registration.user_id, Team.captain_id)
        .outerjoin(Team, Team.id == Registration.team_id)
        .where(Registration.id.in_(ids))
    ).all()
    for registration_id, user_id, captain_id in rows:
        if actor.id in (user_id, captain_id):
            return 1 if registration_id == match.participant1_registration_id else 2
    return None


def act(
    match_id: int,
    *,
    actor: Any,
    action: str,
    map: str | None = None,
    side: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A ban, pick or starting-side choice by the side whose turn it is (its player, or its
    team's captain); an organizer acts for the side whose turn it is.

    Raises MatchNotFoundError, PermissionDeniedError (not a side, not an organizer),
    VetoNotAvailableError (no pool, a lobby, an unsupported best-of, the match not ready or
    already over), NotYourTurnError, VetoCompleteError, InvalidVetoActionError,
    MapUnavailableError.
    """
    now = now or utcnow()
    match, tournament = queries.visible_match(match_id, actor, for_update=True)
    slot = _slot_of(match, actor)
    manager = policies.can_manage(actor, tournament)
    if slot is None and not manager:
        raise PermissionDeniedError("Only the match's sides (captains) and organizers veto.")
    if slot is not None:
        tournament.ensure_not_frozen()
    veto = _veto_row(match.id, for_update=True)
    if veto is None:
        veto = _fresh(match, tournament)
        db.session.add(veto)
    state = state_of(veto)
    turn = state.next_turn()
    if turn is not None and (
        match.status not in OPEN_STATUSES or tournament.status is not TournamentStatus.ONGOING
    ):
        raise VetoNotAvailableError(
            f"The veto runs while the match is ready or live; it is {match.status.value}."
        )  # fmt: skip
    if turn is not None and slot is None:  # an organizer acts for the side whose turn it is
        slot = turn.by
    state.apply(by=slot or 0, action=action, map=map, side=side)
    _record(match, veto, state, actor, now)
    return present(match, veto)


def _record(match: Match, veto: MatchVeto, state: VetoState, actor: Any, now: datetime) -> None:
    """Store the state after an action: history, the next turn's clock, the games' maps."""
    entry = state.history[-1]
    entry["at"] = now.isoformat()
    entry["user_id"] = getattr(actor, "id", None)
    veto.history = [dict(e) for e in state.history]
    if state.complete:
        veto.turn_due_at = None
        veto.completed_at = now
        _write_games(match.id, state.maps())
    elif veto.turn_seconds:
        veto.turn_due_at = now + timedelta(seconds=veto.turn_seconds)
    db.session.flush()
    realtime.publish(f"match:{match.id}", "veto.updated", _wire(present(match, veto)))


def _wire(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key in ("turn_due_at", "completed_at"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


def _write_games(match_id: int, maps: list[dict[str, Any]]) -> None:
    existing = {
        g.number: g
        for g in db.session.scalars(sa.select(MatchGame).where(MatchGame.match_id == match_id))
    }
    for item in maps:
        row = existing.get(item["game"])
        if row is None:
            row = MatchGame(match_id=match_id, number=item["game"])
            db.session.add(row)
        row.map = item["map"]
        row.picked_by_slot = item["picked_by"]
        row.side_chosen_by_slot = item["side_chosen_by"]
        row.starting_side = item["starting_side"]


def visible_games(match_id: int, actor: Any) -> list[MatchGame]:
    """The match's per-game rows as the actor sees the match (404 when they may not)."""
    match, _ = queries.visible_match(match_id, actor)
    return games_of(match.id)


def games_of(match_id: int) -> list[MatchGame]:
    return list(
        db.session.scalars(
            sa.select(MatchGame).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
        )
    )


# ----- the sweep ---------------------------------------------------------------------------------
def _timed_matches_without_veto() -> list[int]:
    """Ready or live head-to-head matches of ongoing tournaments with no veto row yet."""
    rows = db.session.execute(
        sa.select(Match.id, Tournament.settings)
        .join(Tournament, Tournament.id == Match.tournament_id)
        .outerjoin(MatchVeto, MatchVeto.match_id == Match.id)
        .where(
            MatchVeto.id.is_(None),
            Match.status.in_(OPEN_STATUSES),
            Match.lobby.is_(None),
            Tournament.status == TournamentStatus.ONGOING,
        )
        .order_by(Match.id)
    ).all()
    return [match_id for match_id, settings in rows if mappools.turn_seconds(settings or {})]


def sweep(*, now: datetime | None = None, rng: random.Random | None = None) -> dict[str, int]:
    """Open the veto of every ready match whose tournament sets `veto_turn_seconds` (the first
    turn's clock starts now), and take a random action for each side whose turn ran out (a
    late run catches up: each missed turn is taken in order). Counts of both."""
    now = now or utcnow()
    rng = rng or _rng
    counts = {"opened": 0, "random_actions": 0}
    for match_id in _timed_matches_without_veto():
        tournament, match = queries.lock_match(match_id)
        if _veto_row(match_id) is not None or match.status not in OPEN_STATUSES:
            continue
        try:
            veto = _fresh(match, tournament)
        except VetoNotAvailableError:
            continue
        veto.turn_due_at = now + timedelta(seconds=veto.turn_seconds)
        db.session.add(veto)
        db.session.flush()
        counts["opened"] += 1
    due = db.session.scalars(
        sa.select(MatchVeto.match_id)
        .where(MatchVeto.turn_due_at <= now, MatchVeto.completed_at.is_(None))
        .order_by(MatchVeto.match_id)
    ).all()
    for match_id in due:
        tournament, match = queries.lock_match(match_id)
        row = _veto_row(match_id, for_update=True)
        if row is None or match.status not in OPEN_STATUSES:
            continue
        while row.turn_due_at is not None and row.turn_due_at <= now:
            state = state_of(row)
            at = row.turn_due_at
            state.random_action(rng)
            _record(match, row, state, SYSTEM, at)
            counts["random_actions"] += 1
    return counts
