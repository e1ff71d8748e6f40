"""Benchmark of the bracket engine: generation and full play-through, one JSON line per case.

    python bench/brackets.py                       # our engine, default sizes, JSON lines
    python bench/brackets.py --sizes 8 16 --repeat 1
    python bench/brackets.py --formats swiss --sizes 64 1024
    python bench/brackets.py --compare             # + brackets-manager.js via Node, ratios,
                                                   #   and both runs saved to bench/results/

Each line is {"engine", "op", "format", "n", "seconds", "repeat", "matches"}: `op` is
"generate" (seeds -> stage) or "play" (apply every result, in stage order, slot 1 winning;
`matches` is then the number of results applied); `seconds` is the best of `repeat` runs,
each on a fresh stage, after a garbage collection.

Round robin runs in groups of 8. Swiss (default rounds, ceil(log2 N)) runs for N = 64 ...
1024 unless `--sizes` says otherwise: "generate" pairs round 1, "play" plays every round and
pairs each next one (`next_round`), with winners drawn from a random generator seeded by N so
that score groups and rematch constraints look like a real event; its lines add `rounds` and
`pairing_seconds` (the part of "play" spent pairing). brackets-manager has no Swiss, so only
the elimination formats and round robin are compared.

Backends: `--backend engine` (the default) times the pure engine in memory. `--backend
postgres` (with `--database-url` or TEST_DATABASE_URL, a PostgreSQL database; the schema is
migrated first) times the persistence layer: "generate" is `brackets.services.generate_bracket`
(stage, round and match rows) in one unit of work, "play" enters every result through
`matches.services.enter_result` as the organizer, one commit per result, in stage
order with slot 1 winning (Swiss: winners drawn as above, each next round paired by the
service). The N confirmed registrations each case needs are bulk-inserted before the clock
starts, and everything a case created is deleted after it. Its "play" lines add
`cpu_seconds` (this process's CPU time) and `statements` (SQL statements sent), which a
shared machine's load does not move as it moves `seconds`; `database_seconds` (the part of
`seconds` spent in the driver sending statements and commits and waiting for them); and two
floors measured in the same run through the driver alone, as many transactions as results:
`commit_floor_seconds` (a one-row INSERT and its commit) and `result_floor_seconds` (the
least a result can be: a locking read of three rows, one statement writing two of them and
appending a row, the commit).

    python bench/brackets.py --backend postgres --database-url postgresql+psycopg://... \
        --formats single_elimination double_elimination --sizes 8 64 1024 --repeat 1
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deltacrown.brackets.engine import (  # noqa: E402
    MatchStatus,
    Stage,
    apply_result,
    generate,
    next_round,
)

DEFAULT_SIZES = [8, 16, 32, 64, 100, 128, 256, 500, 512, 1000, 1024, 2048, 3000, 4096]
FORMATS = ["single_elimination", "double_elimination", "round_robin", "swiss"]
OPTIONS: dict[str, dict[str, Any]] = {
    "single_elimination": {},
    "double_elimination": {"grand_final": "double"},
    "round_robin": {"group_size": 8},
    "swiss": {"allow_draws": False},
}
FORMAT_SIZES = {"swiss": [64, 128, 256, 512, 1024]}  # default sizes where they differ
REFERENCE_FORMATS = ("single_elimination", "double_elimination", "round_robin")
REFERENCE_DIR = Path(__file__).resolve().parent / "brackets_manager"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
REQUIRED_RATIO = 5.0
CHECKED_SIZES = (1024, 4096)


class Backend(Protocol):
    name: str

    def generate(self, format_name: str, seeds: list[int]) -> Any: ...

    def play(self, stage: Any) -> int:
        """Apply every result; return how many were applied."""


class EngineBackend:
    """The pure engine, in memory."""

    name = "deltacrown"

    def generate(self, format_name: str, seeds: list[int]) -> Stage:
        return generate(format_name, seeds, OPTIONS[format_name])

    def play(self, stage: Stage) -> int:
        if stage.format == "swiss":
            return self.play_swiss(stage)
        ready = MatchStatus.READY
        results = 0
        # Stage order is an order of play, so one pass finds every match ready in turn.
        for match in list(stage.matches.values()):
            if match.status is ready:
                apply_result(stage, match.id, match.slots[0].participant, [[1, 0]])  # type: ignore[arg-type]
                results += 1
        if not stage.is_complete:
            raise RuntimeError("the play-through left matches open")
        return results

    def play_swiss(self, stage: Stage) -> int:
        """Every round: random winners (seeded by N), then `next_round` until the end."""
        rng = random.Random(len(stage.seeds))  # noqa: S311 (reproducible results, not secrets)
        results = 0
        self.pairing_seconds = 0.0
        while True:
            for match_id in stage.rounds[-1].match_ids:
                match = stage.matches[match_id]
                apply_result(stage, match_id, rng.choice(match.participants), [[1, 0]])  # type: ignore[arg-type]
                results += 1
            if stage.is_complete:
                return results
            start = time.perf_counter()
            next_round(stage)
            self.pairing_seconds += time.perf_counter() - start


class PostgresBackend:
    """The bracket services on PostgreSQL: rows written and read back, a commit per result."""

    name = "deltacrown-postgres"
    formats = ("single_elimination", "double_elimination", "round_robin", "swiss")
    database_url: str | None = None  # set by main() from --database-url / TEST_DATABASE_URL
    broker_url: str | None = None  # --broker-url: reactions enqueued as in server mode
    redis_url: str | None = None  # --redis-url: live events numbered and published in Redis

    def __init__(self) -> None:
        import os

        url = self.database_url or os.environ.get("TEST_DATABASE_URL")
        if not url or not url.startswith("postgresql"):
            raise SystemExit("--backend postgres needs --database-url or TEST_DATABASE_URL")
        from flask_migrate import upgrade

        from deltacrown.app import MIGRATIONS_DIR, create_app

        broker = {"CELERY_BROKER_URL": self.broker_url} if self.broker_url else {}
        if self.redis_url:
            broker.update(REDIS_URL=self.redis_url, REALTIME_BACKEND="redis")
        self.app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **broker)
        self.context = self.app.app_context()
        self.context.push()
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        self.prefix = f"bench{random.getrandbits(32):08x}"  # noqa: S311
        self.cases = 0
        self.tournament_id = 0
        self.user_ids: list[int] = []

    def commit_floor(self, commits: int) -> float:
        """Seconds for `commits` one-row INSERTs each committed on their own, through the same
        connection pool with no ORM: the floor a result-by-result play-through cannot go
        under (each durable commit waits for its WAL flush)."""
        import sqlalchemy as sa

        from deltacrown.extensions import db

        table = f"{self.prefix}_commit_floor"  # logged, as the app's tables (a temporary
        with db.engine.connect() as connection:  # table writes no WAL and waits for no flush)
            connection.execute(sa.text(f"CREATE TABLE {table} (id integer)"))
            connection.commit()
            try:
                started = time.perf_counter()
                for number in range(commits):
                    insert = sa.text(f"INSERT INTO {table} VALUES (:n)")  # noqa: S608
                    connection.execute(insert, {"n": number})
                    connection.commit()
                seconds = time.perf_counter() - started
            finally:
                connection.execute(sa.text(f"DROP TABLE {table}"))
                connection.commit()
        return seconds

    def result_floor(self, results: int) -> float:
        """Seconds for `results` transactions of the least a result can be with one commit
        each, through the driver alone (no SQLAlchemy, no Python work between): a locking read
        of three rows, one statement writing two of them and appending a row elsewhere, and
        the commit. Three round trips, where `play` sends about nine: what any design keeping
        a commit per result and the rows it writes today spends on this machine."""
        from deltacrown.extensions import db

        rows, log = f"{self.prefix}_floor_rows", f"{self.prefix}_floor_log"
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"CREATE TABLE {rows} (id integer PRIMARY KEY, v integer)")
            fill = f"INSERT INTO {rows} SELECT g, 0 FROM generate_series(0, {results + 2}) g"  # noqa: S608
            cursor.execute(fill)
            cursor.execute(f"CREATE TABLE {log} (id bigserial PRIMARY KEY, row_id int, data jsonb)")
            raw.commit()
            lock = f"SELECT id, v FROM {rows} WHERE id = ANY(%s) FOR UPDATE"  # noqa: S608
            write = (
                f"WITH w AS (UPDATE {rows} SET v = v + 1 WHERE id = ANY(%s)) "  # noqa: S608
                f"INSERT INTO {log} (row_id, data) VALUES (%s, %s)"
            )
            try:
                started = time.perf_counter()
                for number in range(results):
                    cursor.execute(lock, ([number, number + 1, number + 2],))
                    cursor.fetchall()
                    cursor.execute(write, ([number, number + 1], number, '{"status": "completed"}'))
                    raw.commit()
                seconds = time.perf_counter() - started
            finally:
                raw.rollback()
                cursor.execute(f"DROP TABLE {rows}, {log}")
                raw.commit()
        finally:
            raw.close()
        return seconds

    def prepare(self, format_name: str, seeds: list[int]) -> None:
        """An organizer and a closed solo tournament of len(seeds) confirmed registrations
        (bulk-inserted: registering is not what is measured)."""
        import sqlalchemy as sa

        from deltacrown.accounts import services as accounts
        from deltacrown.accounts.models import User
        from deltacrown.core.time import isoformat, utcnow
        from deltacrown.core.transaction import unit_of_work
        from deltacrown.extensions import db
        from deltacrown.registrations.models import Registration, RegistrationMember
        from deltacrown.tournaments import services as tournaments
        from deltacrown.tournaments.schemas import TournamentCreateArgs

        self.cases += 1
        tag = f"{self.prefix}c{self.cases}"
        n = len(seeds)
        now = utcnow().replace(microsecond=0)
        with unit_of_work():
            organizer = accounts.register_user(
                username=f"{tag}o"[:30],
                email=f"{tag}o@bench.test",
                password="bench-password",  # noqa: S106  (a throwaway bench account)
            )
            body = {
                "name": f"Bench {tag}",
                "game": "valorant",
                "format": format_name,
                "participant_type": "solo",
                "max_participants": max(n, 2),
                "registration_opens_at": isoformat(now + timedelta(days=1)),
                "registration_closes_at": isoformat(now + timedelta(days=5)),
                "start_at": isoformat(now + timedelta(days=7)),
            }
            tournament = tournaments.create_tournament(
                actor=organizer, data=TournamentCreateArgs().load(body)
            )
            tournaments.publish_tournament(tournament.id, actor=organizer)
            tournaments.open_registration(tournament.id, actor=organizer)
            users = [
                {
                    "username": f"{tag}p{i}"[:30],
                    "username_key": f"{tag}p{i}"[:30],
                    "email": f"{tag}p{i}@bench.test",
                    "password_hash": "!",
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "credentials_version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(n)
            ]
            ids = list(db.session.scalars(sa.insert(User).returning(User.id), users))
            registrations = [
                {
                    "tournament_id": tournament.id,
                    "user_id": uid,
                    "registered_by_id": uid,
                    "status": "confirmed",
                    "payment_status": "not_required",
                    "answers": {},
                    "confirmed_at": now,
                    "created_at": now + timedelta(microseconds=i),
                    "updated_at": now,
                    "version": 1,
                }
                for i, uid in enumerate(ids)
            ]
            registration_ids = list(
                db.session.scalars(
                    sa.insert(Registration).returning(Registration.id), registrations
                )
            )
            db.session.execute(
                sa.insert(RegistrationMember),
                [
                    {
                        "registration_id": rid,
                        "tournament_id": tournament.id,
                        "user_id": uid,
                        "role": "player",
                        "is_active": True,
                    }
                    for rid, uid in zip(registration_ids, ids, strict=True)
                ],
            )
            tournaments.close_registration(tournament.id, actor=organizer)
            self.tournament_id, self.organizer_id = tournament.id, organizer.id
            self.user_ids = [organizer.id, *ids]

    def _organizer(self) -> Any:
        from deltacrown.accounts.models import User
        from deltacrown.extensions import db

        return db.session.get(User, self.organizer_id)

    def generate(self, format_name: str, seeds: list[int]) -> Any:
        from deltacrown.brackets import services
        from deltacrown.core.transaction import unit_of_work

        with unit_of_work():
            (row,) = services.generate_bracket(
                self.tournament_id, actor=self._organizer(), options=_api_options(format_name)
            )
        return _PersistedStage(row.id, list(row.seeds), format_name)

    def play(self, stage: Any) -> int:
        """`_play`, counting the statements sent and the CPU time spent (`play_extra`)."""
        import sqlalchemy as sa

        from deltacrown.extensions import db

        statements = [0]

        def count(*args: Any) -> None:
            statements[0] += 1

        # The time spent in the driver sending statements and commits and waiting for them:
        # the database's part of `seconds` (the rest is this process's work).
        waited = [0.0]
        dialect = db.engine.dialect
        execute, executemany, commit = dialect.do_execute, dialect.do_executemany, dialect.do_commit

        def timed(call: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return call(*args, **kwargs)
                finally:
                    waited[0] += time.perf_counter() - started

            return wrapper

        server = self.server_active_seconds()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        dialect.do_execute, dialect.do_executemany = timed(execute), timed(executemany)  # type: ignore[method-assign]
        dialect.do_commit = timed(commit)  # type: ignore[method-assign]
        cpu = time.process_time()
        try:
            results = self._play(stage)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
            del dialect.do_execute, dialect.do_executemany, dialect.do_commit  # the class's own
        # Beside the wall-clock `seconds`: this process's CPU time and the statements sent (a
        # shared machine's load shows in the first, not in these).
        self.play_extra = {
            "cpu_seconds": round(time.process_time() - cpu, 3),
            "statements": statements[0],
            "database_seconds": round(waited[0], 3),
            "server_seconds": _difference(self.server_active_seconds(), server),
        }
        return results

    def server_active_seconds(self) -> float | None:
        """The server's own clock: seconds its client backends have spent running statements
        (commits included) in this database since the statistics were reset
        (`pg_stat_database.active_time`, PostgreSQL 14 and later; None before). Read before
        and after a play-through, the difference is the part of `database_seconds` the server
        worked; the rest is the driver and the network. The pooled connection the play used
        reports its figures first (`pg_stat_force_next_flush` on PostgreSQL 15, else the
        second a backend may wait before it reports), and the reading is taken from a fresh
        snapshot."""
        import sqlalchemy as sa

        from deltacrown.extensions import db

        db.session.remove()
        with db.engine.connect() as used:  # the pool hands back the play's connection
            try:
                used.execute(sa.text("SELECT pg_stat_force_next_flush()"))
                used.commit()
            except sa.exc.DBAPIError:  # PostgreSQL 14, or a role without the right
                used.rollback()
                time.sleep(1.1)
        with db.engine.connect() as used:  # idle between the two: the figures were flushed
            used.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            try:
                milliseconds = used.scalar(
                    sa.text(
                        "SELECT active_time FROM pg_stat_database "
                        "WHERE datname = current_database()"
                    )
                )
            except sa.exc.DBAPIError:  # before PostgreSQL 14: no such column
                used.rollback()
                return None
            used.rollback()
        return float(milliseconds or 0.0) / 1000

    def _play(self, stage: Any) -> int:
        import sqlalchemy as sa

        from deltacrown.brackets import services as bracket_services
        from deltacrown.brackets.models import Round as RoundRow
        from deltacrown.brackets.models import Stage as StageRow
        from deltacrown.core.transaction import unit_of_work
        from deltacrown.extensions import db
        from deltacrown.matches import services
        from deltacrown.matches.models import Match

        with unit_of_work():
            bracket_services.start_tournament(self.tournament_id, actor=self._organizer())
        rng = random.Random(len(stage.seeds))  # noqa: S311 (as the engine backend's Swiss)
        results = 0
        while True:
            ready = db.session.execute(
                sa.select(Match.id, Match.participant1_registration_id,
                          Match.participant2_registration_id)
                .where(Match.stage_id == stage.id, Match.status.in_(("ready", "live")))
                .order_by(Match.position)
            ).all()  # fmt: skip
            if not ready:
                break
            for match_id, first, second in ready:
                winner = rng.choice((first, second)) if stage.format == "swiss" else first
                with unit_of_work():
                    services.enter_result(
                        match_id,
                        winner=winner,
                        games=[[1, 0]] if winner == first else [[0, 1]],
                        actor=self._organizer(),
                        expect="open",
                    )
                results += 1
        row = db.session.get(StageRow, stage.id)
        if row is None or row.placements is None:
            raise RuntimeError("the play-through left matches open")
        rounds = db.session.scalar(
            sa.select(sa.func.count(RoundRow.id)).where(RoundRow.stage_id == stage.id)
        )
        stage.rounds = range(rounds or 0)
        return results

    def cleanup(self) -> None:
        """Delete the case's tournament and users and every row that refers to them, however
        many domains reacted to the results (ratings, notices, payouts, ...): the rows to
        delete are found by following the schema's foreign keys, then deleted children first."""
        import sqlalchemy as sa

        from deltacrown.core.purge import purge
        from deltacrown.extensions import db

        db.session.execute(
            sa.text(
                "DELETE FROM audit_entries WHERE actor_id = ANY(:u) "
                "OR (target_type = 'tournaments' AND target_id = ANY(:t))"
            ),
            {"t": [self.tournament_id], "u": self.user_ids or [-1]},
        )
        purge(db.session, {"tournaments": {self.tournament_id}, "users": set(self.user_ids)})
        db.session.commit()


