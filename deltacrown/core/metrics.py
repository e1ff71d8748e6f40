"""Prometheus metrics: one registry for every process, exposed by ops' GET /metrics.

Under gunicorn (several worker processes) and Celery (prefork) the processes share one
directory, `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode): every process
writes its samples to files there, and `/metrics` on any worker reads them all, so one scrape
reports the whole host. The directory must exist and be emptied before the processes start
(docs/monitoring.md). Without the variable (the embedded default, tests) the values live in
this process only.

What counts what:
- RED: `deltacrown_http_requests_total{method,route,status}` (status as a class: 2xx...5xx)
  and `deltacrown_http_request_duration_seconds{method,route}` for every HTTP request, by the
  route template (`init_app`); websocket routes are counted by the `deltacrown_ws_*` metrics;
- Celery (`core.task_metrics`): runs by task and final state, duration, last success, the
  beat heartbeat, the broker's queue depth and oldest waiting message (`BrokerCollector`);
- domain counters, incremented by signal receivers (`core.domain_metrics`, connected in
  `wiring`) or, for webhook deliveries, by the webhooks domain where it records a delivery.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, Response, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# ----- websockets -----------------------------------------------------------------------------
WS_CONNECTIONS = Gauge(
    "deltacrown_ws_connections",
    "Websocket connections open (summed over live processes).",
    ["route"],
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
WS_MESSAGES_IN = Counter(
    "deltacrown_ws_messages_in",
    "Messages received from websocket clients.",
    ["route"],
    registry=REGISTRY,
)
WS_MESSAGES_OUT = Counter(
    "deltacrown_ws_messages_out",
    "Messages sent to websocket clients (events, replies and errors).",
    ["route"],
    registry=REGISTRY,
)
WS_BROADCAST_LATENCY = Histogram(
    "deltacrown_ws_broadcast_latency_seconds",
    "From an event's publication (its `ts`) to its send on a follower's socket.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
WS_CLOSED = Counter(
    "deltacrown_ws_closed",
    "Websocket connections closed by the server, by close code.",
    ["route", "code"],
    registry=REGISTRY,
)

# ----- HTTP (RED) -----------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "deltacrown_http_requests",
    "HTTP requests answered, by route template, method and status class (2xx, 4xx, 5xx...).",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "deltacrown_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
# A URL that matches no route is counted under this label, so scanners cannot add series.
UNMATCHED_ROUTE = "<unmatched>"

# ----- Celery ---------------------------------------------------------------------------------
TASK_RUNS = Counter(
    "deltacrown_celery_task_runs",
    "Celery task runs by task name and final state (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
    registry=REGISTRY,
)
TASK_DURATION = Histogram(
    "deltacrown_celery_task_duration_seconds",
    "Celery task run time by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
    registry=REGISTRY,
)
TASK_LAST_SUCCESS = Gauge(
    "deltacrown_celery_task_last_success_timestamp_seconds",
    "Unix time of the last successful run of each task.",
    ["task"],
    registry=REGISTRY,
    multiprocess_mode="max",
)
BEAT_HEARTBEAT = Gauge(
    "deltacrown_beat_heartbeat_timestamp_seconds",
    "Unix time at which a worker last ran beat's heartbeat job (beat and a worker are alive).",
    registry=REGISTRY,
    multiprocess_mode="max",
)

# ----- domain ---------------------------------------------------------------------------------
REGISTRATIONS = Counter(
    "deltacrown_registrations",
    "Registrations created, by their first status (pending, confirmed, waitlisted...).",
    ["status"],
    registry=REGISTRY,
)
MATCHES_COMPLETED = Counter("deltacrown_matches_completed", "Matches completed.", registry=REGISTRY)
DISPUTES_OPENED = Counter("deltacrown_disputes_opened", "Disputes opened.", registry=REGISTRY)
PAYOUTS = Counter(
    "deltacrown_payouts",
    "Payouts settled, by outcome (paid, failed): the payout_paid/payout_failed signals.",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "deltacrown_webhook_deliveries",
    "Webhook delivery attempts, by outcome (delivered, failed, disabled).",
    ["outcome"],
    registry=REGISTRY,
)
LEDGER_MISMATCHES = Gauge(
    "deltacrown_ledger_mismatches",
    "Wallets breaking the ledger invariant at the last verify-ledger run.",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
LEDGER_CHECKED_AT = Gauge(
    "deltacrown_ledger_verified_timestamp_seconds",
    "Unix time of the last verify-ledger run.",
    registry=REGISTRY,
    multiprocess_mode="max",
)

# ----- readiness ------------------------------------------------------------------------------
READINESS_CHECK = Gauge(
    "deltacrown_readiness_check_ok",
    "1 when the dependency answered at the last /readiness, else 0.",
    ["check"],
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)

# Collectors that compute their values at scrape time (the broker's queue), added by the app.
_SCRAPE_COLLECTORS: list[Collector] = []


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def add_scrape_collector(collector: Collector) -> None:
    """A collector read on every scrape by this process (not shared between processes)."""
    if all(type(existing) is not type(collector) for existing in _SCRAPE_COLLECTORS):
        _SCRAPE_COLLECTORS.append(collector)


class _Combined(Collector):
    def __init__(self, parts: Iterable[Collector]) -> None:
        self.parts = list(parts)

    def collect(self):  # type: ignore[no-untyped-def]
        for part in self.parts:
            yield from part.collect()


def exposition_registry() -> CollectorRegistry:
    """What a scrape reads: every process's samples in multiprocess mode, else this
    process's; plus the scrape-time collectors."""
    directory = multiprocess_dir()
    registry = CollectorRegistry(auto_describe=False)
    if directory:
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_Combined([REGISTRY]))
    if _SCRAPE_COLLECTORS:
        registry.register(_Combined(_SCRAPE_COLLECTORS))
    return registry


def render() -> bytes:
    """The metrics in the Prometheus text format."""
    return generate_latest(exposition_registry())


def clear_multiprocess_dir() -> None:
    """Remove the previous run's sample files: called by Celery's main process before its
    pool starts (gunicorn's master does the same in gunicorn.conf.py)."""
    directory = multiprocess_dir()
    if directory:
        for path in Path(directory).glob("*.db"):
            path.unlink(missing_ok=True)


# ----- HTTP instrumentation -------------------------------------------------------------------
def status_class(status: int) -> str:
    return f"{status // 100}xx"


def route_label() -> str:
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE


def init_app(app: Flask) -> None:
    """Count and time every HTTP request (websocket routes excepted: they are connections,
    measured by the `deltacrown_ws_*` metrics)."""

    @app.before_request
    def _start_metrics_clock() -> None:
        g.metrics_started_at = time.perf_counter()

    @app.after_request
    def _record_request(response: Response) -> Response:
        route = route_label()
        if route.startswith("/ws/"):
            return response
        HTTP_REQUESTS.labels(request.method, route, status_class(response.status_code)).inc()
        started = g.get("metrics_started_at")
        if started is not None:
            HTTP_DURATION.labels(request.method, route).observe(time.perf_counter() - started)
        return response
