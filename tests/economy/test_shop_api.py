"""Shop API: items, purchases (now or held), capture/release, refunds, inventory, promo codes."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import utcnow
from deltacrown.economy.models import PromoKind
from tests.helpers import assert_problem

ITEMS, PURCHASES, INVENTORY = "/api/shop/items/", "/api/shop/purchases/", "/api/shop/inventory/"
VALIDATE = "/api/shop/promo-codes/validate/"


def purchase_url(purchase_id, verb=""):
    return f"{PURCHASES}{purchase_id}/" + (f"{verb}/" if verb else "")


def test_items_list_shows_what_is_on_sale_to_anyone(client, econ):
    econ.item(sku="ON-SALE", name="A crown", price=10, stock=0)
    econ.item(sku="HIDDEN", name="B hidden", is_active=False)
    econ.item(sku="LATER", name="C later", available_from=utcnow() + timedelta(days=1))
    response = client.get(ITEMS)
    assert response.status_code == 200
    assert [(i["sku"], i["stock"]) for i in response.get_json()] == [("ON-SALE", 0)]
    assert "X-Pagination" in response.headers
    assert "is_active" not in response.get_json()[0]


def test_buying_needs_a_token(client, econ):
    item = econ.item()
    assert_problem(client.post(PURCHASES, json={"item": item}), 401)
    assert_problem(client.get(PURCHASES), 401)
    assert_problem(client.get(INVENTORY), 401)
    assert_problem(client.post(VALIDATE, json={"code": "X", "item": item}), 401)


def test_buy_now_then_see_purchase_inventory_and_ledger(client, user, econ):
    econ.fund(user.id, 500)
    econ.item(sku="CROWN", name="Crown", price=120, stock=3)
    response = client.post(PURCHASES, json={"item": "crown", "quantity": 2}, headers=user.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["total"], body["item"]["sku"], body["promo_code"]) == (
        "completed",
        240,
        "CROWN",
        None,
    )
    assert client.get(purchase_url(body["id"]), headers=user.headers).get_json() == body
    assert [p["id"] for p in client.get(PURCHASES, headers=user.headers).get_json()] == [body["id"]]
    inventory = client.get(INVENTORY, headers=user.headers).get_json()
    assert [(i["item"]["sku"], i["quantity"]) for i in inventory] == [("CROWN", 2)]
    assert econ.ledger(user.id) == [("deposit", 500), ("purchase", -240)]
    assert client.get(ITEMS).get_json()[0]["stock"] == 1


def test_purchase_errors(client, user, econ):
    econ.fund(user.id, 100)
    sold_out = econ.item(price=10, stock=0)
    pricey = econ.item(price=101)
    ended = econ.item(available_to=utcnow() - timedelta(minutes=1))
    limited = econ.item(price=1, per_user_limit=1)
    h = user.headers
    assert_problem(client.post(PURCHASES, json={"item": sold_out}, headers=h), 409, "out_of_stock")
    assert_problem(
        client.post(PURCHASES, json={"item": pricey}, headers=h), 409, "insufficient_funds"
    )
    assert_problem(
        client.post(PURCHASES, json={"item": ended}, headers=h), 409, "item_not_available"
    )
    assert_problem(client.post(PURCHASES, json={"item": "NOPE"}, headers=h), 404, "item_not_found")
    client.post(PURCHASES, json={"item": limited}, headers=h)
    assert_problem(
        client.post(PURCHASES, json={"item": limited}, headers=h), 409, "purchase_limit_exceeded"
    )
    assert_problem(client.post(PURCHASES, json={"item": pricey, "quantity": 0}, headers=h), 422)
    assert_problem(client.post(PURCHASES, json={}, headers=h), 422)
    assert econ.ledger(user.id) == [("deposit", 100), ("purchase", -1)]


def test_purchase_with_promo_codes_and_their_errors(client, user, econ):
    econ.fund(user.id, 1000)
    item = econ.item(price=200)
    other = econ.item(price=200)
    code = econ.promo(kind=PromoKind.FIXED, value=50, items=[item])
    expired = econ.promo(valid_to=utcnow() - timedelta(seconds=1))
    h = user.headers
    ok = client.post(PURCHASES, json={"item": item, "promo_code": code.lower()}, headers=h)
    assert (ok.status_code, ok.get_json()["total"], ok.get_json()["promo_code"]) == (201, 150, code)
    assert_problem(
        client.post(PURCHASES, json={"item": other, "promo_code": code}, headers=h),
        422,
        "promo_not_applicable",
    )
    assert_problem(
        client.post(PURCHASES, json={"item": item, "promo_code": expired}, headers=h),
        422,
        "promo_expired",
    )
    assert econ.ledger(user.id) == [("deposit", 1000), ("purchase", -150)]


def test_purchase_honours_idempotency_key(client, user, econ):
    econ.fund(user.id, 500)
    item = econ.item(price=100, stock=5)
    headers = {**user.headers, "Idempotency-Key": "buy-1"}
    first = client.post(PURCHASES, json={"item": item}, headers=headers)
    again = client.post(PURCHASES, json={"item": item}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert econ.ledger(user.id) == [("deposit", 500), ("purchase", -100)]
    assert_problem(
        client.post(PURCHASES, json={"item": item, "quantity": 2}, headers=headers),
        422,
        "idempotency_key_reused",
    )
    assert len(client.get(PURCHASES, headers=user.headers).get_json()) == 1


def test_hold_capture_and_release(client, user, econ):
    econ.fund(user.id, 500)
    item = econ.item(price=100, stock=2)
    h = user.headers
    held = client.post(PURCHASES, json={"item": item, "hold": True}, headers=h).get_json()
    assert held["status"] == "held" and held["expires_at"].endswith("Z")
    assert econ.state(user.id) == (500, 100)
    captured = client.post(purchase_url(held["id"], "capture"), headers=h)
    assert captured.status_code == 200 and captured.get_json()["status"] == "captured"
    assert_problem(
        client.post(purchase_url(held["id"], "release"), headers=h), 409, "invalid_transition"
    )
    second = client.post(PURCHASES, json={"item": item, "hold": True}, headers=h).get_json()
    released = client.post(purchase_url(second["id"], "release"), headers=h)
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    assert_problem(
        client.post(purchase_url(second["id"], "capture"), headers=h), 409, "invalid_transition"
    )
    assert econ.state(user.id) == (400, 0)
    assert client.get(ITEMS).get_json()[0]["stock"] == 1


def test_capturing_an_expired_hold_is_refused(app, client, user, econ, monkeypatch):
    monkeypatch.setitem(app.config, "ECONOMY_HOLD_MINUTES", 2)  # access tokens live 15 minutes
    econ.fund(user.id, 500)
    held = client.post(
        PURCHASES, json={"item": econ.item(), "hold": True}, headers=user.headers
    ).get_json()
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert_problem(
            client.post(purchase_url(held["id"], "capture"), headers=user.headers),
            409,
            "hold_expired",
        )


def test_other_players_purchases_are_invisible(client, user, make_user, staff, econ):
    econ.fund(user.id, 500)
    held = client.post(
        PURCHASES, json={"item": econ.item(), "hold": True}, headers=user.headers
    ).get_json()
    stranger = make_user()
    for verb in ("", "capture", "release"):
        method = client.get if not verb else client.post
        assert_problem(
            method(purchase_url(held["id"], verb), headers=stranger.headers),
            404,
            "purchase_not_found",
        )
    assert_problem(
        client.get(f"{PURCHASES}?user={user.id}", headers=stranger.headers), 403, "forbidden"
    )
    seen = client.get(f"{PURCHASES}?user={user.id}", headers=staff.headers).get_json()
    assert [p["id"] for p in seen] == [held["id"]]
    assert client.get(purchase_url(held["id"]), headers=staff.headers).status_code == 200


def test_apply_promo_to_a_held_purchase(client, user, econ):
    econ.fund(user.id, 500)
    held = client.post(
        PURCHASES, json={"item": econ.item(price=200), "hold": True}, headers=user.headers
    ).get_json()
    code = econ.promo(kind=PromoKind.PERCENT, value=50)
    url = purchase_url(held["id"], "apply-promo")
    applied = client.post(url, json={"code": code}, headers=user.headers)
    assert applied.status_code == 200
    assert (applied.get_json()["total"], applied.get_json()["discount"]) == (100, 100)
    assert econ.state(user.id) == (500, 100)
    assert_problem(
        client.post(url, json={"code": code}, headers=user.headers), 409, "promo_already_applied"
    )
    assert_problem(client.post(url, json={}, headers=user.headers), 422)


def test_refunds_are_staff_only_and_bounded(client, user, staff, econ):
    econ.fund(user.id, 500)
    bought = client.post(
        PURCHASES, json={"item": econ.item(price=100)}, headers=user.headers
    ).get_json()
    url = purchase_url(bought["id"], "refund")
    assert_problem(
        client.post(url, json={"reason": "mine"}, headers=user.headers), 403, "forbidden"
    )
    assert_problem(client.post(url, json={"amount": 5}, headers=staff.headers), 422)
    partial = client.post(url, json={"amount": 40, "reason": "lag"}, headers=staff.headers)
    assert partial.status_code == 200
    assert (partial.get_json()["refunded_amount"], partial.get_json()["status"]) == (
        40,
        "completed",
    )
    assert_problem(
        client.post(url, json={"amount": 61, "reason": "x"}, headers=staff.headers),
        409,
        "refund_exceeds_paid",
    )
    rest = client.post(url, json={"reason": "rest"}, headers=staff.headers).get_json()
    assert (rest["refunded_amount"], rest["status"]) == (100, "refunded")
    assert econ.ledger(user.id)[-2:] == [("refund", 40), ("refund", 60)]
    assert client.get(INVENTORY, headers=user.headers).get_json() == []


def test_validate_promo_gives_the_discount_or_a_coded_422(client, user, econ):
    econ.fund(user.id, 500)
    item = econ.item(price=80)
    good = econ.promo(kind=PromoKind.PERCENT, value=25, max_uses_per_user=1)
    response = client.post(
        VALIDATE, json={"code": good, "item": item, "quantity": 2}, headers=user.headers
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "code": good,
        "kind": "percent",
        "value": 25,
        "item": {"id": item, "sku": response.get_json()["item"]["sku"], "name": "Thing"},
        "quantity": 2,
        "unit_price": 80,
        "subtotal": 160,
        "discount": 40,
        "total": 120,
    }
    h = user.headers
    exhausted = econ.promo(max_uses=1, value=1)
    for used in (good, exhausted):
        assert (
            client.post(PURCHASES, json={"item": item, "promo_code": used}, headers=h).status_code
            == 201
        )
    cases = [
        (good, "promo_per_user_limit"),
        (exhausted, "promo_exhausted"),
        (econ.promo(min_spend=1000), "promo_min_spend"),
        ("UNKNOWN-CODE", "promo_not_found"),
        (econ.promo(valid_from=utcnow() + timedelta(days=1)), "promo_expired"),
        (econ.promo(items=[econ.item()]), "promo_not_applicable"),
    ]
    for code, expected in cases:
        answer = client.post(VALIDATE, json={"code": code, "item": item}, headers=h)
        assert_problem(answer, 422, expected)
    assert_problem(
        client.post(VALIDATE, json={"code": good, "item": "NOPE"}, headers=h), 404, "item_not_found"
    )


def test_purchase_and_inventory_lists_do_not_query_per_row(client, user, econ):
    import sqlalchemy as sa

    econ.fund(user.id, 5000)
    code = econ.promo(kind=PromoKind.FIXED, value=1)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for(path):
        statements.clear()
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            assert client.get(path, headers=user.headers).status_code == 200
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
        return len(statements)

    client.post(PURCHASES, json={"item": econ.item(), "promo_code": code}, headers=user.headers)
    one = (queries_for(PURCHASES), queries_for(INVENTORY))
    for _ in range(4):
        client.post(PURCHASES, json={"item": econ.item(), "promo_code": code}, headers=user.headers)
    assert (queries_for(PURCHASES), queries_for(INVENTORY)) == one
