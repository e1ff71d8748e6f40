"""Flask-Admin view of certificates: a read-only list with filters, and revocation (the same
service as the API: staff only, audited)."""

from __future__ import annotations

from typing import Any

from flask_admin.actions import action

from deltacrown.certificates import services
from deltacrown.certificates.models import Certificate
from deltacrown.core.admin import ReadOnlyModelView, run_for_each
from deltacrown.extensions import db

ADMIN_REVOKE_REASON = "Revoked by staff."


class CertificateAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "tournament_name",
        "participant_name",
        "certificate_type",
        "placement",
        "issued_at",
        "revoked_at",
    )
    column_filters = ("tournament_id", "user_id", "certificate_type", "language")
    column_searchable_list = ("code", "participant_name")
    column_default_sort = ("id", True)

    @action("revoke", "Revoke", "Revoke the selected certificates? They stop verifying.")
    def action_revoke(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda cid, actor: services.revoke(cid, ADMIN_REVOKE_REASON, actor=actor),
            "Revoked {count} certificate(s).",
        )


def register_admin(admin: Any) -> None:
    admin.add_view(
        CertificateAdmin(Certificate, db, category="Tournaments", endpoint="admin_certificates")
    )
