"""Concurrency on PostgreSQL: workers on their own connections race on stock, one wallet and
one idempotency key. Setup is committed for real (the per-test transaction would serialise
the workers) and removed afterwards; at most 20 workers (and pooled connections) at once."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.economy.models import TransactionKind
from deltacrown.extensions import db
from tests.helpers import LiveServer

pytestmark = pytest.mark.postgres
WORKERS = 20


@pytest.fixture
def race(database_url: str, is_postgres: bool) -> Iterator[Race]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS, "max_overflow": 0, "pool_timeout": 60},
    )
    helper = Race(app, database_url)
    try:
        yield helper
    finally:
        helper.clean_up()


class Race:
    """Committed set-up on the race app, per-thread units of work, and the clean-up."""

    def __init__(self, app: Flask, database_url: str) -> None:
        self.app = app
        self.prefix = f"race{uuid.uuid4().hex[:8]}"
        self.engine = sa.create_engine(database_url)
        self.user_ids: list[int] = []
        self.item_ids: list[int] = []

    def committed(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.app.app_context(), unit_of_work():
            return func(*args, **kwargs)

    def users(self, count: int, coins: int) -> list[int]:
        from deltacrown.accounts.services import register_user
        from deltacrown.economy.services import ledger

        def create() -> list[int]:
            ids = []
            for n in range(count):
                name = f"{self.prefix}_{len(self.user_ids) + n}"
                user = register_user(
                    username=name, email=f"{name}@example.test", password="long-enough-pw"
                )
                if coins:
                    ledger.credit(user.id, coins, kind=TransactionKind.DEPOSIT)
                ids.append(user.id)
            return ids

        ids = self.committed(create)
        self.user_ids += ids
        return ids

    def item(self, **values: Any) -> int:
        from types import SimpleNamespace

        from deltacrown.economy.services import catalog

        staff = SimpleNamespace(id=None, is_staff=True)
        item_id = self.committed(
            lambda: (
                catalog.create_item(
                    actor=staff,
                    sku=f"{self.prefix}-{len(self.item_ids)}",
                    name="Race item",
                    **values,
                ).id
            )
        )
        self.item_ids.append(item_id)
        return item_id

    def tokens(self, user_ids: list[int]) -> dict[int, str]:
        from deltacrown.accounts.models import User
        from deltacrown.accounts.tokens import tokens_for

        with self.app.test_request_context():
            return {uid: tokens_for(db.session.get(User, uid))["access_token"] for uid in user_ids}

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def clean_up(self) -> None:
        statements = [
            "DELETE FROM idempotency_keys WHERE scope = ANY(:scopes)",
            "DELETE FROM inventory_items WHERE user_id = ANY(:users) OR item_id = ANY(:items)",
            "DELETE FROM shop_purchases WHERE user_id = ANY(:users) OR item_id = ANY(:items)",
            "DELETE FROM wallet_holds WHERE wallet_id IN "
            "(SELECT id FROM wallets WHERE user_id = ANY(:users))",
            "DELETE FROM wallet_transactions WHERE wallet_id IN "
            "(SELECT id FROM wallets WHERE user_id = ANY(:users))",
            "DELETE FROM wallets WHERE user_id = ANY(:users)",
            "DELETE FROM shop_items WHERE id = ANY(:items)",
            "DELETE FROM users WHERE id = ANY(:users)",
        ]
        params = {
            "users": self.user_ids,
            "items": self.item_ids,
            "scopes": [f"user:{user_id}" for user_id in self.user_ids],
        }
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement), params)
        self.engine.dispose()
        with self.app.app_context():
            db.engine.dispose()


def run_together(count: int, work: Callable[[int], Any], workers: int = WORKERS) -> list[Any]:
    """Run work(0..count-1) on at most `workers` threads released together by one gate."""
    gate = threading.Event()

    def gated(n: int) -> Any:
        gate.wait()
        return work(n)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(gated, n) for n in range(count)]
        gate.set()
        return [future.result(timeout=120) for future in futures]


def post(url: str, token: str, body: dict[str, Any], key: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_50_buyers_for_stock_10_get_exactly_10_purchases_and_10_debits(race):
    buyers = race.users(50, coins=100)
    item = race.item(price=10, stock=10)
    tokens = race.tokens(buyers)
    with LiveServer(race.app) as server:
        answers = run_together(
            50,
            lambda n: post(f"{server.url}/api/shop/purchases/", tokens[buyers[n]], {"item": item}),
        )
    statuses = Counter((status, body.get("code")) for status, body in answers)
    assert statuses == {(201, None): 10, (409, "out_of_stock"): 40}, statuses
    assert race.scalar("SELECT stock FROM shop_items WHERE id = :i", i=item) == 0
    assert race.scalar("SELECT count(*) FROM shop_purchases WHERE item_id = :i", i=item) == 10
    debits = race.scalar(
        "SELECT count(*) FROM wallet_transactions WHERE kind = 'purchase' AND reference_id IN "
        "(SELECT id FROM shop_purchases WHERE item_id = :i)",
        i=item,
    )
    assert debits == 10
    spent = race.scalar("SELECT sum(100 - balance) FROM wallets WHERE user_id = ANY(:u)", u=buyers)
    assert spent == 10 * 10
    assert_wallets_consistent(race, buyers)


def test_100_debits_racing_on_one_wallet_never_overdraw(race):
    from deltacrown.economy.errors import InsufficientFundsError
    from deltacrown.economy.services import ledger

    (owner,) = race.users(1, coins=1000)

    def debit(n: int) -> str:
        try:
            race.committed(ledger.debit, owner, 15, kind=TransactionKind.ENTRY_FEE, key=f"d{n}")
        except InsufficientFundsError:
            return "insufficient_funds"
        return "ok"

    outcomes = Counter(run_together(100, debit))
    assert outcomes == {"ok": 66, "insufficient_funds": 34}, outcomes
    balance = race.scalar("SELECT balance FROM wallets WHERE user_id = :u", u=owner)
    assert balance == 1000 - 66 * 15 == 10
    assert (
        race.scalar(
            "SELECT min(balance_after) FROM wallet_transactions t JOIN wallets w "
            "ON w.id = t.wallet_id WHERE w.user_id = :u",
            u=owner,
        )
        >= 0
    )
    assert_wallets_consistent(race, [owner])


def test_the_same_key_from_10_threads_makes_one_wallet_and_one_row(race):
    from deltacrown.economy.services import ledger

    (owner,) = race.users(1, coins=0)  # no wallet yet: its creation races too

    def credit(n: int) -> int:
        return race.committed(
            lambda: ledger.credit(owner, 250, kind=TransactionKind.PRIZE, key="prize:t1:p1").id
        )

    ids = run_together(10, credit, workers=10)
    assert len(set(ids)) == 1, ids
    assert race.scalar("SELECT count(*) FROM wallets WHERE user_id = :u", u=owner) == 1
    assert race.scalar("SELECT balance FROM wallets WHERE user_id = :u", u=owner) == 250
    assert (
        race.scalar(
            "SELECT count(*) FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id "
            "WHERE w.user_id = :u",
            u=owner,
        )
        == 1
    )
    assert_wallets_consistent(race, [owner])


def test_the_same_idempotency_key_from_10_threads_buys_once(race):
    (buyer,) = race.users(1, coins=500)
    item = race.item(price=40)
    token = race.tokens([buyer])[buyer]
    with LiveServer(race.app) as server:
        answers = run_together(
            10,
            lambda n: post(
                f"{server.url}/api/shop/purchases/", token, {"item": item}, key="buy-once"
            ),
            workers=10,
        )
    assert [status for status, _ in answers] == [201] * 10, answers
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    assert race.scalar("SELECT count(*) FROM shop_purchases WHERE user_id = :u", u=buyer) == 1
    assert race.scalar("SELECT balance FROM wallets WHERE user_id = :u", u=buyer) == 460
    assert_wallets_consistent(race, [buyer])


def assert_wallets_consistent(race: Race, user_ids: list[int]) -> None:
    from deltacrown.economy.queries import find_ledger_mismatches

    def broken() -> list[Any]:
        return [m for m in find_ledger_mismatches()[1] if m.user_id in set(user_ids)]

    with race.app.app_context():
        assert broken() == []
