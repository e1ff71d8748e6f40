"""Start a Celery task so that it never holds up the request that caused it.

* with a broker (server mode): the task goes to the workers (`apply_async`);
* the embedded default (no broker, where Celery would run it eagerly inside the request): the
  task runs on a small pool of this process's threads, each run in its own app context and
  unit of work. Work that must not wait behind other work has a pool of its own (`Pool`):
  the general one has `BACKGROUND_THREADS` (default 2), webhook deliveries
  `WEBHOOKS_THREADS` (default 4);
* `BACKGROUND_INLINE` (tests): at once, in the caller's thread.

Work lost with the process (a pool is in memory) must be found again by the task's own
sweep or command: use this only for idempotent tasks that have one.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pool:
    """A named pool of threads for the embedded default, sized by a setting."""

    name: str
    threads_setting: str
    default_threads: int


GENERAL = Pool("background", "BACKGROUND_THREADS", 2)


def executor(app: Flask, pool: Pool = GENERAL) -> ThreadPoolExecutor:
    """This app's thread pool `pool` (made on first use)."""
    key = f"deltacrown_{pool.name}_pool"
    found = app.extensions.get(key)
    if found is None:
        found = app.extensions[key] = ThreadPoolExecutor(
            max_workers=int(app.config.get(pool.threads_setting, pool.default_threads)),
            thread_name_prefix=f"deltacrown-{pool.name}",
        )
    return found


def _run(task: Any, kwargs: dict[str, Any]) -> None:
    try:
        task.apply(kwargs=kwargs).get(disable_sync_subtasks=False)
    except Exception:
        log.exception("background task %s failed", task.name)


def start_in(pool: Pool, task_name: str, **kwargs: Any) -> None:
    """Run the registered task `task_name` with `kwargs` outside the current request, on
    `pool` when there is no broker."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    task = app.extensions["celery"].tasks[task_name]
    if app.config.get("CELERY_BROKER_URL"):
        task.apply_async(kwargs=kwargs)
    elif app.config.get("BACKGROUND_INLINE"):
        _run(task, kwargs)
    else:
        executor(app, pool).submit(_run, task, kwargs)


def start(task_name: str, **kwargs: Any) -> None:
    """Run the registered task `task_name` with `kwargs` outside the current request."""
    start_in(GENERAL, task_name, **kwargs)
