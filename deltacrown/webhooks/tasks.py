"""The webhook tasks: build the deliveries of an event, make one delivery attempt, and the
sweep that starts every attempt that is due (retries, held by the breaker, lost tasks).

Idempotent: an attempt is claimed with a conditional UPDATE on the delivery's attempt count,
so a task delivered twice (`acks_late`) or racing the sweep sends at most once per claim.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from deltacrown.core.transaction import (
    after_commit,
    outside_transaction,
    unit_of_work,
    write_intent,
)
from deltacrown.webhooks import dispatch, queries, services


@shared_task(name="webhooks.fan_out")
def fan_out(event_type: str, tournament_id: int | None, ids: dict[str, Any]) -> list[int]:
    """One delivery per subscribed endpoint; each starts after this task commits. The lookup
    reads only, so the common case (nobody follows the event) never takes SQLite's write
    lock; the deliveries are written in a transaction of their own."""
    with write_intent(False):
        planned = services.plan_fan_out(event_type, tournament_id, ids)
    if not planned:
        return []
    with outside_transaction():  # end the read; the writes begin as a writer
        return services.queue_planned(planned)


@shared_task(name="webhooks.deliver")
def deliver(delivery_id: int) -> int | None:
    """One attempt: claim it (committed), POST without holding a transaction, record the
    outcome (committed). Returns the receiver's status code, if it answered."""
    with unit_of_work():
        attempt = services.claim_attempt(delivery_id)
    if attempt is None:
        return None
    outcome = services.send(attempt)
    with unit_of_work():
        services.record_outcome(attempt, outcome)
    return outcome.status


@shared_task(name="webhooks.retry_due_deliveries")
def retry_due_deliveries() -> int:
    """Start every delivery whose next attempt is due."""
    due = queries.due_delivery_ids()
    for delivery_id in due:
        after_commit(dispatch.enqueue_delivery, delivery_id)
    return len(due)
