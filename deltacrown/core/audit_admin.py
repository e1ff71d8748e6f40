"""Flask-Admin's read-only view of the audit log (staff look; nobody edits history)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import ReadOnlyModelView
from deltacrown.core.audit import AuditEntry
from deltacrown.core.db import db


class AuditEntryAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "created_at",
        "actor_kind",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "request_id",
    )
    column_searchable_list = ("action", "target_type", "request_id")
    column_details_list = (
        "id",
        "created_at",
        "actor_kind",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "before",
        "after",
        "request_id",
    )
    # created_at is left out: Flask-Admin has no filter for our UTCDateTime column type.
    column_filters = ("actor_kind", "actor_id", "action", "target_type", "target_id")
    column_default_sort = ("id", True)


def _audit_section(admin: Any, user: Any) -> admin_pages.Section:
    """What was done to the user (entries whose target is the user), newest first."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.target_type == "users", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.id.desc())
        .limit(20)
    )
    rows = [
        (
            admin_format.when(entry.created_at),
            entry.action,
            f"{admin_format.label(entry.actor_kind)} #{entry.actor_id}"
            if entry.actor_id
            else admin_format.label(entry.actor_kind),
            ", ".join(f"{key}: {value}" for key, value in (entry.after or {}).items()),
        )
        for entry in entries
    ]
    return admin_pages.Section("Audit trail", ("When", "Action", "By", "Change"), rows)


def register_admin(admin: Any) -> None:
    admin.add_view(AuditEntryAdmin(AuditEntry, db, category="System", endpoint="admin_audit"))
    admin_pages.add_user_section(admin, _audit_section, order=100)
