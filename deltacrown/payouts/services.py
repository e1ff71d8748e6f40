"""Payout use cases: compute a completed tournament's plan, create its payouts (idempotent),
credit coin payouts to wallets, and reconcile what was paid with what is due.

Idempotency and races: creation runs under the tournament's row lock and inserts each payout
inside a SAVEPOINT; the unique `(tournament, placement, registration, user)` decides between
racing workers, so running it again (a retried task, the organizer's POST, two workers at
once) never creates a second payout. Each coin credit uses the ledger key `payout:<id>` and
runs under the payout's row lock, so a payout is credited at most once even when its task is
delivered twice (a worker killed after the commit, before the acknowledgement).

Coin payouts are paid out of the tournament's escrow (`escrow`) by the `payouts.pay` task,
one unit of work per payout, enqueued after the creating transaction commits; the escrow is
settled once they are all paid. Cash payouts wait on the staff desk (`desk`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from deltacrown.core import audit, signals
from deltacrown.core.actors import SYSTEM, Actor, is_system
from deltacrown.core.errors import DomainError, PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, savepoint
from deltacrown.economy import services as economy
from deltacrown.economy.models import Transaction, TransactionKind
from deltacrown.extensions import db
from deltacrown.payouts import escrow, queries
from deltacrown.payouts import plan as rules
from deltacrown.payouts.errors import (
    NoPlacementsError,
    NoPrizeDistributionError,
    TournamentNotCompletedError,
)
from deltacrown.payouts.models import LIVE_STATUSES, Payout, PayoutKind, PayoutStatus
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament, TournamentStatus

PAY_TASK = "payouts.pay"
# A coin credit that fails with a domain error this many times is marked failed for staff.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Planned:
    placement: int
    registration_id: int
    user_id: int
    kind: PayoutKind
    coins: int | None
    amount: Decimal | None
    currency: str | None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.placement, self.registration_id, self.user_id)


@dataclass
class Computed:
    tournament: Tournament
    lines: list[Planned] = field(default_factory=list)
    unclaimed: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    tournament_id: int
    dry_run: bool
    computed: Computed
    created: list[Payout] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)


def payout_key(payout_id: int) -> str:
    """The ledger key of a coin payout's credit."""
    return f"payout:{payout_id}"


# ----- the plan ------------------------------------------------------------------------------
def compute(tournament: Tournament) -> Computed:
    """The completed tournament's payouts as planned now (nothing written).

    Raises TournamentNotCompletedError, NoPrizeDistributionError, NoPlacementsError.
    """
    if tournament.status != TournamentStatus.COMPLETED:
        raise TournamentNotCompletedError("Payouts are made once the tournament has completed.")
    pool = tournament.prize_pool
    if pool is None or not tournament.prize_distribution:
        raise NoPrizeDistributionError("The tournament has no prize pool and distribution.")
    results = queries.placements(tournament.id)
    if not results:
        raise NoPlacementsError("The tournament has no placements.")
    coins = pool.kind == "coins"
    pool_minor = escrow.coin_pool(tournament) if coins else rules.to_minor(pool.amount, coins=False)
    seeds = queries.seed_ranks(tournament.id)
    people = queries.recipients([result.registration_id for result in results])
    ordered = sorted(
        results,
        key=lambda r: (r.placement, seeds.get(r.registration_id, 1 << 30), r.registration_id),
    )
    placed = [
        rules.Placed(
            r.placement,
            r.registration_id,
            people[r.registration_id][0],
            people[r.registration_id][1],
        )
        for r in ordered
        if r.registration_id in people
    ]
    try:
        plan = rules.build_plan(
            pool_minor,
            tournament.prize_distribution,
            placed,
            coins=coins,
            prize_to_captain=tournament.prize_to_captain,
        )
    except rules.PlanError as error:
        raise NoPrizeDistributionError(str(error)) from error
    computed = Computed(tournament)
    for line in plan.lines:
        computed.lines.append(
            Planned(
                placement=line.placement,
                registration_id=line.registration_id,
                user_id=line.user_id,
                kind=PayoutKind.COINS if coins else PayoutKind.CASH,
                coins=line.minor if coins else None,
                amount=None if coins else Decimal(rules.from_minor(line.minor, coins=False)),
                currency=None if coins else pool.currency,
            )
        )
    for place, minor in plan.unclaimed.items():
        computed.unclaimed.append(
            {
                "placement": place,
                "coins": minor if coins else None,
                "amount": None if coins else rules.from_minor(minor, coins=False),
                "currency": None if coins else pool.currency,
                "reason": "Nobody finished in this placement; it pays nothing.",
            }
        )
    return computed


