"""Websocket fan-out: services publish events on channels, ws handlers subscribe per process.

`publish(channel, type, data)` registers the event on the after-commit queue; once the unit
of work commits, the broker numbers it (`seq`, gap-free per channel) and delivers it to every
process's hub, which hands it to the local subscribers (the websocket hub of `core.ws_hub`
holds one subscription per channel for all of its sockets).

* Embedded default: an in-memory broker (one process), the last `HISTORY` events per channel
  kept in memory for `resume`.
* Server mode (REDIS_URL): one Lua script numbers the event (`INCR`), keeps it in a capped
  stream (`XADD ... MAXLEN HISTORY`) and `PUBLISH`es it, atomically, so every process sees a
  channel's events in `seq` order; each process runs one listener thread on a pattern
  subscription (started with its first follower, so after a worker forks) and feeds its hub.

Envelope: `{"type": "match.score_updated", "seq": 7, "ts": "...Z", "data": {...}}`.
`history(channel, after_seq)` answers the kept events after `after_seq`, or None when some
of them are no longer kept (the client must re-read the REST state).
"""

from __future__ import annotations

import enum
import json
import logging
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app
from redis.client import PubSubWorkerThread

from deltacrown.core.db import db
from deltacrown.core.threads import name_this_thread
from deltacrown.core.time import isoformat, utcnow
from deltacrown.core.transaction import EffectBatch, after_commit

log = logging.getLogger(__name__)

REDIS_PREFIX = "dc:rt:"
HISTORY = 1000  # events kept per channel for `resume`
RETENTION_SECONDS = 7 * 24 * 3600  # Redis forgets a channel's counter and events after this

# KEYS: seq counter, stream, pub/sub channel. ARGV: type, ts, data JSON, history length,
# retention in seconds (a channel quiet that long is forgotten: a later `resume` resyncs).
# Numbering, keeping and publishing in one script keeps every channel's events in seq order
# across processes (two INCRs racing could otherwise PUBLISH out of order).
_PUBLISH_SCRIPT = """
local seq = redis.call('INCR', KEYS[1])
local message = '{"type":' .. cjson.encode(ARGV[1]) .. ',"seq":' .. seq ..
    ',"ts":' .. cjson.encode(ARGV[2]) .. ',"data":' .. ARGV[3] .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', tonumber(ARGV[4]), seq .. '-1', 'm', message)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
redis.call('PUBLISH', KEYS[3], message)
return message
"""


class Event(dict[str, Any]):
    """A published event; `raw` is its JSON text when the broker already has it, so fan-out
    to many sockets encodes it once."""

    raw: str | None = None

    def encoded(self) -> str:
        if self.raw is None:
            self.raw = json.dumps(self, separators=(",", ":"))
        return self.raw


