"""Exports of a tournament's results for spreadsheets and other tools.

Standings: the final placements once the tournament is decided, else the tables of its
current (latest) stage, or of `stage` when given. Matches: every match of every stage in
order of play, with its round, sides, per-game scores, winner, times and streams. Both are
what anyone who may see the bracket already sees (no personal data, no lobby codes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deltacrown.brackets import presenters, queries
from deltacrown.core.csv import Column
from deltacrown.extensions import db

CHUNK = 500  # matches named per batch while the export streams

STANDING_COLUMNS = [
    Column(name, (lambda key: lambda row: row.get(key))(name))
    for name in (
        "placement",
        "registration_id",
        "name",
        "group",
        "played",
        "wins",
        "draws",
        "losses",
        "points",
        "game_difference",
        "kills",
        "decided_by",
    )
]


def standings(tournament_id: int, stage_id: int | None = None) -> list[dict[str, Any]]:
    """The final placements, else the latest (or the given) stage's tables."""
    if stage_id is not None:
        return presenters.stage_standings(tournament_id, stage_id)
    final = presenters.standings(tournament_id)
    if final:
        return final
    stages = queries.stages_of(tournament_id)
    return presenters.stage_standings(tournament_id, stages[-1].id) if stages else []


def _side(row: dict[str, Any], index: int, key: str) -> Any:
    sides = row["participants"]
    side = sides[index] if len(sides) > index and row["lobby"] is None else None
    return side.get(key) if side else None


def _games(row: dict[str, Any]) -> str:
    if row["lobby"] is not None:
        return ""
    return " ".join(f"{a}-{b}" for a, b in row["scores"])


def _winner_name(row: dict[str, Any]) -> str | None:
    winner = row["winner_registration_id"]
    return next(
        (p["name"] for p in row["participants"] if p and p["registration_id"] == winner), None
    )


MATCH_COLUMNS = [
    Column("match_id", lambda r: r["id"]),
    Column("stage_id", lambda r: r["stage_id"]),
    Column("round_side", lambda r: r["round"]["side"]),
    Column("round", lambda r: r["round"]["number"]),
    Column("round_name", lambda r: r["round"]["name"]),
    Column("number", lambda r: r["number"]),
    Column("code", lambda r: r["code"]),
    Column("lobby", lambda r: r["lobby"]),
    Column("status", lambda r: r["status"]),
    Column("best_of", lambda r: r["best_of"]),
    Column("participant1_id", lambda r: _side(r, 0, "registration_id")),
    Column("participant1", lambda r: _side(r, 0, "name")),
    Column("participant2_id", lambda r: _side(r, 1, "registration_id")),
    Column("participant2", lambda r: _side(r, 1, "name")),
    Column("score1", lambda r: _side(r, 0, "score")),
    Column("score2", lambda r: _side(r, 1, "score")),
    Column("games", _games),
    Column("winner_id", lambda r: r["winner_registration_id"]),
    Column("winner", _winner_name),
    Column("scheduled_at", lambda r: r["scheduled_at"]),
    Column("completed_at", lambda r: r["completed_at"]),
    Column("stream_url", lambda r: r["stream_url"]),
    Column("vod_url", lambda r: r["vod_url"]),
]


def match_rows(tournament_id: int) -> Iterator[dict[str, Any]]:
    """Every match, named, in order of play (read in batches while the export streams)."""
    query = queries.list_matches(tournament_id)
    batch: list[Any] = []
    for match in db.session.scalars(query.execution_options(yield_per=CHUNK)):
        batch.append(match)
        if len(batch) == CHUNK:
            yield from _named(batch)
            batch = []
    yield from _named(batch)


def _named(rows: list[Any]) -> Iterator[dict[str, Any]]:
    for row, shown in zip(rows, presenters.matches(rows), strict=True):
        yield {**shown, "stream_url": row.stream_url, "vod_url": row.vod_url}
