"""Read helpers for the economy: wallets, the ledger feed, items, purchases, inventory, promo
codes, and the ledger invariant check behind `flask economy verify-ledger`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from deltacrown.economy import policies
from deltacrown.economy.errors import (
    ItemNotFoundError,
    PromoCodeNotFoundError,
    PurchaseNotFoundError,
)
from deltacrown.economy.models import (
    ACTIVE_PURCHASE_STATUSES,
    Hold,
    HoldStatus,
    InventoryItem,
    PromoCode,
    Purchase,
    PurchaseStatus,
    ShopItem,
    Transaction,
    TransactionKind,
    Wallet,
)
from deltacrown.extensions import db


def normalise_sku(sku: str) -> str:
    return sku.strip().upper()


def normalise_code(code: str) -> str:
    return code.strip().upper()


# ----- wallets and ledger --------------------------------------------------------------------
@dataclass(frozen=True)
class WalletSummary:
    """What `GET /api/wallet/` shows; a user without a wallet yet has zeros (version 0)."""

    balance: int
    held: int
    version: int

    @property
    def available(self) -> int:
        return self.balance - self.held


def wallet_summary(user_id: int) -> WalletSummary:
    row = db.session.execute(
        sa.select(Wallet.balance, Wallet.held, Wallet.version).where(Wallet.user_id == user_id)
    ).first()
    if row is None:
        return WalletSummary(0, 0, 0)
    return WalletSummary(int(row.balance), int(row.held), int(row.version))


def list_transactions(
    user_id: int,
    *,
    kinds: Iterable[TransactionKind] | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> sa.Select[tuple[Transaction]]:
    """The user's ledger rows matching the filters (unordered: the cursor pager orders by id)."""
    query = sa.select(Transaction).join(Wallet).where(Wallet.user_id == user_id)
    kinds = list(kinds or [])
    if kinds:
        query = query.where(Transaction.kind.in_(kinds))
    if created_from is not None:
        query = query.where(Transaction.created_at >= created_from)
    if created_to is not None:
        query = query.where(Transaction.created_at < created_to)
    return query


# ----- items ---------------------------------------------------------------------------------
def get_item(ref: int | str, *, include_inactive: bool = False) -> ShopItem:
    """An item by id or SKU; ItemNotFoundError if unknown (or inactive unless asked)."""
    query = sa.select(ShopItem)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        query = query.where(ShopItem.id == int(ref))
    else:
        query = query.where(ShopItem.sku == normalise_sku(str(ref)))
    item = db.session.scalar(query)
    if item is None or (not include_inactive and not item.is_active):
        raise ItemNotFoundError(f"No shop item {ref!r}.")
    return item


def list_items_for_sale(moment: datetime) -> sa.Select[tuple[ShopItem]]:
    """Active items inside their window at `moment` (sold-out ones included), by name."""
    return (
        sa.select(ShopItem)
        .where(
            ShopItem.is_active.is_(True),
            sa.or_(ShopItem.available_from.is_(None), ShopItem.available_from <= moment),
            sa.or_(ShopItem.available_to.is_(None), ShopItem.available_to > moment),
        )
        .order_by(ShopItem.name, ShopItem.id)
    )


def list_all_items(
    *, is_active: bool | None = None, search: str | None = None
) -> sa.Select[tuple[ShopItem]]:
    query = sa.select(ShopItem).order_by(ShopItem.id)
    if is_active is not None:
        query = query.where(ShopItem.is_active.is_(is_active))
    if search:
        term = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(ShopItem.sku).like(term), sa.func.lower(ShopItem.name).like(term))
        )
    return query


# ----- purchases and inventory ---------------------------------------------------------------
def get_purchase(purchase_id: int, *, actor: Any) -> Purchase:
    """A purchase its buyer or staff may see; PurchaseNotFoundError for anyone else."""
    purchase = db.session.get(Purchase, purchase_id, populate_existing=True)
    if purchase is None or not policies.can_see_purchase(actor, purchase):
        raise PurchaseNotFoundError(f"No purchase {purchase_id}.")
    return purchase


def list_purchases(
    *, user_id: int | None = None, status: PurchaseStatus | None = None
) -> sa.Select[tuple[Purchase]]:
    """Purchases, newest first (`user_id` None: everyone's, for staff)."""
    query = (
        sa.select(Purchase)
        .options(selectinload(Purchase.item), selectinload(Purchase.promo_code))
        .order_by(Purchase.id.desc())
    )
    if user_id is not None:
        query = query.where(Purchase.user_id == user_id)
    if status is not None:
        query = query.where(Purchase.status == status)
    return query


