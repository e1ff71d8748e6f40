"""Shop catalogue use cases for staff: create, change and delete shop items.

Stock set here is an absolute value chosen by staff; purchases change it only through the
conditional statements in `services.shop`.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from deltacrown.core.actors import Actor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.inputs import INT32_MAX
from deltacrown.economy import policies
from deltacrown.economy.errors import ItemInUseError, SkuTakenError
from deltacrown.economy.models import InventoryItem, Purchase, ShopItem
from deltacrown.economy.queries import normalise_sku
from deltacrown.extensions import db

SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
ITEM_FIELDS = (
    "sku",
    "name",
    "description",
    "price",
    "stock",
    "available_from",
    "available_to",
    "per_user_limit",
    "image_url",
    "image_alt_text",
    "is_active",
)


def _require_staff(actor: Actor | None) -> None:
    if not policies.can_manage_shop(actor):
        raise PermissionDeniedError("Only staff may manage the shop.")


def validate_item(values: dict[str, Any]) -> None:
    """Shape rules for an item's fields (also used by the Flask-Admin form)."""
    errors: dict[str, list[str]] = {}
    if not SKU_RE.match(values["sku"]):
        errors["sku"] = [
            "2-40 characters of A-Z, 0-9, '_' or '-', starting with a letter or digit."
        ]
    if not (values.get("name") or "").strip():
        errors["name"] = ["Required."]
    image_url = (values.get("image_url") or "").strip()
    if image_url and not image_url.startswith(("https://", "http://")):
        errors["image_url"] = ["An http(s) URL."]
    if image_url and not (values.get("image_alt_text") or "").strip():
        errors["image_alt_text"] = ["Required with image_url: what the picture shows."]
    if not isinstance(values["price"], int) or not 1 <= values["price"] <= INT32_MAX:
        errors["price"] = [f"1 to {INT32_MAX} coins."]
    if values.get("stock") is not None and not 0 <= values["stock"] <= INT32_MAX:
        errors["stock"] = [f"0 to {INT32_MAX}; null for unlimited."]
    if values.get("per_user_limit") is not None and not 1 <= values["per_user_limit"] <= INT32_MAX:
        errors["per_user_limit"] = [f"1 to {INT32_MAX}; null for no limit."]
    start, end = values.get("available_from"), values.get("available_to")
    if start is not None and end is not None and end <= start:
        errors["available_to"] = ["Must be after available_from."]
    if errors:
        raise ValidationError("The item has invalid fields; see errors.", errors=errors)


def _sku_taken(sku: str, except_id: int | None = None) -> bool:
    query = sa.select(ShopItem.id).where(ShopItem.sku == sku)
    if except_id is not None:
        query = query.where(ShopItem.id != except_id)
    return db.session.scalar(query) is not None


def create_item(*, actor: Actor | None, **values: Any) -> ShopItem:
    """Add an item. Raises PermissionDeniedError, ValidationError, SkuTakenError."""
    _require_staff(actor)
    values = {name: values.get(name) for name in ITEM_FIELDS if name in values}
    values["sku"] = normalise_sku(values.get("sku") or "")
    values.setdefault("is_active", True)
    validate_item(values)
    if _sku_taken(values["sku"]):
        raise SkuTakenError(f"SKU {values['sku']} is already used.")
    item = ShopItem(**values)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: ShopItem, *, actor: Actor | None, changes: dict[str, Any]) -> ShopItem:
    """Change an item's fields. Raises PermissionDeniedError, ValidationError, SkuTakenError."""
    _require_staff(actor)
    values = {name: getattr(item, name) for name in ITEM_FIELDS}
    values.update({k: v for k, v in changes.items() if k in ITEM_FIELDS})
    values["sku"] = normalise_sku(values["sku"] or "")
    validate_item(values)
    if values["sku"] != item.sku and _sku_taken(values["sku"], except_id=item.id):
        raise SkuTakenError(f"SKU {values['sku']} is already used.")
    for name, value in values.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
    db.session.flush()
    return item


def delete_item(item: ShopItem, *, actor: Actor | None) -> None:
    """Delete an item nobody bought; otherwise ItemInUseError (deactivate it instead)."""
    _require_staff(actor)
    used = db.session.scalar(sa.select(Purchase.id).where(Purchase.item_id == item.id).limit(1))
    owned = db.session.scalar(
        sa.select(InventoryItem.id).where(InventoryItem.item_id == item.id).limit(1)
    )
    if used is not None or owned is not None:
        raise ItemInUseError(f"Item {item.sku} has purchases; set is_active false instead.")
    db.session.delete(item)
    db.session.flush()
