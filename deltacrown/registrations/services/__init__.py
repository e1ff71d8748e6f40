"""Registration write use cases (flush, never commit), one module per concern: registration
(sign-up, withdrawal, approval), payments (coin fees, manual payments, refunds), waitlist
(positions, promotion, offers, the sweep), checkin, cancellation (a cancelled tournament)."""

from deltacrown.registrations.services.cancellation import wind_up_cancelled_tournament
from deltacrown.registrations.services.checkin import (
    check_in,
    checkin_status,
    close_checkin,
    close_due_checkins,
    force_check_in,
    undo_check_in,
    undo_own_check_in,
)
from deltacrown.registrations.services.payments import (
    mark_refunded,
    reject_payment,
    submit_payment,
    verify_payment,
)
from deltacrown.registrations.services.registration import (
    approve_registration,
    cancel_registration,
    register,
    reject_registration,
)
from deltacrown.registrations.services.waitlist import (
    fill_places,
    leave_waitlist,
    promote_by_hand,
    sweep,
)

__all__ = [
    "approve_registration",
    "cancel_registration",
    "check_in",
    "checkin_status",
    "close_checkin",
    "close_due_checkins",
    "fill_places",
    "force_check_in",
    "leave_waitlist",
    "mark_refunded",
    "promote_by_hand",
    "register",
    "reject_payment",
    "reject_registration",
    "submit_payment",
    "sweep",
    "undo_check_in",
    "undo_own_check_in",
    "verify_payment",
    "wind_up_cancelled_tournament",
]
