"""Holds: coins reserved on a wallet until captured (paid) or released, e.g. a held shop
purchase or any other two-step payment.

Holds do NOT appear in the ledger: a hold moves no coins, it only raises the wallet's `held`
(lowering `available`), so balance == sum(ledger) holds throughout. Capturing writes ONE debit
row of the hold's kind (balance and held both drop by the amount, key `hold:<id>`, so a hold
can be paid once at most); releasing or expiring writes nothing (held drops). The ledger kind
`purchase_release` is therefore never written by a release; it stays a credit kind for flows
that debit first and give the coins back later.

Hold status changes are conditional (`UPDATE ... WHERE status = 'active'`), so two captures,
or a capture and the expiry sweep, cannot both win; each operation first takes the wallet's
row lock, the same order as the shop's use cases (no deadlocks). A hold past `expires_at`
cannot be captured (409 `hold_expired`) and stays counted in `held` until the sweep
(`shop.release_expired_holds`, every minute) releases it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core.actors import SYSTEM, Actor
from deltacrown.core.db import table_of
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.economy.errors import (
    HoldExpiredError,
    HoldNotFoundError,
    InsufficientFundsError,
    InvalidAmountError,
)
from deltacrown.economy.models import DEBIT_KINDS, Hold, HoldStatus, Transaction, TransactionKind
from deltacrown.economy.services.wallets import (
    Reference,
    actor_id,
    change_wallet,
    check_amount,
    check_kind,
    find_wallet,
    lock_wallet,
    same_or_conflict,
    sync_wallet,
)
from deltacrown.extensions import db


def _find_hold(wallet_id: int, key: str) -> Hold | None:
    return db.session.scalar(
        sa.select(Hold)
        .where(Hold.wallet_id == wallet_id, Hold.idempotency_key == key)
        .execution_options(populate_existing=True)
    )


def hold(
    user_id: int,
    amount: int,
    *,
    expires_at: datetime,
    kind: TransactionKind = TransactionKind.PURCHASE,
    key: str | None = None,
    reference: Reference = None,
    actor: Actor | None = SYSTEM,
) -> Hold:
    """Reserve coins until `expires_at` (held += amount if that much is available).

    The capture will write a debit of `kind`. Idempotent by `key` (same amount and kind).
    Raises InsufficientFundsError, InvalidAmountError, IdempotencyConflictError.
    """
    check_amount(amount)
    check_kind(kind, DEBIT_KINDS - {TransactionKind.ADJUSTMENT}, "hold")
    wallet = find_wallet(user_id)
    if wallet is None:
        raise InsufficientFundsError(f"The wallet does not have {amount} coins available.")
    if key is not None:
        existing = _find_hold(wallet.id, key)
        if existing is not None:
            return same_or_conflict(existing, amount, kind, key)
    try:
        with db.session.begin_nested():
            state = change_wallet(wallet.id, held_delta=amount, need_available=amount)
            if state is None:
                raise InsufficientFundsError(f"The wallet does not have {amount} coins available.")
            reserved = Hold(
                wallet_id=wallet.id,
                amount=amount,
                kind=kind,
                status=HoldStatus.ACTIVE,
                reference_type=reference[0] if reference else None,
                reference_id=reference[1] if reference else None,
                idempotency_key=key,
                expires_at=expires_at,
                created_by=actor_id(actor),
                created_at=utcnow(),
            )
            db.session.add(reserved)
            db.session.flush()
    except IntegrityError:
        existing = _find_hold(wallet.id, key) if key is not None else None
        if existing is None:
            raise
        return same_or_conflict(existing, amount, kind, key)  # type: ignore[arg-type]
    sync_wallet(wallet.id, state)
    return reserved


def get_hold(hold_id: int) -> Hold:
    found = db.session.get(Hold, hold_id, populate_existing=True)
    if found is None:
        raise HoldNotFoundError(f"No hold {hold_id}.")
    return found


def _claim_hold(hold_id: int, status: HoldStatus) -> bool:
    """Move an active hold to `status`; False if it was no longer active."""
    result = db.session.execute(
        sa.update(table_of(Hold))
        .where(table_of(Hold).c.id == hold_id, table_of(Hold).c.status == HoldStatus.ACTIVE.value)
        .values(status=status.value, resolved_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def capture(
    hold_id: int, *, actor: Actor | None = SYSTEM, reason: str | None = None
) -> Transaction:
    """Turn an active hold into a debit row (balance and held drop by its amount).

    Capturing a captured hold returns its debit (idempotent). Raises HoldNotFoundError,
    HoldExpiredError (past expires_at; the sweep releases it), InvalidTransitionError (released).
    """
    reserved = get_hold(hold_id)
    lock_wallet(reserved.wallet_id)
    db.session.refresh(reserved)
    if reserved.status == HoldStatus.CAPTURED and reserved.capture_transaction is not None:
        return reserved.capture_transaction
    if reserved.status != HoldStatus.ACTIVE:
        raise InvalidTransitionError(f"Hold {hold_id} is {reserved.status.value}.")
    if reserved.expires_at <= utcnow():
        raise HoldExpiredError(
            f"Hold {hold_id} expired at {readable(reserved.expires_at)}.",
            expires_at=isoformat(reserved.expires_at),
        )
    with db.session.begin_nested():
        if not _claim_hold(reserved.id, HoldStatus.CAPTURED):
            raise InvalidTransitionError(f"Hold {hold_id} changed meanwhile; reload it.")
        state = change_wallet(
            reserved.wallet_id,
            balance_delta=-reserved.amount,
            held_delta=-reserved.amount,
            need_held=reserved.amount,
        )
        if state is None:  # held < amount: the invariant was broken elsewhere
            raise InsufficientFundsError(f"Hold {hold_id} is not covered by the wallet.")
        entry = Transaction(
            wallet_id=reserved.wallet_id,
            amount=-reserved.amount,
            kind=reserved.kind,
            reference_type=reserved.reference_type,
            reference_id=reserved.reference_id,
            idempotency_key=f"hold:{reserved.id}",
            balance_after=state.balance,
            created_by=actor_id(actor),
            reason=reason,
            created_at=utcnow(),
        )
        db.session.add(entry)
        db.session.flush()
        db.session.execute(
            sa.update(table_of(Hold))
            .where(table_of(Hold).c.id == reserved.id)
            .values(capture_transaction_id=entry.id)
        )
    sync_wallet(reserved.wallet_id, state)
    db.session.refresh(reserved)
    return entry


def release(hold_id: int, *, expired: bool = False) -> Hold:
    """Give an active hold's coins back to `available` (no ledger row).

    Releasing a released or expired hold returns it unchanged (idempotent). Raises
    HoldNotFoundError, InvalidTransitionError (already captured).
    """
    reserved = get_hold(hold_id)
    lock_wallet(reserved.wallet_id)
    db.session.refresh(reserved)
    if reserved.status in (HoldStatus.RELEASED, HoldStatus.EXPIRED):
        return reserved
    if reserved.status != HoldStatus.ACTIVE:
        raise InvalidTransitionError(f"Hold {hold_id} is {reserved.status.value}.")
    with db.session.begin_nested():
        target = HoldStatus.EXPIRED if expired else HoldStatus.RELEASED
        if not _claim_hold(reserved.id, target):
            raise InvalidTransitionError(f"Hold {hold_id} changed meanwhile; reload it.")
        state = change_wallet(
            reserved.wallet_id, held_delta=-reserved.amount, need_held=reserved.amount
        )
        if state is None:
            raise InvalidTransitionError(f"Hold {hold_id} is not covered by the wallet.")
    sync_wallet(reserved.wallet_id, state)
    db.session.refresh(reserved)
    return reserved


def reduce_hold(hold_id: int, new_amount: int) -> Hold:
    """Lower an active hold to `new_amount` (> 0), giving the difference back to `available`."""
    check_amount(new_amount)
    reserved = get_hold(hold_id)
    lock_wallet(reserved.wallet_id)
    db.session.refresh(reserved)
    if reserved.status != HoldStatus.ACTIVE:
        raise InvalidTransitionError(f"Hold {hold_id} is {reserved.status.value}.")
    difference = reserved.amount - new_amount
    if difference < 0:
        raise InvalidAmountError("A hold can only be lowered.")
    if difference == 0:
        return reserved
    with db.session.begin_nested():
        table = table_of(Hold)
        changed = db.session.execute(
            sa.update(table)
            .where(table.c.id == reserved.id, table.c.status == HoldStatus.ACTIVE.value)
            .values(amount=new_amount)
        ).rowcount  # type: ignore[attr-defined]
        state = change_wallet(reserved.wallet_id, held_delta=-difference, need_held=difference)
        if not changed or state is None:
            raise InvalidTransitionError(f"Hold {hold_id} changed meanwhile; reload it.")
    sync_wallet(reserved.wallet_id, state)
    db.session.refresh(reserved)
    return reserved
