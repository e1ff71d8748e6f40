"""Fault probes in server mode: a dependency fails while the app is serving.

* Redis (a server this test starts on its own port) stops mid-test: the API keeps answering
  with rate limits in memory, and /readiness says `degraded`.
* The database stops taking connections mid-test: the API answers 503 `service_unavailable`
  with Retry-After (never a 500), and once it is back the app serves again with every row
  committed before the outage.
* A Celery worker process is killed mid-task: the task goes back to the queue and a worker
  runs it to the end (`task_acks_late`, `task_reject_on_worker_lost` in celeryconfig.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.app import MIGRATIONS_DIR, create_app
from tests.helpers import assert_problem

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A throwaway redis-server on a free local port, no persistence."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self._answers, 10, "redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("server mode only (TEST_DATABASE_URL=postgresql...)")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def own_database(database_url: str) -> Iterator[str]:
    """A database of this test's own (committed data, connections it may cut), migrated."""
    if not database_url.startswith("postgresql"):
        pytest.skip("server mode only (TEST_DATABASE_URL=postgresql...)")
    url = sa.make_url(database_url)
    name = f"{url.database}_fault_{os.getpid()}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    own = url.set(database=name).render_as_string(hide_password=False)
    yield own
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def migrated_app(database_url: str, tmp: Path, **overrides: Any) -> Any:
    from flask_migrate import upgrade

    from deltacrown.extensions import db

    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, STORAGE_ROOT=str(tmp), **overrides
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    return app


def test_redis_stopping_mid_test_leaves_the_api_serving_and_readiness_degraded(
    redis_server: RedisServer, tmp_path: Path, app: Any
) -> None:
    from deltacrown.extensions import limiter

    served = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        STORAGE_ROOT=str(tmp_path),
        REDIS_URL=redis_server.url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_DEFAULT="1000/minute",
    )
    client = served.test_client()
    try:
        assert client.get("/api/games/").status_code == 200
        assert client.get("/readiness").get_json()["status"] == "ok"
        redis_server.stop()
        for _ in range(5):
            response = client.get("/api/games/")
            assert response.status_code == 200, response.get_data(as_text=True)
        login = client.post("/api/auth/login/", json={"login": "nobody", "password": "wrong-pw"})
        assert_problem(login, 401, "invalid_credentials")
        readiness = client.get("/readiness")
        assert readiness.status_code == 200
        assert readiness.get_json()["status"] == "degraded"
    finally:
        limiter._storage_dead = False  # one limiter per process: revive it for the next test


def test_database_going_away_is_503_with_retry_after_and_nothing_committed_is_lost(
    own_database: str, tmp_path: Path
) -> None:
    served = migrated_app(own_database, tmp_path)
    client = served.test_client()
    body = {"username": "survivor", "email": "survivor@example.test",
            "password": "Tr1cky-Horse-Staple"}  # fmt: skip
    assert client.post("/api/auth/register/", json=body).status_code == 201
    name = sa.make_url(own_database).database
    admin = sa.create_engine(
        sa.make_url(own_database).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
    try:
        for response in (
            client.get("/api/games/"),
            client.get("/api/tournaments/1/"),
            client.post("/api/auth/login/", json={"login": "survivor", "password": "x" * 12}),
        ):
            assert_problem(response, 503, "service_unavailable")
            assert response.headers["Retry-After"].isdigit()
        assert client.get("/healthz").status_code == 200
        assert_problem(client.get("/readiness"), 503)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()
    login = client.post(
        "/api/auth/login/", json={"login": "survivor", "password": body["password"]}
    )
    assert login.status_code == 200, login.get_data(as_text=True)
    with served.app_context():
        from deltacrown.extensions import db

        db.engine.dispose()


def start_worker(broker: str, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "PROBE_DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.probes.fault_worker:celery", "worker",
         "--pool", "prefork", "--concurrency", "1", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)


def test_a_worker_process_killed_mid_task_gives_the_task_back_and_it_completes(
    redis_server: RedisServer, own_database: str, tmp_path: Path
) -> None:
    import celeryconfig

    assert celeryconfig.task_acks_late and celeryconfig.task_reject_on_worker_lost
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "worker.log"
    os.environ["PROBE_DATABASE_URL"] = own_database
    os.environ["CELERY_BROKER_URL"] = redis_server.url
    try:
        from celery import Celery

        sender = Celery("probe-sender", broker=redis_server.url)
        sender.config_from_object("celeryconfig")
        sender.conf.update(broker_url=redis_server.url, task_always_eager=False)
        sender.send_task("probes.slow_mark", args=[str(marks), 60])
    finally:
        del os.environ["PROBE_DATABASE_URL"], os.environ["CELERY_BROKER_URL"]
    worker = start_worker(redis_server.url, own_database, log)
    try:
        wait_until(lambda: any(marks.glob("started-*")), 60, f"the task to start ({log})")
        [started] = list(marks.glob("started-*"))
        os.kill(int(started.name.split("-")[1]), signal.SIGKILL)  # the process running it
        wait_until((marks / "done").exists, 60, f"the task to run again and finish ({log})")
    finally:
        stop_worker(worker)
    assert len(list(marks.glob("started-*"))) == 2  # delivered twice
    assert len((marks / "done").read_text().split()) == 1  # finished once
