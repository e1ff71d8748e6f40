"""Moderation for staff under /api/admin/: the report queue and its transitions, sanctions
(organizers may sanction within their own tournament), appeals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)
from deltacrown.moderation import queries, reports, services
from deltacrown.moderation.errors import (
    AppealNotFoundError,
    InvalidTransitionError,
    NotSanctionableError,
    PermissionDeniedError,
    ReportNotFoundError,
    SanctionNotFoundError,
    SubjectNotFoundError,
)
from deltacrown.moderation.models import Appeal, Report, Sanction
from deltacrown.moderation.schemas import (
    AppealDecisionArgs,
    AppealQueryArgs,
    AppealSchema,
    ReportActionArgs,
    ReportQueryArgs,
    ReportSchema,
    RevokedSchema,
    SanctionCreateArgs,
    SanctionQueryArgs,
    SanctionRevokeArgs,
    SanctionSchema,
)

blp = Blueprint(
    "moderation_admin",
    __name__,
    url_prefix="/api/admin",
    description="Moderation: the report queue, sanctions and appeals (staff; organizers "
    "sanction within their own tournaments).",
)


# ----- reports ---------------------------------------------------------------------------------
@blp.route("/reports/")
class ReportQueue(MethodView):
    @login_required
    @staff_only
    @blp.arguments(ReportQueryArgs, location="query")
    @blp.response(200, ReportSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(PermissionDeniedError, InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """Reports, newest first, filtered by status, category, subject and lowest priority;
        evidence comes as short-lived links."""
        filters = {k: v for k, v in args.items() if k not in ("cursor", "limit")}
        return with_next_cursor(*cursor_page(queries.list_reports(**filters), Report.id, args))


REPORT_ACTION_ERRORS = (PermissionDeniedError, ReportNotFoundError, InvalidTransitionError)


def _report_action(name: str, path: str, service: Callable[..., Report], summary: str) -> None:
    """`POST /reports/{id}/<path>/`: one step of a report's workflow through `service`."""

    def post(self: MethodView, args: dict[str, Any], report_id: int) -> Any:
        return service(report_id, actor=require_user(), notes=args.get("notes"))

    post.__doc__ = summary
    decorated = blp.idempotent(
        login_required(
            staff_only(
                blp.arguments(ReportActionArgs)(
                    blp.response(200, ReportSchema)(blp.errors(*REPORT_ACTION_ERRORS)(post))
                )
            )
        )
    )
    blp.route(f"/reports/<int:report_id>/{path}/")(type(name, (MethodView,), {"post": decorated}))


_report_action(
    "ReportTriage",
    "triage",
    reports.triage,
    "Take an open report into review (`open` → `triaged`).",
)
_report_action(
    "ReportResolve",
    "resolve",
    reports.resolve,
    "Close a triaged report as acted upon (`triaged` → `resolved`).",
)
_report_action(
    "ReportDismiss",
    "dismiss",
    reports.dismiss,
    "Close an open or triaged report without action (→ `dismissed`).",
)


# ----- sanctions -------------------------------------------------------------------------------
@blp.route("/sanctions/")
class Sanctions(MethodView):
    @login_required
    @staff_only
    @blp.arguments(SanctionQueryArgs, location="query")
    @blp.response(200, SanctionSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(PermissionDeniedError, InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """Sanctions, newest first: `state` active (in force or yet to start), expired or
        revoked; by user, team, type or tournament."""
        query = queries.list_sanctions(
            state=args.get("state"),
            user_id=args.get("user_id"),
            team_id=args.get("team_id"),
            type=args.get("type"),
            scope_id=args.get("tournament_id"),
        )
        return with_next_cursor(*cursor_page(query, Sanction.id, args))

    @blp.idempotent
    @login_required
    @blp.arguments(SanctionCreateArgs)
    @blp.response(201, SanctionSchema)
    @blp.errors(
        PermissionDeniedError, NotSanctionableError, SubjectNotFoundError, ReportNotFoundError
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Sanction a user or a team: a warning, a mute, a suspension (global or one
        tournament), a shop ban or a ban. It applies at once at every gate. Staff sanction
        anywhere; a tournament's organizers only with scope `tournament` and its id."""
        return services.create_sanction(actor=require_user(), **args)


@blp.route("/sanctions/<int:sanction_id>/revoke/")
class SanctionRevoke(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(SanctionRevokeArgs)
    @blp.response(200, RevokedSchema)
    @blp.errors(PermissionDeniedError, SanctionNotFoundError)
    def post(self, args: dict[str, Any], sanction_id: int) -> Any:
        """Lift a sanction at once (`revoked: false` when it already was)."""
        sanction, revoked = services.revoke_sanction(
            sanction_id, actor=require_user(), notes=args.get("notes")
        )
        fields = {name: getattr(sanction, name) for name in SanctionSchema().fields}
        return {**fields, "revoked": revoked}


# ----- appeals ---------------------------------------------------------------------------------
@blp.route("/appeals/")
class Appeals(MethodView):
    @login_required
    @staff_only
    @blp.arguments(AppealQueryArgs, location="query")
    @blp.response(200, AppealSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(PermissionDeniedError, InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """Appeals, newest first, by status (`pending` is the queue)."""
        query = queries.list_appeals(status=args.get("status"))
        return with_next_cursor(*cursor_page(query, Appeal.id, args))


@blp.route("/appeals/<int:appeal_id>/accept/")
class AppealAccept(MethodView):
    @blp.idempotent
    @login_required
    @staff_only
    @blp.arguments(AppealDecisionArgs)
    @blp.response(200, AppealSchema)
    @blp.errors(PermissionDeniedError, AppealNotFoundError, InvalidTransitionError)
    def post(self, args: dict[str, Any], appeal_id: int) -> Any:
        """Accept a pending appeal: its sanction is lifted at once."""
        return services.decide_appeal(
            appeal_id, actor=require_user(), accept=True, notes=args.get("notes")
        )


@blp.route("/appeals/<int:appeal_id>/reject/")
class AppealReject(MethodView):
    @blp.idempotent
    @login_required
    @staff_only
    @blp.arguments(AppealDecisionArgs)
    @blp.response(200, AppealSchema)
    @blp.errors(PermissionDeniedError, AppealNotFoundError, InvalidTransitionError)
    def post(self, args: dict[str, Any], appeal_id: int) -> Any:
        """Reject a pending appeal: the sanction stays."""
        return services.decide_appeal(
            appeal_id, actor=require_user(), accept=False, notes=args.get("notes")
        )
