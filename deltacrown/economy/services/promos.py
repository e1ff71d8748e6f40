"""Promo codes: pricing a basket with a code, checking a code's rules, counting its uses
(conditional UPDATE, in the purchase's transaction), and staff CRUD.

A use is counted when a purchase (held or paid) takes the code and given back when a held
purchase is released or expires; refunds keep the use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from deltacrown.core.actors import Actor
from deltacrown.core.db import table_of
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.inputs import INT32_MAX
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.economy import policies, queries
from deltacrown.economy.errors import (
    PromoCodeInUseError,
    PromoCodeTakenError,
    PromoExhaustedError,
    PromoExpiredError,
    PromoMinSpendError,
    PromoNotApplicableError,
    PromoNotFoundError,
    PromoPerUserLimitError,
)
from deltacrown.economy.models import (
    ACTIVE_PURCHASE_STATUSES,
    PromoCode,
    PromoKind,
    Purchase,
    PurchaseStatus,
    ShopItem,
)
from deltacrown.extensions import db

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
PROMO_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "valid_from",
    "valid_to",
    "max_uses",
    "max_uses_per_user",
    "min_spend",
    "is_active",
)
# Purchases whose promo use still counts (a refund does not give the use back).
PROMO_USE_STATUSES = (*ACTIVE_PURCHASE_STATUSES, PurchaseStatus.REFUNDED)


@dataclass(frozen=True)
class Quote:
    """The price of `quantity` x `item`, with the promo code's discount if one applies."""

    item: ShopItem
    quantity: int
    unit_price: int
    subtotal: int
    discount: int
    total: int
    promo: PromoCode | None = None


def discount_for(promo: PromoCode, subtotal: int) -> int:
    """Whole coins off: percent rounds down; a fixed discount never exceeds the subtotal."""
    if promo.kind == PromoKind.PERCENT:
        return min(subtotal * promo.value // 100, subtotal)
    return min(promo.value, subtotal)


def uses_by_user(promo_id: int, user_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Purchase.id)).where(
                Purchase.promo_code_id == promo_id,
                Purchase.user_id == user_id,
                Purchase.status.in_(PROMO_USE_STATUSES),
            )
        )
        or 0
    )


def check_promo(
    code: str, *, item: ShopItem, subtotal: int, user_id: int, now: datetime | None = None
) -> PromoCode:
    """The code if it may be used on this basket by this user; else the first broken rule.

    Raises (all 422) PromoNotFoundError (unknown or inactive), PromoExpiredError (outside
    valid_from..valid_to), PromoExhaustedError, PromoNotApplicableError (item restrictions),
    PromoMinSpendError, PromoPerUserLimitError.
    """
    now = now or utcnow()
    promo = queries.find_promo_by_code(code)
    if promo is None or not promo.is_active:
        raise PromoNotFoundError(f"No promo code {code!r}.", errors={"code": ["Unknown code."]})
    if promo.valid_from is not None and now < promo.valid_from:
        raise PromoExpiredError(
            f"Code {promo.code} is valid from {readable(promo.valid_from)}.",
            valid_from=isoformat(promo.valid_from),
        )
    if promo.valid_to is not None and now >= promo.valid_to:
        raise PromoExpiredError(
            f"Code {promo.code} expired at {readable(promo.valid_to)}.",
            valid_to=isoformat(promo.valid_to),
        )
    if promo.max_uses is not None and promo.uses_count >= promo.max_uses:
        raise PromoExhaustedError(f"Code {promo.code} has been used {promo.max_uses} times.")
    if promo.items and item.id not in {restricted.id for restricted in promo.items}:
        raise PromoNotApplicableError(f"Code {promo.code} does not apply to {item.sku}.")
    if subtotal < promo.min_spend:
        raise PromoMinSpendError(f"Code {promo.code} needs a spend of at least {promo.min_spend}.")
    if promo.max_uses_per_user is not None and (
        uses_by_user(promo.id, user_id) >= promo.max_uses_per_user
    ):
        raise PromoPerUserLimitError(
            f"Code {promo.code} may be used {promo.max_uses_per_user} time(s) per user."
        )
    return promo


def quote(item: ShopItem, quantity: int, *, user_id: int, code: str | None = None) -> Quote:
    """Price a basket; with `code`, checked by `check_promo` and its discount applied."""
    subtotal = item.price * quantity
    if not code:
        return Quote(item, quantity, item.price, subtotal, 0, subtotal)
    promo = check_promo(code, item=item, subtotal=subtotal, user_id=user_id)
    discount = discount_for(promo, subtotal)
    return Quote(item, quantity, item.price, subtotal, discount, subtotal - discount, promo)


