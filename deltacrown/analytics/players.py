"""A player's record across tournaments, over their confirmed registrations (solo, or as a
member of a team's): tournaments, wins and podiums (final placements), matches played, won
and lost (completed or forfeited matches a registration of theirs took part in), win rate,
best placement, per-game counts and the last 10 results; and, for the player themself and
staff, prize winnings (payouts paid to them). Five aggregate queries whatever the history."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.queries import get_user
from deltacrown.analytics.services import money, rate
from deltacrown.brackets.models import TournamentResult
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.matches.models import Match, MatchStatus, involving
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import Registration, RegistrationMember, RegistrationStatus
from deltacrown.tournaments.models import Tournament

PLAYED = (MatchStatus.COMPLETED, MatchStatus.FORFEIT)
PLACE_NAMES = {1: "1st", 2: "2nd", 3: "3rd"}
RECENT = 10


def _registrations_of(user_id: int) -> Any:
    # A union of two index lookups: `user_id = :u OR id IN (members)` reads every registration.
    theirs = sa.union(
        sa.select(Registration.id).where(Registration.user_id == user_id),
        sa.select(RegistrationMember.registration_id).where(RegistrationMember.user_id == user_id),
    )
    return (
        sa.select(Registration.id)
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Tournament.deleted_at.is_(None),
            Registration.id.in_(theirs),
        )
        .cte("mine")
    )


def player_stats(user_id: int, *, complete: bool) -> dict[str, Any]:
    """The user's record; `complete` adds what only they and staff see (prize winnings).

    Raises UserNotFoundError (no such active user).
    """
    get_user(user_id)
    mine = _registrations_of(user_id)
    ids = sa.select(mine.c.id)
    by_game = db.session.execute(
        sa.select(Game.slug, sa.func.count(sa.distinct(Registration.tournament_id)))
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .join(Game, Game.id == Tournament.game_id)
        .where(Registration.id.in_(ids))
        .group_by(Game.slug)
        .order_by(Game.slug)
    ).all()
    place = TournamentResult.placement
    wins, runner_up, third, best = db.session.execute(
        sa.select(
            sa.func.count(sa.case((place == 1, 1))),
            sa.func.count(sa.case((place == 2, 1))),
            sa.func.count(sa.case((place == 3, 1))),
            sa.func.min(place),
        ).where(TournamentResult.registration_id.in_(ids))
    ).one()
    played, won = db.session.execute(
        sa.select(
            sa.func.count(Match.id),
            sa.func.count(sa.case((Match.winner_registration_id.in_(ids), 1))),
        ).where(Match.status.in_(PLAYED), involving(ids))
    ).one()
    recent = db.session.execute(
        sa.select(
            Tournament.id,
            Tournament.slug,
            Tournament.name,
            Game.slug.label("game"),
            place,
            TournamentResult.created_at,
        )  # fmt: skip
        .join(Tournament, Tournament.id == TournamentResult.tournament_id)
        .join(Game, Game.id == Tournament.game_id)
        .where(TournamentResult.registration_id.in_(ids))
        .order_by(TournamentResult.created_at.desc(), TournamentResult.id.desc())
        .limit(RECENT)
    ).all()
    stats: dict[str, Any] = {
        "user_id": user_id,
        "total_tournaments": sum(int(n) for _, n in by_game),
        "tournaments_won": int(wins),
        "runner_up_count": int(runner_up),
        "third_place_count": int(third),
        "podiums": int(wins) + int(runner_up) + int(third),
        "total_matches_played": int(played),
        "matches_won": int(won),
        "matches_lost": int(played) - int(won),
        "win_rate": rate(won, played),
        "best_placement": PLACE_NAMES.get(best) if best is not None else None,
        "best_placement_rank": best,
        "tournaments_by_game": {slug: int(n) for slug, n in by_game},
        "recent_results": [
            {
                "tournament_id": r.id,
                "tournament_slug": r.slug,
                "tournament_name": r.name,
                "game": r.game,
                "placement": r.placement,
                "finished_at": r.created_at,
            }
            for r in recent
        ],
    }
    if complete:
        stats["total_prize_winnings"] = _winnings(user_id)
    return stats


def _winnings(user_id: int) -> dict[str, Any]:
    rows = db.session.execute(
        sa.select(
            Payout.kind, Payout.currency, sa.func.sum(Payout.coins), sa.func.sum(Payout.amount)
        )
        .where(Payout.user_id == user_id, Payout.status == PayoutStatus.PAID)
        .group_by(Payout.kind, Payout.currency)
        .order_by(Payout.currency)
    ).all()
    coins = sum(int(c or 0) for kind, _, c, _ in rows if PayoutKind(kind) == PayoutKind.COINS)
    cash = [
        {"currency": currency, "amount": money(amount)}
        for kind, currency, _, amount in rows
        if PayoutKind(kind) == PayoutKind.CASH
    ]
    return {"coins": coins, "cash": cash}
