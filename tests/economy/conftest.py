"""Economy fixtures: ORM users for service tests, item/promo/funding helpers, the invariant."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.economy.models import Hold, HoldStatus, Transaction, TransactionKind, Wallet
from deltacrown.extensions import db

_skus = itertools.count(1)
# Catalogue and promo services only check `is_staff`; tests that do not care who acted use this.
STAFF_ACTOR = SimpleNamespace(id=None, is_staff=True)


def register(*, is_staff: bool = False) -> User:
    """A user in the current session (service tests; flushed, not committed)."""
    from deltacrown.accounts.services import register_user

    name = f"econ{next(_skus)}"
    return register_user(
        username=name, email=f"{name}@example.test", password="long-enough-pw", is_staff=is_staff
    )


@pytest.fixture
def player(app_ctx) -> User:
    return register()


@pytest.fixture
def other_player(app_ctx) -> User:
    return register()


@pytest.fixture
def staff_user(app_ctx) -> User:
    return register(is_staff=True)


def fund(user_id: int, amount: int) -> Transaction:
    from deltacrown.economy.services import ledger

    return ledger.credit(user_id, amount, kind=TransactionKind.DEPOSIT)


def new_item(**overrides: Any) -> Any:
    from deltacrown.economy.services import catalog

    values: dict[str, Any] = {"sku": f"ITEM-{next(_skus)}", "name": "Thing", "price": 100}
    values.update(overrides)
    return catalog.create_item(actor=STAFF_ACTOR, **values)


def new_promo(**overrides: Any) -> Any:
    from deltacrown.economy.models import PromoKind
    from deltacrown.economy.services import promos

    values: dict[str, Any] = {"code": f"CODE{next(_skus)}", "kind": PromoKind.PERCENT, "value": 10}
    values.update(overrides)
    return promos.create_promo_code(actor=STAFF_ACTOR, **values)


def ledger_of(user_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(Transaction.kind, Transaction.amount)
        .join(Wallet)
        .where(Wallet.user_id == user_id)
        .order_by(Transaction.id)
    )
    return [(kind.value, int(amount)) for kind, amount in rows]


def state_of(user_id: int) -> tuple[int, int]:
    """(balance, held) straight from the database."""
    row = db.session.execute(
        sa.select(Wallet.balance, Wallet.held).where(Wallet.user_id == user_id)
    ).first()
    return (0, 0) if row is None else (int(row.balance), int(row.held))


def assert_invariant(user_id: int) -> tuple[int, int]:
    """balance == sum(ledger) == last balance_after, 0 <= held == sum(active holds) <= balance."""
    wallet = db.session.execute(sa.select(Wallet).where(Wallet.user_id == user_id)).scalar()
    if wallet is None:
        return (0, 0)
    db.session.refresh(wallet)
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0)).where(
            Transaction.wallet_id == wallet.id
        )
    )
    held = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Hold.amount), 0)).where(
            Hold.wallet_id == wallet.id, Hold.status == HoldStatus.ACTIVE
        )
    )
    last = db.session.scalar(
        sa.select(Transaction.balance_after)
        .where(Transaction.wallet_id == wallet.id)
        .order_by(Transaction.id.desc())
        .limit(1)
    )
    assert wallet.balance == total
    assert last is None or last == wallet.balance
    assert wallet.held == held
    assert 0 <= wallet.held <= wallet.balance
    return wallet.balance, wallet.held


class Econ:
    """Set-up and checks for API tests, each in its own app context (committed inside the
    test's outer transaction), so the test client runs without an active context."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def _run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        with self.app.app_context():
            result = func(*args, **kwargs)
            db.session.commit()
            db.session.remove()
            return result

    def fund(self, user_id: int, amount: int) -> int:
        return self._run(lambda: fund(user_id, amount).id)

    def item(self, **overrides: Any) -> int:
        return self._run(lambda: new_item(**overrides).id)

    def promo(self, **overrides: Any) -> str:
        return self._run(lambda: new_promo(**overrides).code)

    def ledger(self, user_id: int) -> list[tuple[str, int]]:
        return self._run(ledger_of, user_id)

    def state(self, user_id: int) -> tuple[int, int]:
        return self._run(assert_invariant, user_id)

    def run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(func, *args, **kwargs)


@pytest.fixture
def econ(app: Any) -> Econ:
    return Econ(app)
