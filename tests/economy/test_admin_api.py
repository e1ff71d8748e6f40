"""Staff economy API: items and promo codes CRUD, revenue analytics; permissions everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from deltacrown.core.time import isoformat, utcnow
from deltacrown.economy.models import TransactionKind
from deltacrown.economy.services import ledger
from tests.helpers import assert_problem

ITEMS, PROMOS, REVENUE = (
    "/api/admin/shop/items/",
    "/api/admin/promo-codes/",
    "/api/admin/analytics/revenue/",
)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ITEMS),
        ("post", ITEMS),
        ("get", ITEMS + "1/"),
        ("patch", ITEMS + "1/"),
        ("delete", ITEMS + "1/"),
        ("get", PROMOS),
        ("post", PROMOS),
        ("get", PROMOS + "1/"),
        ("patch", PROMOS + "1/"),
        ("delete", PROMOS + "1/"),
        ("get", REVENUE),
        ("post", "/api/admin/wallets/1/adjust/"),
    ],
)
def test_staff_endpoints_refuse_anonymous_and_players(client, user, method, path):
    call = getattr(client, method)
    body = {"json": {}} if method in ("post", "patch") else {}
    assert_problem(call(path, **body), 401)
    assert_problem(call(path, headers=user.headers, **body), 403, "forbidden")


def test_item_crud(client, staff, user, econ):
    h = staff.headers
    created = client.post(
        ITEMS, json={"sku": "frame-1", "name": "Frame", "price": 50, "stock": 2}, headers=h
    )
    assert created.status_code == 201
    item = created.get_json()
    assert (item["sku"], item["is_active"], item["stock"]) == ("FRAME-1", True, 2)
    assert_problem(
        client.post(ITEMS, json={"sku": "FRAME-1", "name": "x", "price": 1}, headers=h),
        409,
        "sku_taken",
    )
    assert_problem(client.post(ITEMS, json={"sku": "X-2", "name": "x", "price": 0}, headers=h), 422)
    url = f"{ITEMS}{item['id']}/"
    got = client.get(url, headers=h)
    etag = got.headers["ETag"]
    patched = client.patch(
        url, json={"price": 60, "is_active": False}, headers={**h, "If-Match": etag}
    )
    assert patched.status_code == 200 and patched.get_json()["price"] == 60
    assert_problem(
        client.patch(url, json={"price": 70}, headers={**h, "If-Match": etag}),
        412,
        "precondition_failed",
    )
    listed = client.get(ITEMS + "?is_active=false", headers=h).get_json()
    assert [i["sku"] for i in listed] == ["FRAME-1"]
    assert client.get("/api/shop/items/").get_json() == []
    client.patch(url, json={"is_active": True}, headers=h)
    econ.fund(user.id, 100)
    assert (
        client.post(
            "/api/shop/purchases/", json={"item": item["id"]}, headers=user.headers
        ).status_code
        == 201
    )
    assert_problem(client.delete(url, headers=h), 409, "item_in_use")
    spare = client.post(ITEMS, json={"sku": "SPARE", "name": "Spare", "price": 5}, headers=h)
    assert client.delete(f"{ITEMS}{spare.get_json()['id']}/", headers=h).status_code == 204
    assert_problem(
        client.get(f"{ITEMS}{spare.get_json()['id']}/", headers=h), 404, "item_not_found"
    )


def test_promo_code_crud(client, staff, user, econ):
    h = staff.headers
    item = econ.item()
    start, end = utcnow() + timedelta(days=1), utcnow() + timedelta(days=30)
    body = {
        "code": "summer",
        "kind": "percent",
        "value": 20,
        "valid_from": isoformat(start),
        "valid_to": isoformat(end),
        "max_uses": 100,
        "max_uses_per_user": 1,
        "min_spend": 50,
        "items": [item],
    }
    created = client.post(PROMOS, json=body, headers=h)
    assert created.status_code == 201
    promo = created.get_json()
    assert (promo["code"], promo["items"], promo["uses_count"], promo["valid_to"]) == (
        "SUMMER",
        [item],
        0,
        isoformat(end),
    )
    assert_problem(client.post(PROMOS, json=body, headers=h), 409, "promo_code_taken")
    assert_problem(client.post(PROMOS, json={**body, "code": "BIG", "value": 150}, headers=h), 422)
    assert_problem(
        client.post(PROMOS, json={**body, "code": "NOITEM", "items": [999]}, headers=h), 422
    )
    url = f"{PROMOS}{promo['id']}/"
    econ.fund(user.id, 500)
    assert_problem(
        client.post(
            "/api/shop/purchases/",
            json={"item": item, "promo_code": "summer"},
            headers=user.headers,
        ),
        422,
        "promo_expired",
    )  # not started yet
    patched = client.patch(url, json={"items": [], "valid_from": None}, headers=h).get_json()
    assert (patched["items"], patched["valid_from"]) == ([], None)
    assert [p["code"] for p in client.get(PROMOS, headers=h).get_json()] == ["SUMMER"]
    bought = client.post(
        "/api/shop/purchases/",
        json={"item": econ.item(price=100), "promo_code": "summer"},
        headers=user.headers,
    )
    assert bought.status_code == 201, bought.get_json()
    assert bought.get_json()["total"] == 80
    assert client.get(url, headers=h).get_json()["uses_count"] == 1
    assert_problem(client.delete(url, headers=h), 409, "promo_code_in_use")
    unused = client.post(PROMOS, json={"code": "UNUSED", "kind": "fixed", "value": 5}, headers=h)
    assert client.delete(f"{PROMOS}{unused.get_json()['id']}/", headers=h).status_code == 204


def test_revenue_report_over_the_api(client, staff, user, econ):
    econ.fund(user.id, 500)
    with time_machine.travel(datetime(2026, 5, 4, 10, tzinfo=UTC), tick=False):
        econ.run(lambda: ledger.debit(user.id, 120, kind=TransactionKind.ENTRY_FEE))
        econ.run(lambda: ledger.debit(user.id, 30, kind=TransactionKind.PURCHASE))
    response = client.get(
        REVENUE + "?period=week&from=2026-05-01&to=2026-05-12", headers=staff.headers
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["period"], body["from"], body["to"]) == ("week", "2026-05-01", "2026-05-12")
    assert [b["start"] for b in body["buckets"]] == ["2026-04-27", "2026-05-04", "2026-05-11"]
    assert body["buckets"][1] == {
        "entry_fees": 120,
        "shop": 30,
        "revenue": 150,
        "refunds": 0,
        "net": 150,
        "paying_users": 1,
        "arppu": "150.00",
        "start": "2026-05-04",
    }
    assert body["totals"]["net"] == 150
    default = client.get(REVENUE, headers=staff.headers).get_json()
    assert default["period"] == "day" and len(default["buckets"]) == 30
    assert_problem(client.get(REVENUE + "?period=year", headers=staff.headers), 422)
    assert_problem(
        client.get(REVENUE + "?from=2026-05-02&to=2026-05-01", headers=staff.headers), 422
    )


def test_an_item_picture_needs_its_alt_text_which_shows_beside_it(client, staff):
    h = staff.headers
    body = {
        "sku": "pic-1",
        "name": "Pic",
        "price": 5,
        "image_url": "https://cdn.example.test/p.png",
    }
    refused = client.post(ITEMS, json=body, headers=h)
    assert "image_alt_text" in assert_problem(refused, 422, "validation_error")["errors"]
    created = client.post(ITEMS, json={**body, "image_alt_text": "A golden frame"}, headers=h)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["image_url"], item["image_alt_text"]) == (body["image_url"], "A golden frame")
    on_sale = client.get("/api/shop/items/").get_json()
    assert [(i["sku"], i["image_alt_text"]) for i in on_sale] == [("PIC-1", "A golden frame")]
