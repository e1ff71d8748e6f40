"""Leaderboard use cases: reacting to results (points rows, ratings, board entries, the live
event), rebuilding boards, and staff season management.

Rows are written in the unit of work; boards change only after it commits (an effect), from
the committed rows, so a rolled-back write never shows on a board.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deltacrown.core import audit, realtime
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import db
from deltacrown.leaderboards import boards, points, queries, ratings
from deltacrown.leaderboards.boards import Board
from deltacrown.leaderboards.errors import SeasonOverlapError, ValidationError
from deltacrown.leaderboards.models import Season, SubjectKind
from deltacrown.matches.models import Match
from deltacrown.tournaments.models import Tournament, TournamentStatus


def channel(game_id: int) -> str:
    return f"leaderboards:{game_id}"


# ----- reactions -----------------------------------------------------------------------------
def on_tournament_completed(tournament_id: int) -> None:
    """Write the tournament's points rows and rate its lobby games; the boards follow after
    the commit. Idempotent."""
    affected = points.record_tournament(tournament_id)
    ratings.rate_tournament_lobbies(tournament_id)
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is not None:
        after_commit(refresh_rating_board, tournament.game_id)
    if affected is not None:
        after_commit(apply_points, affected)


def score_missed_tournaments() -> int:
    """The periodic safety net: score completed tournaments that have no points rows yet
    (their reaction was lost); how many."""
    missed = queries.unscored_tournaments()
    for tournament_id in missed:
        on_tournament_completed(tournament_id)
    return len(missed)


def on_match_completed(match_id: int) -> None:
    """Rate a decided head-to-head match (once); its players' rating entries follow."""
    changes = ratings.rate_match(match_id)
    if changes:
        after_commit(update_ratings_board, changes[0].game_id, [c.user_id for c in changes])


def on_result_corrected(match_id: int, tournament_id: int) -> None:
    """Replay the game's ratings from the corrected match on; a completed tournament's points
    rows are rewritten (a correction can move placements)."""
    match = db.session.get(Match, match_id)
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is None or match is None:
        return
    ratings.replay(tournament.game_id, from_match_id=match_id)
    after_commit(refresh_rating_board, tournament.game_id)
    if tournament.status is TournamentStatus.COMPLETED:
        affected = points.record_tournament(tournament_id)
        if affected is not None:
            after_commit(apply_points, affected)


def on_placements_changed(tournament_id: int) -> None:
    """Staff changed a completed tournament's placements: its points rows again, the boards
    after the commit."""
    affected = points.record_tournament(tournament_id)
    if affected is not None:
        after_commit(apply_points, affected)


def apply_points(affected: points.Affected) -> None:
    """Update the affected entries of every board the write touched and announce the rank
    moves on the game's live channel."""
    changes: list[dict[str, Any]] = []
    for season_id in sorted(affected.seasons, key=lambda s: (s is not None, s or 0)):
        for kind, subjects in affected.subjects.items():
            board = Board(affected.game_id, kind, season_id)
            moved = boards.update(board, subjects)
            changes += [
                {
                    "kind": kind.value,
                    "scope": "all_time" if season_id is None else "season",
                    "season": season_id,
                    "id": subject_id,
                    "rank_before": before,
                    "rank": after,
                }
                for subject_id, (before, after) in moved.items()
                if before != after
            ]
    if changes:
        realtime.publish_now(
            channel(affected.game_id),
            "leaderboard.updated",
            {"game_id": affected.game_id, "changes": changes},
        )


def update_ratings_board(game_id: int, user_ids: list[int]) -> None:
    boards.update(Board(game_id, by="rating"), user_ids)


def refresh_rating_board(game_id: int) -> None:
    boards.rebuild(Board(game_id, by="rating"))


