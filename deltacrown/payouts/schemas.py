"""Payout representations: `*Schema` out, `*Args` in. Coins are integers; cash amounts are
decimal strings with their ISO 4217 currency."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.payouts.models import PayoutKind, PayoutMethodKind, PayoutStatus

AwareDateTime = ma.fields.AwareDateTime


class PayoutSchema(BaseSchema):
    """What anyone may see of a payout: the placement, the participant and the amount."""

    id = ma.fields.Integer()
    tournament_id = ma.fields.Integer()
    placement = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    participant = ma.fields.String(
        allow_none=True, metadata={"description": "The player's or team's name"}
    )
    recipient = ma.fields.String(
        allow_none=True, metadata={"description": "The username paid (a team member for teams)"}
    )
    kind = ma.fields.Enum(PayoutKind, by_value=True)
    coins = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Decimal(as_string=True, places=2, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    status = ma.fields.Enum(PayoutStatus, by_value=True)
    paid_at = AwareDateTime(format="iso", allow_none=True)


class MyPayoutSchema(PayoutSchema):
    reference = ma.fields.String(allow_none=True)
    last_error = ma.fields.String(allow_none=True)


class PayoutMethodSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    method = ma.fields.Enum(PayoutMethodKind, by_value=True)
    account = ma.fields.String()


class DeskPayoutSchema(MyPayoutSchema):
    user_id = ma.fields.Integer()
    attempts = ma.fields.Integer()
    transaction_id = ma.fields.Integer(allow_none=True)
    paid_by_id = ma.fields.Integer(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    created_at = AwareDateTime(format="iso")
    payout_methods = ma.fields.List(
        ma.fields.Nested(PayoutMethodSchema),
        metadata={"description": "How the recipient accepts cash prizes"},
    )


class PlanLineSchema(BaseSchema):
    placement = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    participant = ma.fields.String(allow_none=True)
    user_id = ma.fields.Integer()
    kind = ma.fields.Enum(PayoutKind, by_value=True)
    coins = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Decimal(as_string=True, places=2, allow_none=True)
    currency = ma.fields.String(allow_none=True)


class UnclaimedSchema(BaseSchema):
    placement = ma.fields.Integer()
    coins = ma.fields.Integer(allow_none=True)
    amount = ma.fields.Decimal(as_string=True, places=2, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    reason = ma.fields.String()


class PayoutRunSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    dry_run = ma.fields.Boolean()
    plan = ma.fields.List(ma.fields.Nested(PlanLineSchema))
    unclaimed = ma.fields.List(
        ma.fields.Nested(UnclaimedSchema),
        metadata={"description": "Placements nobody finished in: they pay nothing"},
    )
    created = ma.fields.Integer(metadata={"description": "Payouts created by this call"})
    payouts = ma.fields.List(ma.fields.Nested(PayoutSchema))


class PayoutRunArgs(BaseSchema):
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Only compute and return the plan; nothing is written"},
    )
    notes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))


class MismatchSchema(BaseSchema):
    payout_id = ma.fields.Integer()
    problem = ma.fields.String(
        metadata={
            "description": "`amount`, `not_due` (no placement asks for it), or `ledger` (wallet credits "
            "differ)"
        }
    )
    expected = ma.fields.String(allow_none=True)
    actual = ma.fields.String(allow_none=True)


class DuplicateSchema(BaseSchema):
    payout_id = ma.fields.Integer()
    credits = ma.fields.Integer()


class MissingSchema(PlanLineSchema):
    pass


class VerifySchema(BaseSchema):
    ok = ma.fields.Boolean(
        metadata={"description": "Every payout the prize distribution asks for exists with its amount, and "
                  "every coin "
                  "payout was credited exactly once"}
    )  # fmt: skip
    expected = ma.fields.Integer(metadata={"description": "Payouts the plan asks for"})
    actual = ma.fields.Integer(metadata={"description": "Payouts that exist (not cancelled)"})
    paid = ma.fields.Integer()
    missing = ma.fields.List(ma.fields.Nested(MissingSchema))
    amount_mismatches = ma.fields.List(ma.fields.Nested(MismatchSchema))
    duplicates = ma.fields.List(ma.fields.Nested(DuplicateSchema))
    failed = ma.fields.List(ma.fields.Integer(), metadata={"description": "Failed payout ids"})
    escrow_balance = ma.fields.Integer(
        metadata={"description": "DeltaCoins the tournament's escrow holds now (entry fees and "
                  "a funded prize pool not yet paid out or settled)"}
    )  # fmt: skip
    clawbacks_due = ma.fields.List(
        ma.fields.Integer(),
        metadata={"description": "Payouts paid before a result correction and not recovered"},
    )


class DeskQueryArgs(BaseSchema):
    status = ma.fields.Enum(PayoutStatus, by_value=True)
    kind = ma.fields.Enum(PayoutKind, by_value=True)
    tournament = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))
    currency = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Za-z]{3}$"))


class MarkPaidArgs(BaseSchema):
    reference = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "The transfer's reference (transaction id, receipt number)"},
    )
    paid_at = AwareDateTime(format="iso", metadata={"description": "Default: now"})


class MarkFailedArgs(BaseSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class PayoutMethodArgs(BaseSchema):
    method = ma.fields.Enum(PayoutMethodKind, by_value=True, required=True)
    account = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))


class OrganizerBalanceQueryArgs(BaseSchema):
    currency = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Za-z]{3}$"))
    organizer = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The organizer's user id"},
    )


def _money_field(description: str) -> ma.fields.Decimal:
    return ma.fields.Decimal(as_string=True, places=2, metadata={"description": description})


class OrganizerBalanceSchema(BaseSchema):
    """What the platform owes one organizer in one currency from cash entry fees."""

    organizer_id = ma.fields.Integer()
    username = ma.fields.String()
    currency = ma.fields.String()
    fees_verified = _money_field("Cash entry fees of payments verified by staff")
    refunds_done = _money_field("Of those, the fees refunded by hand")
    platform_fee = _money_field("The platform's fee: its percentage of the rest, rounded down")
    payable = _money_field("What the platform owes the organizer: fees - refunds - platform fee")
    prize_pools_declared = _money_field(
        "Cash prize pools the organizer's tournaments declare (not cancelled)"
    )
    prizes_paid = _money_field("Cash prizes of their tournaments already marked paid")
