"""Reads for the leaderboards: what a finished tournament's rows are made of (placements,
rosters, matches, lobby games), seasons, sums of points rows, ratings and their history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.brackets.models import Stage, TournamentResult
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.leaderboards.errors import GameNotFoundError, SeasonNotFoundError
from deltacrown.leaderboards.models import (
    LeaderboardPoints,
    PlayerRating,
    RatingChange,
    Season,
    SubjectKind,
)
from deltacrown.matches.models import RESULT_STATUSES, Match
from deltacrown.registrations.models import MemberRole, Registration, RegistrationMember
from deltacrown.teams.models import Team


# ----- games and seasons ---------------------------------------------------------------------
def game_by_ref(ref: str) -> Game:
    """A game by slug (or numeric id); GameNotFoundError (404) otherwise."""
    query = sa.select(Game)
    if ref.isascii() and ref.isdigit() and len(ref) < 10:
        query = query.where(sa.or_(Game.slug == ref, Game.id == int(ref)))
    else:
        query = query.where(Game.slug == ref)
    game = db.session.scalars(query).first()
    if game is None:
        raise GameNotFoundError(f"No game {ref!r}.")
    return game


def get_season(season_id: int, *, for_update: bool = False) -> Season:
    query = sa.select(Season).where(Season.id == season_id)
    if for_update:
        query = query.with_for_update()
    season = db.session.scalars(query).first()
    if season is None:
        raise SeasonNotFoundError(f"No season {season_id}.")
    return season


def season_at(game_id: int, at: datetime) -> Season | None:
    """The game's season covering `at` (seasons of a game never overlap)."""
    return db.session.scalars(
        sa.select(Season).where(
            Season.game_id == game_id, Season.starts_at <= at, Season.ends_at > at
        )
    ).first()


def seasons_of(game_id: int | None = None) -> list[Season]:
    query = sa.select(Season).order_by(Season.starts_at.desc(), Season.id.desc())
    if game_id is not None:
        query = query.where(Season.game_id == game_id)
    return list(db.session.scalars(query))


def overlapping_seasons(game_id: int, starts_at: datetime, ends_at: datetime) -> list[Season]:
    return list(
        db.session.scalars(
            sa.select(Season).where(
                Season.game_id == game_id, Season.starts_at < ends_at, Season.ends_at > starts_at
            )
        )
    )


# ----- a finished tournament -----------------------------------------------------------------
def tournament_results(tournament_id: int) -> list[TournamentResult]:
    return list(
        db.session.scalars(
            sa.select(TournamentResult)
            .where(TournamentResult.tournament_id == tournament_id)
            .order_by(TournamentResult.placement, TournamentResult.registration_id)
        )
    )


def registrations(ids: Iterable[int]) -> dict[int, Registration]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids)))
    return {r.id: r for r in rows}