def list_inventory(user_id: int) -> sa.Select[tuple[InventoryItem]]:
    return (
        sa.select(InventoryItem)
        .options(selectinload(InventoryItem.item))
        .where(InventoryItem.user_id == user_id, InventoryItem.quantity > 0)
        .order_by(InventoryItem.item_id)
    )


def purchased_quantity(user_id: int, item_id: int) -> int:
    """Units of an item the user holds or has paid for (not released, expired or refunded)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Purchase.quantity), 0)).where(
                Purchase.user_id == user_id,
                Purchase.item_id == item_id,
                Purchase.status.in_(ACTIVE_PURCHASE_STATUSES),
            )
        )
        or 0
    )


# ----- promo codes ---------------------------------------------------------------------------
def find_promo_by_code(code: str) -> PromoCode | None:
    return db.session.scalar(
        sa.select(PromoCode)
        .where(PromoCode.code == normalise_code(code))
        .execution_options(populate_existing=True)
    )


def get_promo_code(promo_id: int) -> PromoCode:
    promo = db.session.get(PromoCode, promo_id)
    if promo is None:
        raise PromoCodeNotFoundError(f"No promo code {promo_id}.")
    return promo


def list_promo_codes(*, is_active: bool | None = None) -> sa.Select[tuple[PromoCode]]:
    query = sa.select(PromoCode).options(selectinload(PromoCode.items)).order_by(PromoCode.id)
    if is_active is not None:
        query = query.where(PromoCode.is_active.is_(is_active))
    return query


# ----- the ledger invariant ------------------------------------------------------------------
@dataclass
class LedgerMismatch:
    wallet_id: int
    user_id: int | None
    balance: int
    held: int
    ledger_sum: int
    active_holds: int
    last_balance_after: int | None
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"wallet {self.wallet_id} (user {self.user_id}): balance={self.balance} "
            f"held={self.held} ledger_sum={self.ledger_sum} active_holds={self.active_holds} "
            f"last_balance_after={self.last_balance_after}: " + "; ".join(self.problems)
        )


def find_ledger_mismatches() -> tuple[int, list[LedgerMismatch]]:
    """Check every wallet in SQL; returns (wallets checked, the broken ones).

    Checks: balance == sum(ledger), balance >= 0, held >= 0, held == sum(active holds), and
    the newest row's balance_after == balance.
    """
    sums = (
        sa.select(
            Transaction.wallet_id.label("wallet_id"),
            sa.func.sum(Transaction.amount).label("total"),
            sa.func.max(Transaction.id).label("last_id"),
        )
        .group_by(Transaction.wallet_id)
        .subquery()
    )
    holds = (
        sa.select(Hold.wallet_id.label("wallet_id"), sa.func.sum(Hold.amount).label("total"))
        .where(Hold.status == HoldStatus.ACTIVE)
        .group_by(Hold.wallet_id)
        .subquery()
    )
    last = aliased(Transaction)
    ledger_sum = sa.func.coalesce(sums.c.total, 0)
    held_sum = sa.func.coalesce(holds.c.total, 0)
    query = (
        sa.select(
            Wallet.id,
            Wallet.user_id,
            Wallet.balance,
            Wallet.held,
            ledger_sum.label("ledger_sum"),
            held_sum.label("held_sum"),
            last.balance_after.label("last_balance_after"),
        )
        .outerjoin(sums, sums.c.wallet_id == Wallet.id)
        .outerjoin(holds, holds.c.wallet_id == Wallet.id)
        .outerjoin(last, last.id == sums.c.last_id)
        .where(
            sa.or_(
                Wallet.balance != ledger_sum,
                Wallet.balance < 0,
                Wallet.held < 0,
                Wallet.held != held_sum,
                sa.and_(last.id.is_not(None), last.balance_after != Wallet.balance),
            )
        )
        .order_by(Wallet.id)
    )
    checked = int(db.session.scalar(sa.select(sa.func.count(Wallet.id))) or 0)
    mismatches = []
    for row in db.session.execute(query):
        found = LedgerMismatch(
            row.id,
            row.user_id,
            int(row.balance),
            int(row.held),
            int(row.ledger_sum),
            int(row.held_sum),
            None if row.last_balance_after is None else int(row.last_balance_after),
        )
        if found.balance != found.ledger_sum:
            found.problems.append("balance != sum(ledger)")
        if found.balance < 0:
            found.problems.append("balance < 0")
        if found.held < 0:
            found.problems.append("held < 0")
        if found.held != found.active_holds:
            found.problems.append("held != sum(active holds)")
        if found.last_balance_after is not None and found.last_balance_after != found.balance:
            found.problems.append("last balance_after != balance")
        mismatches.append(found)
    return checked, mismatches
