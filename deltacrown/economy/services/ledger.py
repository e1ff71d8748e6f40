"""Ledger use cases: credit, debit, refund and staff adjustments (holds: `services.holds`).

Together with `services.holds` the only writer of `wallets`, `wallet_transactions` and
`wallet_holds`. Invariants, per wallet: balance == sum(ledger amounts) == the newest row's
balance_after, balance >= 0, 0 <= held <= balance, held == sum(active holds), available =
balance - held. Ledger rows are append-only: nothing here updates or deletes one.

Every change is one conditional statement (`wallets.change_wallet`: `... WHERE balance - held
>= :x RETURNING balance`) and its ledger row is inserted in the same transaction with
`balance_after` from RETURNING.

Idempotency: `idempotency_key` is unique per wallet. The same key with the same amount and
kind returns the first row; with anything else it is a 409 `idempotency_conflict`. Under a
race the unique index decides: the loser's INSERT fails inside a SAVEPOINT (which also rolls
back its balance change) and it returns the winner's row.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.queries import get_user
from deltacrown.core import audit
from deltacrown.core.actors import SYSTEM, Actor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.economy import policies
from deltacrown.economy.errors import (
    InsufficientFundsError,
    NotRefundableError,
    RefundExceedsPaidError,
    TransactionNotFoundError,
)
from deltacrown.economy.models import (
    CREDIT_KINDS,
    DEBIT_KINDS,
    REFUNDABLE_KINDS,
    Transaction,
    TransactionKind,
)
from deltacrown.economy.services.wallets import (
    Reference,
    actor_id,
    change_wallet,
    check_amount,
    check_kind,
    find_wallet,
    get_or_create_wallet,
    same_or_conflict,
    sync_wallet,
)
from deltacrown.extensions import db


def _find_entry(wallet_id: int, key: str) -> Transaction | None:
    return db.session.scalar(
        sa.select(Transaction)
        .where(Transaction.wallet_id == wallet_id, Transaction.idempotency_key == key)
        .execution_options(populate_existing=True)
    )


# ----- posting ledger rows -------------------------------------------------------------------
def _post(
    wallet_id: int,
    *,
    amount: int,
    kind: TransactionKind,
    key: str | None,
    reference: Reference,
    reason: str | None,
    actor: Actor | None,
    refund_of_id: int | None = None,
) -> Transaction:
    """Apply a signed amount and write its ledger row, atomically and idempotently."""
    if key is not None:
        existing = _find_entry(wallet_id, key)
        if existing is not None:
            return same_or_conflict(existing, amount, kind, key)
    try:
        with db.session.begin_nested():
            if amount > 0:
                state = change_wallet(wallet_id, balance_delta=amount)
            else:
                state = change_wallet(wallet_id, balance_delta=amount, need_available=-amount)
            if state is None:
                raise InsufficientFundsError(f"The wallet does not have {-amount} coins available.")
            entry = Transaction(
                wallet_id=wallet_id,
                amount=amount,
                kind=kind,
                reference_type=reference[0] if reference else None,
                reference_id=reference[1] if reference else None,
                refund_of_id=refund_of_id,
                idempotency_key=key,
                balance_after=state.balance,
                created_by=actor_id(actor),
                reason=reason,
                created_at=utcnow(),
            )
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        existing = _find_entry(wallet_id, key) if key is not None else None
        if existing is None:
            raise
        return same_or_conflict(existing, amount, kind, key)  # type: ignore[arg-type]
    sync_wallet(wallet_id, state)
    return entry


def credit(
    user_id: int,
    amount: int,
    *,
    kind: TransactionKind,
    key: str | None = None,
    reference: Reference = None,
    reason: str | None = None,
    actor: Actor | None = SYSTEM,
) -> Transaction:
    """Add coins (creating the wallet on first use). Idempotent by `key`.

    Raises InvalidAmountError, ValidationError (a debit-only kind), IdempotencyConflictError.
    """
    check_amount(amount)
    check_kind(kind, CREDIT_KINDS, "credit")
    wallet = get_or_create_wallet(user_id)
    return _post(
        wallet.id,
        amount=amount,
        kind=kind,
        key=key,
        reference=reference,
        reason=reason,
        actor=actor,
    )


def debit(
    user_id: int,
    amount: int,
    *,
    kind: TransactionKind,
    key: str | None = None,
    reference: Reference = None,
    reason: str | None = None,
    actor: Actor | None = SYSTEM,
) -> Transaction:
    """Take coins from what is available (balance - held). Idempotent by `key`.

    Raises InsufficientFundsError (409), InvalidAmountError, IdempotencyConflictError.
    """
    check_amount(amount)
    check_kind(kind, DEBIT_KINDS, "debit")
    wallet = find_wallet(user_id)
    if wallet is None:
        raise InsufficientFundsError(f"The wallet does not have {amount} coins available.")
    return _post(
        wallet.id,
        amount=-amount,
        kind=kind,
        key=key,
        reference=reference,
        reason=reason,
        actor=actor,
    )


# ----- refunds and adjustments ---------------------------------------------------------------
def refunded_total(transaction_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0)).where(
                Transaction.refund_of_id == transaction_id
            )
        )
        or 0
    )


def refund(
    transaction_id: int,
    amount: int | None = None,
    *,
    key: str | None = None,
    reason: str | None = None,
    actor: Actor | None = SYSTEM,
) -> Transaction:
    """Credit back (part of) a refundable debit; all refunds of it together <= what was paid.

    `amount` None refunds what is left. The debit's row is locked while refunds are summed,
    so concurrent partial refunds cannot overshoot. Raises TransactionNotFoundError,
    NotRefundableError, RefundExceedsPaidError, InvalidAmountError, IdempotencyConflictError.
    """
    original = db.session.scalar(
        sa.select(Transaction)
        .where(Transaction.id == transaction_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if original is None:
        raise TransactionNotFoundError(f"No transaction {transaction_id}.")
    if original.kind not in REFUNDABLE_KINDS or original.amount >= 0:
        raise NotRefundableError(f"A {original.kind.value} transaction cannot be refunded.")
    paid = -original.amount
    if amount is not None:
        check_amount(amount)
    if key is not None:
        existing = _find_entry(original.wallet_id, key)
        if existing is not None:
            return same_or_conflict(
                existing, amount or existing.amount, TransactionKind.REFUND, key
            )
    already = refunded_total(original.id)
    amount = paid - already if amount is None else amount
    if amount <= 0 or already + amount > paid:
        raise RefundExceedsPaidError(
            f"{paid} coins were paid and {already} already refunded; "
            f"at most {paid - already} can be refunded."
        )
    reference = (
        (original.reference_type, original.reference_id)
        if original.reference_type is not None and original.reference_id is not None
        else None
    )
    return _post(
        original.wallet_id,
        amount=amount,
        kind=TransactionKind.REFUND,
        key=key,
        reference=reference,
        reason=reason,
        actor=actor,
        refund_of_id=original.id,
    )


def adjust_balance(
    user_id: int, amount: int, *, reason: str, actor: Actor | None, key: str | None = None
) -> Transaction:
    """Staff: add (amount > 0) or remove (amount < 0) coins with a reason; audited.

    Raises PermissionDeniedError, UserNotFoundError, ValidationError (no reason),
    InvalidAmountError, InsufficientFundsError (removing more than is available).
    """

    if not policies.can_adjust_wallets(actor):
        raise PermissionDeniedError("Only staff may adjust balances.")
    user_id = get_user(user_id, active_only=False).id  # a missing user is a 404, not a 500
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Adjustments need a reason.", errors={"reason": ["Required."]})
    check_amount(abs(amount))
    kind = TransactionKind.ADJUSTMENT
    if amount > 0:
        entry = credit(user_id, amount, kind=kind, key=key, reason=reason, actor=actor)
    else:
        entry = debit(user_id, -amount, kind=kind, key=key, reason=reason, actor=actor)
    audit.record(
        actor=actor,
        action="wallet.adjusted",
        target_type="wallets",
        target_id=entry.wallet_id,
        before={"balance": entry.balance_after - entry.amount},
        after={
            "balance": entry.balance_after,
            "amount": entry.amount,
            "reason": reason,
            "transaction_id": entry.id,
            "user_id": user_id,
        },
    )
    return entry
