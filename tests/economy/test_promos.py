"""Promo code rules (every 422 code), use counting, and staff CRUD for promo codes and items."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.economy.errors import (
    ItemInUseError,
    PromoCodeInUseError,
    PromoCodeTakenError,
    PromoExhaustedError,
    PromoExpiredError,
    PromoMinSpendError,
    PromoNotApplicableError,
    PromoNotFoundError,
    PromoPerUserLimitError,
    SkuTakenError,
)
from deltacrown.economy.models import PromoKind, PurchaseStatus
from deltacrown.economy.services import catalog, promos, shop
from deltacrown.extensions import db
from tests.economy.conftest import STAFF_ACTOR, fund, new_item, new_promo


def check(code, item, user, quantity=1):
    return promos.quote(item, quantity, user_id=user.id, code=code)


def test_quote_gives_percent_and_fixed_discounts(player):
    item = new_item(price=30)
    assert check(new_promo(kind=PromoKind.PERCENT, value=10).code, item, player, 3).discount == 9
    fixed = check(new_promo(kind=PromoKind.FIXED, value=25).code, item, player, 2)
    assert (fixed.subtotal, fixed.discount, fixed.total) == (60, 25, 35)
    capped = check(new_promo(kind=PromoKind.FIXED, value=500).code, item, player)
    assert (capped.discount, capped.total) == (30, 0)


def test_unknown_or_inactive_codes_are_not_found(player):
    item = new_item()
    with pytest.raises(PromoNotFoundError) as exc:
        check("NOPE", item, player)
    assert exc.value.status == 422
    with pytest.raises(PromoNotFoundError):
        check(new_promo(is_active=False).code, item, player)


def test_codes_work_only_inside_their_window(player):
    now = utcnow()
    item = new_item()
    promo = new_promo(valid_from=now + timedelta(days=1), valid_to=now + timedelta(days=2))
    with pytest.raises(PromoExpiredError) as exc:
        check(promo.code, item, player)
    assert exc.value.code == "promo_expired" and exc.value.status == 422
    with time_machine.travel(now + timedelta(days=1, hours=1)):
        assert check(promo.code, item, player).promo.id == promo.id
    with time_machine.travel(now + timedelta(days=2)):
        with pytest.raises(PromoExpiredError):
            check(promo.code, item, player)


def test_codes_are_exhausted_after_max_uses(player, other_player):
    fund(player.id, 500)
    fund(other_player.id, 500)
    item = new_item(price=10)
    promo = new_promo(max_uses=1)
    shop.purchase_item(actor=player, item_ref=item.id, promo_code=promo.code)
    with pytest.raises(PromoExhaustedError) as exc:
        shop.purchase_item(actor=other_player, item_ref=item.id, promo_code=promo.code)
    assert exc.value.code == "promo_exhausted"


def test_the_use_count_update_refuses_past_max_uses(player):
    """Even when the pre-check passed (a concurrent buyer took the last use), the conditional
    UPDATE refuses."""
    promo = new_promo(max_uses=1)
    promos.count_use(promo.id)
    with pytest.raises(PromoExhaustedError):
        promos.count_use(promo.id)
    db.session.refresh(promo)
    assert promo.uses_count == 1


def test_item_restrictions(player):
    allowed, other = new_item(), new_item()
    promo = new_promo(items=[allowed.id])
    assert check(promo.code, allowed, player).promo.id == promo.id
    with pytest.raises(PromoNotApplicableError) as exc:
        check(promo.code, other, player)
    assert exc.value.code == "promo_not_applicable"


def test_minimum_spend(player):
    item = new_item(price=40)
    promo = new_promo(min_spend=100)
    with pytest.raises(PromoMinSpendError) as exc:
        check(promo.code, item, player, quantity=2)
    assert exc.value.code == "promo_min_spend"
    assert check(promo.code, item, player, quantity=3).subtotal == 120


def test_per_user_limit_counts_held_paid_and_refunded_purchases(player, other_player, staff_user):
    fund(player.id, 1000)
    item = new_item(price=100)
    promo = new_promo(max_uses_per_user=2)
    held = shop.purchase_item(actor=player, item_ref=item.id, promo_code=promo.code, hold=True)
    paid = shop.purchase_item(actor=player, item_ref=item.id, promo_code=promo.code)
    with pytest.raises(PromoPerUserLimitError) as exc:
        check(promo.code, item, player)
    assert exc.value.code == "promo_per_user_limit"
    assert check(promo.code, item, other_player).promo.id == promo.id
    shop.release_purchase(held.id, actor=player)  # a released hold gives the use back
    assert check(promo.code, item, player).promo.id == promo.id
    shop.refund_purchase(paid.id, actor=staff_user, reason="refund keeps the use")
    db.session.refresh(paid)
    assert paid.status == PurchaseStatus.REFUNDED
    db.session.refresh(promo)
    assert promo.uses_count == 1


# ----- CRUD ----------------------------------------------------------------------------------
def test_promo_crud_validates_and_normalises(player):
    item = new_item()
    promo = promos.create_promo_code(
        actor=STAFF_ACTOR, code=" spring-25 ", kind=PromoKind.PERCENT, value=25, items=[item.id]
    )
    assert promo.code == "SPRING-25" and [i.id for i in promo.items] == [item.id]
    assert promo.uses_count == 0 and promo.min_spend == 0
    with pytest.raises(PromoCodeTakenError):
        promos.create_promo_code(actor=STAFF_ACTOR, code="Spring-25", kind=PromoKind.FIXED, value=5)
    with pytest.raises(PermissionDeniedError):
        promos.create_promo_code(actor=player, code="MINE", kind=PromoKind.FIXED, value=5)
    bad = [
        ({"code": "x", "kind": PromoKind.FIXED, "value": 5}, "code"),
        ({"code": "TOOMUCH", "kind": PromoKind.PERCENT, "value": 101}, "value"),
        (
            {
                "code": "BACKWARDS",
                "kind": PromoKind.FIXED,
                "value": 5,
                "valid_from": utcnow(),
                "valid_to": utcnow() - timedelta(days=1),
            },
            "valid_to",
        ),
        ({"code": "NOITEM", "kind": PromoKind.FIXED, "value": 5, "items": [999_999]}, "items"),
    ]
    for values, field in bad:
        with pytest.raises(ValidationError) as exc:
            promos.create_promo_code(actor=STAFF_ACTOR, **values)
        assert field in exc.value.errors, values
    version = promo.version
    promos.update_promo_code(promo, actor=STAFF_ACTOR, changes={"items": [], "value": 30})
    assert promo.items == [] and promo.value == 30 and promo.version > version


def test_only_unused_promo_codes_can_be_deleted(player):
    fund(player.id, 100)
    unused, used = new_promo(), new_promo()
    shop.purchase_item(actor=player, item_ref=new_item(price=10).id, promo_code=used.code)
    promos.delete_promo_code(unused, actor=STAFF_ACTOR)
    with pytest.raises(PromoCodeInUseError):
        promos.delete_promo_code(used, actor=STAFF_ACTOR)


def test_item_crud_validates_and_protects_sold_items(player):
    item = catalog.create_item(actor=STAFF_ACTOR, sku="crown-1", name="Crown", price=5)
    assert item.sku == "CROWN-1" and item.is_active and item.stock is None
    with pytest.raises(SkuTakenError):
        catalog.create_item(actor=STAFF_ACTOR, sku="Crown-1", name="Again", price=5)
    with pytest.raises(PermissionDeniedError):
        catalog.create_item(actor=player, sku="MINE", name="Mine", price=5)
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(item, actor=STAFF_ACTOR, changes={"price": 0, "stock": -1})
    assert set(exc.value.errors) == {"price", "stock"}
    catalog.update_item(item, actor=STAFF_ACTOR, changes={"stock": 3, "name": "Crown II"})
    assert (item.stock, item.name) == (3, "Crown II")
    fund(player.id, 100)
    shop.purchase_item(actor=player, item_ref=item.id)
    with pytest.raises(ItemInUseError):
        catalog.delete_item(item, actor=STAFF_ACTOR)
    spare = new_item()
    catalog.delete_item(spare, actor=STAFF_ACTOR)


def test_a_promo_window_problem_names_its_time_to_the_second(player):
    import re

    now = utcnow()
    promo = new_promo(valid_from=now + timedelta(days=1, microseconds=1234))
    with pytest.raises(PromoExpiredError) as exc:
        check(promo.code, new_item(), player)
    assert re.search(r"valid from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$", exc.value.detail)
    assert exc.value.extra["valid_from"].endswith("Z")


def test_counts_and_prices_beyond_an_integer_column_are_refused_by_the_services(player):
    """The admin's forms take any integer; the services refuse what no INTEGER column holds
    (the API's schemas already bound them)."""
    huge = 2**31
    item = new_item()
    with pytest.raises(ValidationError) as exc:
        catalog.update_item(
            item, actor=STAFF_ACTOR,
            changes={"price": huge, "stock": huge, "per_user_limit": 10**20},
        )  # fmt: skip
    assert set(exc.value.errors) == {"price", "stock", "per_user_limit"}
    with pytest.raises(ValidationError) as exc:
        catalog.create_item(actor=STAFF_ACTOR, sku="HUGE", name="Huge", price=huge)
    assert set(exc.value.errors) == {"price"}
    promo = new_promo(kind=PromoKind.FIXED, value=5)
    with pytest.raises(ValidationError) as exc:
        promos.update_promo_code(
            promo, actor=STAFF_ACTOR,
            changes={"value": huge, "max_uses": huge, "max_uses_per_user": huge,
                     "min_spend": 10**20},
        )  # fmt: skip
    assert set(exc.value.errors) == {"value", "max_uses", "max_uses_per_user", "min_spend"}
    catalog.update_item(item, actor=STAFF_ACTOR, changes={"price": huge - 1, "stock": huge - 1})
    assert item.price == huge - 1