def count_use(promo_id: int) -> None:
    """Count one use, only while under max_uses (the conditional UPDATE decides races)."""
    table = table_of(PromoCode)
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == promo_id,
            sa.or_(table.c.max_uses.is_(None), table.c.uses_count < table.c.max_uses),
        )
        .values(uses_count=table.c.uses_count + 1, version=table.c.version + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise PromoExhaustedError("The promo code has just been used up.")
    _expire_promo(promo_id)


def give_back_use(promo_id: int) -> None:
    """Undo `count_use` for a released or expired hold."""
    table = table_of(PromoCode)
    db.session.execute(
        sa.update(table)
        .where(table.c.id == promo_id, table.c.uses_count > 0)
        .values(uses_count=table.c.uses_count - 1, version=table.c.version + 1)
    )
    _expire_promo(promo_id)


def _expire_promo(promo_id: int) -> None:

    loaded = db.session.identity_map.get(identity_key(PromoCode, promo_id))
    if loaded is not None:
        db.session.expire(loaded, ["uses_count", "version"])


# ----- staff CRUD ----------------------------------------------------------------------------
def _require_staff(actor: Actor | None) -> None:
    if not policies.can_manage_shop(actor):
        raise PermissionDeniedError("Only staff may manage promo codes.")


def validate_promo(values: dict[str, Any]) -> None:
    """Shape rules for a promo code's fields (also used by the Flask-Admin form)."""
    errors: dict[str, list[str]] = {}
    if not CODE_RE.match(values["code"]):
        errors["code"] = ["3-40 characters of A-Z, 0-9, '_' or '-'."]
    kind, value = values.get("kind"), values.get("value")
    if kind not in (PromoKind.PERCENT, PromoKind.FIXED):
        errors["kind"] = ["percent or fixed."]
    elif not isinstance(value, int) or not 1 <= value <= (
        100 if kind == PromoKind.PERCENT else INT32_MAX
    ):
        errors["value"] = [
            "1-100 for percent codes." if kind == PromoKind.PERCENT else f"1 to {INT32_MAX}."
        ]
    start, end = values.get("valid_from"), values.get("valid_to")
    if start is not None and end is not None and end <= start:
        errors["valid_to"] = ["Must be after valid_from."]
    for name in ("max_uses", "max_uses_per_user"):
        if values.get(name) is not None and not 1 <= values[name] <= INT32_MAX:
            errors[name] = [f"1 to {INT32_MAX}; null for unlimited."]
    if not 0 <= (values.get("min_spend") or 0) <= INT32_MAX:
        errors["min_spend"] = [f"0 to {INT32_MAX}."]
    if errors:
        raise ValidationError("The promo code has invalid fields; see errors.", errors=errors)


def _load_items(item_ids: list[int]) -> list[ShopItem]:
    wanted = sorted(set(item_ids))
    items = list(db.session.scalars(sa.select(ShopItem).where(ShopItem.id.in_(wanted))))
    missing = sorted(set(wanted) - {item.id for item in items})
    if missing:
        raise ValidationError(
            "Unknown items in the restriction list.",
            errors={"items": [f"No item {item_id}." for item_id in missing]},
        )
    return sorted(items, key=lambda item: item.id)


def _code_taken(code: str, except_id: int | None = None) -> bool:
    query = sa.select(PromoCode.id).where(PromoCode.code == code)
    if except_id is not None:
        query = query.where(PromoCode.id != except_id)
    return db.session.scalar(query) is not None


def create_promo_code(
    *, actor: Actor | None, items: list[int] | None = None, **values: Any
) -> PromoCode:
    """Add a code. Raises PermissionDeniedError, ValidationError, PromoCodeTakenError."""
    _require_staff(actor)
    values = {name: values.get(name) for name in PROMO_FIELDS if name in values}
    values["code"] = queries.normalise_code(values.get("code") or "")
    values.setdefault("min_spend", 0)
    values.setdefault("is_active", True)
    validate_promo(values)
    if _code_taken(values["code"]):
        raise PromoCodeTakenError(f"Code {values['code']} already exists.")
    promo = PromoCode(**values, uses_count=0)
    promo.items = _load_items(items or [])
    db.session.add(promo)
    db.session.flush()
    return promo


def update_promo_code(
    promo: PromoCode, *, actor: Actor | None, changes: dict[str, Any]
) -> PromoCode:
    """Change a code's rules (`items` replaces the restriction list)."""
    _require_staff(actor)
    values = {name: getattr(promo, name) for name in PROMO_FIELDS}
    values.update({k: v for k, v in changes.items() if k in PROMO_FIELDS})
    values["code"] = queries.normalise_code(values["code"] or "")
    values["min_spend"] = values.get("min_spend") or 0
    validate_promo(values)
    if values["code"] != promo.code and _code_taken(values["code"], except_id=promo.id):
        raise PromoCodeTakenError(f"Code {values['code']} already exists.")
    for name, value in values.items():
        if getattr(promo, name) != value:
            setattr(promo, name, value)
    if "items" in changes:
        promo.items = _load_items(changes["items"] or [])
        promo.updated_at = utcnow()  # a change of the list alone still bumps the version
    db.session.flush()
    return promo


def delete_promo_code(promo: PromoCode, *, actor: Actor | None) -> None:
    """Delete a code no purchase used; otherwise PromoCodeInUseError (deactivate it)."""
    _require_staff(actor)
    used = db.session.scalar(
        sa.select(Purchase.id).where(Purchase.promo_code_id == promo.id).limit(1)
    )
    if used is not None or promo.uses_count:
        raise PromoCodeInUseError(f"Code {promo.code} was used; set is_active false instead.")
    db.session.delete(promo)
    db.session.flush()
