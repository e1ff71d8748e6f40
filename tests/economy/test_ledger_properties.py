"""Property test: random credit/debit/hold/capture/release/refund/replay sequences keep every
wallet invariant and agree with a tiny in-memory model of the wallet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltacrown.core.errors import InvalidTransitionError
from deltacrown.core.time import utcnow
from deltacrown.economy.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    RefundExceedsPaidError,
)
from deltacrown.economy.models import TransactionKind
from deltacrown.economy.services import holds, ledger
from deltacrown.extensions import db
from tests.economy.conftest import assert_invariant

amounts = st.integers(min_value=1, max_value=400)
index = st.integers(min_value=0, max_value=20)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), amounts),
        st.tuples(st.just("debit"), amounts),
        st.tuples(st.just("hold"), amounts),
        st.tuples(st.just("capture"), index),
        st.tuples(st.just("release"), index),
        st.tuples(st.just("refund"), index, st.integers(min_value=1, max_value=450)),
        st.tuples(st.just("replay"), index),
    ),
    max_size=30,
)


@dataclass
class Model:
    balance: int = 0
    held: int = 0
    holds: list[list] = field(default_factory=list)  # [hold_id, amount, status]
    debits: list[list] = field(default_factory=list)  # [transaction_id, paid, refunded]
    keyed: list[tuple] = field(default_factory=list)  # (key, amount, kind, transaction_id)

    @property
    def available(self) -> int:
        return self.balance - self.held


def _expect_error(error, call):
    try:
        call()
    except error:
        return
    raise AssertionError(f"expected {error.__name__}")


def apply(model: Model, user_id: int, step: int, operation: tuple) -> None:
    name, *args = operation
    key = f"op{step}"
    if name == "credit":
        entry = ledger.credit(user_id, args[0], kind=TransactionKind.DEPOSIT, key=key)
        model.balance += args[0]
        model.keyed.append((key, args[0], TransactionKind.DEPOSIT, entry.id))
    elif name == "debit":
        if args[0] > model.available:
            _expect_error(
                InsufficientFundsError,
                lambda: ledger.debit(user_id, args[0], kind=TransactionKind.ENTRY_FEE, key=key),
            )
            return
        entry = ledger.debit(user_id, args[0], kind=TransactionKind.ENTRY_FEE, key=key)
        model.balance -= args[0]
        model.debits.append([entry.id, args[0], 0])
        model.keyed.append((key, -args[0], TransactionKind.ENTRY_FEE, entry.id))
    elif name == "hold":
        expires_at = utcnow() + timedelta(hours=1)
        if args[0] > model.available:
            _expect_error(
                InsufficientFundsError,
                lambda: holds.hold(user_id, args[0], expires_at=expires_at, key=key),
            )
            return
        reserved = holds.hold(user_id, args[0], expires_at=expires_at, key=key)
        model.held += args[0]
        model.holds.append([reserved.id, args[0], "active"])
    elif name in ("capture", "release") and model.holds:
        target = model.holds[args[0] % len(model.holds)]
        hold_id, amount, status = target
        if name == "capture":
            if status == "released":
                _expect_error(InvalidTransitionError, lambda: holds.capture(hold_id))
                return
            entry = holds.capture(hold_id)
            if status == "active":
                model.balance -= amount
                model.held -= amount
                model.debits.append([entry.id, amount, 0])
                target[2] = "captured"
        else:
            if status == "captured":
                _expect_error(InvalidTransitionError, lambda: holds.release(hold_id))
                return
            holds.release(hold_id)
            if status == "active":
                model.held -= amount
                target[2] = "released"
    elif name == "refund" and model.debits:
        target = model.debits[args[0] % len(model.debits)]
        transaction_id, paid, refunded = target
        if args[1] > paid - refunded:
            _expect_error(RefundExceedsPaidError, lambda: ledger.refund(transaction_id, args[1]))
            return
        ledger.refund(transaction_id, args[1], key=key)
        model.balance += args[1]
        target[2] += args[1]
    elif name == "replay" and model.keyed:
        replay_key, amount, kind, transaction_id = model.keyed[args[0] % len(model.keyed)]
        do = ledger.credit if amount > 0 else ledger.debit
        assert do(user_id, abs(amount), kind=kind, key=replay_key).id == transaction_id
        _expect_error(
            IdempotencyConflictError,
            lambda: do(user_id, abs(amount) + 1, kind=kind, key=replay_key),
        )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_operation_sequences_keep_the_invariant(player, operations):
    savepoint = db.session.begin_nested()  # each example starts from an empty wallet
    try:
        model = Model()
        for step, operation in enumerate(operations):
            apply(model, player.id, step, operation)
            assert assert_invariant(player.id) == (model.balance, model.held), operation
            assert model.balance >= model.held >= 0
    finally:
        savepoint.rollback()
