"""The unit-of-work boundary and the after-commit queue of side effects.

One transaction per request, Celery task and CLI command. Services only `flush()`; the
boundary commits on success and rolls back on any error. Side effects (enqueue a task,
publish a websocket event, send an e-mail, deliver a webhook) are registered with
`after_commit()` during the unit of work and run only once the commit has succeeded; a
rollback drops them. A Celery task enqueued before the commit could run before its rows exist.

On SQLite a write unit of work starts with `BEGIN IMMEDIATE` (see `write_intent`), so two
writers queue on the busy timeout instead of failing halfway with "database is locked".
Writers never hold that lock (or a pooled connection) across slow work such as password
hashing: `outside_transaction()` ends a transaction that has written nothing yet, and the
next statement begins a fresh one. A lock or pool wait that still times out is a 503
`database_busy` with `Retry-After`, never a 500.
"""

from __future__ import annotations

import contextvars
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, Generic, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from deltacrown.core import readonly
from deltacrown.core.db import db
from deltacrown.core.errors import (
    ServiceUnavailableError,
    handle_domain_error,
    handle_integrity_error,
    handle_operational_error,
    handle_stale_data,
    is_connection_failure,
)
from deltacrown.core.trigram import install_sqlite_functions

log = logging.getLogger(__name__)

BUSY_RETRY_AFTER = "2"


class DatabaseBusyError(ServiceUnavailableError):
    """SQLite's write lock (or a pooled connection) stayed taken past the busy timeout."""

    code, title = "database_busy", "Database busy"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail or "The database is busy with other writes; retry in a moment.",
            headers={"Retry-After": BUSY_RETRY_AFTER},
        )


_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "deltacrown_write_intent", default=False
)

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Effect = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def after_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` after the current transaction commits; drop it on rollback."""
    db.session().info.setdefault("after_commit", []).append((func, args, kwargs))


def on_rollback(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func` if the current transaction rolls back (compensate a non-database effect,
    such as a file already written); dropped when it commits."""
    db.session().info.setdefault("on_rollback", []).append((func, args, kwargs))


@contextmanager
def savepoint() -> Iterator[None]:
    """A SAVEPOINT inside the unit of work: if the block raises, its database changes are
    rolled back, its after-commit effects are dropped and its on-rollback effects run; the
    outer unit of work goes on and the exception propagates."""
    with db.session.begin_nested():
        yield


def _on_transaction_create(session: Session, transaction: Any) -> None:
    # A SAVEPOINT begins: remember how many effects were queued before it, so a rollback of
    # this savepoint can drop exactly the ones registered inside it.
    if transaction.nested:
        marks = session.info.setdefault("savepoint_marks", weakref.WeakKeyDictionary())
        marks[transaction] = (
            len(session.info.get("after_commit", [])),
            len(session.info.get("on_rollback", [])),
        )


def _rollback_savepoint_effects(session: Session, transaction: Any) -> None:
    marks = session.info.get("savepoint_marks", {}).pop(transaction, None)
    if marks is None:
        return
    after_mark, rollback_mark = marks
    queued = session.info.get("after_commit")
    if queued is not None:
        del queued[after_mark:]
    compensations = session.info.get("on_rollback")
    if compensations is not None:
        undo = compensations[rollback_mark:]
        del compensations[rollback_mark:]
        _run_compensations(undo)


def _on_session_commit(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT is released: only the outermost
    # commit makes effects real.
    if session.in_nested_transaction():
        return
    # Move the session's effects to the app-context list; they run when the boundary finishes,
    # outside the session's commit machinery (an effect may itself use the database).
    session.info.pop("on_rollback", None)
    effects = session.info.pop("after_commit", [])
    if effects:
        g.setdefault("ready_effects", []).extend(effects)


def _on_session_soft_rollback(session: Session, previous_transaction: Any) -> None:
    # Fired for every rollback, a failed SAVEPOINT's included. The outermost one drops the
    # unit of work's effects; a savepoint's drops only those registered inside it (a caught
    # savepoint failure leaves the outer work going on).
    if previous_transaction.parent is None:
        _on_session_rollback(session)
    elif previous_transaction.nested:
        _rollback_savepoint_effects(session, previous_transaction)


def _on_session_rollback(session: Session) -> None:
    session.info.pop("after_commit", None)
    session.info.pop("savepoint_marks", None)
    _run_compensations(session.info.pop("on_rollback", []))


def _run_compensations(effects: list[Effect]) -> None:
    for func, args, kwargs in reversed(effects):
        try:
            func(*args, **kwargs)
        except Exception:
            log.exception("on-rollback effect %r failed", getattr(func, "__name__", func))


def run_ready_effects() -> None:
    """Run the effects whose transaction has committed. Failures are logged, not raised."""
    effects: list[Effect] = g.pop("ready_effects", [])
    if not effects:
        return
    with collecting_batches():  # what the effects send leaves together when they are done
        for func, args, kwargs in effects:
            try:
                func(*args, **kwargs)
            except Exception:  # an effect must not undo a committed request
                log.exception("after-commit effect %r failed", getattr(func, "__name__", func))


class EffectBatch(Generic[T]):
    """What a commit's effects hand to another server (tasks for the broker, live events for
    Redis), held while the effects run and sent together by `send` once they are done: one
    round trip instead of one per effect. Made once per kind at import; `run_ready_effects`
    enters every one around each commit's effects. Outside them `held()` is None and the
    caller sends at once. A failed send is logged, never raised (the commit stands)."""

    def __init__(self, name: str, send: Callable[[list[T]], None]) -> None:
        self.name, self._send = name, send
        self._items: contextvars.ContextVar[list[T] | None] = contextvars.ContextVar(
            f"deltacrown_{name}", default=None
        )
        _effect_batches.append(self)

    def held(self) -> list[T] | None:
        """The open batch to add to, or None outside a commit's effects."""
        return self._items.get()

    @contextmanager
    def collecting(self, *, strict: bool = False) -> Iterator[None]:
        """Hold what the block sends, then send it together. `strict` (the outbox relay):
        nothing is sent if the block raises, and a failed send raises instead of being logged."""
        if self._items.get() is not None:  # already inside one: that one sends them
            yield
            return
        items: list[T] = []
        token = self._items.set(items)
        try:
            yield
        except BaseException:
            self._items.reset(token)
            if items and not strict:
                self._send_logged(items)
            raise
        self._items.reset(token)
        if items:
            if strict:
                self._send(items)
            else:
                self._send_logged(items)

    def _send_logged(self, items: list[T]) -> None:
        try:
            self._send(items)
        except Exception:
            log.exception("sending %d %s held by a commit's effects failed", len(items), self.name)


