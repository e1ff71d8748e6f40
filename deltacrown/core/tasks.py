"""The kernel's Celery tasks (thin wrappers around core services): periodic sweeps."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from deltacrown.core import idempotency, task_batch, task_metrics


@shared_task(name="core.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key rows whose replay window has passed."""
    return idempotency.purge_expired_idempotency_keys()


@shared_task(name=task_metrics.HEARTBEAT_TASK)
def beat_heartbeat() -> float:
    """Beat's heartbeat: sets deltacrown_beat_heartbeat_timestamp_seconds (alert: stalled)."""
    return task_metrics.beat_heartbeat()


@shared_task(name=task_batch.BATCH_TASK, bind=True)
def send_batch(self: Any, messages: list[dict[str, Any]]) -> int:
    """Send each task a committed request started (`core.task_batch`) to its own queue."""
    return task_batch.send_each(self.app, messages)
