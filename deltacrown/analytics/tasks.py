"""Analytics' Celery tasks (thin wrappers): the periodic summary refresh (every 15 minutes,
after a random wait of up to ANALYTICS_REFRESH_JITTER_SECONDS on a worker so hosts and
replicas do not refresh at once), one tournament's refresh after it completes, and the
system-health snapshot (every 5 minutes). All are idempotent: a refresh recomputes rows from
the tables, so a lost or repeated run changes nothing but the summary's age."""

from __future__ import annotations

import random
import time

from celery import shared_task
from flask import current_app

from deltacrown.analytics import health, summary
from deltacrown.core.time import utcnow


def _jitter() -> None:
    """Wait 0..ANALYTICS_REFRESH_JITTER_SECONDS, on a worker only (the embedded scheduler's
    thread and tests run the refresh at once)."""
    limit = int(current_app.config.get("ANALYTICS_REFRESH_JITTER_SECONDS", 0))
    if limit > 0 and current_app.config.get("CELERY_BROKER_URL"):
        time.sleep(random.uniform(0, limit))  # noqa: S311 (spreading load, not security)


@shared_task(name="analytics.refresh_summary", acks_late=True, reject_on_worker_lost=True)
def refresh_summary(jitter: bool = True) -> int:
    """Refresh every tournament's summary row; the number of rows."""
    if jitter:
        _jitter()
    return summary.refresh(now=utcnow())


@shared_task(name="analytics.refresh_tournament", acks_late=True, reject_on_worker_lost=True)
def refresh_tournament(tournament_id: int) -> int:
    """Refresh one tournament's summary row (PostgreSQL: the whole view, concurrently)."""
    return summary.refresh(tournament_id, now=utcnow())


@shared_task(name="analytics.snapshot_health")
def snapshot_health() -> int:
    """Add the HTTP counters to the system-health ring; its length."""
    return health.record_snapshot()
