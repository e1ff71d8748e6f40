"""Money in before money out: a tournament's DeltaCoin escrow (a system wallet in the economy
ledger) and its settlement.

* Funding: a coin prize pool funded by the organizer (`prize_funding: organizer`) moves from
  the organizer's wallet into the escrow when registration opens (409 `insufficient_funds`
  when the wallet does not hold it), and back if the tournament is cancelled. Coin entry fees
  go in as they are paid and out as they are refunded (registrations).
* Prizes: each coin payout is paid out of the escrow; an escrow that does not hold a prize
  fails the payout (staff see it on the desk) instead of minting coins.
* Settlement, once every coin payout is paid: the platform fee (`PLATFORM_FEE_PERCENT` of the
  entry fees held) to the house, the rest to the organizer.
* `prize_funding: entry_fees`: the pool is the entry fees held less the platform fee, up to
  the advertised pool.

Every movement has its ledger key, so each runs at most once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.economy import services as economy
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.economy.models import Transaction, TransactionKind, Wallet
from deltacrown.economy.services.accounts import ESCROW_PREFIX
from deltacrown.extensions import db
from deltacrown.payouts import queries
from deltacrown.payouts.models import PayoutKind, PayoutStatus
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import PrizeFunding, Tournament

K = TransactionKind


def escrow_of(tournament_id: int) -> str:
    return economy.escrow_account(tournament_id)


def fees_held(tournament_id: int) -> int:
    """Coin entry fees in the escrow now (paid, less refunded)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
            .join(Wallet, Wallet.id == Transaction.wallet_id)
            .where(
                Wallet.account == escrow_of(tournament_id),
                Transaction.reference_type == "registrations",
            )
        )
        or 0
    )


def figures_of(tournament_ids: Any) -> dict[str, int]:
    """Summed over the escrows of `tournament_ids` (a list or a Select of ids), in one
    aggregate query: `balance` held now; `entry_fees` that reached them (less refunds);
    `prize_pools` held from organizers (less pools given back); `prizes_paid` (less prizes
    taken back); `platform_fee` to the house; `settled` to the organizers."""
    accounts = sa.select(sa.literal(ESCROW_PREFIX) + sa.cast(Tournament.id, sa.String))
    accounts = accounts.where(Tournament.id.in_(tournament_ids))
    key = sa.func.coalesce(Transaction.idempotency_key, "")

    def total(condition: Any, sign: int = 1) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, sign * Transaction.amount))), 0)

    balance = (
        sa.select(sa.func.coalesce(sa.func.sum(Wallet.balance), 0))
        .where(Wallet.account.in_(accounts))
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(
            balance,
            total(Transaction.reference_type == "registrations"),
            total(key.like("escrow\\_%:pool:t%", escape="\\")),
            total(Transaction.reference_type == "payouts", -1),
            total(key.like("escrow\\_out:fee:t%", escape="\\"), -1),
            total(key.like("escrow\\_out:settlement:t%", escape="\\"), -1),
        )
        .select_from(Transaction)
        .join(Wallet, Wallet.id == Transaction.wallet_id)
        .where(Wallet.account.in_(accounts))
    ).one()
    names = ("balance", "entry_fees", "prize_pools", "prizes_paid", "platform_fee", "settled")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def platform_fee(fees: int) -> int:
    percent = int(current_app.config.get("PLATFORM_FEE_PERCENT", 0) or 0)
    return fees * max(0, min(percent, 100)) // 100


def coin_pool(tournament: Tournament) -> int:
    """The coins the prizes share: the advertised pool, or for `entry_fees` funding what the
    fees held (less the platform fee) reach, up to the advertised pool."""
    advertised = int(tournament.prize_coins or 0)
    if tournament.prize_funding == PrizeFunding.ENTRY_FEES:
        fees = fees_held(tournament.id)
        return min(advertised, fees - platform_fee(fees))
    return advertised


def fund(tournament_id: int) -> None:
    """Hold an organizer-funded coin pool (see module docstring); idempotent."""
    tournament = db.session.get(Tournament, tournament_id)
    if (
        tournament is None
        or not tournament.prize_coins
        or tournament.prize_funding != PrizeFunding.ORGANIZER
    ):
        return
    reference = ("tournaments", tournament.id)
    economy.debit(tournament.organizer_id, tournament.prize_coins, kind=K.PRIZE_POOL,
                  key=f"prize_pool:t{tournament.id}", reference=reference,
                  reason=f"Prize pool held: {tournament.name}")  # fmt: skip
    economy.credit_account(escrow_of(tournament.id), tournament.prize_coins, kind=K.ESCROW_IN,
                           key=f"escrow_in:pool:t{tournament.id}", reference=reference,
                           reason=f"Prize pool held: {tournament.name}")  # fmt: skip


