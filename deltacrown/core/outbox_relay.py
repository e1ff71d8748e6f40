"""The outbox relay: delivers what commits stored in `outbox_messages` (`core.outbox`), in
commit order, then deletes it.

* `flask outbox relay` runs the loop: it waits on `LISTEN deltacrown_outbox` until a commit
  notifies it (or `--poll` seconds pass), delivers every stored row in batches, and waits again.
* One relay delivers at a time: the leader holds a PostgreSQL advisory lock on its listening
  connection, so messages leave in the order their commits stored them. Further relays wait
  as standbys and take over within `--poll` seconds when the leader's connection ends.
* The beat task `core.relay_outbox` (every 30 s) delivers whatever is left when no relay
  runs; beside a running relay it finds the lock taken and does nothing.

Delivery is at least once. A relay that stops after sending and before deleting sends the
same messages again. A failed send (Redis or the broker unreachable) leaves the rows for the
next attempt, with a growing pause. A receiver that raises is logged and skipped, as it is
after a commit in the request.
"""

from __future__ import annotations

import logging
import signal as os_signal
import threading
import time
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa
from celery import shared_task
from flask import Flask, current_app
from flask.cli import AppGroup
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from deltacrown.core import metrics, realtime, signals
from deltacrown.core.db import db
from deltacrown.core.outbox import NOTIFY_CHANNEL, OutboxMessage, untag, worker_mode
from deltacrown.core.transaction import collecting_batches, unit_of_work

log = logging.getLogger(__name__)

LOCK_KEY = 0x64630B01  # the leader's advisory lock
BATCH_ROWS = 200  # stored commits per delivery
MAX_PAUSE_SECONDS = 30.0  # after failed sends, at most this long between attempts
TASK_NAME = "core.relay_outbox"
COUNTED = 10_001  # the backlog is counted this far
WAITING_METRIC = "deltacrown_outbox_waiting"
OLDEST_METRIC = "deltacrown_outbox_oldest_age_seconds"


# ----- delivery ------------------------------------------------------------------------------
def deliver(messages: list[list[Any]]) -> None:
    """Run stored effects in order, as the committing process would have after its commit.
    Tasks and live events leave together at the end; a failed send raises."""
    with collecting_batches(strict=True):
        for message in messages:
            try:
                _deliver_one(message)
            except Exception:  # as after a commit: one failing receiver does not stop the rest
                log.exception("outbox message %s failed", message[:2])


def _deliver_one(message: list[Any]) -> None:
    kind = message[0]
    if kind == "event":
        _, channel, event_type, data = message
        realtime.publish_now(channel, event_type, data)
    elif kind == "signal":
        _, name, sender, kwargs = message
        signals.signals[name].send(sender, **kwargs)
    elif kind == "state":
        _, old, new, event_type, channels, ids, name = message
        signal = signals.signals[name] if name else None
        realtime._emit_state(old, new, event_type, channels, ids, signal)
    else:
        raise ValueError(f"unknown outbox message kind {kind!r}")


def relay_once(limit: int = BATCH_ROWS) -> int:
    """Deliver the oldest `limit` stored commits and delete them; how many were delivered.
    The caller is the leader (`try_lead`). A row that cannot be read is logged and dropped,
    so it cannot hold back every commit after it."""
    with unit_of_work(write=False):
        rows = db.session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.messages)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    if not rows:
        return 0
    deliver([message for row_id, stored in rows for message in _read(row_id, stored)])
    with unit_of_work():
        db.session.execute(
            sa.delete(OutboxMessage).where(OutboxMessage.id.in_([row_id for row_id, _ in rows]))
        )
    return len(rows)


def _read(row_id: int, stored: Any) -> list[list[Any]]:
    try:
        messages = untag(stored)
        if not isinstance(messages, list) or not all(isinstance(m, list) for m in messages):
            raise ValueError("not a list of messages")
    except (ValueError, TypeError, KeyError, AttributeError, ImportError):
        log.exception("outbox row %s could not be read; dropped", row_id)
        return []
    return messages


def drain(limit: int = BATCH_ROWS) -> int:
    """Deliver every stored commit (the caller is the leader); how many."""
    total = 0
    while True:
        delivered = relay_once(limit)
        total += delivered
        if delivered < limit:
            return total


def backlog() -> tuple[int, float]:
    """Stored commits not yet delivered (counted up to `COUNTED`), and the age in seconds of
    the oldest (0 when none): two index reads, however long the backlog."""
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(OutboxMessage.id).limit(COUNTED).subquery()
        )
    )
    oldest = db.session.scalar(
        sa.select(OutboxMessage.created_at).order_by(OutboxMessage.id).limit(1)
    )
    age = 0.0 if oldest is None else max(0.0, time.time() - oldest.timestamp())
    return int(count or 0), age


