"""Moderation for players: report a user, team, match, tournament or chat message; follow my
reports; see my sanctions and appeal one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    CursorArgs,
    InvalidCursorError,
    cursor_page,
    with_next_cursor,
)
from deltacrown.moderation import queries, reports, services
from deltacrown.moderation.errors import (
    AlreadyAppealedError,
    AlreadyReportedError,
    InvalidTransitionError,
    ReportsRateLimitedError,
    SanctionedError,
    SanctionNotFoundError,
    SubjectNotFoundError,
    ValidationError,
)
from deltacrown.moderation.models import Report, Sanction
from deltacrown.moderation.schemas import (
    AppealArgs,
    AppealSchema,
    MyReportSchema,
    MySanctionSchema,
    ReportCreateArgs,
)

blp = Blueprint(
    "moderation",
    __name__,
    url_prefix="/api",
    description="Reports on players, teams, matches and chat messages; my sanctions and appeals.",
)


@blp.route("/reports/")
class Reports(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(ReportCreateArgs)
    @blp.response(201, MyReportSchema)
    @blp.errors(
        SanctionedError,
        SubjectNotFoundError,
        AlreadyReportedError,
        ReportsRateLimitedError,
        ValidationError,
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Report a user, team, match, tournament or match-room message to the moderators.
        One open report per subject (409 `already_reported`); a few reports an hour at most
        (429 `reports_rate_limited`). Follow its status under `GET /api/me/reports/`."""
        return reports.file_report(actor=require_user(), **args)


@blp.route("/me/reports/")
class MyReports(MethodView):
    @login_required
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, MyReportSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """The reports I filed and where each stands (`open`, `triaged`, `resolved`,
        `dismissed`), newest first."""
        query = queries.list_reports(reporter_id=require_user().id)
        return with_next_cursor(*cursor_page(query, Report.id, args))


@blp.route("/me/sanctions/")
class MySanctions(MethodView):
    @login_required
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, MySanctionSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(InvalidCursorError)
    def get(self, args: dict[str, Any]) -> Any:
        """The sanctions on my account, newest first: what, where, until when, and how my
        appeal stands."""
        query = queries.list_sanctions(user_id=require_user().id)
        items, next_cursor = cursor_page(query, Sanction.id, args)
        for sanction in items:
            filed = queries.appeal_of(sanction.id)
            sanction.appeal_status = filed.status.value if filed is not None else None
        return with_next_cursor(items, next_cursor)


@blp.route("/me/sanctions/<int:sanction_id>/appeal/")
class MySanctionAppeal(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(AppealArgs)
    @blp.response(201, AppealSchema)
    @blp.errors(SanctionNotFoundError, AlreadyAppealedError, InvalidTransitionError)
    def post(self, args: dict[str, Any], sanction_id: int) -> Any:
        """Ask the moderators to lift a sanction on my account (once per sanction). A banned
        account cannot sign in: its appeal goes through support."""
        return services.appeal(sanction_id, actor=require_user(), statement=args["statement"])
