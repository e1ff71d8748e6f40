"""How a webhook task is started, so that a delivery never holds up the request that caused it.

Through `core.background` on a pool of its own (`WEBHOOKS_THREADS` threads in the embedded
default), so slow receivers never hold up other background work: the workers with a broker,
that pool without one, at once in tests. Whatever is lost (a process stopped with work in the
pool) is picked up by the `webhooks.retry_due_deliveries` sweep.
"""

from __future__ import annotations

from typing import Any

from deltacrown.core.background import Pool, start_in

FAN_OUT_TASK = "webhooks.fan_out"
DELIVER_TASK = "webhooks.deliver"
POOL = Pool("webhooks", "WEBHOOKS_THREADS", 4)


def enqueue(task_name: str, **kwargs: Any) -> None:
    """Start `task_name` with `kwargs` the way this app runs webhook work."""
    start_in(POOL, task_name, **kwargs)


def enqueue_delivery(delivery_id: int) -> None:
    enqueue(DELIVER_TASK, delivery_id=delivery_id)