class _PersistedStage:
    """What `run` reads of a generated stage: its match count (and, for Swiss, its rounds)."""

    def __init__(self, stage_id: int, seeds: list[int], format_name: str) -> None:
        import sqlalchemy as sa

        from deltacrown.extensions import db
        from deltacrown.matches.models import Match

        self.id, self.seeds, self.format = stage_id, seeds, format_name
        count = db.session.scalar(
            sa.select(sa.func.count(Match.id)).where(Match.stage_id == stage_id)
        )
        self.matches = range(count or 0)
        self.rounds: range = range(0)


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else round(after - before, 3)


def _api_options(format_name: str) -> dict[str, Any]:
    """OPTIONS in the API's names (the engine's `third_place` is `third_place_match`)."""
    options = dict(OPTIONS[format_name])
    if "third_place" in options:
        options["third_place_match"] = options.pop("third_place")
    options.pop("allow_draws", None)  # the service takes the format's default
    return options


BACKENDS: dict[str, Callable[[], Backend]] = {"engine": EngineBackend, "postgres": PostgresBackend}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def cases(sizes: list[int] | None, formats: list[str]) -> list[tuple[int, str]]:
    """(n, format) in the order they run: `sizes` for every format, else each one's default."""
    chosen = {f: sizes or FORMAT_SIZES.get(f, DEFAULT_SIZES) for f in formats}
    return [(n, f) for n in sorted({n for s in chosen.values() for n in s}) for f in formats
            if n in chosen[f]]  # fmt: skip


