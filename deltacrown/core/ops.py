"""Operational endpoints outside /api/: liveness (/healthz), readiness (/readiness), /metrics."""

from __future__ import annotations

import hmac
import time
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Response, current_app, request
from flask.views import MethodView

from deltacrown.core import metrics
from deltacrown.core.api import Blueprint
from deltacrown.core.db import db
from deltacrown.core.errors import problem
from deltacrown.core.redis import get_redis

blp = Blueprint("ops", __name__, description="Health and readiness probes.")


class HealthSchema(ma.Schema):
    status = ma.fields.String()


class ReadinessSchema(ma.Schema):
    status = ma.fields.String()
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    latency_ms = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        metadata={"description": "How long each check took, in milliseconds."},
    )


def check_database() -> str:
    db.session.execute(sa.text("SELECT 1"))
    return "ok"


def check_redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    get_redis().ping()
    return "ok"


def check_broker() -> str | None:
    """The Celery broker accepts a connection (server mode only: the embedded default runs
    tasks in-process)."""
    if not current_app.config.get("CELERY_BROKER_URL"):
        return None
    celery_app = current_app.extensions["celery"]
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": check_database, "redis": check_redis, "broker": check_broker}
# Without these the app serves in a degraded mode (rate limits in memory per process, live
# events only within the process, background jobs waiting for the broker) instead of failing
# requests: readiness stays 200.
DEGRADABLE = frozenset({"redis", "broker"})


@blp.route("/healthz")
class Healthz(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Liveness: the process is up (touches no dependency)."""
        return {"status": "ok"}


@blp.route("/readiness")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.errors(503)
    def get(self) -> Any:
        """Readiness: the database (and Redis and the task broker when configured) answer,
        with each check's time in `latency_ms`. A failing database is a 503 naming it; a
        failing Redis or broker leaves the app serving in a degraded mode (rate limits in
        memory, per process; background jobs waiting): 200 with `status: degraded`."""
        results: dict[str, str] = {}
        latency: dict[str, float] = {}
        failing: list[str] = []
        for name, check in CHECKS.items():
            started = time.perf_counter()
            try:
                outcome = check()
            except Exception as exc:  # any failure means "not ready"
                outcome = f"failed: {type(exc).__name__}"
                failing.append(name)
            if outcome is not None:
                results[name] = outcome
                latency[name] = round((time.perf_counter() - started) * 1000, 1)
                metrics.READINESS_CHECK.labels(name).set(0 if name in failing else 1)
        if failing and not set(failing) <= DEGRADABLE:
            return problem(
                503,
                "dependency_unavailable",
                "Dependency unavailable",
                "Not ready: " + ", ".join(failing) + " failing.",
                checks=results,
                latency_ms=latency,
                failing=failing,
            )
        return {"status": "degraded" if failing else "ok", "checks": results, "latency_ms": latency}


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.response(
        200,
        content_type="text/plain; version=0.0.4",
        description="The metrics in the Prometheus text format.",
    )
    @blp.errors(401)
    def get(self) -> Any:
        """Prometheus metrics: request rates, errors and latency per route, background jobs,
        queue depth, websocket load and domain counters; with `PROMETHEUS_MULTIPROC_DIR`, of
        every process on this host. When `METRICS_TOKEN` is set, scrapers send it as a
        Bearer token."""
        token = current_app.config.get("METRICS_TOKEN")
        if token:
            sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(sent.encode(), str(token).encode()):
                return problem(
                    401,
                    "metrics_token_required",
                    "Metrics token required",
                    "Send the configured METRICS_TOKEN as a Bearer token.",
                )
        return Response(metrics.render(), mimetype="text/plain; version=0.0.4")
