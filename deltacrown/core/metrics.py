"""Prometheus metrics kept per process in one registry, exposed by ops' GET /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

WS_CONNECTIONS = Gauge(
    "deltacrown_ws_connections",
    "Websocket connections open in this process.",
    ["route"],
    registry=REGISTRY,
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


def render() -> bytes:
    """The registry in the Prometheus text exposition format."""
    return generate_latest(REGISTRY)
