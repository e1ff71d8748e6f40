"""Request and response schemas of the webhook API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.webhooks import breaker
from deltacrown.webhooks.events import EVENT_TYPES


def _events(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)),
        validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": f"Event types to receive: {', '.join(EVENT_TYPES)}."},
        **kwargs,
    )


def _tournaments() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1)),
        validate=ma.validate.Length(max=100),
        metadata={"description": "Only these tournaments (yours); empty or absent: all of yours."},
    )


def _url(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Length(min=1, max=2048),
        metadata={"description": "Where deliveries are POSTed (https:// in production)."},
        **kwargs,
    )


def _description() -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=200))


class EndpointCreateArgs(BaseSchema):
    url = _url(required=True)
    events = _events(required=True)
    tournament_ids = _tournaments()
    description = _description()


class EndpointUpdateArgs(BaseSchema):
    url = _url()
    events = _events()
    tournament_ids = _tournaments()
    description = _description()
    is_active = ma.fields.Boolean(
        metadata={"description": "Switch deliveries off, or on again after a 410 Gone."}
    )


class EndpointSchema(BaseSchema):
    id = ma.fields.Integer()
    url = ma.fields.String()
    description = ma.fields.String()
    events = ma.fields.List(ma.fields.String())
    tournament_ids = ma.fields.List(ma.fields.Integer())
    is_active = ma.fields.Boolean()
    disabled_reason = ma.fields.String(allow_none=True)
    previous_secret_expires_at = ma.fields.DateTime(
        allow_none=True,
        metadata={"description": "Until then deliveries are also signed with the old secret."},
    )
    breaker = ma.fields.Method(
        "breaker_state",
        metadata={
            "description": "closed (delivering), open (holding deliveries), half_open, or unknown "
            "while its store is unreachable."
        },
    )
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()

    def breaker_state(self, endpoint: Any) -> str:
        return breaker.state_of(endpoint.id)


class EndpointWithSecretSchema(EndpointSchema):
    secret = ma.fields.String(
        metadata={"description": "The signing secret (whsec_...): shown only in this answer."}
    )


class DeliverySchema(BaseSchema):
    id = ma.fields.Integer()
    endpoint_id = ma.fields.Integer()
    message_id = ma.fields.String(metadata={"description": "The webhook-id header."})
    event_type = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, retrying, succeeded, failed"})
    attempts = ma.fields.Integer()
    response_status = ma.fields.Integer(allow_none=True)
    response_body = ma.fields.String(
        allow_none=True, metadata={"description": "The first 1 KiB of the last response."}
    )
    latency_ms = ma.fields.Integer(allow_none=True)
    error = ma.fields.String(allow_none=True)
    next_attempt_at = ma.fields.DateTime(allow_none=True)
    last_attempt_at = ma.fields.DateTime(allow_none=True)
    replay_of_id = ma.fields.Integer(allow_none=True)
    payload = ma.fields.Dict(metadata={"description": "The body sent: {type, timestamp, data}."})
    created_at = ma.fields.DateTime()
