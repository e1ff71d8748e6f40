"""Websocket fan-out: services publish events on channels, ws handlers subscribe per process.

`publish(channel, type, data)` registers the event on the after-commit queue; once the unit
of work commits, the broker numbers it (`seq`, gap-free per channel) and delivers it to every
process's hub, which hands it to the local subscribers (one queue per websocket).

* Embedded default: an in-memory broker (one process).
* Server mode (REDIS_URL): `INCR` numbers events and `PUBLISH` fans them out; each process
  runs one listener thread on a pattern subscription and feeds its hub.

Envelope: `{"type": "match.score_updated", "seq": 7, "ts": "...Z", "data": {...}}`.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections import defaultdict
from typing import Any

from flask import Flask, current_app

from deltacrown.core.time import isoformat, utcnow
from deltacrown.core.transaction import after_commit

log = logging.getLogger(__name__)

REDIS_PREFIX = "dc:rt:"


class Subscription:
    """One subscriber's inbox for one channel."""

    def __init__(self, hub: Hub, channel: str, maxsize: int = 1000) -> None:
        self.hub = hub
        self.channel = channel
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=maxsize)

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

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self, channel)
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

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subs.get(channel, ()))

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            try:
                sub.queue.put_nowait(message)
            except queue.Full:  # a stuck client must not block the others
                log.warning("dropping event for a slow subscriber on %s", channel)


class MemoryBroker:
    """One process: number and deliver directly."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._lock = threading.Lock()
        self._seq: dict[str, int] = defaultdict(int)

    def publish(self, channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._seq[channel] += 1
            seq = self._seq[channel]
        message = {"type": event_type, "seq": seq, "ts": isoformat(utcnow()), "data": data}
        self.hub.deliver(channel, message)
        return message

    def close(self) -> None:
        return None


class RedisBroker:
    """Many processes: Redis numbers events per channel and fans them out with PUBLISH."""

    def __init__(self, hub: Hub, url: str) -> None:
        import redis

        self.hub = hub
        self.client = redis.Redis.from_url(url)
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
            self._pubsub.psubscribe(**{f"{REDIS_PREFIX}ch:*": self._on_message})
            self._thread = self._pubsub.run_in_thread(sleep_time=0.5, daemon=True)

    def _on_message(self, raw: dict[str, Any]) -> None:
        channel = raw["channel"].decode()[len(REDIS_PREFIX) + 3 :]
        try:
            message = json.loads(raw["data"])
        except (TypeError, ValueError):
            return
        self.hub.deliver(channel, message)

    def publish(self, channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        seq = int(self.client.incr(f"{REDIS_PREFIX}seq:{channel}"))
        message = {"type": event_type, "seq": seq, "ts": isoformat(utcnow()), "data": data}
        self.client.publish(f"{REDIS_PREFIX}ch:{channel}", json.dumps(message))
        return message

    def close(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread.join(timeout=5)  # let it leave its read before the socket closes
            self._pubsub.close()
        self.client.close()


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


def subscribe(channel: str) -> Subscription:
    """Subscribe this process's hub to `channel` (e.g. `match:42`)."""
    current = broker()
    if isinstance(current, RedisBroker):
        current.ensure_listening()
    return current.hub.subscribe(channel)


def publish(channel: str, event_type: str, data: dict[str, Any]) -> None:
    """Publish an event once the current unit of work commits (dropped on rollback)."""
    after_commit(publish_now, channel, event_type, data)


def publish_now(channel: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Publish immediately (for effects already past the commit)."""
    return broker().publish(channel, event_type, data)
