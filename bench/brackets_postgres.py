"""The `--backend postgres` of bench/brackets.py: the bracket services on PostgreSQL, a commit
per result, with the play-through's CPU time, statements, database and server time, and the
commit and result floors measured through the driver alone."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from brackets_cases import OPTIONS


class PostgresBackend:
    """The bracket services on PostgreSQL: rows written and read back, a commit per result."""

    name = "deltacrown-postgres"
    formats = ("single_elimination", "double_elimination", "round_robin", "swiss")
    database_url: str | None = None  # set by main() from --database-url / TEST_DATABASE_URL
    broker_url: str | None = None  # --broker-url: reactions enqueued as in server mode
    redis_url: str | None = None  # --redis-url: live events numbered and published in Redis
    outbox: bool = False  # --outbox: OUTBOX_RELAY=worker, the relay timed after the play

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
        if self.outbox:
            broker.update(OUTBOX_RELAY="worker")
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

    def effects_floor(self, results: int, *, stored: bool = False) -> float | None:
        """Seconds for `results` transactions of the result floor's statements sent through
        the app's own unit of work (SQLAlchemy Core on the session's connection, no ORM
        objects), each followed by what a committed result sends before its request answers:
        six live events (the match's and the tournament's channels: completed, ready, started)
        and `match_completed`, whose reactions are enqueued in one broker message. The least a
        result can cost through this stack while it keeps its live events and reactions: a
        hand-written result path would spend this before it checked, routed or audited
        anything. Measured with `--broker-url` only (without a broker the reactions would run
        inside the loop); None otherwise.

        `stored` (with `--outbox`): the same transactions with OUTBOX_RELAY=worker, so the
        events and the signal are stored in the outbox with the commit instead of sent (the
        rows are deleted afterwards, undelivered): the least a result costs when its effects
        leave through the relay."""
        if not self.broker_url:
            return None
        mode = self.app.config["OUTBOX_RELAY"]
        self.app.config["OUTBOX_RELAY"] = "worker" if stored else "request"
        import sqlalchemy as sa

        from deltacrown.core import realtime, signals
        from deltacrown.core.transaction import unit_of_work
        from deltacrown.extensions import db

        rows, log = f"{self.prefix}_effects_rows", f"{self.prefix}_effects_log"
        with db.engine.connect() as connection:
            connection.execute(sa.text(f"CREATE TABLE {rows} (id integer PRIMARY KEY, v integer)"))
            fill = f"INSERT INTO {rows} SELECT g, 0 FROM generate_series(0, {results + 2}) g"  # noqa: S608
            connection.execute(sa.text(fill))
            connection.execute(
                sa.text(f"CREATE TABLE {log} (id bigserial PRIMARY KEY, row_id int, data jsonb)")
            )
            connection.commit()
        lock = sa.text(f"SELECT id, v FROM {rows} WHERE id IN (:a, :b, :c) FOR UPDATE")  # noqa: S608
        write = sa.text(
            f"WITH w AS (UPDATE {rows} SET v = v + 1 WHERE id IN (:a, :b)) "  # noqa: S608
            f"INSERT INTO {log} (row_id, data) VALUES (:a, CAST(:data AS jsonb))"
        )
        # Ids no table holds: the reactions are only enqueued (no worker takes them here); the
        # events go to two channels of their own, whose keys are removed afterwards.
        base = -10 * (results + 3)
        channels = (f"match:{base}", f"tournament:{base}")
        first_stored = db.session.scalar(
            sa.text("SELECT coalesce(max(id), 0) FROM outbox_messages")
        )
        db.session.rollback()
        try:
            started = time.perf_counter()
            for number in range(results):
                match_id = base - number
                with unit_of_work():
                    connection = db.session.connection()
                    ids = {"a": number, "b": number + 1, "c": number + 2}
                    connection.execute(lock, ids).all()
                    connection.execute(write, {**ids, "data": '{"status": "completed"}'})
                    event = {"match_id": match_id, "tournament_id": base, "status": "completed"}
                    for kind in ("match.completed", "match.ready", "match.started"):
                        for channel in channels:
                            realtime.publish(channel, kind, event)
                    signals.send_after_commit(
                        signals.match_completed,
                        "brackets",
                        match_id=match_id,
                        tournament_id=base,
                        stage_id=base,
                        winner_registration_id=base,
                        loser_registration_id=base - 1,
                    )
            seconds = time.perf_counter() - started
        finally:
            self.app.config["OUTBOX_RELAY"] = mode
            db.session.rollback()
            with db.engine.connect() as connection:
                connection.execute(sa.text(f"DROP TABLE {rows}, {log}"))
                connection.execute(
                    sa.text("DELETE FROM outbox_messages WHERE id > :first"),
                    {"first": first_stored},
                )
                connection.commit()
            if self.redis_url:
                from tests.live.support import forget

                forget(self.redis_url, channels)
        return seconds

    def prepare(self, format_name: str, seeds: list[int]) -> None:
        """An organizer and a closed solo tournament of len(seeds) confirmed registrations
        (bulk-inserted: registering is not what is measured)."""
        import sqlalchemy as sa

        from deltacrown.accounts import services as accounts
        from deltacrown.accounts.models import User
        from deltacrown.core.time import utcnow
        from deltacrown.core.transaction import unit_of_work
        from deltacrown.extensions import db
        from deltacrown.registrations.models import Registration, RegistrationMember
        from deltacrown.tournaments import services as tournaments
        from tests.factories import open_tournament

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
            tournament = open_tournament(
                organizer,
                name=f"Bench {tag}",
                format=format_name,
                participant_type="solo",
                max_participants=max(n, 2),
            )
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
        if self.outbox:
            self.play_extra.update(self._relay())
        return results

    def _relay(self) -> dict[str, Any]:
        """What the play-through stored in the outbox, delivered as `flask outbox relay`
        does (in server mode a process of its own, while results go on): its time apart."""
        from deltacrown.core import outbox_relay

        started = time.perf_counter()
        commits = outbox_relay.drain_once()
        if commits is None:
            raise RuntimeError("another outbox relay is running on this database")
        return {
            "relay_seconds": round(time.perf_counter() - started, 3),
            "relayed_commits": commits,
        }

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
