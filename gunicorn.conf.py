"""gunicorn reads this file from the working directory on its own (its default `--config`).

With PROMETHEUS_MULTIPROC_DIR set (docs/monitoring.md), the master empties the directory
before starting its workers, and a worker that exits stops counting in the live gauges
(open websocket connections), so `/metrics` on any worker reports the whole server. The
master itself never imports the app.

Each worker, once it has built the app, moves the objects it holds (modules, mappers,
schemas, the OpenAPI document, built first: over half a million) out of the garbage collector's
generations (`gc.freeze`): they live as long as the worker, and a full collection walked
every one of them, about 0.2 s of CPU with the worker's threads waiting, every few dozen
requests. Collections now walk what requests make.
"""

import gc
import glob
import os
import sys


def on_starting(server):  # noqa: ARG001  (gunicorn's hook signature)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)


def child_exit(server, worker):  # noqa: ARG001
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # The OpenAPI document is built when first read (deltacrown.core.api.Api): build it now,
    # before the freeze, rather than in the worker's first request for it.
    built = sys.modules.get("deltacrown.core.api_document")
    app = getattr(worker, "wsgi", None)
    if built is not None and "flask-smorest" in getattr(app, "extensions", {}):
        built.api_of(app).spec  # noqa: B018
    gc.collect()
    gc.freeze()
