"""Wallet primitives for the ledger and holds: the race-safe wallet on first use, the wallet
row lock, and THE balance statement every change goes through.

Concurrency (HOUSE_STYLE "Concurrency"): every change of `balance` or `held` is one conditional
`UPDATE wallets SET balance = balance + :d, held = held + :h, version = version + 1 WHERE id =
:id [AND balance - held >= :x] [AND held >= :y] RETURNING balance, held, version`; a missing
row means the condition failed (409 `insufficient_funds` for the callers). The ORM version
counter is deliberately not used on Wallet (a race would become a StaleDataError); `version`
is bumped by the statement itself and feeds the wallet's ETag. On SQLite, write units of work
begin with BEGIN IMMEDIATE (core.transaction), which serialises writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from deltacrown.core.actors import Actor, user_id_of
from deltacrown.core.db import table_of
from deltacrown.core.errors import ValidationError
from deltacrown.core.time import utcnow
from deltacrown.economy.errors import IdempotencyConflictError, InvalidAmountError
from deltacrown.economy.models import TransactionKind, Wallet
from deltacrown.extensions import db

# One operation moves at most this many coins (keeps sums far from BIGINT limits).
MAX_AMOUNT = 1_000_000_000
Reference = tuple[str, int] | None


@dataclass(frozen=True)
class WalletState:
    balance: int
    held: int
    version: int


# ----- wallets -------------------------------------------------------------------------------
def find_wallet(user_id: int) -> Wallet | None:
    return db.session.scalar(sa.select(Wallet).where(Wallet.user_id == user_id))


def get_or_create_wallet(user_id: int) -> Wallet:
    """The user's wallet, created empty on first use (race-safe: the unique user_id decides)."""
    wallet = find_wallet(user_id)
    if wallet is not None:
        return wallet
    try:
        with db.session.begin_nested():
            wallet = Wallet(user_id=user_id, balance=0, held=0, version=1)
            db.session.add(wallet)
            db.session.flush()
    except IntegrityError:
        # Another transaction created it first (or the user does not exist).
        wallet = find_wallet(user_id)
        if wallet is None:
            raise
    return wallet


def lock_wallet(wallet_id: int) -> None:
    """Take the wallet's row lock until the transaction ends (PostgreSQL; SQLite serialises
    writers with BEGIN IMMEDIATE). Multi-step callers do this first, before any hold row."""
    db.session.execute(sa.select(Wallet.id).where(Wallet.id == wallet_id).with_for_update())


def change_wallet(
    wallet_id: int,
    *,
    balance_delta: int = 0,
    held_delta: int = 0,
    need_available: int = 0,
    need_held: int = 0,
) -> WalletState | None:
    """One conditional UPDATE ... RETURNING; None when its condition did not hold."""
    table = table_of(Wallet)
    statement = sa.update(table).where(table.c.id == wallet_id)
    if need_available:
        statement = statement.where(table.c.balance - table.c.held >= need_available)
    if need_held:
        statement = statement.where(table.c.held >= need_held)
    statement = statement.values(
        balance=table.c.balance + balance_delta,
        held=table.c.held + held_delta,
        version=table.c.version + 1,
        updated_at=utcnow(),
    ).returning(table.c.balance, table.c.held, table.c.version)
    row = db.session.execute(statement).first()
    if row is None:
        return None
    return WalletState(int(row.balance), int(row.held), int(row.version))


def sync_wallet(wallet_id: int, state: WalletState) -> None:
    """Show a statement's result on the session's Wallet object, if one is loaded."""
    wallet = db.session.identity_map.get(identity_key(Wallet, wallet_id))
    if wallet is not None:
        for name in ("balance", "held", "version"):
            set_committed_value(wallet, name, getattr(state, name))


# ----- shared checks --------------------------------------------------------------------
def check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidAmountError(
            f"Amounts are whole coins between 1 and {MAX_AMOUNT}.",
            errors={"amount": [f"Between 1 and {MAX_AMOUNT}."]},
        )


def check_kind(kind: TransactionKind, allowed: frozenset[TransactionKind], verb: str) -> None:
    if kind not in allowed:
        raise ValidationError(f"A {verb} cannot have kind {kind.value!r}.", errors={"kind": [verb]})


def same_or_conflict(existing: Any, amount: int, kind: TransactionKind, key: str) -> Any:
    if existing.amount != amount or existing.kind != kind:
        raise IdempotencyConflictError(
            f"Key {key!r} was already used for another operation on this wallet."
        )
    return existing


def actor_id(actor: Actor | None) -> int | None:
    """The user a ledger row is attributed to (`created_by`); None for the system."""
    return user_id_of(actor)
