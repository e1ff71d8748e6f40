"""Celery's metrics: task runs, failures, retries and duration (from Celery's own signals), the
beat heartbeat job, and the broker's queue depth and oldest waiting message (read at scrape).

Every message published gets a `deltacrown_published_at` header (Unix time), so the age of
the oldest message still waiting in a Redis queue (a periodic job nobody has started) can be
read without a worker: `BrokerCollector` looks at the list's tail, where the next message to
be taken sits.

Workers serve no HTTP: with `DELTACROWN_METRICS_PORT` set, a worker's main process serves
its pool's metrics on that port (`on_worker_init`; docs/monitoring.md).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import redis
from celery import Celery, signals
from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from deltacrown.core import metrics

PUBLISHED_AT_HEADER = "deltacrown_published_at"
BROKER_UP = "deltacrown_broker_up"
QUEUE_DEPTH = "deltacrown_celery_queue_depth"
QUEUE_OLDEST_AGE = "deltacrown_celery_queue_oldest_age_seconds"
HEARTBEAT_TASK = "core.beat_heartbeat"
METRICS_PORT_ENV = "DELTACROWN_METRICS_PORT"
_started: dict[str, float] = {}


def _task_name(task: Any, sender: Any = None) -> str:
    name = getattr(task, "name", None) or getattr(sender, "name", None) or str(sender)
    return str(name)


def on_before_publish(sender: Any = None, headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(PUBLISHED_AT_HEADER, time.time())


def on_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def on_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    name = _task_name(task)
    started = _started.pop(task_id, None) if task_id else None
    if started is not None:
        metrics.TASK_DURATION.labels(name).observe(time.perf_counter() - started)
    metrics.TASK_RUNS.labels(name, state or "UNKNOWN").inc()
    if state == "SUCCESS":
        metrics.TASK_LAST_SUCCESS.labels(name).set(time.time())


def on_worker_init(**_: Any) -> None:
    """In a worker's main process, before its pool starts: with DELTACROWN_METRICS_PORT set,
    serve the worker's metrics (every pool process's, in multiprocess mode) for Prometheus."""
    port = os.environ.get(METRICS_PORT_ENV)
    if not port:
        return
    metrics.clear_multiprocess_dir()
    start_http_server(int(port), registry=metrics.exposition_registry())


def connect() -> None:
    """Connect the Celery signal handlers (once per process: dispatch_uid)."""
    signals.before_task_publish.connect(
        on_before_publish, weak=False, dispatch_uid="deltacrown-metrics-publish"
    )
    signals.worker_init.connect(on_worker_init, weak=False, dispatch_uid="deltacrown-metrics-init")
    signals.task_prerun.connect(on_prerun, weak=False, dispatch_uid="deltacrown-metrics-prerun")
    signals.task_postrun.connect(on_postrun, weak=False, dispatch_uid="deltacrown-metrics-postrun")


def beat_heartbeat() -> float:
    """Run by beat every minute through a worker: the time both were last seen alive."""
    now = time.time()
    metrics.BEAT_HEARTBEAT.set(now)
    return now


class BrokerCollector(Collector):
    """Queue depth and the age of the oldest waiting message, per queue, on a Redis broker.

    Read on every scrape of the web process; a broker that does not answer is reported as
    `deltacrown_broker_up 0` instead of failing the scrape."""

    def __init__(self, broker_url: str, queues: list[str]) -> None:
        self.client = redis.Redis.from_url(broker_url, socket_timeout=1, socket_connect_timeout=1)
        self.queues = queues

    def collect(self):  # type: ignore[no-untyped-def]
        up = GaugeMetricFamily(BROKER_UP, "1 when the broker answered the scrape.")
        depth = GaugeMetricFamily(QUEUE_DEPTH, "Messages waiting in the queue.", labels=["queue"])
        age = GaugeMetricFamily(
            QUEUE_OLDEST_AGE,
            "Age of the oldest message waiting in the queue (0 when empty).",
            labels=["queue"],
        )
        try:
            for queue in self.queues:
                depth.add_metric([queue], float(self.client.llen(queue)))
                age.add_metric([queue], self.oldest_age(queue))
        except redis.RedisError:
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield from (up, depth, age)

    def oldest_age(self, queue: str) -> float:
        raw = self.client.lindex(queue, -1)  # kombu pushes on the left, workers take the right
        if raw is None:
            return 0.0
        try:
            headers = json.loads(raw).get("headers") or {}
            published = float(headers[PUBLISHED_AT_HEADER])
        except (ValueError, KeyError, TypeError, AttributeError):
            return 0.0  # a message from a publisher without the header: age unknown
        return max(0.0, time.time() - published)


def init_celery(celery_app: Celery, broker_url: str | None) -> None:
    """Connect the signal handlers; on a Redis broker, report its queues at scrape time."""
    connect()
    if broker_url and broker_url.startswith(("redis://", "rediss://")):
        queue = celery_app.conf.task_default_queue or "celery"
        metrics.add_scrape_collector(BrokerCollector(broker_url, [queue]))
