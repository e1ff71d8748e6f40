"""Entering results: a match's (through the engine, from the few rows it touches), the
next Swiss round, and a battle-royale lobby's games."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deltacrown.brackets import engine, policies, queries, store
from deltacrown.brackets.errors import (
    LobbyNotFoundError,
    TournamentNotOngoingError,
    translate,
)
from deltacrown.brackets.models import Stage
from deltacrown.brackets.services.common import (
    DIRECT_RESULT_HOOKS,
    _channel,
    _check_scores,
    _finish_stage,
    _match_event,
    _result_context,
    _snapshot,
)
from deltacrown.core import audit, realtime, signals
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.models import Tournament, TournamentStatus

T = TournamentStatus


def _load(stage: Stage, match_id: int) -> store.Loaded:
    # A result closes its match and at most one more (a grand-final reset it makes needless):
    # while more than two matches are open, neither the placements nor the end of a Swiss
    # round can be due, and the touched matches are all the engine needs.
    if stage.open_count > 2:
        return store.load_partial(stage, match_id)
    return store.load_full(stage)


def record_match_result(
    match_id: int,
    *,
    winner_registration_id: int | None,
    scores: Sequence[Sequence[int]],
    actor: Any,
    forfeit: bool = False,
    now: datetime | None = None,
) -> Match:
    """Complete a ready match (also live, awaiting confirmation or disputed) with its winner
    and per-game scores, move the winner (and loser) on, and complete the tournament after
    its last match. A forfeit is a result with the winner and no scores (status `forfeit`).

    `actor=None` is the system (the match-lifecycle issue, after confirmation). Raises
    MatchNotFoundError, PermissionDeniedError, TournamentNotOngoingError, MatchNotReadyError,
    MatchAlreadyCompletedError (correct it instead), InvalidWinnerError, InvalidScoresError.
    """
    now = now or utcnow()
    tournament, stage = _result_context(match_id, actor, states=(T.ONGOING,))
    loaded = _load(stage, match_id)
    row = next(m for m in loaded.matches.values() if m.id == match_id)
    before = _snapshot(row)
    try:
        changes = engine.apply_result(loaded.stage, row.engine_id, winner_registration_id, scores)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    _check_scores(
        loaded.stage.matches[row.engine_id], winner_registration_id, scores, row.best_of, forfeit
    )
    changed = store.save(
        loaded, now=now, statuses={row.engine_id: MatchStatus.FORFEIT} if forfeit else None
    )
    if actor is not None:
        audit.record(
            actor=actor,
            action="match.result_recorded",
            target=row,
            before=before,
            after=_snapshot(row),
        )
        for hook in DIRECT_RESULT_HOOKS:
            hook(row, actor, now, None)
    _announce_result(tournament, row, changed, changes)
    placements = changes.placements
    if changes.round_completed is not None and loaded.stage.more_rounds:
        placements = _pair_next_round(tournament, loaded)
    if placements is not None:
        _finish_stage(tournament, loaded, placements, actor=actor, now=now)
    db.session.flush()
    return row


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


def _announce_result(
    tournament: Tournament, row: Match, changed: list[Match], changes: engine.Changes
) -> None:
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
def record_lobby_game(
    tournament_id: int,
    lobby_number: int,
    *,
    results: Sequence[dict[str, Any]],
    actor: Any,
    game: int | None = None,
    now: datetime | None = None,
) -> Stage:
    """Record a battle-royale lobby's next game (or replace game `game`, 1-based): every
    present member's placement and kills. The stage ends when every lobby has played all its
    games. The lobby's match row follows: `completed` after its last game, else `live` once a
    new game is in. An organizer (`actor` not None) recording directly also runs the
    lobby-game hooks (the lifecycle's pending submission for that game is superseded);
    `actor=None` is the lifecycle itself, after a game was confirmed.

    Raises TournamentNotFoundError, PermissionDeniedError, TournamentNotOngoingError,
    LobbyNotFoundError, MatchAlreadyCompletedError (all games played: pass `game` to
    correct one), InvalidLobbyResultError.
    """
    now = now or utcnow()
    tournament = tournament_queries.get_tournament(tournament_id, for_update=True)
    if actor is not None and not queries.can_see(tournament, actor):
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    if not policies.can_record_result(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")
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
        if actor is not None:
            for hook in DIRECT_RESULT_HOOKS:
                hook(row, actor, now, len(lobby.games))
    if actor is not None:
        audit.record(
            actor=actor,
            action="lobby.game_recorded",
            target=stage,
            after={"lobby": lobby_number, "game": game or len(lobby.games), "results": results},
        )
    realtime.publish(
        _channel(tournament.id),
        "lobby.game_recorded",
        {"tournament_id": tournament.id, "stage_id": stage.id, "lobby": lobby_number,
         "games_played": len(lobby.games)},
    )  # fmt: skip
    if changes.placements is not None:
        _finish_stage(tournament, loaded, changes.placements, actor=actor, now=now)
    db.session.flush()
    return stage


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