def _check_manager(actor: Actor | None, tournament: Tournament) -> None:
    if not is_system(actor) and not tournament_policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff make payouts.")


# ----- creation ------------------------------------------------------------------------------
def create_payouts(
    tournament_id: int,
    *,
    actor: Actor | None = SYSTEM,
    dry_run: bool = False,
    notes: str | None = None,
) -> Outcome:
    """Create the payouts the plan asks for and that do not exist yet (idempotent); with
    `dry_run`, only compute the plan. Coin payouts are credited after the commit.

    Raises TournamentNotFoundError, PermissionDeniedError, TournamentNotCompletedError,
    NoPrizeDistributionError, NoPlacementsError.
    """
    if is_system(actor):
        tournament = tournament_queries.get_tournament(tournament_id, for_update=not dry_run)
    else:
        tournament = tournament_queries.get_visible_tournament(
            tournament_id, actor, for_update=not dry_run
        )
    _check_manager(actor, tournament)
    computed = compute(tournament)
    outcome = Outcome(tournament_id, dry_run, computed)
    if dry_run:
        return outcome
    existing = {
        (p.placement, p.registration_id, p.user_id)
        for p in queries.payouts_of(tournament_id)
        if p.status in LIVE_STATUSES
    }
    for line in computed.lines:
        if line.key in existing:
            continue
        payout = _insert(tournament_id, line, notes)
        if payout is not None:
            outcome.created.append(payout)
    for payout in outcome.created:
        signals.send_after_commit(
            signals.payout_created,
            "payouts",
            payout_id=payout.id,
            tournament_id=tournament_id,
            user_id=payout.user_id,
        )
    if outcome.created and not is_system(actor):
        audit.record(
            actor=actor,
            action="payouts.created",
            target=tournament,
            after={"payout_ids": [p.id for p in outcome.created], "notes": notes},
        )
    after_commit(enqueue_payments, queries.pending_coin_payouts(tournament_id))
    outcome.payouts = queries.payouts_of(tournament_id)
    return outcome


def _insert(tournament_id: int, line: Planned, notes: str | None) -> Payout | None:
    try:
        with savepoint():
            payout = Payout(
                tournament_id=tournament_id,
                placement=line.placement,
                registration_id=line.registration_id,
                user_id=line.user_id,
                kind=line.kind,
                coins=line.coins,
                amount=line.amount,
                currency=line.currency,
                status=PayoutStatus.PENDING,
                attempts=0,
                notes=notes,
            )
            db.session.add(payout)
            db.session.flush()
    except IntegrityError:
        return None  # another worker created it first
    return payout


def enqueue_payments(payout_ids: list[int]) -> None:
    """Enqueue `payouts.pay` for each coin payout (an after-commit effect: it reads nothing,
    so no transaction is left open while in-process tasks run)."""
    task = current_app.extensions["celery"].tasks[PAY_TASK]
    for payout_id in payout_ids:
        task.delay(payout_id=payout_id)


# ----- coin credits --------------------------------------------------------------------------
def pay_coins(payout_id: int) -> Payout:
    """Credit a pending coin payout to its recipient's wallet, once (idempotent).

    A domain error from the ledger is recorded on the payout (`attempts`, `last_error`) and
    after MAX_ATTEMPTS the payout is `failed`; database errors propagate so the task retries.
    """
    payout = queries.get_payout(payout_id, for_update=True)
    if payout.kind != PayoutKind.COINS or payout.status != PayoutStatus.PENDING:
        return payout
    payout.attempts += 1
    tournament = db.session.get(Tournament, payout.tournament_id)
    name = tournament.name if tournament is not None else f"tournament {payout.tournament_id}"
    try:
        with savepoint():
            escrow.pay_out(payout.id, payout.tournament_id, int(payout.coins or 0))
            entry = economy.credit(
                payout.user_id,
                int(payout.coins or 0),
                kind=TransactionKind.PRIZE,
                key=payout_key(payout.id),
                reference=("payouts", payout.id),
                reason=f"Prize, placement {payout.placement}: {name}"[:500],
            )
    except DomainError as error:
        payout.last_error = str(error)[:500]
        if payout.attempts >= MAX_ATTEMPTS:
            fail(payout, payout.last_error)
        return payout
    payout.transaction_id = entry.id
    payout.paid_at = utcnow()
    payout.last_error = None
    payout.move_to(PayoutStatus.PAID)
    announce_paid(payout)
    escrow.settle(payout.tournament_id)
    return payout