def rosters(registration_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each registration's players (substitutes left out): a solo entry's player, a team's
    listed starters; by user id ascending."""
    ids = sorted(set(registration_ids))
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = db.session.execute(
        sa.select(RegistrationMember.registration_id, RegistrationMember.user_id)
        .where(
            RegistrationMember.registration_id.in_(ids),
            RegistrationMember.role == MemberRole.PLAYER,
        )
        .order_by(RegistrationMember.user_id)
    )
    for registration_id, user_id in rows:
        out[registration_id].append(user_id)
    for registration in registrations(ids).values():
        if not out[registration.id] and registration.user_id is not None:
            out[registration.id] = [registration.user_id]
    return out


def decided_matches(tournament_id: int) -> list[Match]:
    """The tournament's head-to-head matches with a result (completed or forfeit)."""
    return list(
        db.session.scalars(
            sa.select(Match).where(
                Match.tournament_id == tournament_id,
                Match.status.in_(RESULT_STATUSES),
                Match.lobby.is_(None),
            )
        )
    )


def stages(tournament_id: int) -> list[Stage]:
    return list(
        db.session.scalars(
            sa.select(Stage).where(Stage.tournament_id == tournament_id).order_by(Stage.number)
        )
    )


def unscored_tournaments(limit: int = 50) -> list[int]:
    """Completed tournaments with placements but no points rows (a reaction that was lost)."""
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    scored = sa.select(LeaderboardPoints.id).where(LeaderboardPoints.tournament_id == Tournament.id)
    placed = sa.select(TournamentResult.id).where(TournamentResult.tournament_id == Tournament.id)
    return list(
        db.session.scalars(
            sa.select(Tournament.id)
            .where(
                Tournament.status == TournamentStatus.COMPLETED,
                ~scored.exists(),
                placed.exists(),
            )
            .order_by(Tournament.id)
            .limit(limit)
        )
    )


# ----- points rows ---------------------------------------------------------------------------
def points_rows(
    *,
    game_id: int | None = None,
    season_id: int | None = None,
    kind: SubjectKind | None = None,
    subject_id: int | None = None,
    tournament_id: int | None = None,
) -> list[LeaderboardPoints]:
    query = sa.select(LeaderboardPoints).order_by(
        LeaderboardPoints.placed_at.desc(), LeaderboardPoints.id.desc()
    )
    for column, value in (
        (LeaderboardPoints.game_id, game_id),
        (LeaderboardPoints.season_id, season_id),
        (LeaderboardPoints.kind, kind),
        (LeaderboardPoints.subject_id, subject_id),
        (LeaderboardPoints.tournament_id, tournament_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return list(db.session.scalars(query))


def totals(
    game_id: int,
    kind: SubjectKind,
    *,
    season_id: int | None = None,
    subject_ids: Iterable[int] | None = None,
) -> list[tuple[int, Any, int, int, datetime]]:
    """(subject id, points, wins, matches played, last placed at) per subject of a board."""
    query = (
        sa.select(
            LeaderboardPoints.subject_id,
            sa.func.sum(LeaderboardPoints.points),
            sa.func.sum(LeaderboardPoints.wins),
            sa.func.sum(LeaderboardPoints.matches_played),
            sa.func.max(LeaderboardPoints.placed_at),
        )
        .where(LeaderboardPoints.game_id == game_id, LeaderboardPoints.kind == kind)
        .group_by(LeaderboardPoints.subject_id)
    )
    if season_id is not None:
        query = query.where(LeaderboardPoints.season_id == season_id)
    if subject_ids is not None:
        query = query.where(LeaderboardPoints.subject_id.in_(sorted(set(subject_ids))))
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def board_keys_in_rows(game_id: int | None = None) -> list[tuple[int, int | None]]:
    """Every (game, season) that has points rows."""
    query = sa.select(LeaderboardPoints.game_id, LeaderboardPoints.season_id).distinct()
    if game_id is not None:
        query = query.where(LeaderboardPoints.game_id == game_id)
    return [(g, s) for g, s in db.session.execute(query)]


def names(kind: SubjectKind, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    if kind is SubjectKind.TEAM:
        rows = db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(ids)))
        return {i: n for i, n in rows}
    rows = db.session.execute(
        sa.select(User.id, User.display_name, User.username).where(User.id.in_(ids))
    )
    return {i: d or u for i, d, u in rows}


def user_exists(user_id: int) -> bool:
    return db.session.get(User, user_id) is not None


# ----- ratings -------------------------------------------------------------------------------
def ratings_of(user_ids: Iterable[int], game_id: int) -> dict[int, PlayerRating]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(PlayerRating).where(
            PlayerRating.game_id == game_id, PlayerRating.user_id.in_(ids)
        )
    )
    return {r.user_id: r for r in rows}


def user_ratings(user_id: int) -> list[PlayerRating]:
    return list(
        db.session.scalars(
            sa.select(PlayerRating)
            .where(PlayerRating.user_id == user_id)
            .order_by(PlayerRating.game_id)
        )
    )


def rating_history(user_id: int, game_id: int, limit: int = 50) -> list[RatingChange]:
    return list(
        db.session.scalars(
            sa.select(RatingChange)
            .where(RatingChange.user_id == user_id, RatingChange.game_id == game_id)
            .order_by(RatingChange.id.desc())
            .limit(limit)
        )
    )


def all_ratings(game_id: int) -> list[tuple[int, float]]:
    return [
        (u, o)
        for u, o in db.session.execute(
            sa.select(PlayerRating.user_id, PlayerRating.ordinal).where(
                PlayerRating.game_id == game_id
            )
        )
    ]
