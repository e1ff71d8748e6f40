"""Webhook deliveries per second through real Celery workers, and event-to-delivery latency.

    .venv/bin/python bench/webhooks.py [--events 300] [--workers 1 4]

A throwaway redis-server is the broker; the database is a temporary SQLite file, or a
temporary PostgreSQL database next to TEST_DATABASE_URL when that is set (dropped at the end).
A local receiver (a threaded HTTP server in this process) verifies every signature with the
`standardwebhooks` package and notes when each message arrived.

For each worker count (`celery worker --pool prefork --concurrency N`) the script commits
`--events` test events to one endpoint as fast as it can, one unit of work each (the same
path as `POST /api/webhooks/endpoints/{id}/test/`: the delivery row is written and the
delivery task queued after the commit), then waits for every message to arrive. It prints:

- deliveries/s: events / (last arrival - first commit);
- p50 / p99 / max ms from an event's commit to its arrival at the receiver;
- the baseline beside them: the same number of signed POSTs sent by one plain loop in this
  process (no database, no broker), the ceiling the workers are measured against.

Everything runs on this machine (2 CPUs shared with the receiver and the sender), so the
figures compare worker counts; they are not a capacity claim for other hardware.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from standardwebhooks import Webhook  # noqa: E402

from deltacrown.app import MIGRATIONS_DIR, create_app  # noqa: E402


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: dict[str, float] = {}
        self.bad = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                arrived = time.perf_counter()
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    ok = True
                except Exception:
                    ok = False
                with receiver.lock:
                    if ok:
                        receiver.arrivals.setdefault(headers["webhook-id"], arrived)
                    else:
                        receiver.bad += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def baseline(receiver: Receiver, events: int) -> float:
    """Signed POSTs per second from one plain loop (no database, no broker)."""
    import requests

    from deltacrown.core.time import utcnow
    from deltacrown.webhooks import sender

    session = requests.Session()
    started = time.perf_counter()
    for n in range(events):
        body = sender.encode({"type": "ping", "timestamp": "", "data": {"n": n}})
        headers = sender.headers_for([receiver.secret], f"msg_base_{n}", utcnow(), body)
        sender.post(receiver.url, body, headers, timeout=10, session=session)
    return events / (time.perf_counter() - started)


def measure(
    app: Any, receiver: Receiver, endpoint_id: int, url: str, broker: str, workers: int, events: int
) -> tuple[float, list[float]]:
    """Start a worker with `workers` processes, commit `events` events, wait for them all."""
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.webhooks import services
    from deltacrown.webhooks.models import WebhookEndpoint

    env = {**os.environ, "BENCH_DATABASE_URL": url, "CELERY_BROKER_URL": broker,
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "webhooks_worker:celery", "worker",
         "--pool", "prefork", "--concurrency", str(workers), "--without-heartbeat",
         "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT / "bench", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    committed: dict[str, float] = {}

    def event() -> str:
        with app.app_context():
            with unit_of_work():
                delivery = services.send_test(db.session.get(WebhookEndpoint, endpoint_id))
                message_id = delivery.message_id
                committed[message_id] = time.perf_counter()  # the commit follows
            db.session.remove()
        return str(message_id)

    try:
        warm = event()  # the worker has booted once this one arrives
        wait_for(lambda: warm in receiver.arrivals, 120, "the worker to start")
        ids = [event() for _ in range(events)]
        wait_for(lambda: all(i in receiver.arrivals for i in ids), 600, "every delivery")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    first = min(committed[i] for i in ids)
    last = max(receiver.arrivals[i] for i in ids)
    return events / (last - first), [(receiver.arrivals[i] - committed[i]) * 1000 for i in ids]


def run(url: str, events: int, worker_counts: list[int], broker: str) -> None:
    from flask_migrate import upgrade

    from deltacrown.accounts.services import register_user
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.webhooks import services

    receiver = Receiver()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, CELERY_BROKER_URL=broker)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
    with app.app_context(), unit_of_work():
        owner = register_user(
            username="bench", email="bench@example.test", password=uuid.uuid4().hex
        )
        endpoint = services.create_endpoint(
            owner, url=receiver.url, events=["match.completed"], tournament_ids=[], description=""
        )
        receiver.secret, endpoint_id = endpoint.secret, endpoint.id
    name = sa.make_url(url).get_backend_name()
    base = baseline(receiver, events)
    receiver.arrivals.clear()
    for workers in worker_counts:
        rate, latencies = measure(app, receiver, endpoint_id, url, broker, workers, events)
        print(
            f"{name:<10} {workers} worker process(es): {rate:7.1f} deliveries/s"
            f"   event->delivery p50 {percentile(latencies, 0.5):6.1f} ms"
            f"  p99 {percentile(latencies, 0.99):7.1f} ms  max {max(latencies):7.1f} ms"
            f"   | baseline, one plain loop: {base:7.1f} POSTs/s   bad signatures {receiver.bad}"
        )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        redis = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",  # noqa: S607
             "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(0.5)
            broker = f"redis://127.0.0.1:{port}/0"
            base_url = os.environ.get("TEST_DATABASE_URL", "")
            if not base_url.startswith("postgresql"):
                run(f"sqlite:///{tmp}/bench.sqlite3", args.events, args.workers, broker)
                return
            url = sa.make_url(base_url)
            name = f"dc_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                target = url.set(database=name).render_as_string(hide_password=False)
                run(target, args.events, args.workers, broker)
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
        finally:
            redis.terminate()
            redis.wait(timeout=10)


if __name__ == "__main__":
    main()
