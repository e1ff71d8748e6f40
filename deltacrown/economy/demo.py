"""Demo economy data for `flask demo seed`: shop items, a promo code, welcome coins and a few
purchases for the demo players. Idempotent: running it again changes nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.economy.models import InventoryItem, PromoCode, PromoKind, ShopItem, TransactionKind
from deltacrown.economy.services import catalog, ledger, promos, shop
from deltacrown.extensions import db

WELCOME_COINS = 1000
ITEMS = [
    {
        "sku": "CROWN-FRAME",
        "name": "Crown avatar frame",
        "price": 250,
        "description": "A golden frame around your avatar.",
    },
    {
        "sku": "NAME-GOLD",
        "name": "Gold name colour",
        "price": 400,
        "per_user_limit": 1,
        "description": "Show your name in gold in lobbies and brackets.",
    },
    {
        "sku": "FOUNDERS-BADGE",
        "name": "Founders badge",
        "price": 1000,
        "stock": 100,
        "per_user_limit": 1,
        "description": "For the first hundred supporters.",
    },
    {
        "sku": "XP-BOOST",
        "name": "Double XP weekend",
        "price": 150,
        "description": "Double leaderboard XP for one weekend.",
    },
]
PROMO: dict[str, Any] = {
    "code": "WELCOME10",
    "kind": PromoKind.PERCENT,
    "value": 10,
    "max_uses_per_user": 1,
    "description": "10% off one purchase for new players.",
}
# Demo players who already own something.
PURCHASES = {"alice": "CROWN-FRAME", "bob": "XP-BOOST"}


def seed_demo_economy(staff: Any, players: dict[str, Any]) -> None:
    """Create what is missing: items, the promo code, welcome coins, the demo purchases."""

    for values in ITEMS:
        if db.session.scalar(sa.select(ShopItem.id).where(ShopItem.sku == values["sku"])) is None:
            catalog.create_item(actor=staff, **values)
    if db.session.scalar(sa.select(PromoCode.id).where(PromoCode.code == PROMO["code"])) is None:
        promos.create_promo_code(actor=staff, **PROMO)
    for user in players.values():
        ledger.credit(
            user.id,
            WELCOME_COINS,
            kind=TransactionKind.DEPOSIT,
            key="demo:welcome",
            reason="Demo welcome coins",
        )
    for username, sku in PURCHASES.items():
        user = players.get(username)
        if user is None:
            continue
        owned = db.session.scalar(
            sa.select(InventoryItem.id)
            .join(ShopItem, ShopItem.id == InventoryItem.item_id)
            .where(InventoryItem.user_id == user.id, ShopItem.sku == sku)
        )
        if owned is None:
            shop.purchase_item(actor=user, item_ref=sku)