def release_pool(tournament_id: int) -> int:
    """A cancelled tournament gives its organizer the held pool back; returns the coins."""
    escrow = escrow_of(tournament_id)
    held = economy.account_entry(escrow, f"escrow_in:pool:t{tournament_id}")
    tournament = db.session.get(Tournament, tournament_id)
    if held is None or tournament is None:
        return 0
    reference = ("tournaments", tournament_id)
    economy.debit_account(escrow, held.amount, kind=K.ESCROW_OUT,
                          key=f"escrow_out:pool:t{tournament_id}", reference=reference,
                          reason="Prize pool released: tournament cancelled")  # fmt: skip
    economy.credit(tournament.organizer_id, held.amount, kind=K.SETTLEMENT,
                   key=f"pool_release:t{tournament_id}", reference=reference,
                   reason=f"Prize pool released: {tournament.name} was cancelled")  # fmt: skip
    return int(held.amount)


def pay_out(payout_id: int, tournament_id: int, coins: int) -> None:
    """Take a coin prize out of the escrow (InsufficientFundsError when it is not there)."""
    try:
        economy.debit_account(escrow_of(tournament_id), coins, kind=K.ESCROW_OUT,
                              key=f"escrow_out:payout:{payout_id}",
                              reference=("payouts", payout_id),
                              reason=f"Prize paid (payout {payout_id})")  # fmt: skip
    except InsufficientFundsError as error:
        raise InsufficientFundsError(
            f"The tournament's escrow does not hold this prize of {coins} coins."
        ) from error


def take_back(payout_id: int, tournament_id: int, coins: int) -> None:
    """A prize debited back after a correction returns to the escrow."""
    economy.credit_account(escrow_of(tournament_id), coins, kind=K.ESCROW_IN,
                           key=f"escrow_in:reversal:{payout_id}",
                           reference=("payouts", payout_id),
                           reason=f"Prize taken back (payout {payout_id})")  # fmt: skip


def settle(tournament_id: int) -> dict[str, int]:
    """Once every coin payout is paid: the platform fee to the house, the rest of the escrow
    to the organizer (each once). Returns what moved (nothing while prizes are unpaid)."""
    tournament = tournament_queries.get_tournament(tournament_id, for_update=True)
    unpaid = [
        p
        for p in queries.payouts_of(tournament_id)
        if p.kind == PayoutKind.COINS and p.status in (PayoutStatus.PENDING, PayoutStatus.FAILED)
    ]
    escrow = escrow_of(tournament_id)
    moved = {"platform_fee": 0, "organizer": 0}
    settled = any(
        economy.account_entry(escrow, f"escrow_out:{what}:t{tournament_id}") is not None
        for what in ("fee", "settlement")
    )
    if unpaid or settled:
        return moved
    balance = economy.account_balance(escrow)
    fee = min(platform_fee(fees_held(tournament_id)), balance)
    reference: Any = ("tournaments", tournament_id)
    if fee > 0:
        economy.debit_account(escrow, fee, kind=K.ESCROW_OUT,
                              key=f"escrow_out:fee:t{tournament_id}", reference=reference,
                              reason="Platform fee")  # fmt: skip
        economy.credit_account(economy.HOUSE, fee, kind=K.PLATFORM_FEE,
                               key=f"platform_fee:t{tournament_id}", reference=reference,
                               reason=f"Platform fee: {tournament.name}")  # fmt: skip
        moved["platform_fee"] = fee
    rest = balance - fee
    if rest > 0:
        economy.debit_account(escrow, rest, kind=K.ESCROW_OUT,
                              key=f"escrow_out:settlement:t{tournament_id}", reference=reference,
                              reason="Settlement to the organizer")  # fmt: skip
        economy.credit(tournament.organizer_id, rest, kind=K.SETTLEMENT,
                       key=f"settlement:t{tournament_id}", reference=reference,
                       reason=f"Settlement: {tournament.name}")  # fmt: skip
        moved["organizer"] = rest
    return moved
