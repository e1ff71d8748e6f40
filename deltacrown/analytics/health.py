"""System health for staff, from the app's own Prometheus metrics (`core.metrics`).

The HTTP counters and the latency histogram are cumulative since each process started, so a
small ring of snapshots (one every five minutes, kept for a day in the app's cache:
Redis in server mode, so every worker sees the same ring) turns them into figures over the
last hour: the snapshot closest to an hour ago is subtracted from the current values. Until
a snapshot exists the figures cover the time since the process started, and the answer says
so (`window`). p95 latency is the upper bound of the histogram bucket holding the 95th
percentile request (Prometheus' buckets: 5 ms ... 10 s).

Celery's queue depth and its oldest waiting message come from the broker (server mode with
Redis); the embedded default runs tasks in-process and has no queue.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from deltacrown.core import metrics
from deltacrown.core.task_metrics import QUEUE_DEPTH, QUEUE_OLDEST_AGE, BrokerCollector
from deltacrown.extensions import cache

STARTED_AT = time.time()  # this process's start (the module is imported by the app factory)
RING_KEY = "analytics:health:snapshots"
WINDOW_SECONDS = 3600
KEEP_SECONDS = 25 * 3600  # a day of hourly figures for the admin's charts
MIN_GAP_SECONDS = 60  # a read adds a snapshot when the newest is older than this


@dataclass
class Snapshot:
    at: float
    requests: float = 0.0
    errors: float = 0.0
    buckets: dict[str, float] = field(default_factory=dict)  # le -> cumulative count
    ws_connections: float = 0.0

    def as_list(self) -> list[Any]:
        return [self.at, self.requests, self.errors, self.buckets]

    @classmethod
    def from_list(cls, raw: list[Any]) -> Snapshot:
        return cls(float(raw[0]), float(raw[1]), float(raw[2]), dict(raw[3]))


def read_counters(now: float) -> Snapshot:
    """The HTTP counters and latency buckets summed over routes, and open websockets."""
    snap = Snapshot(at=now)
    for family in metrics.exposition_registry().collect():
        for sample in family.samples:
            if sample.name == "deltacrown_http_requests_total":
                snap.requests += sample.value
                if sample.labels.get("status") == "5xx":
                    snap.errors += sample.value
            elif sample.name == "deltacrown_http_request_duration_seconds_bucket":
                le = sample.labels["le"]
                snap.buckets[le] = snap.buckets.get(le, 0.0) + sample.value
            elif sample.name == "deltacrown_ws_connections":
                snap.ws_connections += sample.value
    return snap


def _ring() -> list[Snapshot]:
    raw = cache.get(RING_KEY) or []
    return [Snapshot.from_list(item) for item in raw]


def record_snapshot(now: float | None = None) -> int:
    """Add the current counters to the ring (dropping those past a day); its length."""
    now = time.time() if now is None else now
    ring = [s for s in _ring() if now - s.at <= KEEP_SECONDS]
    ring.append(read_counters(now))
    cache.set(RING_KEY, [s.as_list() for s in ring], timeout=KEEP_SECONDS)
    return len(ring)


def percentile_bound(buckets: dict[str, float], fraction: float) -> float | None:
    """The upper bound (seconds) of the bucket holding the `fraction` quantile; None when
    nothing was counted."""
    ordered = sorted(buckets.items(), key=lambda item: float(item[0]))
    total = ordered[-1][1] if ordered else 0.0
    if total <= 0:
        return None
    rank = math.ceil(fraction * total)
    for le, count in ordered:
        if count >= rank:
            return float(le)
    return math.inf


def _queue() -> dict[str, Any]:
    broker = current_app.config.get("CELERY_BROKER_URL")
    if not broker or not broker.startswith(("redis://", "rediss://")):
        return {"mode": "embedded", "depth": None, "oldest_age_seconds": None, "broker_up": None}
    queue = current_app.extensions["celery"].conf.task_default_queue or "celery"
    depth = age = None
    up = False
    for family in BrokerCollector(broker, [queue]).collect():
        for sample in family.samples:
            if family.name == QUEUE_DEPTH:
                depth = int(sample.value)
            elif family.name == QUEUE_OLDEST_AGE:
                age = round(sample.value, 1)
            else:
                up = sample.value == 1.0
    return {"mode": "broker", "depth": depth, "oldest_age_seconds": age, "broker_up": up}


def system_health(now: float | None = None) -> dict[str, Any]:
    """Uptime, request rate, 5xx rate and p95 latency over the last hour, queue, websockets."""
    now = time.time() if now is None else now
    current = read_counters(now)
    ring = _ring()
    if not ring or now - ring[-1].at >= MIN_GAP_SECONDS:
        record_snapshot(now)
    in_window = [s for s in ring if now - s.at <= WINDOW_SECONDS and s.at < now]
    if in_window:
        base, window = in_window[0], "last_hour"
    else:
        base, window = Snapshot(at=STARTED_AT), "since_start"
    seconds = max(now - base.at, 1.0)
    requests = max(current.requests - base.requests, 0.0)
    errors = max(current.errors - base.errors, 0.0)
    deltas = {le: max(n - base.buckets.get(le, 0.0), 0.0) for le, n in current.buckets.items()}
    p95 = percentile_bound(deltas, 0.95)
    return {
        "uptime_seconds": int(now - STARTED_AT),
        "window": window,
        "window_seconds": int(seconds),
        "requests": int(requests),
        "request_rate_per_minute": round(requests / seconds * 60, 2),
        "errors_5xx": int(errors),
        "error_rate": round(errors / requests, 4) if requests else 0.0,
        "p95_latency_ms": None if p95 is None or math.isinf(p95) else round(p95 * 1000, 1),
        "queue": _queue(),
        "websocket_connections": int(current.ws_connections),
    }


def hourly_series(now: float | None = None) -> list[dict[str, Any]]:
    """Per UTC hour covered by the ring: requests, 5xx rate and p95 latency (ms), each the
    difference between the last snapshots of that hour and of the hour before."""
    now = time.time() if now is None else now
    last_of_hour: dict[int, Snapshot] = {}
    for snap in _ring():
        last_of_hour[int(snap.at // 3600)] = snap
    hours = sorted(last_of_hour)
    series = []
    for previous, hour in zip(hours, hours[1:], strict=False):
        before, after = last_of_hour[previous], last_of_hour[hour]
        requests = max(after.requests - before.requests, 0.0)
        errors = max(after.errors - before.errors, 0.0)
        deltas = {le: max(n - before.buckets.get(le, 0.0), 0.0) for le, n in after.buckets.items()}
        p95 = percentile_bound(deltas, 0.95)
        series.append(
            {
                "hour": hour * 3600,
                "requests": int(requests),
                "error_rate": round(errors / requests, 4) if requests else 0.0,
                "p95_latency_ms": None if p95 is None or math.isinf(p95) else round(p95 * 1000, 1),
            }
        )
    return series
