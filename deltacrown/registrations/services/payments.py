"""Entry fees: DeltaCoin debits and refunds through the economy service, manual payment
submissions (bKash, Nagad, Rocket, bank transfer) with their verification, and manual refunds
that staff pay out by hand.

Idempotency: the coin fee of registration N is debited with the economy key
`entry_fee:reg:N` and refunded with `refund:reg:N`, so a retried request, task or signal
never charges or refunds twice (the economy returns the first ledger row again).

Money in before money out: a coin fee goes into the tournament's escrow (a system wallet,
key `escrow_in:reg:N`) in the same transaction as the player's debit, and a refund comes out
of it (`escrow_out:reg:N`); the escrow is settled when the tournament completes (payouts).

A manual payment that was made (submitted or verified) and must be given back (the player
withdrew, an organizer rejected or removed the registration, the tournament was cancelled)
becomes *refund due*: `refund_due_at` is set and it is listed for staff, who pay it back
outside the system and mark it refunded (payment status `refunded`). Submitted-but-unverified
payments are included because the money may well have been sent; staff check the
transaction before paying.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import IO, BinaryIO, cast

from sqlalchemy.exc import IntegrityError

from deltacrown.core import audit, signals, storage
from deltacrown.core.actors import SYSTEM, Actor, UserActor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import on_rollback
from deltacrown.economy import services as economy
from deltacrown.economy.models import TransactionKind
from deltacrown.extensions import db
from deltacrown.registrations import policies, queries
from deltacrown.registrations.errors import (
    AmountMismatchError,
    DuplicateTransactionIdError,
    InvalidPaymentMethodError,
    PaymentNotExpectedError,
    PaymentNotSubmittedError,
    RefundNotDueError,
)
from deltacrown.registrations.models import (
    Payment,
    PaymentStatus,
    Registration,
    RegistrationStatus,
    SubmissionStatus,
)
from deltacrown.registrations.services.common import (
    audit_foreign,
    confirm,
    emit,
    locked_registration,
    payment_deadline,
    ready_to_confirm,
    require_manager,
    snapshot,
    visible_registration,
)
from deltacrown.tournaments.models import PaymentMethod, Tournament
from deltacrown.tournaments.rules import MANUAL_METHODS

S = RegistrationStatus
P = PaymentStatus
COIN_METHOD = PaymentMethod.DELTACOIN.value


def fee_key(registration: Registration) -> str:
    return f"entry_fee:reg:{registration.id}"


def refund_key(registration: Registration) -> str:
    return f"refund:reg:{registration.id}"


# ----- coins -------------------------------------------------------------------------------------
def charge_coins(
    registration: Registration,
    tournament: Tournament,
    *,
    actor: Actor | None = SYSTEM,
    payer_id: int | None = None,
) -> None:
    """Debit the coin fee (idempotent by `entry_fee:reg:<id>`) from `payer_id`'s wallet, by
    default the one who registered. Refunds go back to whichever wallet paid.

    Raises InsufficientFundsError (409); the wallet and the registration are then unchanged.
    """
    if registration.fee_coins is None:
        raise InvalidPaymentMethodError("This registration has no coin fee.")
    entry = economy.debit(
        payer_id if payer_id is not None else registration.registered_by_id,
        registration.fee_coins,
        kind=TransactionKind.ENTRY_FEE,
        key=fee_key(registration),
        reference=("registrations", registration.id),
        reason=f"Entry fee: {tournament.name}",
        actor=actor,
    )
    economy.credit_account(
        economy.escrow_account(tournament.id),
        registration.fee_coins,
        kind=TransactionKind.ESCROW_IN,
        key=f"escrow_in:reg:{registration.id}",
        reference=("registrations", registration.id),
        reason=f"Entry fee held: {tournament.name}",
    )
    registration.coin_transaction_id = entry.id
    registration.payment_status = P.VERIFIED
    registration.payment_method = COIN_METHOD
    registration.payment_due_at = None


def give_back(registration: Registration, *, actor: Actor | None, now: datetime) -> None:
    """Return what the registration paid, after it ended: coins straight back to the wallet
    (idempotent), a manual payment made (submitted or verified) listed as refund due."""
    if registration.coin_transaction_id is not None:
        if registration.payment_status != P.REFUNDED:
            entry = economy.refund(
                registration.coin_transaction_id,
                key=refund_key(registration),
                reason="Entry fee refunded",
                actor=actor,
            )
            escrow = economy.escrow_account(registration.tournament_id)
            # Fees taken before escrow existed were never held: nothing to take back.
            if economy.account_entry(escrow, f"escrow_in:reg:{registration.id}") is not None:
                economy.debit_account(
                    escrow,
                    entry.amount,
                    kind=TransactionKind.ESCROW_OUT,
                    key=f"escrow_out:reg:{registration.id}",
                    reference=("registrations", registration.id),
                    reason="Entry fee refunded",
                )
            registration.payment_status = P.REFUNDED
            emit(signals.payment_refunded, registration, kind="coins")
        return
    if registration.payment_status in (P.SUBMITTED, P.VERIFIED) and (
        registration.refund_due_at is None
    ):
        registration.refund_due_at = now
        emit(signals.refund_due, registration)


def pay_with_coins(
    registration: Registration, tournament: Tournament, *, actor: UserActor, now: datetime
) -> None:
    """Take up a waitlist offer on a coin-fee tournament (the registrant only)."""
    if not policies.is_registrant(actor, registration):
        raise PermissionDeniedError("Only the registrant pays from their own wallet.")
    if registration.fee_coins is None:
        raise InvalidPaymentMethodError(
            "This tournament's fee is not in DeltaCoins.",
            errors={"method": ["Not accepted by this tournament."]},
        )
    charge_coins(registration, tournament, actor=actor, payer_id=actor.id)
    if ready_to_confirm(registration, tournament):
        confirm(registration, tournament, now)
    emit(signals.payment_verified, registration, actor_id=actor.id)


# ----- manual payments -------------------------------------------------------------------------
def _check_manual(
    registration: Registration, tournament: Tournament, method: str, amount: Decimal
) -> None:
    if method not in MANUAL_METHODS or method not in tournament.payment_methods:
        accepted = ", ".join(tournament.payment_methods) or "none"
        raise InvalidPaymentMethodError(
            f"This tournament accepts: {accepted}.",
            errors={"method": [f"Not accepted; use one of: {accepted}."]},
        )
    if registration.fee_amount is None:
        raise InvalidPaymentMethodError(
            "This tournament's fee is not paid in cash.",
            errors={"method": ["Not accepted by this tournament."]},
        )
    fee = Decimal(registration.fee_amount)
    if Decimal(amount) != fee:
        raise AmountMismatchError(
            f"The entry fee is {fee} {registration.fee_currency}; send exactly that.",
            errors={"amount": [f"Must be {fee}."]},
            expected=str(fee),
        )


def submit_payment(
    registration_id: int,
    *,
    actor: UserActor,
    method: str,
    sender_number: str | None = None,
    transaction_id: str | None = None,
    amount: Decimal | None = None,
    proof: IO[bytes] | None = None,
    proof_filename: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Pay a pending registration: with `deltacoin` (a waitlist offer on a coin fee), or with
    the details of a manual payment (and an optional proof file) for organizers to verify.

    Raises RegistrationNotFoundError, PermissionDeniedError, PaymentNotExpectedError,
    InvalidPaymentMethodError, AmountMismatchError, DuplicateTransactionIdError, ValidationError,
    InsufficientFundsError, and the file errors of `core.storage` (413, 415).
    """
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    if not policies.can_pay(actor, registration):
        raise PermissionDeniedError("Only the registrant, organizers and staff may pay.")
    if policies.is_registrant(actor, registration):
        tournament.ensure_not_frozen()
    if registration.status != S.PENDING or registration.payment_status not in (
        P.AWAITING,
        P.REJECTED,
    ):
        raise PaymentNotExpectedError(
            f"Registration {registration.id} is {registration.status.value} with payment "
            f"{registration.payment_status.value}: no payment is expected now."
        )
    if method == COIN_METHOD:
        pay_with_coins(registration, tournament, actor=actor, now=now)
        db.session.flush()
        return registration
    missing = {
        name: ["Required for this method."]
        for name, value in (
            ("sender_number", sender_number),
            ("transaction_id", transaction_id),
            ("amount", amount),
        )
        if value in (None, "")
    }
    if missing or amount is None or transaction_id is None or sender_number is None:
        raise ValidationError("Give the payment's details; see errors.", errors=missing)
    _check_manual(registration, tournament, method, amount)
    txn = transaction_id.strip().upper()
    if queries.transaction_id_taken(method, txn):
        raise DuplicateTransactionIdError(
            f"The {method} transaction id {txn} was already submitted.",
            errors={"transaction_id": ["Already used."]},
        )
    proof_key = None
    if proof is not None:
        proof_key = storage.save(cast(BinaryIO, proof), "payment_proof", proof_filename)
        on_rollback(storage.delete, proof_key)
    before = snapshot(registration)
    payment = Payment(
        registration_id=registration.id,
        tournament_id=tournament.id,
        method=method,
        sender_number=sender_number.strip(),
        transaction_id=txn,
        amount=amount,
        currency=registration.fee_currency or "",
        proof_key=proof_key,
        status=SubmissionStatus.SUBMITTED,
        submitted_by_id=actor.id,
        submitted_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError as exc:  # a concurrent submission took the id first
        raise DuplicateTransactionIdError(
            f"The {method} transaction id {txn} was already submitted.",
            errors={"transaction_id": ["Already used."]},
        ) from exc
    registration.payments.append(payment)
    registration.payment_status = P.SUBMITTED
    registration.payment_method = method
    db.session.flush()
    audit_foreign(actor, registration, "registration.payment_submitted", before)
    emit(signals.payment_submitted, registration, payment_id=payment.id)
    return registration


def _submitted(registration: Registration) -> Payment:
    payment = registration.latest_payment
    if (
        payment is None
        or payment.status != SubmissionStatus.SUBMITTED
        or registration.payment_status != P.SUBMITTED
        or registration.status != S.PENDING
    ):
        raise PaymentNotSubmittedError(
            f"Registration {registration.id} has no submitted payment waiting for review."
        )
    return payment


def verify_payment(
    registration_id: int, *, actor: UserActor, now: datetime | None = None
) -> Registration:
    """Organizers/staff: the submitted payment arrived → verified, and the registration is
    confirmed (unless it still awaits approval). Audited. Raises RegistrationNotFoundError,
    PermissionDeniedError, PaymentNotSubmittedError."""
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    require_manager(actor, tournament)
    payment = _submitted(registration)
    before = snapshot(registration)
    payment.status = SubmissionStatus.VERIFIED
    payment.reviewed_by_id = actor.id
    payment.reviewed_at = now
    registration.payment_status = P.VERIFIED
    registration.payment_due_at = None
    if ready_to_confirm(registration, tournament):
        confirm(registration, tournament, now)
    db.session.flush()
    audit_foreign(
        actor, registration, "registration.payment_verified", before, payment_id=payment.id
    )
    emit(signals.payment_verified, registration, actor_id=actor.id)
    return registration


def reject_payment(
    registration_id: int, *, actor: UserActor, reason: str, now: datetime | None = None
) -> Registration:
    """Organizers/staff: the submitted payment is not right → rejected with a reason; the
    player may submit again, with a fresh payment deadline. Audited. Raises
    RegistrationNotFoundError, PermissionDeniedError, ValidationError, PaymentNotSubmittedError."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the payment is rejected.", errors={"reason": ["Required."]})
    registration, tournament = visible_registration(registration_id, actor)
    require_manager(actor, tournament)
    payment = _submitted(registration)
    before = snapshot(registration)
    payment.status = SubmissionStatus.REJECTED
    payment.reviewed_by_id = actor.id
    payment.reviewed_at = now
    payment.reject_reason = reason
    registration.payment_status = P.REJECTED
    registration.payment_due_at = payment_deadline(tournament, now)
    db.session.flush()
    audit_foreign(
        actor,
        registration,
        "registration.payment_rejected",
        before,
        payment_id=payment.id,
        reason=reason,
    )
    emit(signals.payment_rejected, registration, reason=reason, actor_id=actor.id)
    return registration


def mark_refunded(
    registration_id: int,
    *,
    actor: UserActor,
    reference: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Staff: a refund due was paid back by hand → payment `refunded`. Audited.

    Raises PermissionDeniedError, RegistrationNotFoundError, RefundNotDueError.
    """
    now = now or utcnow()
    if not policies.can_mark_refunded(actor):
        raise PermissionDeniedError("Only staff pay out manual refunds.")
    registration, _ = locked_registration(registration_id)
    if registration.refund_due_at is None or registration.refunded_at is not None:
        raise RefundNotDueError(f"Registration {registration_id} has no refund due.")
    before = snapshot(registration)
    registration.refunded_at = now
    registration.refunded_by_id = actor.id
    registration.refund_reference = (reference or "").strip() or None
    registration.payment_status = P.REFUNDED
    db.session.flush()
    audit.record(
        actor=actor,
        action="registration.refunded",
        target=registration,
        before=before,
        after={**snapshot(registration), "reference": registration.refund_reference},
    )
    emit(signals.payment_refunded, registration, kind="manual")
    return registration
