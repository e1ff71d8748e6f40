"""Reads without a transaction, and pings only for idle connections (PostgreSQL).

A GET (HEAD, OPTIONS) normally costs two database round trips beside its queries: psycopg
sends BEGIN before the first query and the unit of work's commit sends COMMIT. A safe request
writes nothing, so its connection runs in autocommit instead: each query is its own round
trip and nothing else is sent. Should a safe request write after all (a flush or an ORM
INSERT/UPDATE/DELETE), a BEGIN is sent first, so its writes are one transaction, committed or
rolled back by the unit of work as usual. The connection leaves autocommit when it returns to
the pool.

SQLAlchemy's `pool_pre_ping` pings every connection at every checkout (one more round trip
per request). Instead a connection is pinged only when it has been idle in the pool for
`DB_PING_IDLE_SECONDS` (10): a connection that served a request a moment ago is alive, and
one the server dropped while in use fails its request with a 503 (`database_unavailable`)
and the pool replaces every connection opened before the failure.

SQLite (the embedded database) is left as it is: its BEGIN costs no round trip.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PING_IDLE_SECONDS = 10.0
_READ_KEY = "deltacrown_read_autocommit"
_CHECKED_IN_KEY = "deltacrown_checked_in_at"
_WRITES_KEY = "deltacrown_safe_request_writes"


def _is_postgres(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("psycopg")


def _idle(dbapi_connection: Any) -> bool:
    # psycopg's TransactionStatus.IDLE is 0: no transaction open on the server.
    return int(dbapi_connection.info.transaction_status) == 0


def _after_begin(session: Session, transaction: Any, connection: Any) -> None:
    """A safe request's unit of work: run its reads in autocommit (see the module docstring)."""
    if transaction.nested or not has_request_context() or request.method not in SAFE_METHODS:
        return
    if session.info.get(_WRITES_KEY):
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or not _is_postgres(dbapi_connection):
        return
    if dbapi_connection.autocommit or not _idle(dbapi_connection):
        return  # already in a transaction (a test's outer one, a savepoint's parent)
    dbapi_connection.autocommit = True
    connection.connection.info[_READ_KEY] = True


def _writes_start_transaction(session: Session, *args: Any) -> None:
    """A safe request about to write: its writes must be one transaction. A connection not
    taken yet will not enter autocommit; one already in it sends BEGIN now."""
    session.info[_WRITES_KEY] = True
    if not session.in_transaction():
        return
    record = session.connection().connection
    dbapi_connection = record.dbapi_connection
    if record.info.get(_READ_KEY) and dbapi_connection is not None and _idle(dbapi_connection):
        dbapi_connection.execute("BEGIN")


def _before_savepoint(connection: Any, name: str) -> None:
    """A savepoint (a unit of work's `savepoint()`) needs a transaction around it: a safe
    request's connection in autocommit sends BEGIN first, as it would before a write."""
    _begin_if_reading(connection)


def _before_transactional_read(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    """Two reads need a transaction, so BEGIN is sent first: a row lock (SELECT ... FOR UPDATE
    / FOR SHARE), which autocommit would release at once, and a streamed read (`yield_per`,
    a server-side cursor: the exports), whose DECLARE CURSOR PostgreSQL refuses outside one."""
    if (
        " FOR UPDATE" in statement
        or " FOR SHARE" in statement
        or " FOR NO KEY UPDATE" in statement
        or (context is not None and context.execution_options.get("stream_results"))
    ):
        _begin_if_reading(connection)


def _begin_if_reading(connection: Any) -> None:
    record = connection.connection._connection_record
    dbapi_connection = connection.connection.dbapi_connection
    if (
        record is not None
        and record.info.get(_READ_KEY)
        and dbapi_connection is not None
        and dbapi_connection.autocommit
        and _idle(dbapi_connection)
    ):
        dbapi_connection.execute("BEGIN")


def _on_orm_execute(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _writes_start_transaction(state.session)


def _on_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITES_KEY, None)


def _ping_idle_seconds() -> float:
    try:
        return float(current_app.config.get("DB_PING_IDLE_SECONDS", DEFAULT_PING_IDLE_SECONDS))
    except RuntimeError:  # no app context
        return DEFAULT_PING_IDLE_SECONDS


def _on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    checked_in_at = record.info.pop(_CHECKED_IN_KEY, None)
    if checked_in_at is None or time.monotonic() - checked_in_at < _ping_idle_seconds():
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    except Exception as exc:  # the server dropped it: the pool opens another
        raise sa_exc.DisconnectionError() from exc
    finally:
        try:
            cursor.close()
        except Exception:  # noqa: S110  # nosec B110 - a dead cursor of a dropped connection
            pass
    if _is_postgres(dbapi_connection) and not dbapi_connection.autocommit:
        dbapi_connection.rollback()  # end the ping's transaction: the next BEGIN is the real one


def _on_checkin(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is None:
        return
    if record.info.pop(_READ_KEY, False) and _idle(dbapi_connection):
        dbapi_connection.autocommit = False
    record.info[_CHECKED_IN_KEY] = time.monotonic()


def _listeners() -> tuple[tuple[Any, str, Any], ...]:
    return (
        (Session, "after_begin", _after_begin),
        (Session, "before_flush", _writes_start_transaction),
        (Session, "do_orm_execute", _on_orm_execute),
        (Session, "after_transaction_end", _on_transaction_end),
        (Engine, "savepoint", _before_savepoint),
        (Engine, "before_cursor_execute", _before_transactional_read),
        (Pool, "checkout", _on_checkout),
        (Pool, "checkin", _on_checkin),
    )


def install_listeners() -> None:
    """Install the listeners once per process (SQLAlchemy's registry is process-wide)."""
    for target, name, listener in _listeners():
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
