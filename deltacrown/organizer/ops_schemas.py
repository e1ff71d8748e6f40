"""Schemas of the staff tournament operations."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.core.api import BaseSchema

REASON = ma.fields.String(
    required=True,
    validate=ma.validate.Length(1, 500),
    metadata={"description": "Why (kept in the audit log)."},
)


class ForceAdvanceArgs(BaseSchema):
    match = ma.fields.Integer(required=True, metadata={"description": "The match's id."})
    winner = ma.fields.Integer(
        required=True, metadata={"description": "The registration that advances."}
    )
    reason = REASON


class ResetMatchArgs(BaseSchema):
    match = ma.fields.Integer(required=True, metadata={"description": "The match's id."})
    reason = REASON


class StaffReasonArgs(BaseSchema):
    reason = REASON


class OverridePlacementArgs(BaseSchema):
    registration = ma.fields.Integer(required=True)
    placement = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=4096))
    reason = REASON


class ForceAdvanceSchema(BaseSchema):
    match_id = ma.fields.Integer()
    winner_registration_id = ma.fields.Integer()
    status = ma.fields.String()


class MatchResetSchema(BaseSchema):
    match_id = ma.fields.Integer()
    status = ma.fields.String(
        metadata={"description": "`ready` (or `live` when matches start by themselves)."}
    )
    reset_match_ids = ma.fields.List(
        ma.fields.Integer(),
        metadata={"description": "Matches that lost the participant this result had sent there."},
    )
    reinstated_registration_ids = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Participants no longer eliminated."}
    )


class RegeneratedSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    stage_ids = ma.fields.List(ma.fields.Integer())


class FrozenSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    frozen_at = ma.fields.DateTime(allow_none=True)


class PlacementSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    placement = ma.fields.Integer()
