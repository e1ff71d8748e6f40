"""The tournament summary: one row of `figures.COLUMNS` per tournament plus `refreshed_at`.

* PostgreSQL: the materialized view `tournament_analytics_summary` (created by the
  migration, with a unique index on `tournament_id`), refreshed `CONCURRENTLY` so readers
  are never blocked. A view is refreshed whole: refreshing "one tournament" refreshes all.
* SQLite (no materialized views): a table of the same columns, whose rows the same job
  replaces with `INSERT ... SELECT` of the live statement (all, or one tournament's).

Readers take a row when it is younger than `ANALYTICS_FRESHNESS_MINUTES`; otherwise they
compute the same row live (`figures.tournament_rows`). Neither table nor view is in the
models' metadata (Alembic's autogenerate ignores it: `include_object`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.analytics import figures
from deltacrown.core.db import UTCDateTime
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament

NAME = "tournament_analytics_summary"
metadata = sa.MetaData()

_INT_COLUMNS = (
    "max_participants", "registrations", "total_participants", "checked_in_count",
    "no_show_count", "held", "total_matches", "completed_matches", "disputed_matches",
    "timed_matches", "payout_count",
)  # fmt: skip
summary_table = sa.Table(
    NAME,
    metadata,
    sa.Column("tournament_id", sa.Integer, primary_key=True),
    sa.Column("organizer_id", sa.Integer, nullable=False),
    sa.Column("game_id", sa.Integer, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("start_at", UTCDateTime()),
    sa.Column("concluded_at", UTCDateTime()),
    *(sa.Column(name, sa.Integer, nullable=False) for name in _INT_COLUMNS),
    sa.Column("match_seconds_total", sa.Float, nullable=False),
    sa.Column("median_match_seconds", sa.Float),
    sa.Column("p90_match_seconds", sa.Float),
    sa.Column("coin_entry_fees", sa.BigInteger, nullable=False),
    sa.Column("coin_refunds", sa.BigInteger, nullable=False),
    sa.Column("prize_coins_paid", sa.BigInteger, nullable=False),
    sa.Column("refreshed_at", UTCDateTime(), nullable=False),
)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object`: False for the summary (a view on PostgreSQL, a job-filled
    table on SQLite), which no model describes."""
    if type_ == "table" and name == NAME:
        return False
    return not (type_ == "index" and getattr(getattr(obj, "table", None), "name", None) == NAME)


@dataclass(frozen=True)
class Freshness:
    """Where figures came from: the summary (`as_of` its refresh) or computed now."""

    source: str  # "summary" or "live"
    as_of: datetime

    def as_dict(self, now: datetime) -> dict[str, Any]:
        age = max(0.0, (now - self.as_of).total_seconds() / 60)
        return {"source": self.source, "as_of": self.as_of, "age_minutes": round(age, 2)}


def dialect() -> str:
    return db.session.get_bind().dialect.name


def max_age() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("ANALYTICS_FRESHNESS_MINUTES", 15)))


def is_fresh(refreshed_at: datetime | None, now: datetime) -> bool:
    return refreshed_at is not None and now - refreshed_at <= max_age()


def replace_rows(ids: list[int] | None, *, now: datetime) -> None:
    """SQLite: replace the rows of `ids` (None: all) with the live statement's."""
    delete = sa.delete(summary_table)
    if ids is not None:
        delete = delete.where(summary_table.c.tournament_id.in_(ids))
    db.session.execute(delete)
    rows = figures.tournament_rows(ids, "sqlite").add_columns(
        sa.literal(now, UTCDateTime()).label("refreshed_at")
    )
    db.session.execute(
        sa.insert(summary_table).from_select([*figures.COLUMNS, "refreshed_at"], rows)
    )


def refresh(tournament_id: int | None = None, *, now: datetime, concurrently: bool = True) -> int:
    """Refresh the summary (every tournament, or on SQLite only `tournament_id`'s row);
    returns the number of rows it holds for what was refreshed."""
    if dialect() == "postgresql":
        mode = "CONCURRENTLY " if concurrently else ""
        db.session.execute(sa.text(f"REFRESH MATERIALIZED VIEW {mode}{NAME}"))
    else:
        replace_rows(None if tournament_id is None else [tournament_id], now=now)
    count = sa.select(sa.func.count()).select_from(summary_table)
    if tournament_id is not None and dialect() != "postgresql":
        count = count.where(summary_table.c.tournament_id == tournament_id)
    return int(db.session.scalar(count) or 0)


def tournaments_to_refresh(tournament_id: int | None = None) -> list[int]:
    """The ids of the tournaments a refresh covers."""
    query = sa.select(Tournament.id).where(Tournament.deleted_at.is_(None))
    if tournament_id is not None:
        query = query.where(Tournament.id == tournament_id)
    return list(db.session.scalars(query.order_by(Tournament.id)))


def tournament_row(tournament_id: int, *, now: datetime) -> tuple[Any, Freshness]:
    """The tournament's figures row: from the summary when fresh, else live (1 or 2 queries)."""
    row = db.session.execute(
        sa.select(summary_table).where(summary_table.c.tournament_id == tournament_id)
    ).one_or_none()
    if row is not None and is_fresh(row.refreshed_at, now):
        return row, Freshness("summary", row.refreshed_at)
    live = db.session.execute(figures.tournament_rows([tournament_id], dialect())).one()
    return live, Freshness("live", now)


def rows_source(ids: list[int], *, now: datetime) -> tuple[Any, Freshness]:
    """A FROM clause with the figures rows of `ids` (tournament ids): the summary
    when it holds every one of them and its oldest row is fresh, else the live statement."""
    total, held, oldest = db.session.execute(
        sa.select(
            sa.func.count(Tournament.id),
            sa.func.count(summary_table.c.tournament_id),
            sa.func.min(summary_table.c.refreshed_at),
        )
        .select_from(Tournament)
        .outerjoin(summary_table, summary_table.c.tournament_id == Tournament.id)
        .where(Tournament.id.in_(ids))
    ).one()
    if total == held and (total == 0 or is_fresh(oldest, now)):
        source = (
            sa.select(summary_table).where(summary_table.c.tournament_id.in_(ids)).subquery("s")
        )
        return source, Freshness("summary", oldest or now)
    return figures.tournament_rows(ids, dialect()).subquery("s"), Freshness("live", now)
