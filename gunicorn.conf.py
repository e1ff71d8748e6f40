"""gunicorn reads this file from the working directory on its own (its default `--config`).

With PROMETHEUS_MULTIPROC_DIR set (docs/monitoring.md), the master empties the directory
before starting its workers, and a worker that exits stops counting in the live gauges
(open websocket connections), so `/metrics` on any worker reports the whole server.
"""

import os


def on_starting(server):  # noqa: ARG001  (gunicorn's hook signature)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from deltacrown.core.metrics import clear_multiprocess_dir

        clear_multiprocess_dir()


def child_exit(server, worker):  # noqa: ARG001
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from deltacrown.core.metrics import mark_process_dead

        mark_process_dead(worker.pid)
