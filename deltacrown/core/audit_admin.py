"""Flask-Admin's read-only view of the audit log (staff look; nobody edits history)."""

from __future__ import annotations

from typing import Any

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


def register_admin(admin: Any) -> None:
    admin.add_view(AuditEntryAdmin(AuditEntry, db, category="System", endpoint="admin_audit"))
