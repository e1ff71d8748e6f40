"""Staff analytics under /api/admin/analytics/: moderation, system health and the platform.
Revenue is `GET /api/admin/analytics/revenue/` (the economy's ledger report)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.views import MethodView

from deltacrown.analytics import health, staff
from deltacrown.analytics.schemas import (
    ModerationAnalyticsSchema,
    PlatformAnalyticsSchema,
    PlatformArgs,
    SystemHealthSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, staff_only
from deltacrown.core.time import utcnow

blp = Blueprint(
    "analytics_admin",
    __name__,
    url_prefix="/api/admin/analytics",
    description="Staff analytics: moderation, system health and the platform's growth "
    "(revenue: /api/admin/analytics/revenue/).",
)

DEFAULT_SPAN = {
    "day": timedelta(days=29),
    "week": timedelta(weeks=11),
    "month": timedelta(days=365),
}


@blp.route("/moderation/")
class ModerationAnalytics(MethodView):
    @login_required
    @staff_only
    @blp.response(200, ModerationAnalyticsSchema)
    @blp.errors(403)
    def get(self) -> Any:
        """Reports by status and category; sanctions by type and state (active, scheduled,
        expired, revoked)."""
        return staff.moderation_figures(now=utcnow())


@blp.route("/system-health/")
class SystemHealth(MethodView):
    @login_required
    @staff_only
    @blp.response(200, SystemHealthSchema)
    @blp.errors(403)
    def get(self) -> Any:
        """Uptime, request rate, 5xx rate and p95 latency over the last hour (from the app's
        own metrics), Celery's queue depth and oldest waiting job, open websockets."""
        return health.system_health()


@blp.route("/platform/")
class PlatformAnalytics(MethodView):
    @login_required
    @staff_only
    @blp.arguments(PlatformArgs, location="query")
    @blp.response(200, PlatformAnalyticsSchema)
    @blp.errors(403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Users, active players and new tournaments per day, week or month (UTC), with the
        totals and the tournaments by status now."""
        period = args["period"]
        date_to = args.get("date_to") or utcnow().date()
        date_from = args.get("date_from") or date_to - DEFAULT_SPAN[period]
        return staff.platform_figures(date_from=date_from, date_to=date_to, period=period)
