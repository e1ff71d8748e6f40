"""Operator side: `flask economy verify-ledger`, the hold expiry sweep via `flask jobs run`,
the demo seed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from deltacrown.core.time import utcnow
from deltacrown.economy.models import (
    Hold,
    InventoryItem,
    PromoCode,
    Purchase,
    PurchaseStatus,
    ShopItem,
    Transaction,
    Wallet,
)
from deltacrown.economy.services import shop, wallets
from deltacrown.extensions import db
from tests.economy.conftest import fund, new_item, register


def corrupt(app, statement, **params):
    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def seed_activity(app):
    with app.app_context():
        buyer = register()
        fund(buyer.id, 500)
        shop.purchase_item(actor=buyer, item_ref=new_item(price=100).id)
        shop.purchase_item(actor=buyer, item_ref=new_item(price=50).id, hold=True)
        wallet_id = wallets.find_wallet(buyer.id).id
        db.session.commit()
    return wallet_id


def test_verify_ledger_passes_on_a_consistent_ledger(app):
    seed_activity(app)
    result = app.test_cli_runner().invoke(args=["economy", "verify-ledger"])
    assert result.exit_code == 0, result.output
    assert "ledger OK: 1 wallets checked" in result.output


def test_verify_ledger_fails_on_a_balance_that_disagrees_with_its_ledger(app):
    wallet_id = seed_activity(app)
    corrupt(app, "UPDATE wallets SET balance = balance + 7 WHERE id = :id", id=wallet_id)
    result = app.test_cli_runner().invoke(args=["economy", "verify-ledger"])
    assert result.exit_code == 1
    assert f"wallet {wallet_id}" in result.output
    assert "balance != sum(ledger)" in result.output
    assert "last balance_after != balance" in result.output
    assert "1 of 1 wallets broken" in result.output


def test_verify_ledger_fails_on_a_tampered_ledger_row_or_held_amount(app):
    wallet_id = seed_activity(app)
    corrupt(
        app,
        "UPDATE wallet_transactions SET amount = amount - 1 WHERE id = "
        "(SELECT min(id) FROM wallet_transactions WHERE wallet_id = :id)",
        id=wallet_id,
    )
    corrupt(app, "UPDATE wallets SET held = 0 WHERE id = :id", id=wallet_id)
    result = app.test_cli_runner().invoke(args=["economy", "verify-ledger"])
    assert result.exit_code == 1
    assert "balance != sum(ledger)" in result.output
    assert "held != sum(active holds)" in result.output


def test_the_sweep_is_scheduled_every_minute_and_runs_with_jobs_run(app):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["jobs", "list"])
    assert "release-expired-holds\teconomy.release_expired_holds\t0:01:00" in listing.output
    with app.app_context():
        buyer = register()
        fund(buyer.id, 300)
        item = new_item(price=100, stock=1)
        purchase = shop.purchase_item(actor=buyer, item_ref=item.id, hold=True)
        ids = (buyer.id, item.id, purchase.id)
        db.session.commit()
    early = runner.invoke(args=["jobs", "run", "release-expired-holds"])
    assert early.exit_code == 0 and "ran release-expired-holds: 0" in early.output
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        due = runner.invoke(args=["jobs", "run", "release-expired-holds"])
    assert due.exit_code == 0 and "ran release-expired-holds: 1" in due.output, due.output
    with app.app_context():
        assert db.session.get(Purchase, ids[2]).status == PurchaseStatus.EXPIRED
        assert db.session.get(ShopItem, ids[1]).stock == 1
        wallet = wallets.find_wallet(ids[0])
        assert (wallet.balance, wallet.held) == (300, 0)


def test_demo_seed_gives_coins_and_items_once(app):
    runner = app.test_cli_runner()

    def snapshot():
        with app.app_context():
            return tuple(
                db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (
                    Wallet,
                    Transaction,
                    Hold,
                    ShopItem,
                    PromoCode,
                    Purchase,
                    InventoryItem,
                )
            ) + (db.session.scalar(sa.select(sa.func.sum(Wallet.balance))),)

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    first = snapshot()
    wallets, transactions, holds, items, promos, purchases, owned, coins = first
    assert (wallets, items, promos, purchases, owned) == (4, 4, 1, 2, 2)
    assert transactions == 6 and coins == 4 * 1000 - 250 - 150
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert snapshot() == first
    assert runner.invoke(args=["economy", "verify-ledger"]).exit_code == 0