class Subscription:
    """One subscriber's inbox for one channel."""

    def __init__(
        self,
        hub: Hub,
        channel: str,
        maxsize: int = 1000,
        notify: Callable[[], None] | None = None,
        sink: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.hub = hub
        self.channel = channel
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=maxsize)
        self.notify = notify  # wakes the subscriber's thread
        # Called with (channel, event) instead of queueing: the websocket hub's one
        # subscription per channel, which hands the event to its own loop.
        self.sink = sink
        self.overflowed = False  # events were dropped: the subscriber refills from history

    def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """The per-process registry of subscriptions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def subscribe(
        self,
        channel: str,
        notify: Callable[[], None] | None = None,
        sink: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> Subscription:
        sub = Subscription(self, channel, notify=notify, sink=sink)
        with self._lock:
            self._subs[channel].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.channel]

    def subscriber_count(self, channel: str | None = None) -> int:
        with self._lock:
            if channel is None:
                return sum(len(subs) for subs in self._subs.values())
            return len(self._subs.get(channel, ()))

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            if sub.sink is not None:
                sub.sink(channel, message)
                continue
            try:
                sub.queue.put_nowait(message)
            except queue.Full:  # a stuck client must not block the others
                sub.overflowed = True
                log.warning("dropping event for a slow subscriber on %s", channel)
            if sub.notify is not None:
                sub.notify()


class MemoryBroker:
    """One process: number and deliver directly."""

    def __init__(self, hub: Hub, history: int = HISTORY) -> None:
        self.hub = hub
        self._lock = threading.Lock()
        self._seq: dict[str, int] = defaultdict(int)
        self._history: dict[str, deque[dict[str, Any]]] = defaultdict(lambda: deque(maxlen=history))

    def publish(self, channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        # JSON round trip: followers get exactly what a Redis follower would (no live objects).
        body = json.loads(json.dumps(data, default=str))
        with self._lock:  # numbering, keeping and delivering in one step keeps seq order
            self._seq[channel] += 1
            seq = self._seq[channel]
            message = Event(type=event_type, seq=seq, ts=isoformat(utcnow()), data=body)
            self._history[channel].append(message)
            self.hub.deliver(channel, message)
        return message

    def last_seq(self, channel: str) -> int:
        with self._lock:
            return self._seq.get(channel, 0)

    def history(self, channel: str, after_seq: int) -> list[dict[str, Any]] | None:
        with self._lock:
            kept = list(self._history.get(channel, ()))
            last = self._seq.get(channel, 0)
        return _after(kept, after_seq, last)

    def close(self) -> None:
        return None


class _Listener(PubSubWorkerThread):
    """redis-py's pub/sub thread (`PubSub.run_in_thread`), named `dc-live-listen` for the
    operating system (`core.threads`)."""

    def run(self) -> None:
        name_this_thread("dc-live-listen")
        super().run()


class RedisBroker:
    """Many processes: Redis numbers events per channel and fans them out with PUBLISH."""

    def __init__(self, hub: Hub, url: str, history: int = HISTORY) -> None:
        self.hub = hub
        self.keep = history
        self.client = redis.Redis.from_url(url)
        # Pub/sub channels are shared by every database of a Redis server: name them after
        # the database too, so two deployments (or test runs) on one server never mix.
        db_number = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.pubsub_prefix = f"{REDIS_PREFIX}{db_number}:ch:"
        self._script = self.client.register_script(_PUBLISH_SCRIPT)
        self._pubsub: Any = None
        self._thread: Any = None
        self._start_lock = threading.Lock()

    def ensure_listening(self) -> None:
        """Start this process's listener thread with its first subscriber (lazily: most
        processes, such as Celery workers, only publish)."""
        with self._start_lock:
            if self._thread is not None:
                return
            self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            self._pubsub.psubscribe(**{f"{self.pubsub_prefix}*": self._on_message})
            # Wait for Redis to confirm the subscription, so an event published right after
            # the first follower subscribed reaches it (a gap would be refilled anyway).
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                confirmation = self._pubsub.get_message(
                    ignore_subscribe_messages=False, timeout=0.1
                )
                if confirmation is not None and confirmation.get("type") == "psubscribe":
                    break
            self._thread = _Listener(self._pubsub, sleep_time=0.5, daemon=True)
            self._thread.start()

    def _on_message(self, raw: dict[str, Any]) -> None:
        channel = raw["channel"].decode()[len(self.pubsub_prefix) :]
        try:
            message = Event(json.loads(raw["data"]))
        except (TypeError, ValueError):
            return
        message.raw = raw["data"].decode() if isinstance(raw["data"], bytes) else raw["data"]
        self.hub.deliver(channel, message)

    def _keys(self, channel: str) -> list[str]:
        return [
            f"{REDIS_PREFIX}seq:{channel}",
            f"{REDIS_PREFIX}st:{channel}",
            f"{self.pubsub_prefix}{channel}",
        ]

    def _args(self, event_type: str, data: dict[str, Any]) -> list[Any]:
        return [
            event_type,
            isoformat(utcnow()),
            json.dumps(data, default=str),
            self.keep,
            RETENTION_SECONDS,
        ]

    def publish(self, channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        raw = self._script(keys=self._keys(channel), args=self._args(event_type, data))
        message: dict[str, Any] = json.loads(raw)
        return message

    def hold(self, channel: str, event_type: str, data: dict[str, Any]) -> tuple[Any, ...]:
        """What `publish_many` sends for this event, taken now (its time and its data)."""
        return (self._keys(channel), self._args(event_type, data))

    def publish_many(self, held: list[tuple[Any, ...]]) -> None:
        """Publish held events in order in one round trip (a pipeline of the script's
        EVALSHA); one by one if Redis no longer has the script (it loads it again)."""
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for keys, args in held:
                    pipe.evalsha(self._script.sha, len(keys), *keys, *args)
                pipe.execute()
        except redis.exceptions.NoScriptError:
            for keys, args in held:
                self._script(keys=keys, args=args)

    def last_seq(self, channel: str) -> int:
        return int(self.client.get(f"{REDIS_PREFIX}seq:{channel}") or 0)

    def history(self, channel: str, after_seq: int) -> list[dict[str, Any]] | None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.xrange(f"{REDIS_PREFIX}st:{channel}", min=f"({after_seq}-1")
            pipe.get(f"{REDIS_PREFIX}seq:{channel}")
            entries, last = pipe.execute()
        kept = [json.loads(fields[b"m"]) for _, fields in entries]
        return _after(kept, after_seq, int(last or 0))

    def close(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread.join(timeout=5)  # let it leave its read before the socket closes
            self._pubsub.close()
        self.client.close()


def _after(kept: list[dict[str, Any]], after_seq: int, last: int) -> list[dict[str, Any]] | None:
    """The kept events after `after_seq`, or None when they are not all kept any more (or
    `after_seq` is ahead of the channel, e.g. the counter was reset)."""
    if after_seq > last:
        return None
    missing = [m for m in kept if m["seq"] > after_seq]
    expected = last - after_seq
    if len(missing) != expected or (missing and missing[0]["seq"] != after_seq + 1):
        return None
    return missing


def init_app(app: Flask) -> None:
    hub = Hub()
    url = app.config.get("REDIS_URL")
    backend = app.config.get("REALTIME_BACKEND", "auto")
    use_redis = backend == "redis" or (backend == "auto" and bool(url))
    app.extensions["deltacrown_realtime"] = (
        RedisBroker(hub, str(url)) if use_redis and url else MemoryBroker(hub)
    )


def broker() -> MemoryBroker | RedisBroker:
    return current_app.extensions["deltacrown_realtime"]


def subscribe(
    channel: str,
    notify: Callable[[], None] | None = None,
    sink: Callable[[str, dict[str, Any]], None] | None = None,
) -> Subscription:
    """Subscribe this process's hub to `channel` (e.g. `match:42`); `notify` is called after
    each delivery (from the publishing or listener thread). With `sink`, each event is
    passed to `sink(channel, event)` in that thread instead of being queued."""
    current = broker()
    if isinstance(current, RedisBroker):
        current.ensure_listening()
    return current.hub.subscribe(channel, notify=notify, sink=sink)


def history(channel: str, after_seq: int) -> list[dict[str, Any]] | None:
    """The events after `after_seq` still kept for `channel`, or None (resync required)."""
    return broker().history(channel, after_seq)


def last_seq(channel: str) -> int:
    return broker().last_seq(channel)


def publish(channel: str, event_type: str, data: dict[str, Any]) -> None:
    """Publish an event once the current unit of work commits (dropped on rollback)."""
    after_commit(publish_now, channel, event_type, data)


def publish_transition(key: str, old: str, new: str, emit: Callable[..., Any], *args: Any) -> None:
    """Announce a state change once per unit of work: after commit, `emit(first_old,
    last_new, *args)` runs if the state really moved (ready → live → completed in one
    transaction is one change, ready → completed). Dropped with the unit on rollback."""
    for func, effect_args, _ in db.session().info.get("after_commit", []):
        if func is _emit_transition and effect_args[0] == key:
            effect_args[1][1] = new
            return
    after_commit(_emit_transition, key, [old, new], emit, *args)


def _emit_transition(key: str, pair: list[str], emit: Callable[..., Any], *args: Any) -> None:
    if pair[0] != pair[1]:
        emit(pair[0], pair[1], *args)


# Each announced attribute's event type, channels, ids and signal, by (class, attribute name).
_ANNOUNCED: dict[tuple[type, str], tuple[str, Callable[..., Any], Callable[..., Any], Any]] = {}


def announce_state_changes(
    attribute: Any,
    event_type: str,
    channels: Callable[[Any], list[str]],
    ids: Callable[[Any], dict[str, Any]],
    signal: Any = None,
) -> None:
    """Publish `event_type` {**ids, from, to, status} on `channels(row)` after commit whenever
    the enum `attribute` (e.g. `Match.status`) of a stored row changes, on any code path
    (once per unit of work: ready → live → completed in one transaction is one change).
    Rows being created are left out, even with an id already set (they announce themselves):
    only a stored row has a status to change from. Registers once per process. A change
    written without the ORM is announced with `announce_state_change`.

    With `signal` (a blinker signal), the same committed change is also sent as
    `signal.send("realtime", **ids, before=old, after=new)` for other domains to react to.

    The listener asks for the old value (`active_history`), so a row whose status was not
    loaded (expired by a commit) reads it before the change instead of seeing SQLAlchemy's
    "no value" marker, which is itself an enum member and must never pass for a status."""
    marker = (attribute.class_, attribute.key)
    if marker in _ANNOUNCED:
        return
    _ANNOUNCED[marker] = (event_type, channels, ids, signal)
    statuses: type[enum.Enum] = attribute.property.columns[0].type.enum_class

    def on_set(row: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
        state = sa.inspect(row)
        if state.transient or state.pending or not isinstance(oldvalue, statuses):
            return
        if value is oldvalue:
            return
        announce_state_change(attribute, row, oldvalue.value, statuses(value).value)

    sa.event.listen(attribute, "set", on_set, active_history=True)


def announce_state_change(attribute: Any, row: Any, old: str, new: str) -> None:
    """Announce a change of `attribute` of a stored row (`row` needs what the attribute's
    `channels` and `ids` read) as `announce_state_changes` does, for a change written without
    the ORM's attribute events; nothing when the attribute is not announced."""
    registered = _ANNOUNCED.get((attribute.class_, attribute.key))
    if registered is None:
        return
    event_type, channels, ids, signal = registered
    publish_transition(
        f"{event_type}:{row.id}", old, new, _emit_state, event_type, channels(row), ids(row),
        signal,
    )  # fmt: skip


def _emit_state(
    old: str,
    new: str,
    event_type: str,
    channels: list[str],
    ids: dict[str, Any],
    signal: Any = None,
) -> None:
    data = {**ids, "from": old, "to": new, "status": new}
    for channel in channels:
        publish_now(channel, event_type, data)
    if signal is not None:
        signal.send("realtime", **ids, before=old, after=new)


def publish_now(channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Publish immediately (for effects already past the commit); the event, numbered. Among
    a commit's effects in server mode it leaves with the others at their end, in one round
    trip to Redis (`EVENTS`), and None is returned."""
    current = broker()
    held = EVENTS.held()
    if held is not None and isinstance(current, RedisBroker):
        held.append(current.hold(channel, event_type, data))
        return None
    return current.publish(channel, event_type, data)


def _publish_held(held: list[tuple[Any, ...]]) -> None:
    current = broker()
    if isinstance(current, RedisBroker):
        current.publish_many(held)


# The live events a commit's effects publish through Redis leave together when the effects
# are done, in the order they were published, in one round trip instead of one each
# (followers who miss them after a failure refill them from the channel's history).
EVENTS: EffectBatch[tuple[Any, ...]] = EffectBatch("live events", _publish_held)
