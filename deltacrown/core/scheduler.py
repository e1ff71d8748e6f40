"""The beat schedule without a beat process: an in-process thread for the embedded default,
and `run_job(name)` for `flask jobs run NAME`.

Entries come from `celeryconfig.beat_schedule`; each runs its task in-process (the task's own
unit of work applies). Time-based work is always a sweep over due rows, so a missed or late
run is simply caught up by the next one.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from celery.schedules import maybe_schedule
from flask import Flask

import celeryconfig
from deltacrown.core.time import utcnow

log = logging.getLogger(__name__)


def beat_schedule() -> dict[str, dict[str, Any]]:
    return dict(celeryconfig.beat_schedule)


def find_job(name: str) -> dict[str, Any] | None:
    """A schedule entry by its entry name or its task name."""
    schedule = beat_schedule()
    if name in schedule:
        return schedule[name]
    for entry in schedule.values():
        if entry["task"] == name:
            return entry
    return None


def run_job(app: Flask, name: str) -> Any:
    """Run one periodic job now, in this process."""
    entry = find_job(name)
    if entry is None:
        raise KeyError(name)
    celery_app = app.extensions["celery"]
    task = celery_app.tasks[entry["task"]]
    result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
    # `apply` has already run the task here; reading its result never waits. Celery's guard
    # against waiting inside a task is one process-wide flag that threads sending eager tasks
    # at once (a threaded server's receivers) can leave set, so it is not consulted.
    return result.get(disable_sync_subtasks=False)


class EmbeddedScheduler(threading.Thread):
    """Runs due beat entries every `tick` seconds in a daemon thread."""

    def __init__(self, app: Flask, tick: float = 5.0) -> None:
        super().__init__(name="deltacrown-scheduler", daemon=True)
        self.app = app
        self.tick = tick
        self.stopped = threading.Event()
        self.last_run: dict[str, datetime] = {}

    def run(self) -> None:
        started = utcnow()
        for name in beat_schedule():
            self.last_run[name] = started
        while not self.stopped.wait(self.tick):
            self.run_due()

    def run_due(self) -> None:
        for name, entry in beat_schedule().items():
            schedule = maybe_schedule(entry["schedule"])
            is_due, _ = schedule.is_due(self.last_run.get(name, utcnow()))
            if not is_due:
                continue
            self.last_run[name] = utcnow()
            try:
                run_job(self.app, name)
            except Exception:
                log.exception("periodic job %s failed", name)

    def stop(self) -> None:
        self.stopped.set()


def start_embedded_scheduler(app: Flask) -> EmbeddedScheduler | None:
    """Start the thread once per process (not under TESTING, not with a real broker)."""
    if app.testing or app.config.get("CELERY_BROKER_URL"):
        return None
    if not app.config.get("EMBEDDED_SCHEDULER"):
        return None
    existing = app.extensions.get("deltacrown_scheduler")
    if existing is not None:
        return existing
    scheduler = EmbeddedScheduler(app)
    scheduler.start()
    app.extensions["deltacrown_scheduler"] = scheduler
    return scheduler
