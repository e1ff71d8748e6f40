"""Wallet API: my balance, my ledger feed (cursor, filters, CSV), staff adjustments."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.core.time import isoformat, utcnow
from deltacrown.economy.models import TransactionKind
from deltacrown.economy.services import holds, ledger
from deltacrown.extensions import db
from tests.helpers import assert_problem

WALLET, FEED = "/api/wallet/", "/api/wallet/transactions/"


def adjust_url(user_id):
    return f"/api/admin/wallets/{user_id}/adjust/"


def test_wallet_needs_a_token(client):
    assert_problem(client.get(WALLET), 401, "authentication_required")
    assert_problem(client.get(FEED), 401, "authentication_required")


def test_a_new_user_has_an_empty_wallet(client, user):
    response = client.get(WALLET, headers=user.headers)
    assert response.status_code == 200
    assert response.get_json() == {"balance": 0, "held": 0, "available": 0}


def test_wallet_shows_held_and_available_with_an_etag(client, user, econ):
    econ.fund(user.id, 300)
    econ.run(lambda: holds.hold(user.id, 120, expires_at=utcnow() + timedelta(minutes=5)))
    response = client.get(WALLET, headers=user.headers)
    assert response.get_json() == {"balance": 300, "held": 120, "available": 180}
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    cached = client.get(WALLET, headers={**user.headers, "If-None-Match": etag})
    assert cached.status_code == 304
    econ.fund(user.id, 1)
    assert client.get(WALLET, headers={**user.headers, "If-None-Match": etag}).status_code == 200


def _seed_feed(econ, user_id):
    econ.fund(user_id, 100)
    econ.run(lambda: ledger.debit(user_id, 30, kind=TransactionKind.ENTRY_FEE, reason="cup"))
    fee = econ.run(lambda: ledger.debit(user_id, 20, kind=TransactionKind.ENTRY_FEE).id)
    econ.run(lambda: ledger.refund(fee, 20, reason="=cancelled"))
    econ.run(lambda: ledger.credit(user_id, 5, kind=TransactionKind.PRIZE))


def test_feed_is_newest_first_with_cursor_pages(client, user, econ, make_user):
    _seed_feed(econ, user.id)
    econ.fund(make_user().id, 999)  # someone else's row never shows
    first = client.get(FEED + "?limit=2", headers=user.headers)
    assert first.status_code == 200
    assert [(r["kind"], r["amount"], r["balance_after"]) for r in first.get_json()] == [
        ("prize", 5, 75),
        ("refund", 20, 70),
    ]
    cursor = first.headers["X-Next-Cursor"]
    second = client.get(f"{FEED}?limit=2&cursor={cursor}", headers=user.headers)
    assert [r["amount"] for r in second.get_json()] == [-20, -30]
    third = client.get(
        f"{FEED}?limit=2&cursor={second.headers['X-Next-Cursor']}", headers=user.headers
    )
    assert [r["amount"] for r in third.get_json()] == [100]
    assert "X-Next-Cursor" not in third.headers
    refund = first.get_json()[1]
    assert refund["refund_of_id"] is not None and refund["reason"] == "=cancelled"


def test_feed_filters_by_kind_and_date(client, user, econ):
    _seed_feed(econ, user.id)
    kinds = client.get(FEED + "?kind=entry_fee,refund", headers=user.headers).get_json()
    assert sorted(r["kind"] for r in kinds) == ["entry_fee", "entry_fee", "refund"]
    future = isoformat(utcnow() + timedelta(hours=1))
    assert (
        client.get(FEED, query_string={"created_from": future}, headers=user.headers).get_json()
        == []
    )
    assert (
        len(client.get(FEED, query_string={"created_to": future}, headers=user.headers).get_json())
        == 5
    )
    assert_problem(client.get(FEED + "?kind=bogus", headers=user.headers), 422)
    assert_problem(
        client.get(FEED + "?cursor=nonsense", headers=user.headers), 422, "invalid_cursor"
    )


def test_feed_exports_every_row_as_csv(client, user, econ):
    _seed_feed(econ, user.id)
    response = client.get(FEED + "?limit=1", headers={**user.headers, "Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffid,created_at,kind,amount,balance_after,")
    lines = text.strip().splitlines()
    assert len(lines) == 6  # header + every row, not one page
    assert ",refund,20,70," in text and "'=cancelled" in text  # formula-safe
    assert user.email not in text


# ----- staff adjustments ---------------------------------------------------------------------
def test_adjust_permissions(client, user, make_user):
    target = make_user()
    body = {"amount": 10, "reason": "gift"}
    assert_problem(client.post(adjust_url(target.id), json=body), 401)
    assert_problem(
        client.post(adjust_url(target.id), json=body, headers=user.headers), 403, "forbidden"
    )


def test_staff_adjusts_with_a_reason_and_it_is_audited(app, client, staff, user, econ):
    response = client.post(
        adjust_url(user.id), json={"amount": 75, "reason": "tournament bug"}, headers=staff.headers
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["amount"], body["kind"], body["balance_after"], body["created_by"]) == (
        75,
        "adjustment",
        75,
        staff.id,
    )
    down = client.post(
        adjust_url(user.id), json={"amount": -25, "reason": "correction"}, headers=staff.headers
    )
    assert down.get_json()["balance_after"] == 50
    assert_problem(
        client.post(
            adjust_url(user.id), json={"amount": -51, "reason": "x"}, headers=staff.headers
        ),
        409,
        "insufficient_funds",
    )
    assert econ.state(user.id) == (50, 0)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "wallet.adjusted")
        ).all()
        assert [(a.actor_id, a.after["amount"]) for a in actions] == [
            (staff.id, 75),
            (staff.id, -25),
        ]


def test_adjust_validates_its_input(client, staff, user):
    for body in (
        {"amount": 0, "reason": "x"},
        {"amount": 5},
        {"amount": 5, "reason": ""},
        {"amount": "lots", "reason": "x"},
        {"amount": 5, "reason": "x", "extra": 1},
    ):
        assert_problem(client.post(adjust_url(user.id), json=body, headers=staff.headers), 422)
    assert_problem(
        client.post(adjust_url(999_999), json={"amount": 5, "reason": "x"}, headers=staff.headers),
        404,
        "user_not_found",
    )


def test_adjust_honours_idempotency_key(client, staff, user, econ):
    headers = {**staff.headers, "Idempotency-Key": "adj-1"}
    body = {"amount": 40, "reason": "compensation"}
    first = client.post(adjust_url(user.id), json=body, headers=headers)
    again = client.post(adjust_url(user.id), json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert econ.ledger(user.id) == [("adjustment", 40)]
    other = client.post(adjust_url(user.id), json={**body, "amount": 41}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert econ.ledger(user.id) == [("adjustment", 40)]
