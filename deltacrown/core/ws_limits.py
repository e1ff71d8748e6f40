"""Per-connection limits of the live channels: a token bucket for messages a client sends,
and connection slots per user (one process in memory, or every process through Redis)."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app

from deltacrown.core import realtime

SLOT_TTL = 120.0  # seconds a connection slot lives in Redis without a refresh


class TokenBucket:
    """`rate` messages per second, bursts of as many."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait_ms(self) -> int:
        return max(1, int((1 - self.tokens) / self.rate * 1000))


class Slots:
    """At most `limit` open connections per user: one process in memory, or every process
    through a Redis sorted set of connection ids scored by their last refresh (a crashed
    process's slots expire after SLOT_TTL)."""

    def __init__(self, client: Any = None) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._held: dict[int, set[str]] = {}

    def acquire(self, user_id: int, conn_id: str, limit: int) -> bool:
        if self.client is None:
            with self._lock:
                held = self._held.setdefault(user_id, set())
                if len(held) >= limit:
                    return False
                held.add(conn_id)
                return True
        key, now = f"{realtime.REDIS_PREFIX}conns:{user_id}", time.time()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", now - SLOT_TTL)
            pipe.zadd(key, {conn_id: now})
            pipe.zcard(key)
            pipe.expire(key, int(SLOT_TTL))
            count = pipe.execute()[2]
        if count > limit:
            self.client.zrem(key, conn_id)
            return False
        return True

    def refresh(self, user_id: int, conn_id: str) -> None:
        if self.client is not None:
            key = f"{realtime.REDIS_PREFIX}conns:{user_id}"
            self.client.zadd(key, {conn_id: time.time()})
            self.client.expire(key, int(SLOT_TTL))

    def release(self, user_id: int, conn_id: str) -> None:
        if self.client is None:
            with self._lock:
                self._held.get(user_id, set()).discard(conn_id)
            return
        self.client.zrem(f"{realtime.REDIS_PREFIX}conns:{user_id}", conn_id)


def slots() -> Slots:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("deltacrown_ws_slots")
    if found is None:
        current = realtime.broker()
        found = Slots(current.client if isinstance(current, realtime.RedisBroker) else None)
        app.extensions["deltacrown_ws_slots"] = found
    return found
