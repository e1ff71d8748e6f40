"""Boards: sums of points rows (or current ratings) kept ordered in the store, with ranks.

Rank order (original notes 5.20): points desc, then wins desc, then fewer matches played,
then the earliest last placement, then id. Entries equal on everything but the id share a
rank (1, 2, 2, 4).

One sorted-set score holds the first three keys exactly (a double has 53 bits): quarter
points (every points value is a multiple of 0.25) in the top 30 bits, wins (capped at 2047)
in the next 11 and 2047 minus matches played (capped) in the last 11. The member, 24 digits,
breaks ties between equal scores in `ZREVRANGE` order: 10^12-1 minus the last placement's
epoch second, then 10^12-1 minus the id. A rating board's score is the ordinal; its members
carry only the id part (equal ordinals share a rank).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from deltacrown.leaderboards import queries
from deltacrown.leaderboards.models import SubjectKind
from deltacrown.leaderboards.store import get_store, key_prefix

CAP = 2047
LIMIT = 10**12 - 1
POINTS_CAP = 2**30 - 1


@dataclass(frozen=True)
class Board:
    """Which board: a game's points (all time or one season) of players or teams, or its
    player ratings (`by="rating"`)."""

    game_id: int
    kind: SubjectKind = SubjectKind.PLAYER
    season_id: int | None = None
    by: str = "points"

    @property
    def key(self) -> str:
        if self.by == "rating":
            return f"{key_prefix()}{self.game_id}:rating"
        scope = "all" if self.season_id is None else f"s{self.season_id}"
        return f"{key_prefix()}{self.game_id}:{scope}:{self.kind.value}"


@dataclass(frozen=True)
class Entry:
    rank: int
    subject_id: int
    points: Decimal | None = None
    wins: int | None = None
    matches_played: int | None = None
    ordinal: float | None = None


# ----- encoding ------------------------------------------------------------------------------
def encode(points: Any, wins: int, played: int, last: datetime) -> float:
    quarters = min(POINTS_CAP, max(0, int(Decimal(points) * 4)))
    return float(quarters * 2**22 + min(CAP, wins) * 2**11 + (CAP - min(CAP, played)))


def decode(score: float) -> tuple[Decimal, int, int]:
    value = int(score)
    return (
        Decimal(value >> 22) / 4,
        (value >> 11) & CAP,
        CAP - (value & CAP),
    )


def member(subject_id: int, last: datetime | None) -> str:
    stamp = LIMIT - int(last.timestamp()) if last is not None else 0
    return f"{stamp:012d}{LIMIT - subject_id:012d}"


def subject_of(member_: str) -> int:
    return LIMIT - int(member_[12:])


def _tied(a: tuple[str, float], b: tuple[str, float]) -> bool:
    return a[1] == b[1] and a[0][:12] == b[0][:12]


# ----- writing -------------------------------------------------------------------------------
def _entries(
    board: Board, subject_ids: Iterable[int] | None = None
) -> dict[str, tuple[str, float]]:
    """subject id (as text) -> (member, score) computed from the rows."""
    if board.by == "rating":
        wanted = None if subject_ids is None else set(subject_ids)
        return {
            str(u): (member(u, None), float(o))
            for u, o in queries.all_ratings(board.game_id)
            if wanted is None or u in wanted
        }
    totals = queries.totals(
        board.game_id, board.kind, season_id=board.season_id, subject_ids=subject_ids
    )
    return {
        str(s): (member(s, last), encode(points, wins, played, last))
        for s, points, wins, played, last in totals
    }


def rebuild(board: Board) -> int:
    """Recompute a whole board from the rows and swap it in atomically; its size."""
    entries = _entries(board)
    get_store().replace(
        board.key,
        {m: score for m, score in entries.values()},
        {s: m for s, (m, _) in entries.items()},
    )
    return len(entries)


def ensure(board: Board) -> None:
    """Build a board that the store does not hold yet (a fresh process, a flushed Redis)."""
    if not get_store().exists(board.key):
        rebuild(board)


def update(board: Board, subject_ids: Iterable[int]) -> dict[int, tuple[int | None, int | None]]:
    """Recompute the entries of `subject_ids` from the rows; their rank before and after."""
    ids = sorted(set(subject_ids))
    store = get_store()
    if not store.exists(board.key):
        rebuild(board)
        return {i: (None, rank_of(board, i)) for i in ids}
    before = {i: rank_of(board, i) for i in ids}
    entries = _entries(board, ids)
    gone = {
        str(i): m
        for i in ids
        if str(i) not in entries and (m := store.member_of(board.key, str(i)))
    }
    if gone:
        store.remove(board.key, gone)
    store.upsert(
        board.key,
        {m: score for m, score in entries.values()},
        {s: m for s, (m, _) in entries.items()},
    )
    return {i: (before[i], rank_of(board, i)) for i in ids}


# ----- reading -------------------------------------------------------------------------------
def _rank_at(board: Board, position: int, item: tuple[str, float]) -> int:
    """The shared rank of the entry at `position`: one more than the entries before it that
    it does not tie with."""
    store = get_store()
    tied_before = 0
    end = position - 1
    chunk_size = 4  # most entries tie with few: read a little first, more while all tie
    while end >= 0:
        start = max(0, end - chunk_size + 1)
        chunk_size = min(chunk_size * 8, 4096)
        chunk = store.range(board.key, start, end)
        for other in reversed(chunk):
            if not _tied(other, item):
                return position - tied_before + 1
            tied_before += 1
        end = start - 1
    return position - tied_before + 1


def rank_of(board: Board, subject_id: int) -> int | None:
    store = get_store()
    member_ = store.member_of(board.key, str(subject_id))
    if member_ is None:
        return None
    found = store.rank_of(board.key, member_)
    if found is None:
        return None
    position, score = found
    return _rank_at(board, position, (member_, score))


def position_of(board: Board, subject_id: int) -> int | None:
    store = get_store()
    member_ = store.member_of(board.key, str(subject_id))
    found = store.rank_of(board.key, member_) if member_ is not None else None
    return None if found is None else found[0]


def page(board: Board, start: int, limit: int) -> list[Entry]:
    """Entries at positions start .. start+limit-1, with their shared ranks."""
    items = get_store().range(board.key, start, start + limit - 1)
    entries: list[Entry] = []
    previous: tuple[str, float] | None = None
    rank = 0
    for offset, item in enumerate(items):
        if previous is None:
            rank = _rank_at(board, start, item)
        elif not _tied(previous, item):
            rank = start + offset + 1
        previous = item
        entries.append(_entry(board, rank, item))
    return entries


def _entry(board: Board, rank: int, item: tuple[str, float]) -> Entry:
    member_, score = item
    if board.by == "rating":
        return Entry(rank, subject_of(member_), ordinal=score)
    points, wins, played = decode(score)
    return Entry(rank, subject_of(member_), points, wins, played)


def size(board: Board) -> int:
    return get_store().count(board.key)
