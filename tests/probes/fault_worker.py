"""A Celery app for the killed-worker fault test: the project's app and celeryconfig, plus one
probe task that announces itself, dawdles, and then records that it finished.

Run by tests/probes/test_faults.py as `celery -A tests.probes.fault_worker:celery worker`,
with PROBE_DATABASE_URL and CELERY_BROKER_URL in the environment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task

from deltacrown.app import create_app

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["PROBE_DATABASE_URL"],
    CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
)
celery = app.extensions["celery"]


@shared_task(name="probes.slow_mark")
def slow_mark(directory: str, seconds: float) -> None:
    """Write `started-<pid>`, sleep on the first delivery only, then append the pid to `done`."""
    folder = Path(directory)
    first = not any(folder.glob("started-*"))
    (folder / f"started-{os.getpid()}").write_text("started")
    if first:
        time.sleep(seconds)
    with (folder / "done").open("a") as done:
        done.write(f"{os.getpid()}\n")
