"""System wallets: a tournament's escrow and the house, in the same ledger as the users'
wallets (so `flask economy verify-ledger` covers them), changed by the same balance statement
and idempotency keys as every wallet (`ledger._post`).

Money in before money out: coin entry fees and organizer-funded prize pools go into the
tournament's escrow; refunds, prizes and the settlement (the platform fee to the house, the
rest to the organizer) come out of it. An escrow never goes below zero: paying out more than
came in is a 409 `insufficient_funds`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core.actors import SYSTEM, Actor
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.economy.models import (
    CREDIT_KINDS,
    DEBIT_KINDS,
    Transaction,
    TransactionKind,
    Wallet,
)
from deltacrown.economy.services.ledger import _find_entry, _post
from deltacrown.economy.services.wallets import Reference, check_amount, check_kind
from deltacrown.extensions import db

HOUSE = "house"


ESCROW_PREFIX = "escrow:tournament:"


def escrow_account(tournament_id: int) -> str:
    return f"{ESCROW_PREFIX}{tournament_id}"


def find_account_wallet(account: str) -> Wallet | None:
    return db.session.scalar(sa.select(Wallet).where(Wallet.account == account))


def account_wallet(account: str) -> Wallet:
    """The system wallet, created empty on first use (race-safe: the unique account decides)."""
    wallet = find_account_wallet(account)
    if wallet is not None:
        return wallet
    try:
        with db.session.begin_nested():
            wallet = Wallet(account=account, balance=0, held=0, version=1)
            db.session.add(wallet)
            db.session.flush()
    except IntegrityError:
        wallet = find_account_wallet(account)
        if wallet is None:
            raise
    return wallet


def account_balance(account: str) -> int:
    wallet = find_account_wallet(account)
    return wallet.balance if wallet is not None else 0


def account_entry(account: str, key: str) -> Transaction | None:
    """The account's ledger row written with `key`, if any."""
    wallet = find_account_wallet(account)
    return _find_entry(wallet.id, key) if wallet is not None else None


def credit_account(
    account: str,
    amount: int,
    *,
    kind: TransactionKind,
    key: str,
    reference: Reference = None,
    reason: str | None = None,
    actor: Actor | None = SYSTEM,
) -> Transaction:
    """Add coins to a system wallet. Idempotent by `key`."""
    check_amount(amount)
    check_kind(kind, CREDIT_KINDS, "credit")
    wallet = account_wallet(account)
    return _post(wallet.id, amount=amount, kind=kind, key=key, reference=reference,
                 reason=reason, actor=actor)  # fmt: skip


def debit_account(
    account: str,
    amount: int,
    *,
    kind: TransactionKind,
    key: str,
    reference: Reference = None,
    reason: str | None = None,
    actor: Actor | None = SYSTEM,
) -> Transaction:
    """Take coins from a system wallet. Idempotent by `key`; InsufficientFundsError (409)
    when it does not hold them."""
    check_amount(amount)
    check_kind(kind, DEBIT_KINDS, "debit")
    wallet = find_account_wallet(account)
    if wallet is None:
        raise InsufficientFundsError(f"The {account} account does not hold {amount} coins.")
    return _post(wallet.id, amount=-amount, kind=kind, key=key, reference=reference,
                 reason=reason, actor=actor)  # fmt: skip
