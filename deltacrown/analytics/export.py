"""The participants CSV of a tournament (organizers and staff): one row per registration with
the 12 columns below, streamed with a UTF-8 BOM (`core.csv`). Personal data stops at display
names: the team's name, the player's username or an added participant's name; no e-mail,
payment sender or answers.

matches_played/won/lost count the registration's completed or forfeited matches; placement
is its final placement (completed tournaments); prize_amount sums the payouts paid for it
("500 coins", "150.00 BDT", or both joined by "; ").
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.analytics.services import money
from deltacrown.brackets.models import TournamentResult
from deltacrown.core.csv import Column
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import Registration
from deltacrown.teams.models import Team

PLAYED = (MatchStatus.COMPLETED, MatchStatus.FORFEIT)


def prize_text(row: Any) -> str:
    parts = []
    if row.prize_coins:
        parts.append(f"{int(row.prize_coins)} coins")
    if row.prize_cash:
        parts.append(f"{money(row.prize_cash)} {row.prize_currency or ''}".strip())
    return "; ".join(parts)


COLUMNS = (
    Column("participant_id"),
    Column("participant_name"),
    Column("registration_status"),
    Column("checked_in", lambda r: r.checked_in_at is not None),
    Column("checked_in_at"),
    Column("matches_played", lambda r: int(r.matches_played or 0)),
    Column("matches_won", lambda r: int(r.matches_won or 0)),
    Column("matches_lost", lambda r: int(r.matches_played or 0) - int(r.matches_won or 0)),
    Column("placement"),
    Column("prize_amount", prize_text),
    Column("registration_created_at"),
    Column("payment_status"),
)


def participants_query(tournament_id: int) -> sa.Select[Any]:
    """The export's rows, in registration order (one statement, streamed)."""
    sides = sa.union_all(
        sa.select(
            Match.participant1_registration_id.label("registration_id"),
            Match.winner_registration_id.label("winner"),
        ).where(Match.tournament_id == tournament_id, Match.status.in_(PLAYED)),
        sa.select(
            Match.participant2_registration_id.label("registration_id"),
            Match.winner_registration_id.label("winner"),
        ).where(Match.tournament_id == tournament_id, Match.status.in_(PLAYED)),
    ).subquery("sides")
    played = (
        sa.select(
            sides.c.registration_id,
            sa.func.count().label("played"),
            sa.func.count(sa.case((sides.c.winner == sides.c.registration_id, 1))).label("won"),
        )
        .where(sides.c.registration_id.is_not(None))
        .group_by(sides.c.registration_id)
        .subquery("played")
    )
    paid = Payout.status == PayoutStatus.PAID
    prizes = (
        sa.select(
            Payout.registration_id,
            sa.func.sum(
                sa.case((sa.and_(paid, Payout.kind == PayoutKind.COINS), Payout.coins))
            ).label("coins"),
            sa.func.sum(
                sa.case((sa.and_(paid, Payout.kind == PayoutKind.CASH), Payout.amount))
            ).label("cash"),
            sa.func.max(
                sa.case((sa.and_(paid, Payout.kind == PayoutKind.CASH), Payout.currency))
            ).label("currency"),
        )
        .where(Payout.tournament_id == tournament_id)
        .group_by(Payout.registration_id)
        .subquery("prizes")
    )
    r = Registration
    return (
        sa.select(
            r.id.label("participant_id"),
            sa.func.coalesce(Team.name, User.username, r.guest_name).label("participant_name"),
            r.status.label("registration_status"),
            r.checked_in_at.label("checked_in_at"),
            played.c.played.label("matches_played"),
            played.c.won.label("matches_won"),
            TournamentResult.placement.label("placement"),
            prizes.c.coins.label("prize_coins"),
            prizes.c.cash.label("prize_cash"),
            prizes.c.currency.label("prize_currency"),
            r.created_at.label("registration_created_at"),
            r.payment_status.label("payment_status"),
        )
        .select_from(r)
        .outerjoin(Team, Team.id == r.team_id)
        .outerjoin(User, User.id == r.user_id)
        .outerjoin(played, played.c.registration_id == r.id)
        .outerjoin(TournamentResult, TournamentResult.registration_id == r.id)
        .outerjoin(prizes, prizes.c.registration_id == r.id)
        .where(r.tournament_id == tournament_id)
        .order_by(r.created_at, r.id)
    )