def run(
    backend: Backend, sizes: list[int] | None, formats: list[str], repeat: int
) -> Iterator[dict[str, Any]]:
    for n, format_name in cases(sizes, formats):
        seeds = list(range(1, n + 1))
        best_generate = best_play = float("inf")
        matches = results = 0
        extra: dict[str, Any] = {}
        for _ in range(repeat):
            prepare = getattr(backend, "prepare", None)  # untimed set-up (postgres: the field)
            if prepare is not None:
                prepare(format_name, seeds)
            try:
                seconds, stage = _timed(lambda: backend.generate(format_name, seeds))  # noqa: B023
                best_generate = min(best_generate, seconds)
                matches = len(stage.matches)
                seconds, results = _timed(lambda: backend.play(stage))  # noqa: B023
                if seconds < best_play:
                    extra = dict(getattr(backend, "play_extra", {}))
                    if format_name == "swiss":
                        extra["rounds"] = len(stage.rounds)
                        extra["pairing_seconds"] = getattr(backend, "pairing_seconds", None)
                best_play = min(best_play, seconds)
            finally:  # a failed case must not leave its rows in a shared database
                cleanup = getattr(backend, "cleanup", None)
                if cleanup is not None:
                    cleanup()
        floor = getattr(backend, "commit_floor", None)
        if floor is not None and results:
            extra["commit_floor_seconds"] = round(floor(results), 3)
            extra["result_floor_seconds"] = round(backend.result_floor(results), 3)  # type: ignore[attr-defined]
        base = {"engine": backend.name, "format": format_name, "n": n, "repeat": repeat}
        yield {**base, "op": "generate", "seconds": best_generate, "matches": matches}
        yield {**base, "op": "play", "seconds": best_play, "matches": results, **extra}


