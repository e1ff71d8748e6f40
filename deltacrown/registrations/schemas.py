"""Registration representations: `*Schema` out, `*Args` in (shape only; rules live in services).

One `RegistrationSchema` serves every viewer; what it shows depends on the viewer level a view
sets on each registration (`present`): `public` (anyone: confirmed entries in public lists),
`member` (the roster: no answers or payment details), `private` (the registrant, the
tournament's organizers, staff: everything, the payer's sender number included).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core import storage
from deltacrown.core.api import BaseSchema
from deltacrown.core.i18n import Label
from deltacrown.registrations.models import (
    REGISTRATION_STATUS_LABELS,
    CancelReason,
    MemberRole,
    PaymentStatus,
    RegistrationStatus,
    SubmissionStatus,
)
from deltacrown.tournaments.models import PaymentMethod
from deltacrown.tournaments.rules import Money, format_decimal, parse_decimal
from deltacrown.tournaments.schemas import UserRefSchema


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


class Decimal2(ma.fields.Field):
    """A decimal string with at most 2 places ("500.00"); integers are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"type": "string", "example": "500.00"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_decimal(value, field=attr or "amount")
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return format_decimal(value)


# ----- inputs ----------------------------------------------------------------------------------
class RegistrationCreateArgs(BaseSchema):
    """Solo: `{answers}`; team: `{team, roster, substitutes, answers}`; private tournaments
    also `invite_code`."""

    answers = ma.fields.Dict(
        load_default=dict, metadata={"description": "Custom field key → answer"}
    )
    team = ma.fields.Integer(metadata={"description": "Team id (team tournaments)"})
    roster = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        validate=ma.validate.Length(max=100),
        metadata={
            "description": "User ids of the players (exactly the team size). Leave out roster "
            "and substitutes to register the team's active members: the captain and the "
            "earliest members play, the rest are substitutes (when all of them fit)"
        },
    )
    substitutes = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        validate=ma.validate.Length(max=20),
        metadata={"description": "User ids of the substitutes"},
    )
    invite_code = ma.fields.String(validate=ma.validate.Length(max=32))


class RegistrationQueryArgs(BaseSchema):
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    payment_status = ma.fields.Enum(PaymentStatus, by_value=True)


class MyRegistrationQueryArgs(BaseSchema):
    status = ma.fields.Enum(RegistrationStatus, by_value=True)


class ReasonArgs(BaseSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class PaymentSubmitArgs(BaseSchema):
    """multipart/form-data: the payment's details and an optional `proof` file part."""

    method = ma.fields.Enum(PaymentMethod, by_value=True, required=True)
    sender_number = ma.fields.String(
        validate=ma.validate.Regexp(r"^\+?[0-9 -]{6,20}$", error="A phone or account number."),
        metadata={"description": "The account the money came from (personal data)"},
    )
    transaction_id = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Za-z0-9-]{4,64}$", error="4-64 letters or digits.")
    )
    amount = Decimal2()
    proof = ma.fields.Raw(
        load_only=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "Optional proof: JPEG, PNG or PDF, at most 5 MiB (a file part)",
        },
    )


class PaymentQueryArgs(BaseSchema):
    status = ma.fields.Enum(SubmissionStatus, by_value=True)


class RefundQueryArgs(BaseSchema):
    include_refunded = ma.fields.Boolean(load_default=False)


class MarkRefundedArgs(BaseSchema):
    reference = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "How it was paid back (a transaction id)"},
    )


