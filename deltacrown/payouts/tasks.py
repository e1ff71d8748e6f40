"""Payouts' Celery tasks (thin wrappers around services). Both run twice safely (acks_late and
reject_on_worker_lost in celeryconfig): creation meets the unique payout index under the
tournament's row lock, and a credit checks its payout's status under the payout's row lock
and uses the ledger key `payout:<id>`. A database that is busy or away is retried with
exponential backoff."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy.exc import OperationalError

from deltacrown.core.errors import ServiceUnavailableError
from deltacrown.payouts import corrections, escrow, services
from deltacrown.payouts.errors import (
    NoPlacementsError,
    NoPrizeDistributionError,
    TournamentNotCompletedError,
)

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, ServiceUnavailableError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(name="payouts.create_for_tournament", **RETRY)
def create_for_tournament(tournament_id: int) -> int:
    """Create a completed tournament's payouts (coin prizes are then credited by `payouts.pay`);
    returns how many were created. A tournament without prizes or placements pays nothing."""
    try:
        outcome = services.create_payouts(tournament_id)
    except TournamentNotCompletedError:
        return 0
    except (NoPrizeDistributionError, NoPlacementsError):
        escrow.settle(tournament_id)  # no prizes: the escrow's fees are settled at once
        return 0
    escrow.settle(tournament_id)  # at once when no coin payout waits (cash prizes)
    return len(outcome.created)


@shared_task(name="payouts.release_cancelled_pool", **RETRY)
def release_cancelled_pool(tournament_id: int) -> int:
    """Give a cancelled tournament's held prize pool back to its organizer (idempotent)."""
    return escrow.release_pool(tournament_id)


@shared_task(name="payouts.pay", **RETRY)
def pay(payout_id: int) -> str:
    """Credit one pending coin payout to its recipient's wallet; returns its status."""
    return services.pay_coins(payout_id).status.value


@shared_task(name="payouts.follow_corrected_results", **RETRY)
def follow_corrected_results(tournament_id: int) -> dict[str, int]:
    """After a result correction, make the tournament's payouts follow its placements."""
    return corrections.follow_corrected_results(tournament_id)
