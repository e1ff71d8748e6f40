"""The append-only audit log: who changed whose data, from what to what, in which request.

Services call `record(...)` inside their unit of work, so an entry commits or rolls back with
the change it describes. Entries are never updated or deleted by the application. Each entry
says what kind of actor acted (`actor_kind`, see core/actors.py): a user (then `actor_id` is
theirs), the system (sweeps, tasks, commands: `SYSTEM`) or an anonymous caller (`None`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.actors import Actor, ActorKind, kind_of, user_id_of
from deltacrown.core.db import JSONType, Model, UTCDateTime, db, enum_type
from deltacrown.core.time import isoformat, utcnow


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Plain ids, not foreign keys: the log outlives what it describes. Set for users only.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(
        enum_type(ActorKind, 16), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False, index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, index=True
    )

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.target_type}:{self.target_id}>"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def target_type_of(target: Any) -> str:
    return str(getattr(target, "__tablename__", type(target).__name__.lower()))


def entry_values(
    *,
    actor: Actor | None,
    action: str,
    target: Any = None,
    target_type: str | None = None,
    target_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of the audit entry `record` appends (for a write made without the ORM),
    `created_at` aside."""
    if target is not None:
        target_type = target_type or target_type_of(target)
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    return {
        "actor_id": user_id_of(actor),
        "actor_kind": kind_of(actor),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
        "request_id": g.get("request_id") if has_request_context() else None,
    }


def record(
    *,
    actor: Actor | None,
    action: str,
    target: Any = None,
    target_type: str | None = None,
    target_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry (flushed with the caller's unit of work). `actor` is the acting
    user, `SYSTEM` for work the platform does by itself, or None for an anonymous caller."""
    entry = AuditEntry(
        **entry_values(
            actor=actor, action=action, target=target, target_type=target_type,
            target_id=target_id, before=before, after=after,
        )
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry
