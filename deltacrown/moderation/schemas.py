"""Moderation representations: `*Schema` out, `*Args` in (shape only; rules live in the
services)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core import storage
from deltacrown.core.api import BaseSchema
from deltacrown.core.pagination import CursorArgs
from deltacrown.moderation.models import (
    AppealStatus,
    ReportCategory,
    ReportStatus,
    SanctionScope,
    SanctionType,
    SubjectType,
)


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


def _notes(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=2000), **kwargs)


# ----- reports ---------------------------------------------------------------------------------
class ReportCreateArgs(BaseSchema):
    subject_type = ma.fields.Enum(SubjectType, by_value=True, required=True)
    subject_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    category = ma.fields.Enum(ReportCategory, by_value=True, required=True)
    details = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000))
    evidence_keys = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
        load_default=list,
        validate=ma.validate.Length(max=10),
        metadata={"description": "Keys of uploaded files (screenshots, match evidence)."},
    )
    priority = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=5))


class MyReportSchema(BaseSchema):
    id = ma.fields.Integer()
    subject_type = ma.fields.Enum(SubjectType, by_value=True)
    subject_id = ma.fields.Integer()
    category = ma.fields.Enum(ReportCategory, by_value=True)
    details = ma.fields.String()
    status = ma.fields.Enum(ReportStatus, by_value=True)
    created_at = ma.fields.DateTime()
    handled_at = ma.fields.DateTime(allow_none=True)


class ReportSchema(MyReportSchema):
    reporter_id = ma.fields.Integer()
    priority = ma.fields.Integer()
    evidence = ma.fields.Method("_evidence")
    handled_by_id = ma.fields.Integer(allow_none=True)
    resolution_notes = ma.fields.String(allow_none=True)

    def _evidence(self, report: Any) -> list[dict[str, str]]:
        links = []
        for key in report.evidence_keys or []:
            try:
                links.append({"key": key, "url": storage.url(key)})
            except storage.InvalidKeyError:  # stored before the rule; show the key only
                links.append({"key": key, "url": ""})
        return links


class ReportQueryArgs(CursorArgs):
    status = ma.fields.Enum(ReportStatus, by_value=True)
    category = ma.fields.Enum(ReportCategory, by_value=True)
    subject_type = ma.fields.Enum(SubjectType, by_value=True)
    subject_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    min_priority = ma.fields.Integer(validate=ma.validate.Range(min=0, max=5))


class ReportActionArgs(BaseSchema):
    notes = _notes(load_default=None, allow_none=True)


# ----- sanctions -------------------------------------------------------------------------------
class SanctionCreateArgs(BaseSchema):
    user_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    team_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    type = ma.fields.Enum(SanctionType, by_value=True, required=True)
    scope = ma.fields.Enum(SanctionScope, by_value=True, required=True)
    scope_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "The tournament of a `tournament`-scoped sanction."},
    )
    reason_code = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(min=1, max=40), ma.validate.Regexp(r"^[a-z][a-z0-9_]*$")],
        metadata={"description": "A snake_case reason, e.g. `cheating`, `toxicity`."},
    )
    notes = _notes()
    starts_at = _aware(metadata={"description": "Default: now."})
    ends_at = _aware(allow_none=True, metadata={"description": "None or absent: permanent."})
    report_id = ma.fields.Integer(validate=ma.validate.Range(min=1))


class SanctionSchema(BaseSchema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer(allow_none=True)
    team_id = ma.fields.Integer(allow_none=True)
    type = ma.fields.Enum(SanctionType, by_value=True)
    scope = ma.fields.Enum(SanctionScope, by_value=True)
    scope_id = ma.fields.Integer(allow_none=True)
    reason_code = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime(allow_none=True)
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoked_by_id = ma.fields.Integer(allow_none=True)
    revoke_notes = ma.fields.String(allow_none=True)
    report_id = ma.fields.Integer(allow_none=True)


class MySanctionSchema(BaseSchema):
    id = ma.fields.Integer()
    type = ma.fields.Enum(SanctionType, by_value=True)
    scope = ma.fields.Enum(SanctionScope, by_value=True)
    scope_id = ma.fields.Integer(allow_none=True)
    reason_code = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    appeal_status = ma.fields.String(
        allow_none=True, metadata={"description": "pending, accepted, rejected or null."}
    )


class SanctionQueryArgs(CursorArgs):
    state = ma.fields.String(validate=ma.validate.OneOf(["active", "expired", "revoked"]))
    user_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    team_id = ma.fields.Integer(validate=ma.validate.Range(min=1))
    type = ma.fields.Enum(SanctionType, by_value=True)
    tournament_id = ma.fields.Integer(validate=ma.validate.Range(min=1))


class SanctionRevokeArgs(BaseSchema):
    notes = _notes(load_default=None, allow_none=True)


class RevokedSchema(SanctionSchema):
    revoked = ma.fields.Boolean(
        metadata={"description": "false when the sanction had been revoked already."}
    )


# ----- appeals ---------------------------------------------------------------------------------
class AppealArgs(BaseSchema):
    statement = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=4000))


class AppealSchema(BaseSchema):
    id = ma.fields.Integer()
    sanction_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    statement = ma.fields.String()
    status = ma.fields.Enum(AppealStatus, by_value=True)
    decided_by_id = ma.fields.Integer(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_notes = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class AppealQueryArgs(CursorArgs):
    status = ma.fields.Enum(AppealStatus, by_value=True)


class AppealDecisionArgs(BaseSchema):
    notes = _notes(load_default=None, allow_none=True)
