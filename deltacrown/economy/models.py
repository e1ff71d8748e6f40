"""Economy models: Wallet, the Transaction ledger, Hold, ShopItem, Purchase, InventoryItem,
PromoCode, and their enums.

Balances, held amounts, stock and promo use counts are changed only by conditional UPDATE
statements in `economy.services` (never by assigning the ORM attributes), so none of these
tables uses the ORM version counter for them; CHECK constraints are the last line of defence.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core.db import TimestampMixin, UTCDateTime, VersionMixin, enum_type
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model, db


class TransactionKind(enum.StrEnum):
    DEPOSIT = "deposit"
    ENTRY_FEE = "entry_fee"
    REFUND = "refund"
    PRIZE = "prize"
    PURCHASE = "purchase"
    PURCHASE_RELEASE = "purchase_release"
    PROMO = "promo"
    ADJUSTMENT = "adjustment"
    # Money in before money out: a tournament's escrow (a system wallet) takes entry fees and
    # an organizer-funded prize pool in, and pays refunds, prizes and the settlement out.
    PRIZE_POOL = "prize_pool"  # the organizer funds a coin prize pool (debit)
    ESCROW_IN = "escrow_in"  # into a tournament's escrow (credit)
    ESCROW_OUT = "escrow_out"  # out of a tournament's escrow (debit)
    PLATFORM_FEE = "platform_fee"  # the house's share of entry fees (credit)
    SETTLEMENT = "settlement"  # what a tournament's escrow returns to its organizer (credit)


# Which sign each kind may carry; `adjustment` may be either.
CREDIT_KINDS = frozenset(
    {
        TransactionKind.DEPOSIT,
        TransactionKind.REFUND,
        TransactionKind.PRIZE,
        TransactionKind.PURCHASE_RELEASE,
        TransactionKind.PROMO,
        TransactionKind.ADJUSTMENT,
        TransactionKind.ESCROW_IN,
        TransactionKind.PLATFORM_FEE,
        TransactionKind.SETTLEMENT,
    }
)
DEBIT_KINDS = frozenset(
    {
        TransactionKind.ENTRY_FEE,
        TransactionKind.PURCHASE,
        TransactionKind.ADJUSTMENT,
        TransactionKind.PRIZE_POOL,
        TransactionKind.ESCROW_OUT,
    }
)
# Debits that may be refunded (partially, up to what was paid).
REFUNDABLE_KINDS = frozenset({TransactionKind.ENTRY_FEE, TransactionKind.PURCHASE})


class HoldStatus(enum.StrEnum):
    ACTIVE = "active"
    CAPTURED = "captured"
    RELEASED = "released"
    EXPIRED = "expired"


class PurchaseStatus(enum.StrEnum):
    HELD = "held"  # coins and stock reserved until expires_at
    COMPLETED = "completed"  # paid at once
    CAPTURED = "captured"  # paid by capturing its hold
    RELEASED = "released"  # hold given back by the buyer or staff
    EXPIRED = "expired"  # hold given back by the sweep
    REFUNDED = "refunded"  # fully refunded


# Purchases that count against per-user limits and promo use counts.
ACTIVE_PURCHASE_STATUSES = (
    PurchaseStatus.HELD,
    PurchaseStatus.COMPLETED,
    PurchaseStatus.CAPTURED,
)


class PromoKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class Wallet(TimestampMixin, Model):
    """One per user, or a system account (`account`: a tournament's escrow, the house).
    `balance` == sum of its ledger; `held` == sum of its active holds."""

    __tablename__ = "wallets"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (account IS NULL)", name="user_xor_account"),
        sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
        sa.CheckConstraint("held >= 0", name="held_not_negative"),
        sa.CheckConstraint("held <= balance", name="held_within_balance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), unique=True
    )
    # A system account's name: `escrow:tournament:<id>`, `house`.
    account: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    balance: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    held: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    # Bumped by every balance statement (not the ORM counter): feeds the wallet's ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    user = relationship("User")

    @property
    def available(self) -> int:
        return self.balance - self.held

    def __str__(self) -> str:
        return f"Wallet #{self.id} ({self.balance:,} coins)"

    def __repr__(self) -> str:
        return f"<Wallet {self.id} user={self.user_id} balance={self.balance} held={self.held}>"


class Transaction(Model):
    """An append-only ledger row: a signed coin amount and the balance right after it."""

    __tablename__ = "wallet_transactions"
    __table_args__ = (
        sa.UniqueConstraint("wallet_id", "idempotency_key"),
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        sa.Index("ix_wallet_transactions_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wallet_id: Mapped[int] = mapped_column(
        sa.ForeignKey("wallets.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    kind: Mapped[TransactionKind] = mapped_column(enum_type(TransactionKind), nullable=False)
    reference_type: Mapped[str | None] = mapped_column(sa.String(40))
    reference_id: Mapped[int | None] = mapped_column(sa.Integer)
    # For refunds: the debit being refunded.
    refund_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("wallet_transactions.id", ondelete="RESTRICT"), index=True
    )
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    balance_after: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    wallet: Mapped[Wallet] = relationship()

    def __str__(self) -> str:
        return f"#{self.id} {self.kind.value.replace('_', ' ')} {self.amount:+,d} coins"

    def __repr__(self) -> str:
        return f"<Transaction {self.id} wallet={self.wallet_id} {self.kind} {self.amount:+d}>"


class Hold(Model):
    """Coins reserved on a wallet (not a ledger row): captured into a debit, or released."""

    __tablename__ = "wallet_holds"
    __table_args__ = (
        sa.UniqueConstraint("wallet_id", "idempotency_key"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("ix_wallet_holds_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wallet_id: Mapped[int] = mapped_column(
        sa.ForeignKey("wallets.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    # The ledger kind its capture writes (a debit kind).
    kind: Mapped[TransactionKind] = mapped_column(enum_type(TransactionKind), nullable=False)
    status: Mapped[HoldStatus] = mapped_column(
        enum_type(HoldStatus), nullable=False, default=HoldStatus.ACTIVE
    )
    reference_type: Mapped[str | None] = mapped_column(sa.String(40))
    reference_id: Mapped[int | None] = mapped_column(sa.Integer)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capture_transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("wallet_transactions.id", ondelete="RESTRICT")
    )

    wallet: Mapped[Wallet] = relationship()
    capture_transaction: Mapped[Transaction | None] = relationship()

    def __str__(self) -> str:
        return f"Hold #{self.id}"

    def __repr__(self) -> str:
        return f"<Hold {self.id} wallet={self.wallet_id} {self.amount} {self.status}>"


class ShopItem(TimestampMixin, VersionMixin, Model):
    """Something coins buy. `stock` None means unlimited."""

    __tablename__ = "shop_items"
    __table_args__ = (
        sa.CheckConstraint("price > 0", name="price_positive"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint(
            "per_user_limit IS NULL OR per_user_limit > 0", name="per_user_limit_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    price: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    stock: Mapped[int | None] = mapped_column(sa.Integer)
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    available_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    per_user_limit: Mapped[int | None] = mapped_column(sa.Integer)
    # The item's picture and what it shows, for screen readers (required with a picture).
    image_url: Mapped[str | None] = mapped_column(sa.String(500))
    image_alt_text: Mapped[str | None] = mapped_column(sa.String(300))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, index=True)

    def is_available_at(self, moment: datetime) -> bool:
        """Active and inside its window (from inclusive, to exclusive)."""
        if not self.is_active:
            return False
        if self.available_from is not None and moment < self.available_from:
            return False
        return self.available_to is None or moment < self.available_to

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<ShopItem {self.id} {self.sku}>"


promo_code_items = sa.Table(
    "promo_code_items",
    db.metadata,
    sa.Column(
        "promo_code_id", sa.ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item_id", sa.ForeignKey("shop_items.id", ondelete="CASCADE"), primary_key=True),
)


class PromoCode(TimestampMixin, VersionMixin, Model):
    """A discount code. `items` empty means every item; None limits mean unlimited."""

    __tablename__ = "promo_codes"
    __table_args__ = (
        sa.CheckConstraint("value > 0", name="value_positive"),
        sa.CheckConstraint("uses_count >= 0", name="uses_count_not_negative"),
        sa.CheckConstraint("min_spend >= 0", name="min_spend_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored upper-case: codes are case-insensitive.
    code: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[PromoKind] = mapped_column(enum_type(PromoKind), nullable=False)
    # Percent (1-100) or coins off.
    value: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_uses: Mapped[int | None] = mapped_column(sa.Integer)
    max_uses_per_user: Mapped[int | None] = mapped_column(sa.Integer)
    min_spend: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Uses by held and paid purchases; a released or expired hold gives its use back.
    uses_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    items: Mapped[list[ShopItem]] = relationship(secondary=promo_code_items, order_by="ShopItem.id")

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"<PromoCode {self.id} {self.code}>"


class Purchase(TimestampMixin, Model):
    """A shop purchase: paid at once, or held and then captured or released."""

    __tablename__ = "shop_purchases"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("discount >= 0 AND total >= 0", name="amounts_not_negative"),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total", name="refund_within_total"
        ),
        # The minute sweep's held purchases past their expiry.
        sa.Index("ix_shop_purchases_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shop_items.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    subtotal: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    discount: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    promo_code_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("promo_codes.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[PurchaseStatus] = mapped_column(enum_type(PurchaseStatus), nullable=False)
    hold_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wallet_holds.id"))
    transaction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wallet_transactions.id"))
    refunded_amount: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[ShopItem] = relationship()
    promo_code: Mapped[PromoCode | None] = relationship()
    hold: Mapped[Hold | None] = relationship()
    user = relationship("User")

    def __str__(self) -> str:
        return f"Purchase #{self.id}"

    def __repr__(self) -> str:
        return f"<Purchase {self.id} user={self.user_id} item={self.item_id} {self.status}>"


class InventoryItem(TimestampMixin, Model):
    """How many of an item a user owns (from completed and captured purchases)."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_id"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shop_items.id", ondelete="RESTRICT"), nullable=False
    )
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    item: Mapped[ShopItem] = relationship()

    def __str__(self) -> str:
        return f"{self.quantity} × item #{self.item_id}"

    def __repr__(self) -> str:
        return f"<InventoryItem user={self.user_id} item={self.item_id} x{self.quantity}>"
