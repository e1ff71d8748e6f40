"""Ledger service rules: credit, debit, hold, capture, release, refund, adjustments, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.audit import AuditEntry
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.economy.errors import (
    HoldExpiredError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    NotRefundableError,
    RefundExceedsPaidError,
    TransactionNotFoundError,
)
from deltacrown.economy.models import HoldStatus, Transaction, TransactionKind, Wallet
from deltacrown.economy.services import holds, ledger, wallets
from deltacrown.extensions import db
from tests.economy.conftest import assert_invariant, fund, ledger_of, state_of

DEPOSIT, ENTRY_FEE, PURCHASE = (
    TransactionKind.DEPOSIT,
    TransactionKind.ENTRY_FEE,
    TransactionKind.PURCHASE,
)


def later(minutes: int = 15):
    return utcnow() + timedelta(minutes=minutes)


def wallet_count(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Wallet.user_id == user_id))


# ----- wallets, credit, debit ----------------------------------------------------------------
def test_credit_creates_the_wallet_on_first_use(player):
    assert wallets.find_wallet(player.id) is None
    entry = ledger.credit(player.id, 250, kind=DEPOSIT, reason="welcome")
    assert entry.amount == 250 and entry.balance_after == 250 and entry.reason == "welcome"
    assert wallet_count(player.id) == 1
    assert assert_invariant(player.id) == (250, 0)


def test_get_or_create_wallet_returns_the_same_wallet(player):
    first = wallets.get_or_create_wallet(player.id)
    assert wallets.get_or_create_wallet(player.id).id == first.id
    assert wallet_count(player.id) == 1


def test_debit_records_a_negative_row_and_the_balance_after(player):
    fund(player.id, 100)
    entry = ledger.debit(player.id, 30, kind=ENTRY_FEE, reference=("registration", 7))
    assert (entry.amount, entry.balance_after) == (-30, 70)
    assert (entry.reference_type, entry.reference_id) == ("registration", 7)
    assert ledger_of(player.id) == [("deposit", 100), ("entry_fee", -30)]
    assert assert_invariant(player.id) == (70, 0)


def test_debit_refuses_to_go_negative(player):
    fund(player.id, 50)
    with pytest.raises(InsufficientFundsError):
        ledger.debit(player.id, 51, kind=ENTRY_FEE)
    assert ledger_of(player.id) == [("deposit", 50)]
    assert assert_invariant(player.id) == (50, 0)


def test_debit_without_a_wallet_is_insufficient_and_creates_nothing(player):
    with pytest.raises(InsufficientFundsError):
        ledger.debit(player.id, 1, kind=ENTRY_FEE)
    assert wallet_count(player.id) == 0


def test_debit_can_spend_exactly_the_balance(player):
    fund(player.id, 40)
    assert ledger.debit(player.id, 40, kind=PURCHASE).balance_after == 0
    assert assert_invariant(player.id) == (0, 0)


@pytest.mark.parametrize("amount", [0, -5, 10**9 + 1, True, 2.5])
def test_amounts_must_be_positive_whole_coins(player, amount):
    with pytest.raises(InvalidAmountError):
        ledger.credit(player.id, amount, kind=DEPOSIT)


def test_kinds_must_match_the_direction(player):
    fund(player.id, 100)
    with pytest.raises(ValidationError):
        ledger.credit(player.id, 10, kind=ENTRY_FEE)
    with pytest.raises(ValidationError):
        ledger.debit(player.id, 10, kind=TransactionKind.PRIZE)


# ----- idempotency ---------------------------------------------------------------------------
def test_same_key_and_amount_returns_the_first_row(player):
    first = ledger.credit(player.id, 100, kind=DEPOSIT, key="prize:t1")
    again = ledger.credit(player.id, 100, kind=DEPOSIT, key="prize:t1")
    assert again.id == first.id
    assert ledger_of(player.id) == [("deposit", 100)]
    debit = ledger.debit(player.id, 60, kind=ENTRY_FEE, key="fee:r1")
    assert ledger.debit(player.id, 60, kind=ENTRY_FEE, key="fee:r1").id == debit.id
    assert assert_invariant(player.id) == (40, 0)


def test_replaying_a_debit_does_not_need_the_funds_again(player):
    fund(player.id, 60)
    first = ledger.debit(player.id, 60, kind=ENTRY_FEE, key="fee:r2")
    assert ledger.debit(player.id, 60, kind=ENTRY_FEE, key="fee:r2").id == first.id


def test_same_key_with_another_amount_or_kind_is_a_conflict(player):
    ledger.credit(player.id, 100, kind=DEPOSIT, key="k")
    with pytest.raises(IdempotencyConflictError) as exc:
        ledger.credit(player.id, 101, kind=DEPOSIT, key="k")
    assert exc.value.code == "idempotency_conflict" and exc.value.status == 409
    with pytest.raises(IdempotencyConflictError):
        ledger.credit(player.id, 100, kind=TransactionKind.PRIZE, key="k")
    with pytest.raises(IdempotencyConflictError):
        ledger.debit(player.id, 100, kind=ENTRY_FEE, key="k")
    assert ledger_of(player.id) == [("deposit", 100)]


def test_keys_are_scoped_per_wallet(player, other_player):
    a = ledger.credit(player.id, 5, kind=DEPOSIT, key="shared")
    b = ledger.credit(other_player.id, 5, kind=DEPOSIT, key="shared")
    assert a.id != b.id


def test_a_lost_insert_race_returns_the_winners_row(player, monkeypatch):
    """The unique index decides: a duplicate that slipped past the lookup (as in a race) rolls
    back its balance change in its savepoint and answers with the existing row."""
    winner = ledger.credit(player.id, 70, kind=DEPOSIT, key="race")
    real = ledger._find_entry
    calls = []

    def first_lookup_misses(wallet_id, key):
        calls.append(key)
        return None if len(calls) == 1 else real(wallet_id, key)

    monkeypatch.setattr(ledger, "_find_entry", first_lookup_misses)
    again = ledger.credit(player.id, 70, kind=DEPOSIT, key="race")
    assert again.id == winner.id and len(calls) == 2
    assert assert_invariant(player.id) == (70, 0)
    calls.clear()
    with pytest.raises(IdempotencyConflictError):  # the loser asked for another amount
        ledger.credit(player.id, 71, kind=DEPOSIT, key="race")
    assert assert_invariant(player.id) == (70, 0)


# ----- holds ---------------------------------------------------------------------------------
def test_hold_reserves_available_coins_without_a_ledger_row(player):
    fund(player.id, 100)
    reserved = holds.hold(player.id, 80, expires_at=later(), key="h1")
    assert reserved.status == HoldStatus.ACTIVE
    assert state_of(player.id) == (100, 80)
    assert ledger_of(player.id) == [("deposit", 100)]
    with pytest.raises(InsufficientFundsError):
        ledger.debit(player.id, 21, kind=ENTRY_FEE)
    with pytest.raises(InsufficientFundsError):
        holds.hold(player.id, 21, expires_at=later())
    assert ledger.debit(player.id, 20, kind=ENTRY_FEE).balance_after == 80
    assert assert_invariant(player.id) == (80, 80)


def test_hold_is_idempotent_by_key(player):
    fund(player.id, 100)
    first = holds.hold(player.id, 30, expires_at=later(), key="h")
    assert holds.hold(player.id, 30, expires_at=later(), key="h").id == first.id
    with pytest.raises(IdempotencyConflictError):
        holds.hold(player.id, 31, expires_at=later(), key="h")
    assert state_of(player.id) == (100, 30)


def test_capture_turns_the_hold_into_one_debit(player):
    fund(player.id, 100)
    reserved = holds.hold(
        player.id, 60, kind=PURCHASE, expires_at=later(), reference=("shop_purchase", 3)
    )
    entry = holds.capture(reserved.id)
    assert (entry.amount, entry.kind, entry.balance_after) == (-60, PURCHASE, 40)
    assert (entry.reference_type, entry.reference_id) == ("shop_purchase", 3)
    assert reserved.status == HoldStatus.CAPTURED and reserved.capture_transaction_id == entry.id
    assert holds.capture(reserved.id).id == entry.id  # idempotent
    assert assert_invariant(player.id) == (40, 0)
    with pytest.raises(InvalidTransitionError):
        holds.release(reserved.id)


def test_release_frees_the_coins_without_a_ledger_row(player):
    fund(player.id, 100)
    reserved = holds.hold(player.id, 60, expires_at=later())
    released = holds.release(reserved.id)
    assert released.status == HoldStatus.RELEASED and released.resolved_at is not None
    assert holds.release(reserved.id).status == HoldStatus.RELEASED  # idempotent
    assert ledger_of(player.id) == [("deposit", 100)]
    assert assert_invariant(player.id) == (100, 0)
    with pytest.raises(InvalidTransitionError):
        holds.capture(reserved.id)


def test_capture_after_expiry_is_refused(player):
    fund(player.id, 100)
    reserved = holds.hold(player.id, 10, expires_at=later(15))
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        with pytest.raises(HoldExpiredError):
            holds.capture(reserved.id)
    assert assert_invariant(player.id) == (100, 10)


def test_reduce_hold_gives_back_the_difference(player):
    fund(player.id, 100)
    reserved = holds.hold(player.id, 60, expires_at=later())
    assert holds.reduce_hold(reserved.id, 45).amount == 45
    assert assert_invariant(player.id) == (100, 45)
    with pytest.raises(InvalidAmountError):
        holds.reduce_hold(reserved.id, 50)


# ----- refunds -------------------------------------------------------------------------------
def test_partial_refunds_up_to_what_was_paid(player):
    fund(player.id, 100)
    fee = ledger.debit(player.id, 50, kind=ENTRY_FEE, reference=("registration", 9))
    first = ledger.refund(fee.id, 20, reason="partial")
    assert (first.amount, first.kind, first.refund_of_id) == (20, TransactionKind.REFUND, fee.id)
    assert (first.reference_type, first.reference_id) == ("registration", 9)
    with pytest.raises(RefundExceedsPaidError) as exc:
        ledger.refund(fee.id, 31)
    assert exc.value.code == "refund_exceeds_paid" and exc.value.status == 409
    rest = ledger.refund(fee.id)  # what is left
    assert rest.amount == 30
    with pytest.raises(RefundExceedsPaidError):
        ledger.refund(fee.id, 1)
    assert ledger.refunded_total(fee.id) == 50
    assert assert_invariant(player.id) == (100, 0)


def test_refund_is_idempotent_by_key(player):
    fund(player.id, 100)
    fee = ledger.debit(player.id, 50, kind=ENTRY_FEE)
    first = ledger.refund(fee.id, 50, key="refund:1")
    assert ledger.refund(fee.id, 50, key="refund:1").id == first.id
    assert ledger.refund(fee.id, key="refund:1").id == first.id
    with pytest.raises(IdempotencyConflictError):
        ledger.refund(fee.id, 40, key="refund:1")
    assert assert_invariant(player.id) == (100, 0)


def test_only_refundable_debits_can_be_refunded(player):
    deposit = fund(player.id, 100)
    with pytest.raises(NotRefundableError):
        ledger.refund(deposit.id, 10)
    adjustment = ledger.debit(player.id, 5, kind=TransactionKind.ADJUSTMENT)
    with pytest.raises(NotRefundableError):
        ledger.refund(adjustment.id, 5)
    with pytest.raises(TransactionNotFoundError):
        ledger.refund(999_999, 5)


# ----- staff adjustments ---------------------------------------------------------------------
def test_adjustments_are_staff_only_need_a_reason_and_are_audited(player, staff_user):
    with pytest.raises(PermissionDeniedError):
        ledger.adjust_balance(player.id, 10, reason="gift", actor=player)
    with pytest.raises(ValidationError):
        ledger.adjust_balance(player.id, 10, reason="  ", actor=staff_user)
    added = ledger.adjust_balance(player.id, 40, reason="goodwill", actor=staff_user)
    removed = ledger.adjust_balance(player.id, -15, reason="correction", actor=staff_user)
    assert (added.kind, added.created_by, added.reason) == (
        TransactionKind.ADJUSTMENT,
        staff_user.id,
        "goodwill",
    )
    assert removed.amount == -15 and removed.balance_after == 25
    with pytest.raises(InsufficientFundsError):
        ledger.adjust_balance(player.id, -26, reason="too much", actor=staff_user)
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "wallet.adjusted").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.before["balance"], e.after["balance"]) for e in entries] == [
        (staff_user.id, 0, 40),
        (staff_user.id, 40, 25),
    ]
    assert entries[1].after["reason"] == "correction"
    assert entries[1].after["transaction_id"] == removed.id
    assert assert_invariant(player.id) == (25, 0)


def test_adjusting_an_unknown_user_is_a_not_found(staff_user):
    from deltacrown.accounts.errors import UserNotFoundError

    with pytest.raises(UserNotFoundError):
        ledger.adjust_balance(999_999, 10, reason="gift", actor=staff_user)


def test_the_session_wallet_object_follows_the_statements(player):
    wallet = wallets.get_or_create_wallet(player.id)
    version = wallet.version
    fund(player.id, 10)
    holds.hold(player.id, 4, expires_at=later())
    assert (wallet.balance, wallet.held, wallet.available) == (10, 4, 6)
    assert wallet.version == version + 2


def test_refunds_leave_the_refunded_row_unchanged(player):
    fund(player.id, 5)
    fee = ledger.debit(player.id, 5, kind=ENTRY_FEE)
    ledger.refund(fee.id, 5)
    db.session.expire_all()
    row = db.session.get(Transaction, fee.id)
    assert (row.amount, row.balance_after, row.kind) == (-5, 0, ENTRY_FEE)


def test_an_expired_hold_problem_names_its_time_to_the_second(player):
    import re

    fund(player.id, 100)
    reserved = holds.hold(player.id, 10, expires_at=later(15))
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        with pytest.raises(HoldExpiredError) as exc:
            holds.capture(reserved.id)
    assert re.search(r"expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$", exc.value.detail)
    assert exc.value.extra["expires_at"].endswith("Z")
