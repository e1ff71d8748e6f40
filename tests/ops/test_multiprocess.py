"""Multiprocess metrics: two gunicorn workers share PROMETHEUS_MULTIPROC_DIR, and a scrape
answered by either of them reports the requests both served; the broker's queue depth and
oldest waiting message are read from Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.live import support

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60  # a guard for a loaded machine, not a timing assertion
HEALTHZ = {"method": "GET", "route": "/healthz", "status": "2xx"}


@pytest.fixture
def redis_url(is_postgres: bool) -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not is_postgres or not url:
        pytest.skip("needs PostgreSQL and Redis (TEST_DATABASE_URL and TEST_REDIS_URL)")
    return url


def get(url: str, timeout: float = 30) -> str:
    """A GET that waits for a worker still loading the app (its connection is queued)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (local server)
        assert response.status == 200
        return str(response.read().decode())


def healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "deltacrown_http_requests_total" and sample.labels == HEALTHZ:
                return float(sample.value)
    return 0.0


@pytest.fixture
def two_workers(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn with two gthread workers on a free port, its multiprocess directory."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"")  # a previous run's file: the master clears it
    env = support.server_env(
        database_url, redis_url, f"ops-{uuid.uuid4().hex}", PROMETHEUS_MULTIPROC_DIR=str(directory)
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "-w", "2"]
            + ["-b", "127.0.0.1:0", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield wait_ready(process, log), directory
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_ready(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        text = log.read_text()
        if "Listening at: http://" in text:
            port = text.split("Listening at: http://")[1].split()[0].rsplit(":", 1)[1]
            try:  # /readiness, not /healthz: the test counts /healthz requests
                get(f"http://127.0.0.1:{port}/readiness", timeout=2)
                return f"http://127.0.0.1:{port}"
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def writer_pids(directory: Path) -> set[str]:
    return {path.stem.rsplit("_", 1)[1] for path in directory.glob("counter_*.db")}


def test_a_scrape_on_any_worker_reports_the_requests_of_both(two_workers):
    base, directory = two_workers
    served = 0
    # New connections spread over the workers; stop once both have counted requests.
    while served < 200 and (served < 10 or len(writer_pids(directory)) < 2):
        get(f"{base}/healthz")
        served += 1
    assert len(writer_pids(directory)) == 2, "one worker served every request"
    assert "1" not in writer_pids(directory)  # the master emptied the directory on start
    counts = {healthz_count(get(f"{base}/metrics")) for _ in range(6)}
    assert counts == {float(served)}


def test_the_broker_queue_depth_and_oldest_message_age_come_from_redis(redis_url: str):
    from celery import Celery

    from deltacrown.core import task_metrics

    queue = f"ops-test-{uuid.uuid4().hex[:8]}"
    publisher = Celery("ops-test", broker=redis_url)
    task_metrics.connect()
    collector = task_metrics.BrokerCollector(redis_url, [queue])
    try:
        publisher.send_task("core.beat_heartbeat", queue=queue)
        publisher.send_task("core.beat_heartbeat", queue=queue)
        samples = {
            (s.name, s.labels.get("queue")): s.value
            for family in collector.collect()
            for s in family.samples
        }
    finally:
        collector.client.delete(queue)
        publisher.close()
    assert samples[("deltacrown_broker_up", None)] == 1
    assert samples[("deltacrown_celery_queue_depth", queue)] == 2
    assert 0 < samples[("deltacrown_celery_queue_oldest_age_seconds", queue)] < 60


def test_an_unreachable_broker_is_reported_down_without_failing_the_scrape():
    from deltacrown.core import task_metrics

    collector = task_metrics.BrokerCollector("redis://127.0.0.1:1/0", ["celery"])
    families = list(collector.collect())
    assert [(f.name, f.samples[0].value) for f in families] == [("deltacrown_broker_up", 0.0)]
