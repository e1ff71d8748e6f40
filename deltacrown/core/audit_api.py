"""The audit log's read side for staff: `GET /api/admin/audit/`, newest first, cursor-paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView

from deltacrown.core.actors import ActorKind
from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.audit import AuditEntry
from deltacrown.core.auth import login_required, require_staff
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    CursorArgs,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)

blp = Blueprint(
    "audit", __name__, url_prefix="/api/admin/audit", description="The audit log (staff only)."
)


class AuditEntrySchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    actor_id = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "The acting user's id; null unless `actor_kind` is `user`"},
    )
    actor_kind = ma.fields.Enum(
        ActorKind,
        by_value=True,
        metadata={
            "description": "Who acted: `user` (a signed-in account), `system` (scheduled "
            "sweeps, background tasks, operator commands) or `anonymous`"
        },
    )
    action = ma.fields.String()
    target_type = ma.fields.String(allow_none=True)
    target_id = ma.fields.Integer(allow_none=True)
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(format="iso")


class AuditQueryArgs(CursorArgs):
    actor = ma.fields.Integer(metadata={"description": "The acting user's id"})
    actor_kind = ma.fields.Enum(
        ActorKind, by_value=True, metadata={"description": "Only entries by this kind of actor"}
    )
    action = ma.fields.String(validate=ma.validate.Length(min=1, max=80))
    target_type = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    target_id = ma.fields.Integer(metadata={"description": "Needs `target_type`"})
    created_from = ma.fields.AwareDateTime(
        format="iso", metadata={"description": "Inclusive lower bound (ISO 8601 with offset)"}
    )
    created_to = ma.fields.AwareDateTime(
        format="iso", metadata={"description": "Exclusive upper bound (ISO 8601 with offset)"}
    )

    @ma.validates_schema
    def _target_id_needs_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "target_id" in data and "target_type" not in data:
            raise ma.ValidationError("Give target_type with target_id.", "target_type")


def list_audit_entries(
    *,
    actor_id: int | None = None,
    actor_kind: ActorKind | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> sa.Select[tuple[AuditEntry]]:
    """Audit entries matching every filter given (unordered: the pager orders by id)."""
    query = sa.select(AuditEntry)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if actor_kind is not None:
        query = query.where(AuditEntry.actor_kind == actor_kind)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    if created_from is not None:
        query = query.where(AuditEntry.created_at >= created_from)
    if created_to is not None:
        query = query.where(AuditEntry.created_at < created_to)
    return query


@blp.route("/")
class AuditEntryCollection(MethodView):
    @login_required
    @blp.arguments(AuditQueryArgs, location="query")
    @blp.response(200, AuditEntrySchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(403, InvalidCursorError, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Audit entries, newest first; follow `X-Next-Cursor` for older ones."""
        require_staff()
        query = list_audit_entries(
            actor_id=args.get("actor"),
            actor_kind=args.get("actor_kind"),
            action=args.get("action"),
            target_type=args.get("target_type"),
            target_id=args.get("target_id"),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
        )
        return with_next_cursor(*cursor_page(query, AuditEntry.id, args))
