"""How a webhook task is started, so that a delivery never holds up the request that caused it.

* `celery` (a broker is configured): the task goes to the workers.
* `thread` (the embedded default, where Celery runs tasks in-process): the task runs on a
  small pool of this process's threads (`WEBHOOKS_THREADS`), each in its own app context and
  unit of work.
* `inline` (tests): the task runs at once, in the caller's thread.

`WEBHOOKS_DISPATCH` picks one explicitly. Whatever is lost (a process stopped with work in
the pool) is picked up by the `webhooks.retry_due_deliveries` sweep.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
FAN_OUT_TASK = "webhooks.fan_out"
DELIVER_TASK = "webhooks.deliver"


def mode(app: Flask) -> str:
    configured = app.config.get("WEBHOOKS_DISPATCH")
    if configured:
        return str(configured)
    if app.config.get("CELERY_BROKER_URL"):
        return "celery"
    return "inline" if app.testing else "thread"


def _executor(app: Flask) -> ThreadPoolExecutor:
    pool = app.extensions.get("deltacrown_webhook_pool")
    if pool is None:
        pool = ThreadPoolExecutor(
            max_workers=int(app.config.get("WEBHOOKS_THREADS", 4)),
            thread_name_prefix="deltacrown-webhooks",
        )
        app.extensions["deltacrown_webhook_pool"] = pool
    return pool


def _run(task: Any, kwargs: dict[str, Any]) -> None:
    try:
        task.apply(kwargs=kwargs)
    except Exception:
        log.exception("webhook task %s failed; the sweep tries again", task.name)


def enqueue(task_name: str, **kwargs: Any) -> None:
    """Start `task_name` with `kwargs` the way this app runs webhook work."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    task = app.extensions["celery"].tasks[task_name]
    how = mode(app)
    if how == "celery":
        task.delay(**kwargs)
    elif how == "inline":
        _run(task, kwargs)
    else:
        _executor(app).submit(_run, task, kwargs)


def enqueue_delivery(delivery_id: int) -> None:
    enqueue(DELIVER_TASK, delivery_id=delivery_id)
