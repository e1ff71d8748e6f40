"""Start a Celery task so that it never holds up the request that caused it.

* with a broker (server mode): the task goes to the workers (`apply_async`);
* the embedded default (no broker, where Celery would run it eagerly inside the request): the
  task runs on a small pool of this process's threads (`BACKGROUND_THREADS`, default 2), each
  run in its own app context and unit of work;
* `BACKGROUND_INLINE` (tests): at once, in the caller's thread.

Work lost with the process (the pool is in memory) must be found again by the task's own
sweep or command: use this only for idempotent tasks that have one.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
POOL = "deltacrown_background_pool"


def _executor(app: Flask) -> ThreadPoolExecutor:
    pool = app.extensions.get(POOL)
    if pool is None:
        pool = app.extensions[POOL] = ThreadPoolExecutor(
            max_workers=int(app.config.get("BACKGROUND_THREADS", 2)),
            thread_name_prefix="deltacrown-background",
        )
    return pool


def _run(task: Any, kwargs: dict[str, Any]) -> None:
    try:
        task.apply(kwargs=kwargs).get(disable_sync_subtasks=False)
    except Exception:
        log.exception("background task %s failed", task.name)


def start(task_name: str, **kwargs: Any) -> None:
    """Run the registered task `task_name` with `kwargs` outside the current request."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    task = app.extensions["celery"].tasks[task_name]
    if app.config.get("CELERY_BROKER_URL"):
        task.apply_async(kwargs=kwargs)
    elif app.config.get("BACKGROUND_INLINE"):
        _run(task, kwargs)
    else:
        _executor(app).submit(_run, task, kwargs)
