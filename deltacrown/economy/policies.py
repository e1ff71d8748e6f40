"""Who may do what in the economy: pure predicates, enforced by the services."""

from __future__ import annotations

from typing import Any


def is_staff(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_staff", False))


def can_adjust_wallets(actor: Any) -> bool:
    """Staff only: adjustments need a reason and are audited."""
    return is_staff(actor)


def can_refund(actor: Any) -> bool:
    """Staff only: refunds of shop purchases."""
    return is_staff(actor)


def can_manage_shop(actor: Any) -> bool:
    """Staff only: items and promo codes."""
    return is_staff(actor)


def can_view_revenue(actor: Any) -> bool:
    return is_staff(actor)


def can_see_purchase(actor: Any, purchase: Any) -> bool:
    """The buyer and staff; for anyone else the purchase does not exist (404)."""
    return is_staff(actor) or (actor is not None and actor.id == purchase.user_id)


def can_act_on_purchase(actor: Any, purchase: Any) -> bool:
    """Capture, release or apply a promo: the buyer, or staff on the buyer's behalf."""
    return can_see_purchase(actor, purchase)