# ----- rebuilding ----------------------------------------------------------------------------
def boards_to_rebuild(game_id: int | None = None, season_id: int | None = None) -> list[Board]:
    """Every board the rows hold (both kinds, all time and each season), narrowed to a game
    and/or a season; and each game's rating board when no season is named."""
    found: list[Board] = []
    games: set[int] = set()
    for game, season in queries.board_keys_in_rows(game_id):
        games.add(game)
        if season_id is not None and season != season_id:
            continue
        for kind in SubjectKind:
            board = Board(game, kind, season)
            if board not in found:
                found.append(board)
    if season_id is None:
        for game, _ in [(g, None) for g in sorted(games)]:
            for kind in SubjectKind:
                if Board(game, kind) not in found:
                    found.append(Board(game, kind))
        rated = {game_id} if game_id is not None else games
        for game in sorted(g for g in rated if g is not None):
            found.append(Board(game, by="rating"))
    elif game_id is not None:
        for kind in SubjectKind:
            if Board(game_id, kind, season_id) not in found:
                found.append(Board(game_id, kind, season_id))
    return found


def rebuild(
    game_id: int | None = None,
    season_id: int | None = None,
    on_board: Callable[[Board, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild boards from the rows, each swapped in atomically: {boards, entries}."""
    total = 0
    selected = boards_to_rebuild(game_id, season_id)
    for board in selected:
        size = boards.rebuild(board)
        total += size
        if on_board is not None:
            on_board(board, size)
    return {"boards": len(selected), "entries": total}


# ----- seasons (staff) -----------------------------------------------------------------------
def _check_window(game_id: int, starts_at: datetime, ends_at: datetime, own: int | None) -> None:
    if starts_at >= ends_at:
        raise ValidationError(
            "A season ends after it starts.", errors={"ends_at": ["Must be after starts_at."]}
        )
    clash = [s.id for s in queries.overlapping_seasons(game_id, starts_at, ends_at) if s.id != own]
    if clash:
        raise SeasonOverlapError(
            "Another season of this game covers part of that window.", seasons=clash
        )


def create_season(
    *, actor: Any, game_id: int, name: str, starts_at: datetime, ends_at: datetime
) -> Season:
    _lock_game(game_id)
    _check_window(game_id, starts_at, ends_at, None)
    season = Season(game_id=game_id, name=name, starts_at=starts_at, ends_at=ends_at)
    db.session.add(season)
    db.session.flush()
    audit.record(actor=actor, action="season.created", target=season, after=_state(season))
    return season


def update_season(season_id: int, *, actor: Any, data: dict[str, Any]) -> Season:
    season = queries.get_season(season_id, for_update=True)
    _lock_game(season.game_id)
    before = _state(season)
    starts_at = data.get("starts_at", season.starts_at)
    ends_at = data.get("ends_at", season.ends_at)
    _check_window(season.game_id, starts_at, ends_at, season.id)
    for name in ("name", "starts_at", "ends_at"):
        if name in data:
            setattr(season, name, data[name])
    db.session.flush()
    audit.record(
        actor=actor, action="season.updated", target=season, before=before, after=_state(season)
    )
    return season


def delete_season(season_id: int, *, actor: Any) -> None:
    """Remove a season; its points rows stay (all time) without a season."""
    season = queries.get_season(season_id, for_update=True)
    audit.record(actor=actor, action="season.deleted", target=season, before=_state(season))
    db.session.delete(season)
    db.session.flush()


def _lock_game(game_id: int) -> None:
    """Serialise season writes of one game (two overlapping creations cannot both pass)."""
    from deltacrown.games.models import Game

    game = db.session.scalars(db.select(Game).where(Game.id == game_id).with_for_update()).first()
    if game is None:
        raise ValidationError("No such game.", errors={"game": ["Unknown game."]})


def _state(season: Season) -> dict[str, Any]:
    return {
        "game_id": season.game_id,
        "name": season.name,
        "starts_at": season.starts_at.isoformat(),
        "ends_at": season.ends_at.isoformat(),
    }
