"""Flask-Admin for webhooks: staff see endpoints (breaker state, no secrets) and deliveries,
and the replay action goes through the service."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.helpers import sign_in_admin
from tests.teams.test_admin import flashes, run_action

ENDPOINTS, DELIVERIES = "/admin/admin_webhooks/", "/admin/admin_webhook_deliveries/"


def test_staff_see_endpoints_without_secrets_and_replay_a_delivery(
    app: Any, client: Any, staff: Any, make_user: Any
) -> None:
    from deltacrown.extensions import db
    from deltacrown.webhooks.models import WebhookDelivery

    owner = make_user()
    endpoint = client.post(
        "/api/webhooks/endpoints/",
        json={"url": "http://127.0.0.1:9/hook", "events": ["match.completed"]},
        headers=owner.headers,
    ).get_json()
    ping = client.post(
        f"/api/webhooks/endpoints/{endpoint['id']}/test/", headers=owner.headers
    ).get_json()
    sign_in_admin(client, staff.id)

    listing = client.get(ENDPOINTS)
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "127.0.0.1:9/hook" in page and "closed" in page
    detail = client.get(f"{ENDPOINTS}details/?id={endpoint['id']}").get_data(as_text=True)
    assert endpoint["secret"] not in page + detail
    assert client.get(DELIVERIES).status_code == 200

    response = run_action(client, DELIVERIES, "replay", [ping["id"]])
    assert response.status_code == 302
    assert "Queued 1 replay(s)." in flashes(client)
    with app.app_context():
        copies = db.session.scalars(
            sa.select(WebhookDelivery).where(WebhookDelivery.replay_of_id == ping["id"])
        ).all()
        assert [c.message_id for c in copies] == [ping["message_id"]]


def test_webhook_admin_is_for_staff_only(client: Any, user: Any) -> None:
    sign_in_admin(client, user.id)
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403
