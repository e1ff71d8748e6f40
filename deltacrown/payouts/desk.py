"""The staff payout desk: mark a payout paid (with the reference of the transfer) or failed,
retry a failed one. Every change is audited and announced after commit. The REST desk and
the Flask-Admin "Payout desk" call these same functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.core import audit
from deltacrown.core.actors import Actor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit
from deltacrown.payouts import queries, services
from deltacrown.payouts.errors import PayoutAlreadyPaidError
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.tournaments.policies import is_staff


def _snapshot(payout: Payout) -> dict[str, Any]:
    return {
        "status": payout.status.value,
        "reference": payout.reference,
        "paid_at": payout.paid_at,
        "last_error": payout.last_error,
    }


def _require_text(name: str, value: str) -> None:
    if not (value or "").strip():
        raise ValidationError(f"Give a {name}.", errors={name: ["Required."]})


def _locked(payout_id: int, actor: Actor | None) -> Payout:
    if not is_staff(actor):
        raise PermissionDeniedError("Only staff work the payout desk.")
    payout = queries.get_payout(payout_id, for_update=True)
    if payout.status == PayoutStatus.PAID:
        raise PayoutAlreadyPaidError(f"Payout {payout_id} was already paid.")
    return payout


def mark_paid(
    payout_id: int, *, reference: str, actor: Actor | None, paid_at: datetime | None = None
) -> Payout:
    """Record that staff paid a payout outside the system (cash, or a coin payout that kept
    failing and was settled by hand), with the transfer's reference.

    Raises PermissionDeniedError, PayoutNotFoundError, PayoutAlreadyPaidError,
    InvalidTransitionError (a cancelled payout).
    """
    _require_text("reference", reference)
    payout = _locked(payout_id, actor)
    before = _snapshot(payout)
    payout.move_to(PayoutStatus.PAID)
    payout.reference = reference.strip()
    payout.paid_at = paid_at or utcnow()
    payout.paid_by_id = getattr(actor, "id", None)
    payout.last_error = None
    audit.record(actor=actor, action="payout.marked_paid", target=payout, before=before,
                 after=_snapshot(payout))  # fmt: skip
    services.announce_paid(payout)
    return payout


def mark_failed(payout_id: int, *, reason: str, actor: Actor | None) -> Payout:
    """A payout that could not be made (wrong account, refused transfer), with the reason.

    Raises PermissionDeniedError, PayoutNotFoundError, PayoutAlreadyPaidError,
    InvalidTransitionError (already failed or cancelled).
    """
    _require_text("reason", reason)
    payout = _locked(payout_id, actor)
    before = _snapshot(payout)
    services.fail(payout, reason.strip())
    audit.record(actor=actor, action="payout.marked_failed", target=payout, before=before,
                 after=_snapshot(payout))  # fmt: skip
    return payout


def retry(payout_id: int, *, actor: Actor | None) -> Payout:
    """Put a failed payout back to pending; a coin payout is credited again at once.

    Raises PermissionDeniedError, PayoutNotFoundError, PayoutAlreadyPaidError,
    InvalidTransitionError (not failed).
    """
    payout = _locked(payout_id, actor)
    before = _snapshot(payout)
    payout.move_to(PayoutStatus.PENDING)
    payout.attempts = 0
    audit.record(actor=actor, action="payout.retried", target=payout, before=before,
                 after=_snapshot(payout))  # fmt: skip
    if payout.kind == PayoutKind.COINS:
        after_commit(services.enqueue_payments, [payout.id])
    return payout
