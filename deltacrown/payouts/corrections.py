"""Payouts after a result correction: when placements change after payouts were made, the plan
is computed again and the payouts follow it.

* A payout no longer due, or due with another amount, is retired: pending or failed ones are
  `cancelled`; a paid coin payout is debited back from the wallet (ledger key
  `payout:<id>:reversal`) and `reversed`, or, when the wallet no longer holds the coins,
  becomes `clawback_due` for staff; a paid cash payout becomes `clawback_due` (staff recover it
  by hand).
* Then the new plan's missing payouts are created and coin ones credited, as on completion.

Idempotent: a second run finds nothing to retire and nothing missing. It runs under the
tournament's row lock, like creation.
"""

from __future__ import annotations

from deltacrown.core import audit
from deltacrown.core.actors import SYSTEM, Actor
from deltacrown.core.transaction import savepoint
from deltacrown.economy import services as economy
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.economy.models import TransactionKind
from deltacrown.payouts import escrow, queries, services
from deltacrown.payouts.errors import (
    NoPlacementsError,
    NoPrizeDistributionError,
    TournamentNotCompletedError,
)
from deltacrown.payouts.models import LIVE_STATUSES, Payout, PayoutKind, PayoutStatus
from deltacrown.tournaments import queries as tournament_queries


def reversal_key(payout_id: int) -> str:
    return f"payout:{payout_id}:reversal"


def follow_corrected_results(tournament_id: int, *, actor: Actor | None = SYSTEM) -> dict[str, int]:
    """Retire the payouts the corrected placements no longer ask for and create the new ones;
    returns how many were cancelled, reversed, marked clawback_due and created. Does nothing
    for a tournament without payouts (they are made on completion)."""
    counts = {"cancelled": 0, "reversed": 0, "clawback_due": 0, "created": 0}
    tournament = tournament_queries.get_tournament(tournament_id, for_update=True)
    live = [p for p in queries.payouts_of(tournament_id) if p.status in LIVE_STATUSES]
    if not live:
        return counts
    try:
        lines = services.compute(tournament).lines
    except (TournamentNotCompletedError, NoPlacementsError, NoPrizeDistributionError):
        lines = []
    planned = {line.key: line for line in lines}
    for payout in live:
        line = planned.get((payout.placement, payout.registration_id, payout.user_id))
        same = line is not None and (line.coins, line.amount, line.currency) == (
            payout.coins,
            payout.amount,
            payout.currency,
        )
        if not same:
            counts[_retire(payout)] += 1
    if lines:
        counts["created"] = len(services.create_payouts(tournament_id, actor=SYSTEM).created)
    if any(counts.values()):
        audit.record(actor=actor, action="payouts.corrected", target=tournament, after=counts)
    return counts


def _retire(payout: Payout) -> str:
    if payout.status != PayoutStatus.PAID:
        payout.move_to(PayoutStatus.CANCELLED)
        payout.last_error = "No longer due after a result correction."
        return "cancelled"
    if payout.kind == PayoutKind.CASH:
        payout.move_to(PayoutStatus.CLAWBACK_DUE)
        payout.last_error = "Paid in cash before a result correction; recover it by hand."
        return "clawback_due"
    try:
        with savepoint():
            economy.debit(
                payout.user_id,
                int(payout.coins or 0),
                kind=TransactionKind.ADJUSTMENT,
                key=reversal_key(payout.id),
                reference=("payouts", payout.id),
                reason=f"Prize taken back after a result correction (payout {payout.id})",
            )
            escrow.take_back(payout.id, payout.tournament_id, int(payout.coins or 0))
    except InsufficientFundsError:
        payout.move_to(PayoutStatus.CLAWBACK_DUE)
        payout.last_error = "The wallet no longer holds the prize paid before the correction."
        return "clawback_due"
    payout.move_to(PayoutStatus.REVERSED)
    payout.last_error = "Taken back after a result correction."
    return "reversed"