# ----- outputs ---------------------------------------------------------------------------------
class RegistrationTeamSchema(BaseSchema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    tag = ma.fields.String()


class RosterMemberSchema(BaseSchema):
    user = ma.fields.Nested(UserRefSchema)
    role = ma.fields.Enum(MemberRole, by_value=True)


class ParticipantSchema(BaseSchema):
    """Who plays: a user (solo) or a team."""

    type = ma.fields.String(metadata={"description": "`solo` or `team`"})
    user = ma.fields.Nested(UserRefSchema, allow_none=True)
    team = ma.fields.Nested(RegistrationTeamSchema, allow_none=True)
    guest_name = ma.fields.String(
        allow_none=True,
        metadata={"description": "A participant added by the organizers without an account: "
                  "its team name or name (null once claimed with an account)"},
    )  # fmt: skip


def participant(registration: Any) -> dict[str, Any]:
    unclaimed = registration.user_id is None and registration.team_id is None
    return {
        "type": "team" if registration.team_id is not None or registration.guest_team else "solo",
        "user": registration.user,
        "team": registration.team,
        "guest_name": (registration.guest_team or registration.guest_name) if unclaimed else None,
    }


class PaymentSchema(BaseSchema):
    """A manual payment submission (personal data: organizers, staff and the registrant)."""

    id = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    method = ma.fields.String()
    sender_number = ma.fields.String()
    transaction_id = ma.fields.String()
    amount = Decimal2()
    currency = ma.fields.String()
    status = ma.fields.Enum(SubmissionStatus, by_value=True)
    proof_url = ma.fields.Method(
        "dump_proof_url",
        allow_none=True,
        metadata={"description": "A short-lived signed link to the proof file"},
    )
    submitted_at = _aware()
    reviewed_at = _aware(allow_none=True)
    reject_reason = ma.fields.String(allow_none=True)

    def dump_proof_url(self, payment: Any) -> str | None:
        return storage.url(payment.proof_key) if payment.proof_key else None


class QueuedPaymentSchema(PaymentSchema):
    """A submission in the verification queue, with who it is for."""

    participant = ma.fields.Function(
        lambda p: ParticipantSchema().dump(participant(p.registration))
    )
    registration_status = ma.fields.String(attribute="registration.status.value")
    payment_due_at = _aware(attribute="registration.payment_due_at", allow_none=True)


PUBLIC_FIELDS = frozenset(
    {"id", "tournament_id", "status", "participant", "roster", "checked_in_at", "created_at"}
)
PERSONAL_FIELDS = frozenset({"answers", "payment"})


class RegistrationSchema(BaseSchema):
    """A registration; fields are trimmed to the viewer's level (see the module docstring)."""

    id = ma.fields.Integer()
    tournament_id = ma.fields.Integer()
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    status_label = Label(REGISTRATION_STATUS_LABELS, attribute="status")
    participant = ma.fields.Function(lambda r: ParticipantSchema().dump(participant(r)))
    roster = ma.fields.List(ma.fields.Nested(RosterMemberSchema), attribute="members")
    checked_in_at = _aware(allow_none=True)
    created_at = _aware()
    payment_status = ma.fields.Enum(PaymentStatus, by_value=True)
    payment_due_at = _aware(allow_none=True)
    waitlist_position = ma.fields.Integer(allow_none=True)
    entry_fee = ma.fields.Method("dump_fee", allow_none=True)
    payment_method = ma.fields.String(allow_none=True)
    approved_at = _aware(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    confirmed_at = _aware(allow_none=True)
    promoted_at = _aware(allow_none=True)
    cancelled_at = _aware(allow_none=True)
    cancel_reason = ma.fields.Enum(CancelReason, by_value=True, allow_none=True)
    refund_due_at = _aware(allow_none=True)
    refunded_at = _aware(allow_none=True)
    updated_at = _aware()
    version = ma.fields.Integer()
    answers = ma.fields.Dict()
    payment = ma.fields.Nested(PaymentSchema, attribute="latest_payment", allow_none=True)

    def dump_fee(self, registration: Any) -> Any:
        if registration.fee_coins is not None:
            return Money(coins=registration.fee_coins).to_json()
        if registration.fee_amount is not None:
            return Money(
                amount=registration.fee_amount, currency=registration.fee_currency
            ).to_json()
        return None

    @ma.post_dump(pass_original=True)
    def _trim(self, data: dict[str, Any], original: Any, **kwargs: Any) -> dict[str, Any]:
        level = getattr(original, "viewer_level", "public")
        if level == "private":
            return data
        if level == "member":
            return {k: v for k, v in data.items() if k not in PERSONAL_FIELDS}
        return {k: v for k, v in data.items() if k in PUBLIC_FIELDS}


class WaitlistEntrySchema(BaseSchema):
    registration_id = ma.fields.Integer(attribute="id")
    position = ma.fields.Integer(attribute="waitlist_position")
    participant = ma.fields.Function(lambda r: ParticipantSchema().dump(participant(r)))
    created_at = _aware()


class CheckinMeSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    status = ma.fields.String()
    checked_in_at = _aware(allow_none=True)
    can_check_in = ma.fields.Boolean()
    can_undo = ma.fields.Boolean()


class CheckinStatusSchema(BaseSchema):
    opens_at = _aware(allow_none=True)
    closes_at = _aware(allow_none=True)
    is_open = ma.fields.Boolean()
    confirmed = ma.fields.Integer()
    checked_in = ma.fields.Integer()
    me = ma.fields.Nested(CheckinMeSchema, allow_none=True)


class CheckinClosedSchema(BaseSchema):
    """What closing check-in did."""

    tournament_id = ma.fields.Integer()
    no_show = ma.fields.Integer(
        metadata={"description": "Confirmed registrations not checked in, now `no_show`"}
    )
    promoted = ma.fields.Integer(
        metadata={"description": "Waitlisted registrations that took the freed places"}
    )


class RefundDueSchema(BaseSchema):
    """A manual payment to give back (staff only)."""

    registration_id = ma.fields.Integer(attribute="id")
    tournament_id = ma.fields.Integer()
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    participant = ma.fields.Function(lambda r: ParticipantSchema().dump(participant(r)))
    payer = ma.fields.Function(
        lambda r: {"id": r.registered_by_id}, metadata={"description": "Who paid"}
    )
    payment_status = ma.fields.Enum(PaymentStatus, by_value=True)
    entry_fee = ma.fields.Method("dump_fee")
    payment = ma.fields.Nested(PaymentSchema, attribute="latest_payment", allow_none=True)
    refund_due_at = _aware()
    refunded_at = _aware(allow_none=True)
    refund_reference = ma.fields.String(allow_none=True)

    def dump_fee(self, registration: Any) -> Any:
        return RegistrationSchema().dump_fee(registration)


# What `?view=compact` keeps of each item of a list.
REGISTRATION_COMPACT = (
    "id",
    "tournament_id",
    "status",
    "status_label",
    "participant",
    "waitlist_position",
    "checked_in_at",
    "created_at",
    "confirmed_at",
)
