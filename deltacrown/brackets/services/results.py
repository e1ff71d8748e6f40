"""Entering results: a match's (through the engine, from the few rows it touches), the
next Swiss round, and a battle-royale lobby's games."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deltacrown.brackets import engine, queries, store
from deltacrown.brackets.errors import (
    LobbyNotFoundError,
    TournamentNotOngoingError,
    translate,
)
from deltacrown.brackets.models import Stage
from deltacrown.brackets.services.common import (
    _channel,
    _match_event,
    finish_stage,
    lock_for_result,
)
from deltacrown.core import realtime, signals
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament, TournamentStatus

T = TournamentStatus


def _load(stage: Stage, match_id: int) -> store.Loaded:
    # A result closes its match and at most one more (a grand-final reset it makes needless):
    # while more than two matches are open, neither the placements nor the end of a Swiss
    # round can be due, and the touched matches are all the engine needs.
    if stage.open_count > 2:
        return store.load_partial(stage, match_id)
    return store.load_full(stage)


@dataclass(frozen=True, slots=True)
class ResultOutcome:
    """What a result did: the match row, the rows it moved, whether it completed the
    tournament, and whether it went beyond the rows it moved (`grew`: a next Swiss round
    paired, a stage finished, playoffs drawn)."""

    match: Match
    changed: list[Match]
    tournament_completed: bool
    grew: bool = False


def apply_result(
    match_id: int,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    forfeit: bool = False,
    now: datetime,
) -> ResultOutcome:
    """Complete a match that is open for the engine (ready, live, awaiting confirmation,
    disputed or cancelled) with its winner and per-game scores, move the winner (and loser)
    on, pair the next Swiss round once one is over, and finish the stage after its last match
    (placements; the playoffs, or the tournament's completion and its TournamentResult rows).
    A forfeit is a result with the winner and no scores (status `forfeit`).

    The one way a result enters a bracket, for the matches domain, which has checked who
    acts: no actor, no audit, no reactions. Locks the tournament, then the stage. Raises
    MatchNotFoundError, TournamentNotOngoingError, MatchNotReadyError,
    MatchAlreadyCompletedError (correct it instead), InvalidWinnerError, InvalidScoresError.
    """
    tournament, stage = lock_for_result(match_id, states=(T.ONGOING,))
    loaded = _load(stage, match_id)
    row = next(m for m in loaded.matches.values() if m.id == match_id)
    try:
        changes = engine.apply_result(loaded.stage, row.engine_id, winner, games)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    # Written with the caller's next flush: a match this result readies may go live in the
    # same transaction, one UPDATE instead of two.
    changed = store.save(
        loaded,
        now=now,
        statuses={row.engine_id: MatchStatus.FORFEIT} if forfeit else None,
        flush=False,
    )
    announce_result(tournament, row, changed, changes)
    placements = changes.placements
    grew = False
    if changes.round_completed is not None and loaded.stage.more_rounds:
        placements, grew = _pair_next_round(tournament, loaded), True
    completed = False
    if placements is not None:
        completed, grew = finish_stage(tournament, loaded, placements, now=now), True
    if grew:
        db.session.flush()
    return ResultOutcome(row, changed, completed, grew)


def _pair_next_round(tournament: Tournament, loaded: store.Loaded) -> list[engine.Placement] | None:
    """Swiss: pair the next round as soon as one is over (again after a round of only a
    bye); the stage's placements if that ended it."""
    stage = loaded.stage
    existing = len(stage.rounds)
    placements = None
    while stage.more_rounds:
        paired = engine.next_round(stage)
        placements = paired.placements
        if paired.round_completed is None:
            break
    store.insert_rounds(loaded.row, stage, stage.rounds[existing:], start=existing)
    loaded.row.open_count = stage.open_count
    loaded.row.more_rounds = stage.more_rounds
    db.session.flush()
    new_ids = [mid for rnd in stage.rounds[existing:] for mid in rnd.match_ids]
    for other in queries.stage_matches_by_engine_id(loaded.row.id, new_ids):
        realtime.publish(f"match:{other.id}", "match.ready", _match_event(other))
        realtime.publish(_channel(tournament.id), "match.ready", _match_event(other))
    return placements


def announce_result(
    tournament: Tournament, row: Match, changed: list[Match], changes: engine.Changes
) -> None:
    """`match_completed` after the commit, `match.completed` for the match and `match.ready`
    for each changed row the result readied (also sent by `matches.services.direct`)."""
    loser = next((p for p in row.participant_ids if p != row.winner_registration_id), None)
    signals.send_after_commit(
        signals.match_completed,
        "brackets",
        match_id=row.id,
        tournament_id=tournament.id,
        stage_id=row.stage_id,
        winner_registration_id=row.winner_registration_id,
        loser_registration_id=loser,
    )
    event = _match_event(row)
    realtime.publish(f"match:{row.id}", "match.completed", event)
    realtime.publish(_channel(tournament.id), "match.completed", event)
    ready = set(changes.ready)
    for other in changed:
        if other.engine_id in ready:
            realtime.publish(f"match:{other.id}", "match.ready", _match_event(other))
            realtime.publish(_channel(tournament.id), "match.ready", _match_event(other))


# ----- battle royale -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LobbyOutcome:
    """What a lobby's game did: the stage, the lobby's match row (its status followed when a
    new game went in), the lobby's games played, and whether the tournament completed."""

    stage: Stage
    match: Match | None
    games_played: int
    tournament_completed: bool


def apply_lobby_game(
    tournament_id: int,
    lobby_number: int,
    *,
    results: Sequence[dict[str, Any]],
    game: int | None = None,
    now: datetime,
) -> LobbyOutcome:
    """Record a battle-royale lobby's next game (or replace game `game`, 1-based): every
    present member's placement and kills. The stage ends when every lobby has played all its
    games. The lobby's match row follows a new game: `completed` after its last game, else
    `live`. For the matches domain, which has checked who acts: no actor, no audit.

    Raises TournamentNotFoundError, TournamentNotOngoingError, LobbyNotFoundError,
    MatchAlreadyCompletedError (all games played: pass `game` to correct one),
    InvalidLobbyResultError.
    """
    tournament = tournament_queries.get_tournament(tournament_id, for_update=True)
    stage_row = next((s for s in queries.stages_of(tournament.id) if s.lobbies), None)
    if stage_row is None:
        raise LobbyNotFoundError(f"Tournament {tournament.id} has no lobbies.")
    if tournament.status is not T.ONGOING:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; results are entered "
            "while it is ongoing.",
            tournament_status=tournament.status.value,
        )
    loaded = store.load_full(queries.lock_stage(stage_row.id))
    lobby_id = f"BR{lobby_number}"
    if lobby_id not in loaded.stage.lobbies:
        raise LobbyNotFoundError(f"No lobby {lobby_number} in tournament {tournament.id}.")
    try:
        changes = engine.record_lobby_game(loaded.stage, lobby_id, results, game=game)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    stage = loaded.row
    stage.lobbies = [lobby.to_dict() for lobby in loaded.stage.lobbies.values()]
    stage.open_count = loaded.stage.open_count
    lobby = loaded.stage.lobbies[lobby_id]
    row = queries.lobby_match(stage.id, lobby_number)
    if row is not None and game is None:
        _lobby_row_follows(row, lobby, now)
    realtime.publish(
        _channel(tournament.id),
        "lobby.game_recorded",
        {"tournament_id": tournament.id, "stage_id": stage.id, "lobby": lobby_number,
         "games_played": len(lobby.games)},
    )  # fmt: skip
    completed = False
    if changes.placements is not None:
        completed = finish_stage(tournament, loaded, changes.placements, now=now)
    db.session.flush()
    return LobbyOutcome(stage, row, len(lobby.games), completed)


def _lobby_row_follows(row: Match, lobby: engine.Lobby, now: datetime) -> None:
    if lobby.status is engine.MatchStatus.COMPLETED:
        row.transition(MatchStatus.COMPLETED, at=now)
        event = _match_event(row)
        realtime.publish(f"match:{row.id}", "match.completed", event)
        realtime.publish(_channel(row.tournament_id), "match.completed", event)
    else:
        row.transition(MatchStatus.LIVE)
    db.session.flush()


def mark_lobby_absent(match_id: int, absent: Sequence[int]) -> Stage:
    """The lifecycle's no-show rule (system, no actor): mark a lobby's absent members before
    its first game, under the tournament and stage locks (the caller holds the tournament's).
    Raises InvalidLobbyResultError (a game was recorded, or nobody would be left)."""
    match = queries.get_match(match_id)
    loaded = store.load_full(queries.lock_stage(match.stage_id))
    try:
        engine.mark_absent(loaded.stage, match.engine_id, absent)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    loaded.row.lobbies = [lobby.to_dict() for lobby in loaded.stage.lobbies.values()]
    db.session.flush()
    return loaded.row
