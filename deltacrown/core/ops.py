"""Operational endpoints outside /api/: liveness (/healthz), readiness (/readiness), /metrics."""

from __future__ import annotations

import hmac
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


def check_database() -> str:
    db.session.execute(sa.text("SELECT 1"))
    return "ok"


def check_redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    get_redis().ping()
    return "ok"


CHECKS = {"database": check_database, "redis": check_redis}
# Without these the app serves in a degraded mode (rate limits in memory per process, live
# events only within the process) instead of failing requests: readiness stays 200.
DEGRADABLE = frozenset({"redis"})


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
        """Readiness: the database (and Redis when configured) answer. A failing database is a
        503 naming it; a failing Redis leaves the app serving in a degraded mode (rate limits
        in memory, per process): 200 with `status: degraded`."""
        results: dict[str, str] = {}
        failing: list[str] = []
        for name, check in CHECKS.items():
            try:
                outcome = check()
            except Exception as exc:  # any failure means "not ready"
                outcome = f"failed: {type(exc).__name__}"
                failing.append(name)
            if outcome is not None:
                results[name] = outcome
        if failing and not set(failing) <= DEGRADABLE:
            return problem(
                503,
                "dependency_unavailable",
                "Dependency unavailable",
                "Not ready: " + ", ".join(failing) + " failing.",
                checks=results,
                failing=failing,
            )
        return {"status": "degraded" if failing else "ok", "checks": results}


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.response(
        200,
        content_type="text/plain; version=0.0.4",
        description="This process's metrics in the Prometheus text format.",
    )
    @blp.errors(401)
    def get(self) -> Any:
        """Prometheus metrics of this process (websocket connections, messages in and out,
        broadcast latency). When `METRICS_TOKEN` is set, scrapers send it as a Bearer token."""
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
