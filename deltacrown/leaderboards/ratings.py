"""Skill ratings: OpenSkill (Plackett-Luce) per player per game.

A head-to-head match with a result rates its two rosters as two teams (the winner ranked
first; no winner, a draw); a battle-royale lobby game rates all its participants' rosters in
one ranking by the game's placements. Forfeits change nothing. Every rating writes one
`RatingChange` per player (before, after), keyed by (match, game number), so rating the same
event twice changes nothing, and a correction replays the game's events from the corrected
match on, in the order they were first rated (`replay`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from openskill.models import PlackettLuce

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.leaderboards import queries
from deltacrown.leaderboards.models import PlayerRating, RatingChange
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.tournaments.models import Tournament

MODEL = PlackettLuce()
DEFAULT_MU = MODEL.mu
DEFAULT_SIGMA = MODEL.sigma


def ordinal(mu: float, sigma: float) -> float:
    return float(MODEL.rating(mu=mu, sigma=sigma).ordinal())


def _current(user_ids: Sequence[int], game_id: int) -> dict[int, PlayerRating]:
    """The players' rating rows, row-locked (created at the default when missing)."""
    ids = sorted(set(user_ids))
    rows = {
        r.user_id: r
        for r in db.session.scalars(
            sa.select(PlayerRating)
            .where(PlayerRating.game_id == game_id, PlayerRating.user_id.in_(ids))
            .with_for_update()
        )
    }
    missing = [u for u in ids if u not in rows]
    if missing:
        # A first rating: insert it, skipping one another worker inserted meanwhile (the
        # unique (user, game) decides), then lock what is there.
        insert = _insert(db.session.get_bind().dialect.name)
        db.session.execute(
            insert(PlayerRating)
            .values([
                {"user_id": u, "game_id": game_id, "mu": DEFAULT_MU, "sigma": DEFAULT_SIGMA,
                 "ordinal": ordinal(DEFAULT_MU, DEFAULT_SIGMA), "matches": 0,
                 "updated_at": utcnow()}
                for u in missing
            ])
            .on_conflict_do_nothing(index_elements=["user_id", "game_id"])
        )  # fmt: skip
        rows = {
            r.user_id: r
            for r in db.session.scalars(
                sa.select(PlayerRating)
                .where(PlayerRating.game_id == game_id, PlayerRating.user_id.in_(ids))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
    return rows


def _insert(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _already_rated(match_id: int, game_number: int) -> bool:
    return (
        db.session.scalar(
            sa.select(RatingChange.id)
            .where(RatingChange.match_id == match_id, RatingChange.game_number == game_number)
            .limit(1)
        )
        is not None
    )


def rate(
    game_id: int, match_id: int, game_number: int, teams: list[list[int]], ranks: list[int]
) -> list[RatingChange]:
    """Rate one event: `teams` (rosters, user ids) finishing at `ranks` (1 = best)."""
    teams = [t for t in teams if t]
    if len(teams) < 2 or _already_rated(match_id, game_number):
        return []
    rows = _current([u for t in teams for u in t], game_id)
    before = [[MODEL.rating(mu=rows[u].mu, sigma=rows[u].sigma) for u in t] for t in teams]
    after = MODEL.rate(before, ranks=[float(r) for r in ranks])
    changes = []
    now = utcnow()
    for team, old_team, new_team in zip(teams, before, after, strict=True):
        for user_id, old, new in zip(team, old_team, new_team, strict=True):
            row = rows[user_id]
            row.mu, row.sigma, row.ordinal = new.mu, new.sigma, float(new.ordinal())
            row.matches += 1
            row.updated_at = now
            change = RatingChange(
                user_id=user_id,
                game_id=game_id,
                match_id=match_id,
                game_number=game_number,
                mu_before=old.mu,
                sigma_before=old.sigma,
                mu_after=new.mu,
                sigma_after=new.sigma,
                ordinal_after=row.ordinal,
            )
            db.session.add(change)
            changes.append(change)
    db.session.flush()
    return changes


def rate_match(match_id: int) -> list[RatingChange]:
    """Rate a decided head-to-head match (a forfeit, an undecided or lobby match: nothing)."""
    match = db.session.get(Match, match_id)
    if match is None or match.is_lobby or match.status is not MatchStatus.COMPLETED:
        return []
    first, second = match.participant_ids
    if first is None or second is None:
        return []
    rosters = queries.rosters([first, second])
    winner = match.winner_registration_id
    ranks = (
        [1, 1] if winner is None else [1 if first == winner else 2, 1 if second == winner else 2]
    )
    game_id = db.session.get(Tournament, match.tournament_id).game_id  # type: ignore[union-attr]
    return rate(game_id, match.id, 0, [rosters[first], rosters[second]], ranks)


def _lobby_games(match: Match) -> list[list[dict[str, Any]]]:
    for stage in queries.stages(match.tournament_id):
        for lobby in stage.lobbies or []:
            if stage.id == match.stage_id and lobby.get("number") == match.lobby:
                return list(lobby.get("games", []))
    return []


def rate_lobby(match: Match, only: int | None = None) -> list[RatingChange]:
    """Rate a battle-royale lobby's recorded games (each once), or only game `only`."""
    games = _lobby_games(match)
    game_id = db.session.get(Tournament, match.tournament_id).game_id  # type: ignore[union-attr]
    changes: list[RatingChange] = []
    for number, results in enumerate(games, start=1):
        if only is not None and number != only:
            continue
        ordered = sorted(results, key=lambda r: int(r["placement"]))
        rosters = queries.rosters(int(r["participant"]) for r in ordered)
        teams = [rosters[int(r["participant"])] for r in ordered]
        ranks = [int(r["placement"]) for r in ordered]
        changes += rate(game_id, match.id, number, teams, ranks)
    return changes


def rate_tournament_lobbies(tournament_id: int) -> int:
    """Rate every lobby game of the tournament not rated yet; the changes written."""
    lobbies = db.session.scalars(
        sa.select(Match).where(Match.tournament_id == tournament_id, Match.lobby.is_not(None))
    )
    return sum(len(rate_lobby(match)) for match in lobbies)


def _rate_event(match_id: int, game_number: int) -> None:
    match = db.session.get(Match, match_id)
    if match is None:
        return
    if match.is_lobby:
        rate_lobby(match, only=game_number)
    else:
        rate_match(match_id)


def replay(game_id: int, from_match_id: int | None = None) -> int:
    """Undo the game's rating events from `from_match_id`'s first one on (all of them when
    None), then rate them again in their first order from the matches as they now stand
    (the corrected match first when it had none). The number of events replayed."""
    cut = None
    if from_match_id is not None:
        cut = db.session.scalar(
            sa.select(sa.func.min(RatingChange.id)).where(
                RatingChange.match_id == from_match_id, RatingChange.game_id == game_id
            )
        )
    query = sa.select(RatingChange).where(RatingChange.game_id == game_id)
    if cut is not None:
        query = query.where(RatingChange.id >= cut)
    elif from_match_id is not None:
        query = query.where(sa.false())
    undone = list(db.session.scalars(query.order_by(RatingChange.id)))
    events: list[tuple[int, int]] = []
    if from_match_id is not None and cut is None:
        events.append((from_match_id, 0))
    restore: dict[int, RatingChange] = {}
    counts: dict[int, int] = {}
    for change in undone:
        if (change.match_id, change.game_number) not in events:
            events.append((change.match_id, change.game_number))
        restore.setdefault(change.user_id, change)
        counts[change.user_id] = counts.get(change.user_id, 0) + 1
    rows = _current(list(restore), game_id) if restore else {}
    for user_id, first in restore.items():
        row = rows[user_id]
        row.mu, row.sigma = first.mu_before, first.sigma_before
        row.ordinal = ordinal(row.mu, row.sigma)
        row.matches = max(0, row.matches - counts[user_id])
    db.session.flush()
    if undone:
        db.session.execute(
            sa.delete(RatingChange).where(RatingChange.id.in_([c.id for c in undone])),
            execution_options={"synchronize_session": False},
        )
        db.session.expire_all()
    for match_id, game_number in events:
        _rate_event(match_id, game_number)
    db.session.flush()
    return len(events)


def predict(teams: list[list[int]], game_id: int) -> list[float]:
    """Each side's chance to win, from the current ratings (unrated players at the default)."""
    rated = queries.ratings_of([u for t in teams for u in t], game_id)

    def rating(user_id: int) -> Any:
        row = rated.get(user_id)
        return MODEL.rating(mu=row.mu, sigma=row.sigma) if row else MODEL.rating()

    sides = [[rating(u) for u in team] or [MODEL.rating()] for team in teams]
    return [float(p) for p in MODEL.predict_win(sides)]
