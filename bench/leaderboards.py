"""Benchmark of the leaderboards: reads on a 1,000,000-player board in Redis, rebuilds, and the
tournament odds simulation. One JSON line per figure.

    python bench/leaderboards.py --redis-url redis://127.0.0.1:6379/5
    python bench/leaderboards.py --players 100000 --rows 50000 --samples 500

* "top100" and "rank_of": the API process's own calls (`boards.page(board, 0, 100)` with
  shared ranks, and `boards.rank_of(board, id)` for random players) on a board of
  `--players` entries held in Redis, p50/p99 over `--samples` calls, beside the bare
  `ZREVRANGE key 0 99 WITHSCORES` and `ZREVRANK` on the same key as the floor.
* "store_rebuild": writing that board under a temporary key and renaming it over the live
  one (`RedisStore.replace`), the part of a rebuild that scales with the board.
* "rebuild_from_rows": `boards.rebuild` from `--rows` LeaderboardPoints rows (a fresh SQLite
  database unless `--database-url`), i.e. the SUM/GROUP BY plus the swap.
* "odds": `odds.play` for a 256-player double elimination (drawn by the bracket engine,
  nothing played yet, 10,000 runs, ratings spread over the field).

The keys it writes carry a `bench:` prefix and are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Any, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_reads(app: Any, players: int, samples: int) -> None:
    from deltacrown.leaderboards import boards, store
    from deltacrown.leaderboards.boards import Board

    rng = random.Random(1)  # noqa: S311  (synthetic data)
    base = datetime(2030, 1, 1, tzinfo=UTC)
    with app.app_context():
        board = Board(game_id=999_999)
        scores, members = {}, {}
        for subject in range(1, players + 1):
            # Points in 6.25 steps with many ties, as a real board has.
            points = Decimal(rng.randrange(1, 4000)) * Decimal("6.25")
            last = base + timedelta(days=rng.randrange(365))
            member = boards.member(subject, last)
            scores[member] = boards.encode(points, rng.randrange(30), rng.randrange(30, 60), last)
            members[str(subject)] = member
        redis_store = store.get_store()
        start = time.perf_counter()
        redis_store.replace(board.key, scores, members)
        emit(op="store_rebuild", players=players, seconds=round(time.perf_counter() - start, 3))

        client = redis_store.r  # type: ignore[attr-defined]
        ids = [rng.randrange(1, players + 1) for _ in range(samples)]
        cases = {
            "top100": lambda: boards.page(board, 0, 100),
            "top100_bare_zrevrange": lambda: client.zrevrange(board.key, 0, 99, withscores=True),
        }
        for name, fn in cases.items():
            ms = timed(fn, samples)
            emit(op=name, players=players, p50_ms=round(pct(ms, 0.5), 3),
                 p99_ms=round(pct(ms, 0.99), 3), mean_ms=round(statistics.mean(ms), 3))  # fmt: skip
        it = iter(ids)
        ms = timed(lambda: boards.rank_of(board, next(it)), samples)
        emit(op="rank_of", players=players, p50_ms=round(pct(ms, 0.5), 3),
             p99_ms=round(pct(ms, 0.99), 3), mean_ms=round(statistics.mean(ms), 3))  # fmt: skip
        it = iter(ids)
        ms = timed(lambda: client.zrevrank(board.key, members[str(next(it))]), samples)
        emit(op="rank_of_bare_zrevrank", players=players, p50_ms=round(pct(ms, 0.5), 3),
             p99_ms=round(pct(ms, 0.99), 3), mean_ms=round(statistics.mean(ms), 3))  # fmt: skip
        redis_store.delete([board.key])


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


def bench_rebuild_from_rows(app: Any, rows: int) -> None:
    import sqlalchemy as sa

    from deltacrown.extensions import db
    from deltacrown.games.models import Game
    from deltacrown.leaderboards import boards
    from deltacrown.leaderboards.boards import Board
    from deltacrown.leaderboards.models import LeaderboardPoints

    with app.app_context():
        game_id = db.session.scalar(sa.select(Game.id).order_by(Game.id).limit(1))
        rng = random.Random(2)  # noqa: S311  (synthetic data)
        base = datetime(2030, 1, 1, tzinfo=UTC)
        batch = []
        for i in range(rows):
            points = Decimal(rng.choice([25, 100, 250, 500, 750, 1000])) * Decimal("0.25")
            batch.append({
                "game_id": game_id, "tournament_id": 1 + i // 64, "season_id": None,
                "kind": "player", "subject_id": 1 + rng.randrange(rows // 3 or 1) + 0 * i,
                "registration_id": 1, "placement": 1, "tier": "community",
                "placement_points": points, "kill_points": Decimal(0), "points": points,
                "wins": rng.randrange(4), "matches_played": 4,
                "placed_at": base + timedelta(hours=i), "created_at": base,
            })  # fmt: skip
        # (tournament, kind, subject) is unique: keep one row per pair.
        unique = {(r["tournament_id"], r["subject_id"]): r for r in batch}
        # The rows name tournaments and registrations that do not exist: foreign keys off
        # for the load (a plain sqlite3 connection has them off; PostgreSQL: replica role).
        db.session.remove()
        if db.engine.name == "sqlite":
            import sqlite3

            raw = sqlite3.connect(db.engine.url.database)
            columns = list(next(iter(unique.values())))
            raw.executemany(
                f"INSERT INTO leaderboard_points ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join('?' for _ in columns)})",
                [[_sqlite(r[c]) for c in columns] for r in unique.values()],
            )
            raw.commit()
            raw.close()
        else:
            db.session.execute(sa.text("SET session_replication_role = replica"))
            db.session.execute(sa.insert(LeaderboardPoints), list(unique.values()))
            db.session.execute(sa.text("SET session_replication_role = DEFAULT"))
            db.session.commit()
        board = Board(game_id)
        start = time.perf_counter()
        size = boards.rebuild(board)
        emit(op="rebuild_from_rows", rows=len(unique), entries=size,
             database=db.engine.name, seconds=round(time.perf_counter() - start, 3))  # fmt: skip
        db.session.execute(sa.delete(LeaderboardPoints))
        db.session.commit()
        from deltacrown.leaderboards.store import get_store

        get_store().delete([board.key])


def bench_odds() -> None:
    from deltacrown.brackets.engine import generate
    from deltacrown.leaderboards import odds

    n = 256
    stage = generate("double_elimination", list(range(1, n + 1)), {})
    index = {entry: entry - 1 for entry in range(1, n + 1)}
    nodes = []
    for rnd in stage.rounds:
        for match_id in rnd.match_ids:
            m = stage.matches[match_id]
            slots = []
            for slot in m.slots:
                known = index.get(slot.participant, -1) if slot.participant else -1
                slots.append((slot.kind.value, str(slot.ref), known))
            nodes.append(odds.Node(m.id, slots[0], slots[1], "open", -1, -1, m.is_reset,
                                   rnd.side.value == "third_place"))  # fmt: skip
    rng = random.Random(3)  # noqa: S311  (synthetic data)
    strengths = [(rng.gauss(25, 4), rng.uniform(2, 8) ** 2) for _ in range(n)]
    start = time.perf_counter()
    win = odds.win_matrix(strengths)
    matrix = time.perf_counter() - start
    start = time.perf_counter()
    counts = odds.play(nodes, n, win, runs=odds.RUNS, seed=1)
    seconds = time.perf_counter() - start
    if sum(counts.values()) != odds.RUNS:
        raise SystemExit("every run must crown a champion")
    emit(op="odds", format="double_elimination", players=n, runs=odds.RUNS, matches=len(nodes),
         matrix_seconds=round(matrix, 3), simulate_seconds=round(seconds, 3),
         seconds=round(matrix + seconds, 3))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from deltacrown.app import MIGRATIONS_DIR, create_app

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=args.redis_url, CACHE_KEY_PREFIX="bench:"
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
    bench_odds()
    bench_reads(app, args.players, args.samples)
    bench_rebuild_from_rows(app, args.rows)


if __name__ == "__main__":
    main()
