"""Flask-Admin moderation queues: reports by priority with their subject and evidence links,
one-click decisions through the services (dismiss, warn, mute 24 h, suspend 7 days, ban);
sanctions with the subject's history and revocation; the appeals queue (accept revokes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_admin.actions import action
from markupsafe import Markup, escape

from deltacrown.core import admin_format, admin_pages, storage
from deltacrown.core.admin import ReadOnlyModelView, run_for_each
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.moderation import queries, reports, services
from deltacrown.moderation.models import Appeal, Report, Sanction, SanctionType, SubjectType


def _subject(view: Any, context: Any, report: Report, name: str) -> str:
    """`user 7 (2 earlier sanctions)`, `match 12 (tournament 3)` ..."""
    kind, subject_id = report.subject_type, report.subject_id
    if kind is SubjectType.USER:
        earlier = db.session.scalar(
            queries.list_sanctions(user_id=subject_id)
            .with_only_columns(db.func.count())
            .order_by(None)
        )
        return f"user {subject_id} ({earlier} sanction(s) on record)"
    if kind in (SubjectType.MATCH, SubjectType.MESSAGE):
        tournament_id = reports.subject_summary(report)["tournament_id"]
        return f"{kind.value} {subject_id} (tournament {tournament_id})"
    return f"{kind.value} {subject_id}"


def _evidence(view: Any, context: Any, report: Report, name: str) -> Markup:
    """Each evidence file as a short-lived link."""
    links = []
    for key in report.evidence_keys or []:
        try:
            links.append(Markup('<a href="{}">{}</a>').format(storage.url(key), key))
        except storage.InvalidKeyError:
            links.append(escape(key))
    return Markup(", ").join(links)


def _act(ids: list[str], type_: SanctionType, ends_in: timedelta | None, done: str) -> None:
    def call(report_id: int, actor: Any) -> None:
        ends_at: datetime | None = utcnow() + ends_in if ends_in is not None else None
        reports.act_on_report(report_id, actor=actor, type=type_, ends_at=ends_at)

    run_for_each(ids, call, done)


class ReportAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "priority",
        "status",
        "category",
        "subject",
        "reporter_id",
        "details",
        "evidence",
        "created_at",
    )
    column_searchable_list = ("details",)
    column_formatters = {"subject": _subject, "evidence": _evidence}
    column_filters = ("status", "category", "subject_type", "subject_id", "reporter_id")
    column_default_sort = [("priority", True), ("id", False)]

    @action("triage", "Triage", "Take the selected reports into review?")
    def action_triage(self, ids: list[str]) -> None:
        run_for_each(ids, lambda i, actor: reports.triage(i, actor=actor), "{count} triaged.")

    @action("dismiss", "Dismiss", "Dismiss the selected reports without action?")
    def action_dismiss(self, ids: list[str]) -> None:
        run_for_each(ids, lambda i, actor: reports.dismiss(i, actor=actor), "{count} dismissed.")

    @action("warn", "Warn", "Warn the subjects of the selected reports?")
    def action_warn(self, ids: list[str]) -> None:
        _act(ids, SanctionType.WARNING, None, "{count} warning(s) given.")

    @action("mute", "Mute 24 h", "Mute the subjects of the selected reports for 24 hours?")
    def action_mute(self, ids: list[str]) -> None:
        _act(ids, SanctionType.MUTE, timedelta(hours=24), "{count} muted for 24 hours.")

    @action("suspend", "Suspend 7 days", "Suspend the subjects for 7 days everywhere?")
    def action_suspend(self, ids: list[str]) -> None:
        _act(ids, SanctionType.SUSPENSION, timedelta(days=7), "{count} suspended for 7 days.")

    @action("ban", "Ban", "Ban the subjects of the selected reports permanently?")
    def action_ban(self, ids: list[str]) -> None:
        _act(ids, SanctionType.BAN, None, "{count} banned.")


class SanctionAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "user_id",
        "type",
        "scope",
        "reason_code",
        "starts_at",
        "ends_at",
        "revoked_at",
    )
    column_searchable_list = ("reason_code", "notes")
    column_filters = ("user_id", "team_id", "type", "scope", "scope_id")
    column_default_sort = ("id", True)

    @action("revoke", "Revoke", "Lift the selected sanctions now?")
    def action_revoke(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.revoke_sanction(i, actor=actor, notes="revoked by staff"),
            "{count} sanction(s) lifted.",
        )


class AppealAdmin(ReadOnlyModelView):
    column_list = ("id", "sanction_id", "user_id", "statement", "status", "created_at")
    column_searchable_list = ("statement",)
    column_filters = ("status", "user_id", "sanction_id")
    column_default_sort = ("id", False)

    @action("accept", "Accept", "Accept the selected appeals (their sanctions are lifted)?")
    def action_accept(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.decide_appeal(i, actor=actor, accept=True),
            "{count} appeal(s) accepted.",
        )

    @action("reject", "Reject", "Reject the selected appeals (the sanctions stay)?")
    def action_reject(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.decide_appeal(i, actor=actor, accept=False),
            "{count} appeal(s) rejected.",
        )


def _sanctions_section(admin: Any, user: Any) -> admin_pages.Section:
    sanctions = db.session.scalars(
        sa.select(Sanction)
        .where(Sanction.user_id == user.id)
        .order_by(Sanction.id.desc())
        .limit(20)
    )
    rows = [
        (
            admin_format.label(s.type),
            admin_format.label(s.scope),
            s.reason_code,
            admin_format.when(s.starts_at),
            admin_format.when(s.ends_at) or "No end",
            admin_format.when(s.revoked_at) or "",
        )
        for s in sanctions
    ]
    return admin_pages.Section(
        "Sanctions",
        ("Type", "Scope", "Reason", "From", "Until", "Revoked"),
        rows,
        link=admin_pages.filtered_list_url(admin, "admin_sanctions", "user_id", user.id),
    )


def register_admin(admin: Any) -> None:
    admin.add_view(
        ReportAdmin(Report, db, category="Moderation", endpoint="admin_reports", name="Reports")
    )
    admin.add_view(
        SanctionAdmin(
            Sanction, db, category="Moderation", endpoint="admin_sanctions", name="Sanctions"
        )
    )
    admin.add_view(
        AppealAdmin(Appeal, db, category="Moderation", endpoint="admin_appeals", name="Appeals")
    )
    admin_pages.add_user_section(admin, _sanctions_section)
