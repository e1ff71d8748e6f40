"""Server mode: a delivery goes through the broker to a real Celery worker process, which
signs and sends it to the receiver and records the outcome."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from tests.helpers import create_user
from tests.probes.test_faults import RedisServer, wait_until

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(tmp_path: Path, is_postgres: bool) -> Iterator[RedisServer]:
    if not is_postgres:
        pytest.skip("server mode only (TEST_DATABASE_URL=postgresql...)")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def start_worker(broker_url: str, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "WEBHOOK_TEST_DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.webhooks.celery_worker:celery", "worker",
         "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


def test_a_delivery_goes_through_the_broker_to_a_real_worker(
    broker: RedisServer, database_url: str, receiver: Any, tmp_path: Path
) -> None:
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.webhooks import services
    from deltacrown.webhooks.models import WebhookDelivery

    log = tmp_path / "worker.log"
    worker = start_worker(broker.url, database_url, log)  # it boots while the data is made
    sender = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL=broker.url
    )
    owner = create_user(sender)  # committed for real: the worker reads it
    try:
        with sender.app_context():
            with unit_of_work():
                endpoint = services.create_endpoint(
                    db.session.get(User, owner.id),
                    url=receiver.url,
                    events=["match.completed"],
                    tournament_ids=[],
                    description="worker test",
                )
            secret, endpoint_id = endpoint.secret, endpoint.id
            with unit_of_work():  # the delivery is queued on the broker after the commit
                delivery_id = services.send_test(endpoint).id
            db.session.remove()

        wait_until(lambda: receiver.received, 60, f"the worker to deliver ({log})")
        [request] = receiver.received
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "ping"

        def settled() -> Any:
            with sender.app_context():
                row = db.session.get(WebhookDelivery, delivery_id)
                status = row.status.value if row else None
                db.session.remove()
            return status == "succeeded"

        wait_until(settled, 30, f"the worker to record the outcome ({log})")
    finally:
        stop_worker(worker)
        with sender.app_context():
            db.session.execute(sa.text("DELETE FROM webhook_endpoints WHERE owner_id = :u"),
                               {"u": owner.id})  # fmt: skip
            db.session.execute(sa.text("DELETE FROM audit_entries WHERE actor_id = :u"),
                               {"u": owner.id})  # fmt: skip
            db.session.execute(sa.text("DELETE FROM users WHERE id = :u"), {"u": owner.id})
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    assert endpoint_id
