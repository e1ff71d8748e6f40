"""Dashboard representations: `*Schema` out (figures), `*Args` in (query strings)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.registrations.models import PaymentStatus, RegistrationStatus
from deltacrown.tournaments.models import TournamentStatus
from deltacrown.tournaments.rules import format_decimal


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


RATE_DOC = {"description": "4 decimal places; null when there is nothing to divide by"}


# ----- inputs --------------------------------------------------------------------------------
class StatsArgs(BaseSchema):
    organizer = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "Staff: the organizer's user id (default: you)"},
    )


class ParticipantArgs(BaseSchema):
    status = ma.fields.List(
        ma.fields.Enum(RegistrationStatus, by_value=True),
        metadata={"description": "Registration status; repeatable"},
    )
    payment_status = ma.fields.List(
        ma.fields.Enum(PaymentStatus, by_value=True), metadata={"description": "Repeatable"}
    )
    checked_in = ma.fields.Boolean()
    participant_type = ma.fields.String(validate=ma.validate.OneOf(("team", "solo")))
    ordering = ma.fields.String(
        load_default="created_at",
        validate=ma.validate.OneOf(("created_at", "-created_at")),
        metadata={"description": "Registration order (default) or newest first"},
    )


# ----- outputs -------------------------------------------------------------------------------
class TournamentRefSchema(BaseSchema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.Enum(TournamentStatus, by_value=True)
    start_at = _aware()


class CashTotalSchema(BaseSchema):
    amount = ma.fields.Function(lambda c: format_decimal(c.amount), metadata={"type": "string"})
    currency = ma.fields.String()


class RevenueSchema(BaseSchema):
    cash = ma.fields.List(
        ma.fields.Nested(CashTotalSchema),
        metadata={"description": "Verified manual payments' fees, per currency"},
    )
    coins = ma.fields.Integer(
        metadata={"description": "Coin entry fees that reached the tournaments' escrows, "
                  "minus their refunds"}
    )  # fmt: skip


class EscrowFiguresSchema(BaseSchema):
    balance = ma.fields.Integer(metadata={"description": "Coins the escrows hold now"})
    entry_fees = ma.fields.Integer(
        metadata={"description": "Coin entry fees paid into the escrows, minus refunds"}
    )
    prize_pools = ma.fields.Integer(
        metadata={"description": "Coin prize pools held from the organizer, minus pools "
                  "given back on cancellation"}
    )  # fmt: skip
    prizes_paid = ma.fields.Integer(metadata={"description": "Coin prizes paid out of them"})
    platform_fee = ma.fields.Integer(metadata={"description": "The platform's fee taken"})
    settled = ma.fields.Integer(
        metadata={"description": "What the escrows returned to the organizer at completion"}
    )


class FillSchema(BaseSchema):
    filled = ma.fields.Integer(attribute="part", metadata={"description": "Places held"})
    capacity = ma.fields.Integer(attribute="whole")
    rate = ma.fields.Float(attribute="value", allow_none=True, metadata=RATE_DOC)


class ParticipantFiguresSchema(BaseSchema):
    entries = ma.fields.Integer(metadata={"description": "Confirmed registrations"})
    total = ma.fields.Integer(metadata={"description": "Players on them (roster places)"})
    unique = ma.fields.Integer(metadata={"description": "Distinct people"})


class UpcomingStartsSchema(BaseSchema):
    next_7_days = ma.fields.Integer()
    next_30_days = ma.fields.Integer()
    next = ma.fields.List(ma.fields.Nested(TournamentRefSchema))


class DashboardStatsSchema(BaseSchema):
    organizer_id = ma.fields.Integer()
    tournaments = ma.fields.Function(
        lambda s: {"total": s.tournaments, "by_status": s.by_status},
        metadata={"description": "{total, by_status: {draft: n, ...}}"},
    )
    participants = ma.fields.Nested(ParticipantFiguresSchema)
    revenue = ma.fields.Nested(RevenueSchema)
    fill_rate = ma.fields.Nested(FillSchema, attribute="fill")
    upcoming_starts = ma.fields.Nested(UpcomingStartsSchema, attribute="upcoming")
    escrow = ma.fields.Nested(
        EscrowFiguresSchema,
        metadata={"description": "DeltaCoins in the tournaments' escrows and where they went"},
    )


class PendingPaymentsSchema(BaseSchema):
    count = ma.fields.Integer(metadata={"description": "Manual payments awaiting verification"})
    oldest_submitted_at = _aware(allow_none=True)
    oldest_age_seconds = ma.fields.Integer(allow_none=True)


class CheckInSchema(BaseSchema):
    checked_in = ma.fields.Integer(attribute="part")
    expected = ma.fields.Integer(
        attribute="whole", metadata={"description": "Confirmed + no-shows"}
    )
    rate = ma.fields.Float(attribute="value", allow_none=True, metadata=RATE_DOC)


class IssueSchema(BaseSchema):
    code = ma.fields.String()
    severity = ma.fields.String(metadata={"enum": ["critical", "warning", "info"]})
    message = ma.fields.String()


class TournamentHealthSchema(BaseSchema):
    tournament = ma.fields.Nested(TournamentRefSchema)
    registrations = ma.fields.Function(
        lambda h: {
            "by_status": h.registrations,
            "held": h.held,
            "capacity": h.tournament.max_participants,
            "fill_rate": h.fill.value,
        },
        metadata={"description": "{by_status, held (pending + confirmed), capacity, fill_rate}"},
    )
    pending_payments = ma.fields.Nested(PendingPaymentsSchema)
    awaiting_payment = ma.fields.Integer(
        metadata={"description": "Pending registrations whose player has not paid yet"}
    )
    check_in = ma.fields.Nested(CheckInSchema)
    no_shows = ma.fields.Integer()
    open_disputes = ma.fields.Integer()
    matches_overdue = ma.fields.Integer()
    completion_rate = ma.fields.Float(allow_none=True, metadata=RATE_DOC)
    escrow = ma.fields.Nested(
        EscrowFiguresSchema,
        metadata={"description": "DeltaCoins in the tournament's escrow and where they went"},
    )
    issues = ma.fields.List(ma.fields.Nested(IssueSchema))


class PlayerRefSchema(BaseSchema):
    id = ma.fields.Integer()
    username = ma.fields.String()


class TeamRefSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    tag = ma.fields.String()


def entry_fee(registration: Any) -> dict[str, Any] | None:
    if registration.fee_coins is not None:
        return {"coins": registration.fee_coins}
    if registration.fee_amount is not None:
        return {
            "amount": format_decimal(registration.fee_amount),
            "currency": registration.fee_currency,
        }
    return None


def participant_name(registration: Any) -> str | None:
    if registration.team is not None:
        return str(registration.team.name)
    if registration.user is not None:
        return str(registration.user.username)
    return registration.guest_team or registration.guest_name  # without an account


class ParticipantSchema(BaseSchema):
    """A registration as its organizers see it (no e-mail, no payment sender number)."""

    id = ma.fields.Integer(metadata={"description": "Registration id"})
    participant_type = ma.fields.Function(lambda r: "team" if r.team_id else "solo")
    participant_name = ma.fields.Function(participant_name)
    user = ma.fields.Nested(PlayerRefSchema, allow_none=True)
    team = ma.fields.Nested(TeamRefSchema, allow_none=True)
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    payment_status = ma.fields.Enum(PaymentStatus, by_value=True)
    payment_method = ma.fields.String(allow_none=True)
    entry_fee = ma.fields.Function(entry_fee, allow_none=True)
    checked_in = ma.fields.Function(lambda r: r.checked_in_at is not None)
    checked_in_at = _aware(allow_none=True)
    waitlist_position = ma.fields.Integer(allow_none=True)
    registered_at = _aware(attribute="created_at")
    confirmed_at = _aware(allow_none=True)
