"""The dashboard's coin revenue is what reached the tournaments' escrows, and the escrow
figures (on the dashboard and each tournament's health) follow the coins: held, prizes paid,
the platform fee and the settlement."""

from __future__ import annotations

from typing import Any

import pytest

from deltacrown.core.time import utcnow
from deltacrown.economy import services as economy
from deltacrown.economy.models import TransactionKind
from deltacrown.extensions import db
from deltacrown.organizer.queries import dashboard_stats, tournament_health
from deltacrown.organizer.schemas import DashboardStatsSchema, TournamentHealthSchema
from deltacrown.payouts import tasks
from deltacrown.registrations.models import Registration
from deltacrown.tournaments.models import Tournament
from tests.payouts.conftest import (  # noqa: F401  (fixtures)
    COINS_100,
    _session_celery_is_current,
    finished,
    organizer,
)


def escrow_figures(organizer_id: int, tournament_id: int) -> dict[str, Any]:
    """The dashboard's figures, checked against the tournament's health (its only one)."""
    stats = DashboardStatsSchema().dump(dashboard_stats(organizer_id, now=utcnow()))
    tournament = db.session.get_one(Tournament, tournament_id)
    health = TournamentHealthSchema().dump(tournament_health(tournament, now=utcnow()))
    assert health["escrow"] == stats["escrow"]
    return {"revenue_coins": stats["revenue"]["coins"], **stats["escrow"]}


def test_coin_revenue_is_what_reached_the_escrow_and_the_escrow_shows_where_it_went(
    app: Any,
    app_ctx: Any,
    finished: Any,  # noqa: F811
    organizer: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", 10)
    cup = finished([1, 2, 3, 4], **COINS_100)  # the organizer's 100-coin pool held
    lost, *paid = cup.registrations
    # A fee debited from the player but never held (the old bug) is no revenue.
    economy.credit(cup.users[0][0], 20, kind=TransactionKind.DEPOSIT)
    entry = economy.debit(cup.users[0][0], 20, kind=TransactionKind.ENTRY_FEE,
                          reference=("registrations", lost))  # fmt: skip
    db.session.get_one(Registration, lost).coin_transaction_id = entry.id
    for registration_id in paid:  # three 20-coin fees held
        economy.credit_account(economy.escrow_account(cup.id), 20,
                               kind=TransactionKind.ESCROW_IN,
                               key=f"escrow_in:reg:{registration_id}",
                               reference=("registrations", registration_id))  # fmt: skip
    db.session.commit()
    assert escrow_figures(organizer.id, cup.id) == {
        "revenue_coins": 60, "balance": 160, "entry_fees": 60, "prize_pools": 100,
        "prizes_paid": 0, "platform_fee": 0, "settled": 0,
    }  # fmt: skip
    tasks.create_for_tournament(cup.id)  # 50 + 30 + 20 paid, 10 % of 60 to the house
    db.session.expire_all()
    assert escrow_figures(organizer.id, cup.id) == {
        "revenue_coins": 60, "balance": 0, "entry_fees": 60, "prize_pools": 100,
        "prizes_paid": 100, "platform_fee": 6, "settled": 54,
    }  # fmt: skip
