"""Bulk rows for the performance tests: thousands of tournaments in one INSERT, no services
(bench/seed.py does the same at scale with COPY)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.tournaments.models import Tournament

STATUSES = (
    ["completed"] * 12 + ["cancelled"] * 2 + ["ongoing"] * 2 + ["registration_open"] * 2
) + ["published", "registration_closed", "draft"]
FORMATS = ("single_elimination", "double_elimination", "round_robin", "swiss")
REGIONS = ("Dhaka", "Chattogram", "Sylhet", "Khulna", "Rajshahi")
WORDS = ("Cup", "League", "Clash", "Masters", "Open", "Showdown", "Series", "Arena")


def tournament_rows(count: int, organizer_ids: list[int], *, seed: int = 7) -> list[dict[str, Any]]:
    """`count` varied tournaments (statuses, games, fees, prizes, regions, visibility)."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - test data, not secrets
    games = list(db.session.execute(sa.select(Game.id, Game.name)).all())
    now = utcnow().replace(microsecond=0)
    rows = []
    for n in range(count):
        game_id, game_name = games[n % len(games)]
        start = now + timedelta(days=rng.randint(-700, 90), hours=rng.randint(0, 23))
        fee = rng.random()
        prize = rng.random()
        rows.append(
            {
                "name": f"{game_name} {rng.choice(WORDS)} {n}",
                "slug": f"perf-{seed}-{n}",
                "description": f"Season {n % 40} of the {rng.choice(REGIONS)} circuit.",
                "game_id": game_id,
                "organizer_id": organizer_ids[n % len(organizer_ids)],
                "format": FORMATS[n % len(FORMATS)],
                "participant_type": "solo",
                "team_size": 1,
                "max_participants": rng.choice((8, 16, 32, 64)),
                "start_at": start,
                "region": rng.choice(REGIONS),
                "visibility": "public" if n % 10 else rng.choice(("unlisted", "private")),
                "fee_amount": 100 if fee < 0.2 else None,
                "fee_currency": "BDT" if fee < 0.2 else None,
                "fee_coins": 50 if 0.2 <= fee < 0.3 else None,
                "prize_amount": rng.randint(1, 500) * 100 if prize < 0.5 else None,
                "prize_currency": "BDT" if prize < 0.5 else None,
                "prize_coins": rng.randint(1, 100) * 10 if 0.5 <= prize < 0.7 else None,
                "status": rng.choice(STATUSES),
                "created_at": start - timedelta(days=rng.randint(10, 60)),
                "updated_at": start - timedelta(days=5),
                "version": 1,
            }
        )
    return rows


def insert_tournaments(rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT per thousand rows, then ANALYZE so the planner knows the table."""
    table = Tournament.__table__
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(table), rows[start : start + 1000])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE tournaments"))