def announce_paid(payout: Payout) -> None:
    signals.send_after_commit(
        signals.payout_paid,
        "payouts",
        payout_id=payout.id,
        tournament_id=payout.tournament_id,
        user_id=payout.user_id,
    )


def fail(payout: Payout, reason: str) -> None:
    payout.move_to(PayoutStatus.FAILED)
    payout.last_error = reason[:500]
    signals.send_after_commit(
        signals.payout_failed,
        "payouts",
        payout_id=payout.id,
        tournament_id=payout.tournament_id,
        user_id=payout.user_id,
        reason=payout.last_error,
    )


# ----- reconciliation ------------------------------------------------------------------------
def verify(tournament_id: int, *, actor: Actor | None) -> dict[str, Any]:
    """What is due against what was paid: `{ok, expected, actual, missing, amount_mismatches,
    duplicates, failed}`. Before completion nothing is due.

    Raises TournamentNotFoundError, PermissionDeniedError.
    """
    tournament = tournament_queries.get_visible_tournament(tournament_id, actor)
    _check_manager(actor, tournament)
    try:
        lines = compute(tournament).lines
    except (TournamentNotCompletedError, NoPlacementsError, NoPrizeDistributionError):
        lines = []
    everything = queries.payouts_of(tournament_id)
    live = [p for p in everything if p.status in LIVE_STATUSES]
    by_key = {(p.placement, p.registration_id, p.user_id): p for p in live}
    planned = {line.key: line for line in lines}
    missing = [_planned_dict(line) for key, line in planned.items() if key not in by_key]
    mismatches: list[dict[str, Any]] = []
    for key, payout in by_key.items():
        line = planned.get(key)
        if line is None:
            mismatches.append(_mismatch(payout, "not_due", None, _shown(payout)))
        elif (payout.coins, payout.amount, payout.currency) != (
            line.coins,
            line.amount,
            line.currency,
        ):
            mismatches.append(_mismatch(payout, "amount", _shown(line), _shown(payout)))
    coin_payouts = [p for p in everything if p.kind == PayoutKind.COINS]
    credits = _credits([p.id for p in coin_payouts])
    duplicates = []
    for payout in coin_payouts:
        rows = credits.get(payout.id, [])
        if sum(1 for amount in rows if amount > 0) > 1:
            duplicates.append({"payout_id": payout.id, "credits": len(rows)})
        kept = (PayoutStatus.PAID, PayoutStatus.CLAWBACK_DUE)
        due = int(payout.coins or 0) if payout.status in kept else 0
        if sum(rows) != due:
            mismatches.append(_mismatch(payout, "ledger", str(due), str(sum(rows))))
    failed = [p.id for p in live if p.status == PayoutStatus.FAILED]
    unpaid_coins = [
        p.id for p in live if p.kind == PayoutKind.COINS and p.status != PayoutStatus.PAID
    ]
    clawbacks = [p.id for p in everything if p.status == PayoutStatus.CLAWBACK_DUE]
    return {
        "ok": not (missing or mismatches or duplicates or failed or unpaid_coins or clawbacks),
        "expected": len(planned),
        "actual": len(live),
        "paid": sum(1 for p in live if p.status == PayoutStatus.PAID),
        "missing": missing,
        "amount_mismatches": mismatches,
        "duplicates": duplicates,
        "failed": failed,
        "clawbacks_due": clawbacks,
        "escrow_balance": economy.account_balance(escrow.escrow_of(tournament_id)),
    }


def _credits(payout_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if payout_ids:
        for reference_id, amount in db.session.execute(
            sa.select(Transaction.reference_id, Transaction.amount).where(
                Transaction.reference_type == "payouts",
                Transaction.reference_id.in_(payout_ids),
                Transaction.kind.in_((TransactionKind.PRIZE, TransactionKind.ADJUSTMENT)),
            )
        ):
            found.setdefault(int(reference_id), []).append(int(amount))
    return found


def _planned_dict(line: Planned) -> dict[str, Any]:
    return {
        "placement": line.placement,
        "registration_id": line.registration_id,
        "user_id": line.user_id,
        "kind": line.kind.value,
        "coins": line.coins,
        "amount": str(line.amount) if line.amount is not None else None,
        "currency": line.currency,
    }


def _shown(item: Planned | Payout) -> str:
    """An amount as text: `300` coins or `1500.00 BDT`."""
    if item.coins is not None:
        return str(item.coins)
    return f"{item.amount} {item.currency}"


def _mismatch(
    payout: Payout, problem: str, expected: str | None, actual: str | None
) -> dict[str, Any]:
    return {"payout_id": payout.id, "problem": problem, "expected": expected, "actual": actual}
