"""Boards from points rows: the rank order and its tie-breaks, shared ranks, incremental
updates that end where a rebuild does, and the atomic swap under a concurrent reader."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltacrown.extensions import db
from deltacrown.leaderboards import boards, store
from deltacrown.leaderboards.boards import Board
from deltacrown.leaderboards.models import LeaderboardPoints, SubjectKind
from tests.factories import build_tournament

pytestmark = pytest.mark.usefixtures("app_ctx")
T0 = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def world(cup: Any, organizer: Any, app_ctx: Any) -> dict[str, Any]:
    """A game, four tournaments to hang rows on and a registration (the rows' FK)."""
    c = cup(2)
    from deltacrown.tournaments.models import Tournament

    game_id = db.session.get(Tournament, c.id).game_id
    tournaments = [c.id] + [build_tournament(organizer.id).id for _ in range(3)]
    return {"game_id": game_id, "tournaments": tournaments, "registration": c.registrations[0]}


def add(world: dict[str, Any], t: int, subject: int, points: str, wins: int = 0, played: int = 1,
        at: datetime = T0, kind: SubjectKind = SubjectKind.PLAYER) -> None:  # fmt: skip
    db.session.add(
        LeaderboardPoints(
            game_id=world["game_id"],
            tournament_id=world["tournaments"][t],
            kind=kind,
            subject_id=subject,
            registration_id=world["registration"],
            placement=1,
            tier="premier",
            placement_points=Decimal(points),
            kill_points=Decimal(0),
            points=Decimal(points),
            wins=wins,
            matches_played=played,
            placed_at=at,
        )
    )
    db.session.flush()


def ranks(board: Board) -> list[tuple[int, int]]:
    return [(e.rank, e.subject_id) for e in boards.page(board, 0, 1000)]


def test_ties_share_a_rank_and_the_next_rank_skips(world):
    for subject, points in ((1, "1000"), (2, "500"), (3, "500"), (4, "250")):
        add(world, 0, subject, points)
    board = Board(world["game_id"])
    boards.rebuild(board)
    assert ranks(board) == [(1, 1), (2, 2), (2, 3), (4, 4)]
    assert [boards.rank_of(board, s) for s in (1, 2, 3, 4)] == [1, 2, 2, 4]
    assert [(e.rank, e.subject_id) for e in boards.page(board, 2, 2)] == [(2, 3), (4, 4)]


def test_equal_points_rank_by_wins_then_fewer_matches_then_earliest_placement_then_id(world):
    add(world, 0, 10, "500", wins=1, played=3)
    add(world, 0, 11, "500", wins=2, played=3)  # more wins
    add(world, 0, 12, "500", wins=1, played=2)  # fewer matches
    add(world, 0, 13, "500", wins=1, played=3, at=T0 - timedelta(days=1))  # placed earlier
    add(world, 0, 9, "500", wins=1, played=3)  # ties with 10: same rank, lower id first
    board = Board(world["game_id"])
    boards.rebuild(board)
    assert ranks(board) == [(1, 11), (2, 12), (3, 13), (4, 9), (4, 10)]


def test_points_add_up_over_tournaments_per_board(world):
    add(world, 0, 1, "250", wins=2, played=3)
    add(world, 1, 1, "62.5", wins=0, played=1)
    add(world, 0, 7, "100", kind=SubjectKind.TEAM)
    player, team = Board(world["game_id"]), Board(world["game_id"], SubjectKind.TEAM)
    boards.rebuild(player)
    boards.rebuild(team)
    (entry,) = boards.page(player, 0, 10)
    assert (entry.points, entry.wins, entry.matches_played) == (Decimal("312.5"), 2, 4)
    assert [e.subject_id for e in boards.page(team, 0, 10)] == [7]


tournament_rows = st.lists(
    st.tuples(
        st.integers(1, 8),  # subject
        st.sampled_from(["6.25", "25", "62.5", "250", "500", "1000"]),
        st.integers(0, 4),  # wins
        st.integers(0, 3),  # extra matches
        st.integers(0, 2),  # day
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda r: r[0],
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(tournament_rows, min_size=1, max_size=4))
def test_incremental_updates_end_where_a_rebuild_does(world, sequence):
    board = Board(world["game_id"])
    db.session.execute(sa.delete(LeaderboardPoints))
    store.get_store().delete([board.key])
    boards.rebuild(board)
    for t, rows in enumerate(sequence):
        for subject, points, wins, extra, day in rows:
            add(world, t, subject, points, wins, wins + extra, T0 + timedelta(days=day))
        boards.update(board, [r[0] for r in rows])
    incremental = [(e.rank, e.subject_id, e.points, e.wins) for e in boards.page(board, 0, 100)]
    boards.rebuild(board)
    assert incremental == [
        (e.rank, e.subject_id, e.points, e.wins) for e in boards.page(board, 0, 100)
    ]


def _stores() -> list[Any]:
    found: list[Any] = [store.MemoryStore()]
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        import redis

        found.append(store.RedisStore(redis.Redis.from_url(url)))
    return found


@pytest.mark.parametrize("board_store", _stores(), ids=lambda s: type(s).__name__)
def test_a_reader_never_sees_a_half_built_board(board_store):
    key = f"swaptest:{os.getpid()}:{threading.get_ident()}"
    old = {f"{i:024d}": float(i) for i in range(300)}
    new = {f"{i:024d}": float(i) for i in range(1000, 1600)}
    board_store.replace(key, old, {str(i): m for i, m in enumerate(old)})
    seen: set[tuple[int, float]] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            whole = board_store.range(key, 0, 10_000)  # one read of the whole board
            seen.add((len(whole), whole[0][1] if whole else -1.0))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(6):
            scores = new if round_ % 2 == 0 else old
            board_store.replace(key, scores, {str(i): m for i, m in enumerate(scores)})
    finally:
        stop.set()
        reader.join()
        board_store.delete([key])
    assert seen <= {(300, 299.0), (600, 1599.0)}