def run_reference(sizes: list[int], formats: list[str], repeat: int) -> list[dict[str, Any]]:
    """brackets-manager.js on the same cases, installed from npm into a temporary folder."""
    formats = [f for f in formats if f in REFERENCE_FORMATS]
    if not formats:
        return []
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise SystemExit("--compare needs node and npm on PATH")
    with tempfile.TemporaryDirectory(prefix="bench-brackets-manager-") as tmp:
        for name in ("package.json", "bench.js"):
            shutil.copy(REFERENCE_DIR / name, tmp)
        subprocess.run(  # noqa: S603
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=tmp, check=True
        )
        args = ["--sizes", *map(str, sizes), "--formats", *formats, "--repeat", str(repeat)]
        out = subprocess.run(  # noqa: S603
            [node, "--expose-gc", "bench.js", *args],
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["op"], row["format"], row["n"]


def compare(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> bool:
    """Print brackets-manager / ours per case and our growth; True if every check passes."""
    reference = {key(row): row["seconds"] for row in theirs}
    ok = True
    print(f"{'op':9} {'format':19} {'n':>5} {'ours (s)':>10} {'theirs (s)':>11} {'ratio':>8}")
    for row in ours:
        if key(row) not in reference:
            continue
        ratio = reference[key(row)] / row["seconds"]
        checked = row["n"] in CHECKED_SIZES
        verdict = ("ok" if ratio >= REQUIRED_RATIO else "TOO SLOW") if checked else ""
        ok = ok and (ratio >= REQUIRED_RATIO or not checked)
        print(
            f"{row['op']:9} {row['format']:19} {row['n']:>5} {row['seconds']:>10.4f} "
            f"{reference[key(row)]:>11.4f} {ratio:>7.1f}x {verdict}"
        )
    ours_by_key = {key(row): row["seconds"] for row in ours}
    print("growth of our cost from n=1024 to n=4096 (n log n predicts 4.8x):")
    for op in ("generate", "play"):
        for format_name in REFERENCE_FORMATS:
            small = ours_by_key.get((op, format_name, 1024))
            large = ours_by_key.get((op, format_name, 4096))
            if small and large:
                print(f"  {op:9} {format_name:19} {large / small:5.1f}x")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="for every format (default: each one's own list)"
    )
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=FORMATS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="engine")
    parser.add_argument(
        "--database-url", help="--backend postgres: the database (default TEST_DATABASE_URL)"
    )
    parser.add_argument(
        "--broker-url",
        help="--backend postgres: enqueue what follows a result (ratings, notifications, "
        "webhooks) on this Celery broker, as server mode does, instead of running it inline "
        "(memory:// enqueues without running it; a Redis URL leaves it for a worker)",
    )
    parser.add_argument(
        "--redis-url",
        help="--backend postgres: publish the live events that follow a result through this "
        "Redis, as server mode does (by default they go to an in-process hub)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time brackets-manager.js (node + npm), save both runs, print the ratios",
    )
    parser.add_argument("--output", type=Path, help="with --compare: where to write the lines")
    args = parser.parse_args(argv)

    PostgresBackend.database_url = args.database_url
    PostgresBackend.broker_url = args.broker_url
    PostgresBackend.redis_url = args.redis_url
    backend = BACKENDS[args.backend]()
    formats = [f for f in args.formats if f in getattr(backend, "formats", FORMATS)]
    ours = []
    for row in run(backend, args.sizes, formats, args.repeat):
        print(json.dumps(row), flush=True)
        ours.append(row)
    if not args.compare:
        return 0
    theirs = run_reference(args.sizes or DEFAULT_SIZES, args.formats, args.repeat)
    for row in theirs:
        print(json.dumps(row), flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or RESULTS_DIR / f"brackets-{stamp}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    machine = {
        "engine": "machine",
        "python": platform.python_version(),
        "node": subprocess.run(  # noqa: S603
            [shutil.which("node") or "node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "recorded_at": stamp,
    }
    output.write_text("".join(json.dumps(row) + "\n" for row in [machine, *ours, *theirs]))
    print(f"wrote {output}", file=sys.stderr)
    return 0 if compare(ours, theirs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