@contextmanager
def collecting_batches(*, strict: bool = False) -> Iterator[None]:
    """Every kind of `EffectBatch` held for the block and sent at its end (see `collecting`)."""
    with ExitStack() as batches:
        for batch in _effect_batches:
            batches.enter_context(batch.collecting(strict=strict))
        yield


_effect_batches: list[EffectBatch[Any]] = []


def pending_effects() -> list[Effect]:
    """Effects registered in the current, uncommitted transaction (for tests)."""
    return list(db.session().info.get("after_commit", []))


@contextmanager
def write_intent(enabled: bool = True) -> Iterator[None]:
    """Mark the current unit of work as a writer (SQLite then opens it with BEGIN IMMEDIATE)."""
    token = _write_intent.set(enabled)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextmanager
def outside_transaction() -> Iterator[None]:
    """Run slow work (password hashing) without holding a transaction: SQLite's write lock and
    the pooled connection are free meanwhile. A transaction that has written nothing yet is
    ended first (ORM objects reload on next use); one that has already written is kept (its
    writes must stay atomic with what follows), so the block then runs inside it."""
    session = db.session()
    if session.in_transaction() and not (
        session.new or session.dirty or session.deleted or session.info.get("has_writes")
    ):
        session.commit()
    yield


def _on_session_flush(session: Session, flush_context: Any) -> None:
    session.info["has_writes"] = True


def _on_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("has_writes", None)


def _on_engine_error(context: Any) -> None:
    """SQLite's "database is locked/busy" after the busy timeout: a 503, never a 500."""
    original = context.original_exception
    if isinstance(original, sqlite3.OperationalError) and (
        "locked" in str(original) or "busy" in str(original)
    ):
        log.warning("sqlite busy past the timeout: %s", original)
        raise DatabaseBusyError() from original


def handle_pool_timeout(error: sa_exc.TimeoutError) -> Response:
    """Every pooled connection stayed in use past the pool timeout: busy, not broken."""
    log.warning("connection pool exhausted: %s", error)
    return handle_domain_error(DatabaseBusyError())


@contextmanager
def unit_of_work(*, write: bool = True) -> Iterator[None]:
    """The boundary for Celery tasks and CLI commands: commit on success, roll back on error."""
    with write_intent(write):
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            # A unit that failed before touching the database began no transaction, so no
            # rollback event dropped what it registered: drop it here (a no-op otherwise).
            _on_session_rollback(db.session())
            g.pop("ready_effects", None)
            raise
    run_ready_effects()


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling breaks
    # SAVEPOINT and cannot do BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    try:
        timeout = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))
    except RuntimeError:  # no app context (e.g. alembic offline tooling)
        timeout = 15000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={timeout}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    install_sqlite_functions(dbapi_connection)


