"""Every tournament metric against the hand-built cup (tests/analytics/conftest.py), live and
from the summary, and an empty tournament's zero denominators."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deltacrown.analytics import services, summary
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament

EXPECTED = {
    "registrations": 7,
    "total_participants": 4,
    "checked_in_count": 3,
    "check_in_rate": 0.6,
    "no_show_count": 1,
    "no_show_rate": 0.2,
    "total_matches": 6,
    "completed_matches": 5,
    "disputed_matches": 2,
    "dispute_rate": 0.3333,
    "avg_match_duration_minutes": 27.5,
    "payout_count": 2,
    "max_participants": 8,
    "fill_rate": 0.5,
    "median_match_minutes": 20.0,
    "p90_match_minutes": 50.0,
    "tournament_status": "completed",
    "revenue": {
        "cash": [{"currency": "BDT", "entry_fees": "500.00", "refunds": "100.00", "net": "400.00"}],
        "coins": {"entry_fees": 60, "refunds": 30, "net": 30},
    },
    "prizes_paid": {"count": 2, "coins": 500, "cash": [{"currency": "BDT", "amount": "150.00"}]},
}


def _figures(world, tournament_id):
    return services.tournament_figures(db.session.get(Tournament, tournament_id), now=utcnow())


def test_live_figures_match_the_hand_computed_ones(app_ctx, world):
    figures = _figures(world, world.cup)
    assert {key: figures[key] for key in EXPECTED} == EXPECTED
    assert figures["cache"]["source"] == "live"
    days = [(d["date"], d["count"]) for d in figures["registrations_by_day"]]
    assert days == [
        ((world.now - timedelta(days=n)).date(), c) for n, c in ((3, 2), (2, 2), (1, 3))
    ]
    assert figures["concluded_at"] is not None


def test_summary_answers_the_same_until_it_is_stale(app_ctx, world, frozen):
    assert summary.refresh(now=utcnow()) >= 2
    fresh = _figures(world, world.cup)
    assert fresh["cache"] == {
        "source": "summary",
        "as_of": fresh["cache"]["as_of"],
        "age_minutes": 0.0,
    }
    assert {key: fresh[key] for key in EXPECTED} == EXPECTED

    frozen.shift(timedelta(minutes=15))
    assert _figures(world, world.cup)["cache"]["source"] == "summary"
    frozen.shift(timedelta(minutes=1))
    stale = _figures(world, world.cup)
    assert stale["cache"]["source"] == "live"
    assert {key: stale[key] for key in EXPECTED} == EXPECTED


def test_an_empty_tournament_has_zero_rates_and_no_durations(app_ctx, world):
    figures = _figures(world, world.empty)
    assert figures["registrations"] == figures["total_matches"] == 0
    assert figures["check_in_rate"] == figures["no_show_rate"] == figures["dispute_rate"] == 0.0
    assert figures["fill_rate"] == 0.0
    assert figures["avg_match_duration_minutes"] is None
    assert figures["median_match_minutes"] is figures["p90_match_minutes"] is None
    assert figures["revenue"] == {"cash": [], "coins": {"entry_fees": 0, "refunds": 0, "net": 0}}
    assert figures["registrations_by_day"] == []


def test_organizer_figures_sum_their_tournaments_per_game(app_ctx, world):
    live = services.organizer_figures(world.org.id, date_from=None, date_to=None, now=utcnow())
    assert live["cache"]["source"] == "live"
    summary.refresh(now=utcnow())
    cached = services.organizer_figures(world.org.id, date_from=None, date_to=None, now=utcnow())
    assert cached["cache"]["source"] == "summary"
    for figures in (live, cached):
        assert figures["tournaments"] == 2 and figures["completed_tournaments"] == 1
        assert figures["total_matches"] == 6 and figures["dispute_rate"] == 0.3333
        assert figures["check_in_rate"] == 0.6
        assert figures["revenue"] == EXPECTED["revenue"]
        assert figures["prizes_paid"] == EXPECTED["prizes_paid"]
        by_game = {g["game"]: g for g in figures["by_game"]}
        assert by_game["cs2"]["tournaments"] == 1 and by_game["cs2"]["registrations"] == 0
        assert by_game["valorant"]["registrations"] == 7
    start = db.session.get(Tournament, world.cup).start_at.date()
    long_ago = start - timedelta(days=400)
    none = services.organizer_figures(
        world.org.id, date_from=long_ago, date_to=long_ago, now=utcnow()
    )
    assert none["tournaments"] == 0 and none["check_in_rate"] == 0.0 and none["by_game"] == []
    in_range = services.organizer_figures(
        world.org.id, date_from=start, date_to=start, now=utcnow()
    )
    assert in_range["registrations"] == 7


@pytest.mark.postgres
def test_materialized_view_agrees_with_the_live_statement(app_ctx, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    import sqlalchemy as sa

    from deltacrown.analytics import figures as live

    summary.refresh(now=utcnow(), concurrently=False)
    ids = [world.cup, world.empty]
    view = db.session.execute(
        sa.select(*(summary.summary_table.c[name] for name in live.COLUMNS))
        .where(summary.summary_table.c.tournament_id.in_(ids))
        .order_by(summary.summary_table.c.tournament_id)
    ).all()
    rows = db.session.execute(live.tournament_rows(ids, "postgresql").order_by(Tournament.id)).all()
    assert [tuple(r) for r in view] == [tuple(r) for r in rows]
    assert len(view) == 2
