"""The staff's Analytics page in the admin (charts drawn on the server as SVG, readable
without JavaScript) and, on each tournament's details page, its registrations-over-time
chart (a details column added to the tournament view registered before this module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_admin import BaseView, expose
from markupsafe import Markup

from deltacrown.analytics import charts, health, staff
from deltacrown.core.admin import StaffAccessMixin, current_admin_user
from deltacrown.core.time import utcnow

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOURNAMENT_VIEW = "admin_tournaments"
CHART_COLUMN = "registrations_chart"
LINKS = (
    ("Tournament figures", "/api/tournaments/{id}/analytics/"),
    ("Organizer figures", "/api/organizer/analytics/"),
    ("Revenue report", "/api/admin/analytics/revenue/"),
    ("Platform", "/api/admin/analytics/platform/"),
    ("Moderation", "/api/admin/analytics/moderation/"),
    ("System health", "/api/admin/analytics/system-health/"),
)


class AnalyticsDashboardView(StaffAccessMixin, BaseView):
    """GET only: nothing here changes anything."""

    def create_blueprint(self, admin: Any) -> Any:
        blueprint = super().create_blueprint(admin)
        blueprint.template_folder = str(TEMPLATES)
        return blueprint

    # The charts are pygal's SVG: its XML writer escapes every title, label and value, so the
    # markup is pygal's own (a test renders one with "<script>" in its labels).
    @expose("/")
    def index(self) -> Any:
        now = utcnow()
        svgs = charts.dashboard_charts(current_admin_user(), today=now.date())
        return self.render(
            "admin/analytics_dashboard.html",
            charts={name: Markup(svg) for name, svg in svgs.items()},  # noqa: S704  # nosec B704
            health=health.system_health(),
            moderation=staff.moderation_figures(now=now),
            links=LINKS,
        )


def _chart_formatter(view: Any, context: Any, model: Any, name: str) -> Markup:
    return Markup(charts.registrations_chart_svg(model.id))  # noqa: S704  # nosec B704


def add_tournament_chart(admin: Any) -> None:
    """Show the registrations chart on the tournament view's details page, if it is there."""
    view = next((v for v in admin._views if v.endpoint == TOURNAMENT_VIEW), None)
    if view is None or not hasattr(view, "get_details_columns"):
        return
    columns = [name for name, _ in view.get_details_columns() if name != CHART_COLUMN]
    view.column_details_list = [*columns, CHART_COLUMN]
    view.column_formatters_detail = {
        **(view.column_formatters_detail or {}),
        CHART_COLUMN: _chart_formatter,
    }
    view.column_labels = {**(view.column_labels or {}), CHART_COLUMN: "Registrations over time"}
    view.can_view_details = True
    view._refresh_cache()


def register_admin(admin: Any) -> None:
    admin.add_view(
        AnalyticsDashboardView(
            name="Analytics", endpoint="admin_analytics", url="analytics", category=None
        )
    )
    add_tournament_chart(admin)