class _WriterQueue:
    """The writers of one SQLite file in this process wait here, woken the moment the lock is
    free, instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms and lets
    newcomers overtake: under a threaded server's burst (200 sign-ups at once) that starves
    some writers past any timeout. Other processes (CLI, worker) still meet SQLite's own busy
    timeout. A thread that already holds the queue passes through (SQLite decides)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None

    def acquire(self, timeout: float) -> bool:
        if self.owner == threading.get_ident():
            return False
        if not self.lock.acquire(timeout=timeout):
            raise DatabaseBusyError()
        self.owner = threading.get_ident()
        return True

    def release(self) -> None:
        self.owner = None
        self.lock.release()


_writer_queues: dict[str, _WriterQueue] = {}
_writer_queues_lock = threading.Lock()
_QUEUE_INFO_KEY = "deltacrown_writer_queue"


def _writer_queue(connection: Any) -> _WriterQueue:
    key = str(connection.engine.url)
    with _writer_queues_lock:
        return _writer_queues.setdefault(key, _WriterQueue())


def _busy_timeout_seconds() -> float:
    try:
        return int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000)) / 1000
    except RuntimeError:  # no app context
        return 15.0


def _sqlite_on_begin(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    if not _write_intent.get():
        connection.exec_driver_sql("BEGIN")
        return
    queue = _writer_queue(connection)
    if queue.acquire(_busy_timeout_seconds()):
        connection.info[_QUEUE_INFO_KEY] = queue
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_on_end(connection)
        raise


def _sqlite_on_end(connection: Any) -> None:
    # Not `connection.info` of an invalidated connection (PostgreSQL dropped it mid-request):
    # reading it raises, and the rollback that follows a lost connection must not.
    if connection.dialect.name != "sqlite" or connection.invalidated:
        return
    queue = connection.info.pop(_QUEUE_INFO_KEY, None)
    if queue is not None:
        queue.release()


def _listeners() -> tuple[tuple[Any, str, Callable[..., Any]], ...]:
    return (
        (Engine, "connect", _sqlite_on_connect),
        (Engine, "begin", _sqlite_on_begin),
        (Engine, "commit", _sqlite_on_end),
        (Engine, "rollback", _sqlite_on_end),
        (FlaskSession, "after_commit", _on_session_commit),
        (FlaskSession, "after_soft_rollback", _on_session_soft_rollback),
        (FlaskSession, "after_transaction_create", _on_transaction_create),
        (FlaskSession, "after_flush", _on_session_flush),
        (FlaskSession, "after_transaction_end", _on_transaction_end),
        (Engine, "handle_error", _on_engine_error),
    )


def install_listeners() -> None:
    """Install the engine and session listeners once per process (SQLAlchemy's registry is
    process-wide; each listener already there is left as it is)."""
    for target, name, listener in _listeners():
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def init_app(app: Flask) -> None:
    """Wrap every request in a unit of work: commit a success, roll back anything else.

    A constraint the services did not pre-check (IntegrityError) or a lost optimistic-lock
    race (StaleDataError), raised by a view's flush or by the commit itself, rolls the unit
    back and answers 409 at once; a database that cannot be reached (OperationalError) rolls
    back what it can and answers 503."""
    install_listeners()
    readonly.install_listeners()
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(StaleDataError, _stale_data)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(sa_exc.TimeoutError, handle_pool_timeout)

    @app.before_request
    def _begin_unit_of_work() -> None:
        g.write_intent_token = _write_intent.set(request.method not in SAFE_METHODS)

    @app.after_request
    def _commit_unit_of_work(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            g.pop("ready_effects", None)
            return response
        try:
            db.session.commit()
        except IntegrityError as exc:
            return _integrity_error(exc)
        except StaleDataError as exc:
            return _stale_data(exc)
        except DatabaseBusyError as exc:
            db.session.rollback()
            g.pop("ready_effects", None)
            return handle_domain_error(exc)
        except OperationalError as exc:
            return _operational_error(exc)
        run_ready_effects()
        return response

    @app.teardown_request
    def _end_unit_of_work(exc: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            _write_intent.reset(token)


def _integrity_error(error: IntegrityError) -> Response:
    db.session.rollback()
    return handle_integrity_error(error)


def _stale_data(error: StaleDataError) -> Response:
    db.session.rollback()
    return handle_stale_data(error)


def _operational_error(error: OperationalError) -> Response:
    if is_connection_failure(error):
        try:
            db.session.rollback()
        except DBAPIError:  # the connection is gone: nothing left to roll back
            pass
    return handle_operational_error(error)
