"""Server-side SVG charts (pygal) for the admin: readable without JavaScript, nothing loaded
from elsewhere (pygal's tooltip script is turned off), each point's value in the SVG itself.

Series: registrations, coin revenue (net) and active players per day; disputes and no-shows
per ISO week (no-shows: check-in no-shows, by when the registration was marked, plus sides
forfeited for not checking in to a match); 5xx rate and p95 latency per hour (from the
system-health ring, `health.hourly_series`); and one tournament's registrations per day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pygal
import sqlalchemy as sa
from pygal.style import Style

from deltacrown.analytics import health, services, staff
from deltacrown.analytics.summary import dialect
from deltacrown.economy.analytics import bucket_expression, revenue_report
from deltacrown.extensions import db
from deltacrown.matches.models import Dispute, MatchEvent
from deltacrown.registrations.models import Registration, RegistrationStatus

STYLE = Style(
    background="white",
    plot_background="white",
    colors=("#2a6ebb", "#c0392b", "#27ae60", "#8e44ad"),
    font_family="sans-serif",
)
DAYS = 30
WEEKS = 12
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def _chart(kind: type[Any], title: str, labels: list[str], series: dict[str, list[Any]]) -> str:
    chart = kind(
        title=title,
        style=STYLE,
        js=[],  # no tooltip script (it would come from a CDN)
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // 8),
        width=800,
        height=320,
        explicit_size=True,
        no_data_text="No data yet",
    )
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    # pygal still writes an inline <script> with its configuration for the tooltips turned
    # off above; the admin inlines the SVG, so it leaves without any script.
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))


def line_chart(title: str, labels: list[str], series: dict[str, list[Any]]) -> str:
    return _chart(pygal.Line, title, labels, series)


def bar_chart(title: str, labels: list[str], series: dict[str, list[Any]]) -> str:
    return _chart(pygal.Bar, title, labels, series)


def registrations_chart_svg(tournament_id: int) -> str:
    """One tournament's registrations per day, as an SVG line chart."""
    days = services.registrations_by_day(tournament_id)
    return line_chart(
        "Registrations per day",
        [d["date"].isoformat() for d in days],
        {"Registrations": [d["count"] for d in days]},
    )


def _weekly(column: Any, where: list[Any], source: Any, weeks: list[date]) -> list[int]:
    bucket = bucket_expression(column, "week", dialect()).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count()).select_from(source).where(*where).group_by(bucket)
    ).all()
    counts = {date.fromisoformat(str(b)): int(n) for b, n in rows}
    return [counts.get(week, 0) for week in weeks]


def _daily(column: Any, where: list[Any], days: list[date]) -> list[int]:
    bucket = bucket_expression(column, "day", dialect()).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count()).where(*where).group_by(bucket)
    ).all()
    counts = {date.fromisoformat(str(b)): int(n) for b, n in rows}
    return [counts.get(day, 0) for day in days]


def dashboard_charts(actor: Any, *, today: date) -> dict[str, str]:
    """Every chart of the staff dashboard, by name (a fixed number of queries)."""
    first_day = today - timedelta(days=DAYS - 1)
    days = [first_day + timedelta(days=n) for n in range(DAYS)]
    begin = datetime.combine(first_day, time.min, tzinfo=UTC)
    registrations = _daily(Registration.created_at, [Registration.created_at >= begin], days)
    revenue = revenue_report(actor=actor, period="day", date_from=first_day, date_to=today)
    platform = staff.platform_figures(date_from=first_day, date_to=today, period="day")
    day_labels = [d.isoformat() for d in days]

    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = datetime.combine(weeks[0], time.min, tzinfo=UTC)
    disputes = _weekly(Dispute.created_at, [Dispute.created_at >= since], Dispute, weeks)
    checkin_no_shows = _weekly(
        Registration.updated_at,
        [Registration.status == RegistrationStatus.NO_SHOW, Registration.updated_at >= since],
        Registration,
        weeks,
    )
    match_no_shows = _weekly(
        MatchEvent.created_at,
        [
            MatchEvent.type == "forfeited",
            MatchEvent.actor_id.is_(None),
            MatchEvent.created_at >= since,
        ],
        MatchEvent,
        weeks,
    )
    week_labels = [w.isoformat() for w in weeks]

    hours = health.hourly_series()
    hour_labels = [datetime.fromtimestamp(h["hour"], UTC).strftime("%m-%d %H:00") for h in hours]
    return {
        "registrations": line_chart(
            "Registrations per day", day_labels, {"Registrations": registrations}
        ),
        "revenue": line_chart(
            "Revenue per day (coins, net of refunds)",
            day_labels,
            {"Net revenue": [b.figures.net for b in revenue.buckets]},
        ),
        "active_players": line_chart(
            "Active players per day",
            day_labels,
            {"Active players": [b["active_players"] for b in platform["buckets"]]},
        ),
        "disputes": bar_chart("Disputes per week", week_labels, {"Disputes": disputes}),
        "no_shows": bar_chart(
            "No-shows per week",
            week_labels,
            {"Check-in no-shows": checkin_no_shows, "Match no-shows": match_no_shows},
        ),
        "error_rate": line_chart(
            "5xx rate per hour (%)",
            hour_labels,
            {"5xx rate": [round(h["error_rate"] * 100, 2) for h in hours]},
        ),
        "latency": line_chart(
            "p95 latency per hour (ms)",
            hour_labels,
            {"p95": [h["p95_latency_ms"] for h in hours]},
        ),
    }
