"""Shop purchases: buy at once or hold then capture/release, promo codes on held purchases,
staff refunds, inventory, and the sweep that expires holds.

One purchase is one transaction: the buyer's wallet row is locked first (so a user's own
purchases are serialised for per-user limits), then stock is taken with a conditional UPDATE
(`stock >= :q`, NULL = unlimited), the promo use is counted with a conditional UPDATE, and the
coins are debited or held through `services.ledger`. Each use case runs in a SAVEPOINT, so a
refused purchase leaves nothing behind even before the boundary rolls back. Lock order is
always wallet -> item -> promo code -> hold, so concurrent use cases cannot deadlock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.verification import ensure_email_verified
from deltacrown.core import audit
from deltacrown.core.actors import Actor, UserActor
from deltacrown.core.db import table_of
from deltacrown.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.core.time import utcnow
from deltacrown.economy import policies, queries
from deltacrown.economy.errors import (
    HoldExpiredError,
    ItemNotAvailableError,
    OutOfStockError,
    PromoAlreadyAppliedError,
    PurchaseLimitExceededError,
    RefundExceedsPaidError,
)
from deltacrown.economy.models import (
    Hold,
    HoldStatus,
    InventoryItem,
    Purchase,
    PurchaseStatus,
    ShopItem,
    TransactionKind,
)
from deltacrown.economy.services import holds, ledger, promos, wallets
from deltacrown.extensions import db
from deltacrown.moderation import enforcement as moderation

log = logging.getLogger(__name__)

MAX_QUANTITY = 100
REFERENCE_TYPE = "shop_purchase"
SWEEP_BATCH = 500


def hold_minutes() -> int:
    return int(current_app.config.get("ECONOMY_HOLD_MINUTES", 15))


def _purchase_key(purchase: Purchase) -> str:
    return f"{REFERENCE_TYPE}:{purchase.id}"


# ----- stock and inventory (conditional statements) ------------------------------------------
def _take_stock(item: ShopItem, quantity: int) -> None:
    table = table_of(ShopItem)
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == item.id,
            sa.or_(table.c.stock.is_(None), table.c.stock >= quantity),
        )
        .values(
            stock=sa.case((table.c.stock.is_(None), None), else_=table.c.stock - quantity),
            version=table.c.version + 1,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise OutOfStockError(f"Not enough {item.sku} left for {quantity}.")
    db.session.expire(item, ["stock", "version"])


def _return_stock(item_id: int, quantity: int) -> None:
    table = table_of(ShopItem)
    db.session.execute(
        sa.update(table)
        .where(table.c.id == item_id, table.c.stock.is_not(None))
        .values(stock=table.c.stock + quantity, version=table.c.version + 1)
    )
    item = db.session.get(ShopItem, item_id)
    if item is not None:
        db.session.expire(item, ["stock", "version"])


def _change_inventory(user_id: int, item_id: int, delta: int) -> None:
    """Add (or, for a refund, remove) units; creates the row race-safely on first purchase."""
    table = table_of(InventoryItem)
    update = (
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.item_id == item_id)
        .values(
            quantity=sa.case((table.c.quantity + delta < 0, 0), else_=table.c.quantity + delta),
            updated_at=utcnow(),
        )
    )
    if db.session.execute(update).rowcount or delta < 0:  # type: ignore[attr-defined]
        return
    try:
        with db.session.begin_nested():
            db.session.add(InventoryItem(user_id=user_id, item_id=item_id, quantity=delta))
            db.session.flush()
    except IntegrityError:
        db.session.execute(update)


def _set_status(
    purchase: Purchase, expected: PurchaseStatus, target: PurchaseStatus, **values: Any
) -> None:
    """Conditional status change; InvalidTransitionError if another request moved it first."""
    table = table_of(Purchase)
    result = db.session.execute(
        sa.update(table)
        .where(table.c.id == purchase.id, table.c.status == expected.value)
        .values(status=target.value, updated_at=utcnow(), **values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        db.session.refresh(purchase)
        raise InvalidTransitionError(
            f"Purchase {purchase.id} is {purchase.status.value}, not {expected.value}."
        )
    db.session.refresh(purchase)


# ----- buying --------------------------------------------------------------------------------
def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            f"Quantity is 1-{MAX_QUANTITY}.", errors={"quantity": [f"1-{MAX_QUANTITY}."]}
        )


def purchase_item(
    *,
    actor: UserActor,
    item_ref: int | str,
    quantity: int = 1,
    promo_code: str | None = None,
    hold: bool = False,
) -> Purchase:
    """Buy `quantity` x an item for `actor`: paid at once (`completed`), or `held` for
    ECONOMY_HOLD_MINUTES with coins and stock reserved.

    Raises ItemNotFoundError (unknown or inactive), ItemNotAvailableError (outside its window),
    PurchaseLimitExceededError, OutOfStockError, the promo errors (422),
    InsufficientFundsError, ValidationError (quantity), SanctionedError (a ban or shop ban),
    EmailNotVerifiedError (403, when REQUIRE_EMAIL_VERIFICATION is on).
    """
    moderation.enforce(actor.id, moderation.Action.SHOP)
    ensure_email_verified(actor)
    _check_quantity(quantity)
    item = queries.get_item(item_ref)
    now = utcnow()
    if not item.is_available_at(now):
        raise ItemNotAvailableError(f"{item.sku} is not on sale now.")
    with db.session.begin_nested():
        wallet = wallets.get_or_create_wallet(actor.id)
        wallets.lock_wallet(wallet.id)
        if item.per_user_limit is not None and (
            queries.purchased_quantity(actor.id, item.id) + quantity > item.per_user_limit
        ):
            raise PurchaseLimitExceededError(
                f"{item.sku} is limited to {item.per_user_limit} per user."
            )
        priced = promos.quote(item, quantity, user_id=actor.id, code=promo_code)
        _take_stock(item, quantity)
        if priced.promo is not None:
            promos.count_use(priced.promo.id)
        purchase = Purchase(
            user_id=actor.id,
            item_id=item.id,
            quantity=quantity,
            unit_price=priced.unit_price,
            subtotal=priced.subtotal,
            discount=priced.discount,
            total=priced.total,
            promo_code_id=priced.promo.id if priced.promo else None,
            status=PurchaseStatus.HELD if hold else PurchaseStatus.COMPLETED,
            refunded_amount=0,
        )
        db.session.add(purchase)
        db.session.flush()
        if hold:
            _reserve(purchase, actor, now + timedelta(minutes=hold_minutes()))
        else:
            _pay(purchase, actor)
        db.session.flush()
    return purchase


def _reserve(purchase: Purchase, actor: Actor | None, expires_at: datetime) -> None:
    purchase.expires_at = expires_at
    if purchase.total > 0:
        reserved = holds.hold(
            purchase.user_id,
            purchase.total,
            kind=TransactionKind.PURCHASE,
            key=_purchase_key(purchase),
            expires_at=expires_at,
            reference=(REFERENCE_TYPE, purchase.id),
            actor=actor,
        )
        purchase.hold_id = reserved.id


def _pay(purchase: Purchase, actor: Actor | None) -> None:
    if purchase.total > 0:
        entry = ledger.debit(
            purchase.user_id,
            purchase.total,
            kind=TransactionKind.PURCHASE,
            key=_purchase_key(purchase),
            reference=(REFERENCE_TYPE, purchase.id),
            actor=actor,
        )
        purchase.transaction_id = entry.id
    _change_inventory(purchase.user_id, purchase.item_id, purchase.quantity)


def _load_for_action(purchase_id: int, actor: Actor | None) -> Purchase:
    purchase = queries.get_purchase(purchase_id, actor=actor)
    if not policies.can_act_on_purchase(actor, purchase):
        raise PermissionDeniedError("Not your purchase.")
    wallets.lock_wallet(wallets.get_or_create_wallet(purchase.user_id).id)
    db.session.refresh(purchase)
    return purchase


def _audit_if_staff(actor: Actor | None, purchase: Purchase, action: str, **after: Any) -> None:
    if actor is not None and actor.id != purchase.user_id:
        audit.record(
            actor=actor,
            action=action,
            target=purchase,
            after={"status": purchase.status.value, "user_id": purchase.user_id, **after},
        )


def capture_purchase(purchase_id: int, *, actor: Actor | None) -> Purchase:
    """Pay a held purchase from its hold; capturing a captured purchase returns it.

    Raises PurchaseNotFoundError, InvalidTransitionError (not held), HoldExpiredError,
    SanctionedError (the buyer is banned or shop-banned).
    """
    with db.session.begin_nested():
        purchase = _load_for_action(purchase_id, actor)
        if purchase.status == PurchaseStatus.CAPTURED:
            return purchase
        if purchase.status != PurchaseStatus.HELD:
            raise InvalidTransitionError(f"Purchase {purchase.id} is {purchase.status.value}.")
        moderation.enforce(purchase.user_id, moderation.Action.SHOP)
        if purchase.expires_at is not None and purchase.expires_at <= utcnow():
            raise HoldExpiredError(f"Purchase {purchase.id}'s hold has expired.")
        transaction_id = None
        if purchase.hold_id is not None and purchase.total > 0:
            transaction_id = holds.capture(purchase.hold_id, actor=actor).id
        _set_status(
            purchase,
            PurchaseStatus.HELD,
            PurchaseStatus.CAPTURED,
            captured_at=utcnow(),
            transaction_id=transaction_id,
        )
        _change_inventory(purchase.user_id, purchase.item_id, purchase.quantity)
        _audit_if_staff(actor, purchase, "shop.purchase_captured")
    return purchase


def _unreserve(purchase: Purchase, target: PurchaseStatus) -> None:
    _set_status(purchase, PurchaseStatus.HELD, target, released_at=utcnow())
    if purchase.hold_id is not None:
        holds.release(purchase.hold_id, expired=target == PurchaseStatus.EXPIRED)
    _return_stock(purchase.item_id, purchase.quantity)
    if purchase.promo_code_id is not None:
        promos.give_back_use(purchase.promo_code_id)


def release_purchase(purchase_id: int, *, actor: Actor | None) -> Purchase:
    """Give a held purchase's coins, stock and promo use back; releasing twice is a no-op.

    Raises PurchaseNotFoundError, InvalidTransitionError (already paid).
    """
    with db.session.begin_nested():
        purchase = _load_for_action(purchase_id, actor)
        if purchase.status in (PurchaseStatus.RELEASED, PurchaseStatus.EXPIRED):
            return purchase
        if purchase.status != PurchaseStatus.HELD:
            raise InvalidTransitionError(f"Purchase {purchase.id} is {purchase.status.value}.")
        _unreserve(purchase, PurchaseStatus.RELEASED)
        _audit_if_staff(actor, purchase, "shop.purchase_released")
    return purchase


def apply_promo(purchase_id: int, *, actor: Actor | None, code: str) -> Purchase:
    """Apply a promo code to a held purchase, lowering its hold to the new total.

    Raises PurchaseNotFoundError, InvalidTransitionError (not held), PromoAlreadyAppliedError,
    HoldExpiredError, the promo errors (422).
    """
    with db.session.begin_nested():
        purchase = _load_for_action(purchase_id, actor)
        if purchase.status != PurchaseStatus.HELD:
            raise InvalidTransitionError(f"Purchase {purchase.id} is {purchase.status.value}.")
        if purchase.promo_code_id is not None:
            raise PromoAlreadyAppliedError(f"Purchase {purchase.id} already has a promo code.")
        if purchase.expires_at is not None and purchase.expires_at <= utcnow():
            raise HoldExpiredError(f"Purchase {purchase.id}'s hold has expired.")
        promo = promos.check_promo(
            code, item=purchase.item, subtotal=purchase.subtotal, user_id=purchase.user_id
        )
        promos.count_use(promo.id)
        discount = promos.discount_for(promo, purchase.subtotal)
        new_total = purchase.subtotal - discount
        if purchase.hold_id is not None and new_total > 0:
            holds.reduce_hold(purchase.hold_id, new_total)
        elif purchase.hold_id is not None:
            holds.release(purchase.hold_id)
        purchase.promo_code_id = promo.id
        purchase.discount = discount
        purchase.total = new_total
        db.session.flush()
    return purchase


def refund_purchase(
    purchase_id: int, *, actor: Actor | None, reason: str, amount: int | None = None
) -> Purchase:
    """Staff: refund (part of) a paid purchase, up to what is left of its total; audited.

    A full refund marks it `refunded`, takes the units out of the buyer's inventory and puts
    limited stock back. Raises PermissionDeniedError, PurchaseNotFoundError,
    InvalidTransitionError (not paid), RefundExceedsPaidError, ValidationError (no reason).
    """
    if not policies.can_refund(actor):
        raise PermissionDeniedError("Only staff may refund purchases.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Refunds need a reason.", errors={"reason": ["Required."]})
    with db.session.begin_nested():
        purchase = _load_for_action(purchase_id, actor)
        paid = (PurchaseStatus.COMPLETED, PurchaseStatus.CAPTURED, PurchaseStatus.REFUNDED)
        if purchase.status not in paid:
            raise InvalidTransitionError(f"Purchase {purchase.id} is {purchase.status.value}.")
        left = purchase.total - purchase.refunded_amount
        amount = left if amount is None else amount
        if amount <= 0 or amount > left or purchase.transaction_id is None:
            raise RefundExceedsPaidError(
                f"{purchase.total} coins were paid and {purchase.refunded_amount} refunded; "
                f"at most {max(left, 0)} can be refunded."
            )
        table = table_of(Purchase)
        done = db.session.execute(
            sa.update(table)
            .where(table.c.id == purchase.id, table.c.refunded_amount + amount <= table.c.total)
            .values(refunded_amount=table.c.refunded_amount + amount, updated_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]
        if not done:
            raise RefundExceedsPaidError("The purchase was refunded meanwhile; reload it.")
        entry = ledger.refund(purchase.transaction_id, amount, reason=reason, actor=actor)
        db.session.refresh(purchase)
        if purchase.refunded_amount == purchase.total:
            _set_status(purchase, purchase.status, PurchaseStatus.REFUNDED)
            _change_inventory(purchase.user_id, purchase.item_id, -purchase.quantity)
            _return_stock(purchase.item_id, purchase.quantity)
        audit.record(
            actor=actor,
            action="shop.purchase_refunded",
            target=purchase,
            after={
                "amount": amount,
                "reason": reason,
                "transaction_id": entry.id,
                "refunded_amount": purchase.refunded_amount,
                "user_id": purchase.user_id,
            },
        )
    return purchase


# ----- the sweep -----------------------------------------------------------------------------
def expire_purchase(purchase_id: int) -> bool:
    """Expire one held purchase whose time is up; False if it was no longer due."""
    with db.session.begin_nested():
        purchase = db.session.get(Purchase, purchase_id, populate_existing=True)
        if purchase is None:
            return False
        wallets.lock_wallet(wallets.get_or_create_wallet(purchase.user_id).id)
        db.session.refresh(purchase)
        if purchase.status != PurchaseStatus.HELD or (
            purchase.expires_at is not None and purchase.expires_at > utcnow()
        ):
            return False
        _unreserve(purchase, PurchaseStatus.EXPIRED)
    return True


def release_expired_holds(limit: int = SWEEP_BATCH) -> int:
    """Release holds past `expires_at`: held shop purchases (coins, stock and promo use back)
    and any other active hold. Returns how many were released; safe to run concurrently."""
    now = utcnow()
    released = 0
    due_purchases = db.session.scalars(
        sa.select(Purchase.id)
        .where(Purchase.status == PurchaseStatus.HELD, Purchase.expires_at <= now)
        .order_by(Purchase.id)
        .limit(limit)
    ).all()
    for purchase_id in due_purchases:
        try:
            released += int(expire_purchase(purchase_id))
        except DomainError:  # one odd row must not stop the sweep; it is retried next run
            log.exception("could not expire purchase %s", purchase_id)
    due_holds = db.session.scalars(
        sa.select(Hold.id)
        .where(
            Hold.status == HoldStatus.ACTIVE,
            Hold.expires_at <= now,
            sa.or_(Hold.reference_type.is_(None), Hold.reference_type != REFERENCE_TYPE),
        )
        .order_by(Hold.id)
        .limit(limit)
    ).all()
    for hold_id in due_holds:
        try:
            if holds.get_hold(hold_id).status == HoldStatus.ACTIVE:
                holds.release(hold_id, expired=True)
                released += 1
        except DomainError:
            log.exception("could not expire hold %s", hold_id)
    return released
