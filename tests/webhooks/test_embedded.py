"""The embedded default (no broker, Celery in-process): deliveries run on the webhook thread
pool, so the request that caused one answers before the receiver does."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from deltacrown.app import create_app
from deltacrown.extensions import db
from tests.helpers import create_user
from tests.probes.test_faults import wait_until


def test_a_delivery_never_holds_up_the_request_that_caused_it(
    tmp_path: Path, receiver: Any
) -> None:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        BACKGROUND_INLINE=False,  # what the embedded default does outside tests
    )
    with app.app_context():
        db.create_all()
    owner = create_user(app)
    client = app.test_client()
    endpoint = client.post(
        "/api/webhooks/endpoints/",
        json={"url": receiver.url, "events": ["match.completed"]},
        headers=owner.headers,
    ).get_json()
    receiver.gate = threading.Event()  # the receiver does not answer until told
    try:
        ping = client.post(f"/api/webhooks/endpoints/{endpoint['id']}/test/", headers=owner.headers)
        assert ping.status_code == 202
        wait_until(lambda: receiver.received, 20, "the pool thread to send the ping")
        log = f"/api/webhooks/endpoints/{endpoint['id']}/deliveries/"
        [waiting] = client.get(log, headers=owner.headers).get_json()
        assert (waiting["status"], waiting["attempts"]) == ("pending", 1)  # still in flight
    finally:
        receiver.gate.set()

    def settled() -> bool:
        [row] = client.get(log, headers=owner.headers).get_json()
        return bool(row["status"] == "succeeded")

    wait_until(settled, 20, "the delivery to be recorded")
    app.extensions["deltacrown_webhooks_pool"].shutdown(wait=True)
    with app.app_context():
        db.engine.dispose()
