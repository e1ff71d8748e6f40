"""A circuit breaker per endpoint, so a dead receiver does not keep workers waiting on it.

Closed: deliveries go out; failures are counted in a window (`WEBHOOKS_BREAKER_WINDOW`, 120 s)
that restarts when it runs out, and each success takes one failure off. At
`WEBHOOKS_BREAKER_FAILURES` (5) failures in the window it opens: deliveries are held (not
counted as attempts) until `WEBHOOKS_BREAKER_OPEN_SECONDS` (60 s) have passed. Then it is
half-open: one delivery goes out as a probe (others keep waiting); its success closes the
breaker, its failure opens it again.

The state is a small dict, changed by pure functions (`allow`, `record`) under the store's
lock: in Redis in server mode (one state for every worker, changed in a WATCH/MULTI
transaction), in process memory in the embedded default. Times come from `core.time.utcnow`
so tests can travel.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from flask import current_app

from deltacrown.core.redis import get_redis
from deltacrown.core.time import utcnow

log = logging.getLogger(__name__)
CLOSED, OPEN, HALF_OPEN, UNKNOWN = "closed", "open", "half_open", "unknown"
# A probe that never reported (its worker died) frees the half-open slot after this long.
PROBE_TIMEOUT_SECONDS = 60
State = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    failures: int = 5
    window: float = 120.0
    open_seconds: float = 60.0


def settings() -> Settings:
    config = current_app.config
    return Settings(
        failures=int(config.get("WEBHOOKS_BREAKER_FAILURES", 5)),
        window=float(config.get("WEBHOOKS_BREAKER_WINDOW", 120)),
        open_seconds=float(config.get("WEBHOOKS_BREAKER_OPEN_SECONDS", 60)),
    )


def fresh() -> State:
    return {"state": CLOSED, "failures": 0, "window_start": None, "opened_at": None, "probe": None}


def current(state: State, now: float, rules: Settings) -> str:
    """closed, open or half_open at `now` (an open breaker turns half-open by itself)."""
    if state["state"] == OPEN and now - state["opened_at"] >= rules.open_seconds:
        return HALF_OPEN
    return str(state["state"])


def allow(state: State, now: float, rules: Settings) -> tuple[bool, State]:
    """May a delivery go out now? Half-open lets exactly one probe through."""
    status = current(state, now, rules)
    if status == CLOSED:
        return True, state
    if status == OPEN:
        return False, state
    probe = state.get("probe")
    if probe is not None and now - probe < PROBE_TIMEOUT_SECONDS:
        return False, state
    return True, {**state, "state": HALF_OPEN, "probe": now}


def record(state: State, ok: bool, now: float, rules: Settings) -> State:
    """The outcome of a delivery that `allow` let through."""
    status = current(state, now, rules)
    if status == HALF_OPEN:
        if ok:
            return fresh()
        return {**fresh(), "state": OPEN, "opened_at": now}
    if status == OPEN:  # a delivery that started before the breaker opened
        return state
    if ok:
        return {**state, "failures": max(0, state["failures"] - 1)}
    window_start = state["window_start"]
    failures = state["failures"]
    if window_start is None or now - window_start > rules.window:
        window_start, failures = now, 0
    failures += 1
    if failures >= rules.failures:
        return {**fresh(), "state": OPEN, "opened_at": now}
    return {**state, "failures": failures, "window_start": window_start}


def seconds_until_probe(state: State, now: float, rules: Settings) -> float:
    if state["state"] != OPEN:
        return float(PROBE_TIMEOUT_SECONDS)
    return max(0.0, state["opened_at"] + rules.open_seconds - now)


class Store(Protocol):
    def update(self, endpoint_id: int, change: Callable[[State], tuple[Any, State]]) -> Any: ...

    def read(self, endpoint_id: int) -> State: ...


class MemoryStore:
    """One process's breakers (the embedded default runs deliveries in-process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[int, State] = {}

    def read(self, endpoint_id: int) -> State:
        with self.lock:
            return dict(self.states.get(endpoint_id) or fresh())

    def update(self, endpoint_id: int, change: Callable[[State], tuple[Any, State]]) -> Any:
        with self.lock:
            result, self.states[endpoint_id] = change(dict(self.states.get(endpoint_id) or fresh()))
            return result


class RedisStore:
    """Every worker's view of the breakers; one JSON value per endpoint, changed atomically."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def key(self, endpoint_id: int) -> str:
        return f"{self.prefix}webhooks:breaker:{endpoint_id}"

    def read(self, endpoint_id: int) -> State:
        raw = self.client.get(self.key(endpoint_id))
        return json.loads(raw) if raw else fresh()

    def update(self, endpoint_id: int, change: Callable[[State], tuple[Any, State]]) -> Any:
        key = self.key(endpoint_id)
        outcome: list[Any] = []

        def apply(pipe: Any) -> None:
            raw = pipe.get(key)
            result, state = change(json.loads(raw) if raw else fresh())
            outcome[:] = [result]
            pipe.multi()
            pipe.set(key, json.dumps(state), ex=86400)

        self.client.transaction(apply, key)
        return outcome[0]


def store() -> Store:
    """Redis in server mode, this process's memory in the embedded default."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("deltacrown_webhook_breakers")
    if found is None:
        if app.config.get("REDIS_URL"):
            found = RedisStore(get_redis(), app.config.get("CACHE_KEY_PREFIX", "") or "")
        else:
            found = MemoryStore()
        app.extensions["deltacrown_webhook_breakers"] = found
    return found  # type: ignore[no-any-return]


def _now() -> float:
    return utcnow().timestamp()


def try_pass(endpoint_id: int) -> tuple[bool, float]:
    """(allowed, seconds to wait when refused) for a delivery to `endpoint_id` now. With
    Redis unreachable the breaker is skipped (deliveries go out; retries still apply)."""
    rules, now = settings(), _now()

    def change(state: State) -> tuple[Any, State]:
        allowed, new = allow(state, now, rules)
        return (allowed, seconds_until_probe(new, now, rules)), new

    try:
        result: tuple[bool, float] = store().update(endpoint_id, change)
    except redis.RedisError:
        log.warning("webhook breaker store unreachable; delivering without it", exc_info=True)
        return True, 0.0
    return result


def report(endpoint_id: int, ok: bool) -> None:
    rules, now = settings(), _now()
    try:
        store().update(endpoint_id, lambda state: (None, record(state, ok, now, rules)))
    except redis.RedisError:
        log.warning("webhook breaker store unreachable; outcome not counted", exc_info=True)


def state_of(endpoint_id: int) -> str:
    """closed, open or half_open (for the admin and the API); unknown while Redis is down."""
    try:
        return current(store().read(endpoint_id), _now(), settings())
    except redis.RedisError:
        return UNKNOWN
