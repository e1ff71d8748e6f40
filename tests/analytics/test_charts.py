"""The admin's charts: each SVG parses and carries its data points; the staff dashboard and
a tournament's details page show them; the system-health figures behind the hourly charts;
and a headless Chromium screenshot of the dashboard."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 (our own SVG)
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for

from deltacrown.analytics import charts, health
from tests.helpers import LiveServer, sign_in_admin

SVG = "{http://www.w3.org/2000/svg}"


def _values(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    assert root.tag == f"{SVG}svg"
    return [d.text or "" for d in root.iter(f"{SVG}desc") if d.get("class") == "value"]


def test_tournament_chart_is_svg_with_its_daily_counts(app_ctx, world):
    svg = charts.registrations_chart_svg(world.cup)
    assert _values(svg) == ["2", "2", "3"]
    for days in (3, 2, 1):
        assert (world.now - timedelta(days=days)).date().isoformat() in svg
    assert "src=" not in svg and "kozea" not in svg  # nothing loaded from elsewhere


def test_dashboard_charts_hold_the_days_weeks_and_hours(app_ctx, world, staff):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    svgs = charts.dashboard_charts(db.session.get(User, staff.id), today=world.now.date())
    assert set(svgs) == {
        "registrations", "revenue", "active_players", "disputes", "no_shows", "error_rate",
        "latency",
    }  # fmt: skip
    registrations = [int(v) for v in _values(svgs["registrations"])]
    assert len(registrations) == charts.DAYS and registrations[-4:] == [2, 2, 3, 0]
    disputes = [int(v) for v in _values(svgs["disputes"])]
    assert len(disputes) == charts.WEEKS and sum(disputes) == 3
    no_shows = [int(v) for v in _values(svgs["no_shows"])]
    assert sum(no_shows) == 1  # r4's check-in no-show (no match forfeits for absence)
    for svg in svgs.values():
        ET.fromstring(svg)  # noqa: S314 (our own SVG)


def test_hourly_health_series_from_snapshots(app_ctx):
    health.cache.delete(health.RING_KEY)
    base = 1_800_000_000.0  # an hour boundary (divisible by 3600)
    ring = [
        health.Snapshot(base + 10, 100, 1, {"0.05": 90, "0.1": 99, "+Inf": 100}),
        health.Snapshot(base + 3600 + 10, 300, 11, {"0.05": 100, "0.1": 290, "+Inf": 300}),
    ]
    health.cache.set(health.RING_KEY, [s.as_list() for s in ring])
    (hour,) = health.hourly_series(base + 7200)
    assert hour["requests"] == 200 and hour["error_rate"] == 0.05
    assert hour["p95_latency_ms"] == 100.0  # 95 % of 200 within the 0.1 s bucket
    assert health.percentile_bound({}, 0.95) is None
    health.cache.delete(health.RING_KEY)
    now = health.time.time()
    health.record_snapshot(now - 1800)
    recent = health.system_health(now)
    assert recent["window"] == "last_hour" and 1790 <= recent["window_seconds"] <= 1810
    health.cache.delete(health.RING_KEY)


def test_staff_dashboard_and_tournament_page_show_charts(app, client, world, staff):
    sign_in_admin(client, staff.id)
    page = client.get("/admin/analytics/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 7 and "Registrations per day" in html
    with app.test_request_context():
        details = url_for("admin_tournaments.details_view", id=world.cup)
    tournament_page = client.get(details).get_data(as_text=True)
    assert "Registrations over time" in tournament_page and "<svg" in tournament_page
    sign_in_admin(client, world.org.id)
    assert client.get("/admin/analytics/").status_code == 403


@pytest.mark.browser
def test_dashboard_screenshot_in_headless_chromium(app, client, world, staff, tmp_path: Path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from PIL import Image

    sign_in_admin(client, staff.id)
    html = client.get("/admin/analytics/").get_data(as_text=True)
    with LiveServer(app) as server:
        page = tmp_path / "dashboard.html"
        # The page as the signed-in staff member got it, its styles from the live server.
        page.write_text(html.replace("<head>", f'<head><base href="{server.url}/">', 1))
        shot = tmp_path / "dashboard.png"
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2400",
             f"--screenshot={shot}", page.as_uri()],
            capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    colours = image.resize((320, 600)).getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50  # charts drawn, not a blank page


def test_chart_text_is_escaped_and_carries_no_script():
    """The admin pages mark the charts' SVG safe: pygal escapes every title, label and series
    name, and no script is emitted."""
    svg = charts.bar_chart("<script>alert(1)</script>", ["<b>x</b>"], {"<img onerror=1>": [1]})
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