class OutboxCollector(Collector):
    """Read at every scrape of a process in worker mode: how many commits wait for the relay,
    and how long the oldest has waited (the `DeltaCrownOutboxStalled` alert)."""

    def collect(self):  # type: ignore[no-untyped-def]
        if not worker_mode():
            return
        try:
            count, age = backlog()
        except SQLAlchemyError:
            log.warning("the outbox backlog could not be read", exc_info=True)
            return
        waiting = GaugeMetricFamily(
            WAITING_METRIC,
            f"Commits whose live events and signals wait for the outbox relay (up to {COUNTED}).",
        )
        waiting.add_metric([], float(count))
        oldest = GaugeMetricFamily(
            OLDEST_METRIC, "Seconds the oldest commit has waited for the outbox relay (0: none)."
        )
        oldest.add_metric([], age)
        yield from (waiting, oldest)


# ----- leadership and the loop ---------------------------------------------------------------
def try_lead(connection: sa.Connection) -> bool:
    """Take the leader's lock on `connection` (held until it is released or the connection
    ends); False when another relay holds it."""
    return bool(connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}))


def release(connection: sa.Connection) -> None:
    connection.scalar(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})


def run(
    *,
    poll: float = 1.0,
    limit: int = BATCH_ROWS,
    stop: threading.Event | None = None,
    on_delivered: Callable[[int], None] | None = None,
) -> None:
    """The relay loop (see the module docstring), until `stop` is set."""
    stop = stop or threading.Event()
    pause = poll
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        listener: Any = connection.connection.driver_connection
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        leading = False
        try:
            while not stop.is_set():
                if not leading:
                    leading = try_lead(connection)
                    if not leading:
                        stop.wait(poll)  # a standby: the leader is alive
                        continue
                    log.info("outbox relay leading")
                try:
                    delivered = drain(limit)
                except Exception:
                    db.session.rollback()
                    log.exception("outbox delivery failed; retrying in %.1f s", pause)
                    stop.wait(pause)
                    pause = min(pause * 2, MAX_PAUSE_SECONDS)
                    continue
                pause = poll
                if delivered and on_delivered is not None:
                    on_delivered(delivered)
                for _ in listener.notifies(timeout=poll, stop_after=1):
                    pass
        finally:
            if leading:
                try:
                    release(connection)  # the pooled connection must not keep the lock
                except sa.exc.DBAPIError:
                    log.warning("the relay's connection is gone, and its lock with it")


def drain_once(limit: int = BATCH_ROWS) -> int | None:
    """Lead for as long as it takes to deliver what is stored now; how many commits, or None
    when another relay leads (it delivers them)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not try_lead(connection):
            return None
        try:
            return drain(limit)
        finally:
            release(connection)


# ----- the beat task and the CLI -------------------------------------------------------------
@shared_task(name=TASK_NAME)
def relay_outbox() -> int:
    """Deliver what is stored when no relay runs (the lock taken: a relay runs; nothing)."""
    if not worker_mode():
        return 0
    return drain_once() or 0


outbox_cli = AppGroup("outbox", help="The outbox of live events and signals (server mode).")


@outbox_cli.command("relay")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between checks.")
@click.option("--batch", default=BATCH_ROWS, show_default=True, help="Commits per delivery.")
@click.option("--once", is_flag=True, help="Deliver what is stored now, then exit.")
def relay_command(poll: float, batch: int, once: bool) -> None:
    """Deliver the live events and signals that commits stored, as they commit."""
    _require_worker_mode()
    if once:
        delivered = drain_once(batch)
        if delivered is None:
            raise click.ClickException("another relay is delivering; nothing was done")
        click.echo(f"delivered {delivered} stored commits")
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    click.echo(f"outbox relay: waiting on {NOTIFY_CHANNEL} (Ctrl+C to stop)")
    run(poll=poll, limit=batch, stop=stop)


@outbox_cli.command("status")
def status_command() -> None:
    """How many commits wait for the relay, and how old the oldest is."""
    count, age = backlog()
    more = "+" if count >= COUNTED else ""
    click.echo(
        f"{count}{more} stored commits waiting" + (f"; the oldest {age:.1f} s old" if count else "")
    )


def _require_worker_mode() -> None:
    if current_app.config.get("OUTBOX_RELAY") != "worker":
        raise click.ClickException(
            "OUTBOX_RELAY is not 'worker': live events and signals run in the committing "
            "process, so there is nothing to relay"
        )


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for signum in (os_signal.SIGINT, os_signal.SIGTERM):
        os_signal.signal(signum, handler)


def register(app: Flask) -> None:
    """The `flask outbox` commands, and the backlog's gauges read at scrape time."""
    app.cli.add_command(outbox_cli)
    metrics.add_scrape_collector(OutboxCollector())
