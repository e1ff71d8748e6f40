"""Count the round trips to PostgreSQL: libpq traces each connection's protocol messages, and
every round trip ends with the server's ReadyForQuery (BEGIN and COMMIT included, which no
SQLAlchemy event shows). bench/hot_reads.py reports the same count per request."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import event


class RoundTrips:
    """Round trips seen on an engine's connections while it is active."""

    def __init__(self) -> None:
        self.files: list[Any] = []
        self.connections: list[Any] = []
        self.lines: list[str] = []

    def trace(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if any(dbapi_connection is seen for seen in self.connections):
            return
        trace_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish()
        dbapi_connection.pgconn.trace(trace_file.fileno())
        dbapi_connection.pgconn.set_trace_flags(
            psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE
        )
        self.files.append(trace_file)
        self.connections.append(dbapi_connection)

    def finish(self) -> None:
        for connection in self.connections:
            if not connection.closed:
                connection.pgconn.untrace()
        for trace_file in self.files:
            trace_file.seek(0, os.SEEK_SET)
            self.lines += trace_file.read().decode(errors="replace").splitlines()
            trace_file.close()

    @property
    def count(self) -> int:
        return sum(1 for line in self.lines if line.startswith("B") and "ReadyForQuery" in line)

    @property
    def sent(self) -> list[str]:
        """What the client sent, one entry per simple query or extended-protocol Parse/Bind."""
        return [line.split("\t", 3)[-1] for line in self.lines if line.startswith("F\t")]


@contextmanager
def round_trips(engine: Any) -> Iterator[RoundTrips]:
    """Trace every connection `engine` hands out meanwhile (the pool's, at checkout)."""
    counter = RoundTrips()
    event.listen(engine.pool, "checkout", counter.trace)
    try:
        yield counter
    finally:
        event.remove(engine.pool, "checkout", counter.trace)
        counter.finish()
