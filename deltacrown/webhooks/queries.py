"""Reading endpoints and deliveries: an owner sees only their own (staff see all)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.webhooks.errors import DeliveryNotFoundError, EndpointNotFoundError
from deltacrown.webhooks.models import OPEN_STATUSES, WebhookDelivery, WebhookEndpoint


def _sees_all(actor: Any) -> bool:
    return bool(actor is not None and (actor.is_staff or actor.is_superuser))


def list_endpoints(actor: Any) -> sa.Select[Any]:
    query = sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if not _sees_all(actor):
        query = query.where(WebhookEndpoint.owner_id == actor.id)
    return query


def get_endpoint(endpoint_id: int, actor: Any) -> WebhookEndpoint:
    """The endpoint, if `actor` owns it (or is staff); 404 otherwise."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not (_sees_all(actor) or endpoint.owner_id == actor.id):
        raise EndpointNotFoundError(f"No webhook endpoint {endpoint_id} of yours")
    return endpoint


def list_deliveries(endpoint_id: int) -> sa.Select[Any]:
    return sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)


def get_delivery(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise DeliveryNotFoundError(f"No delivery {delivery_id} for endpoint {endpoint.id}")
    return delivery


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Deliveries waiting for an attempt whose time has come (retries, held by the breaker,
    or never started because their task was lost)."""
    query = (
        sa.select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status.in_(OPEN_STATUSES),
            WebhookDelivery.next_attempt_at <= utcnow(),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def subscribed_endpoints(event_type: str, organizer_ids: set[int], tournament_id: int) -> list[Any]:
    """Active endpoints of the tournament's organizers that want `event_type` for it."""
    if not organizer_ids:
        return []
    query = sa.select(WebhookEndpoint).where(
        WebhookEndpoint.is_active.is_(True), WebhookEndpoint.owner_id.in_(organizer_ids)
    )
    return [
        endpoint
        for endpoint in db.session.scalars(query.order_by(WebhookEndpoint.id))
        if event_type in (endpoint.events or [])
        and (not endpoint.tournament_ids or tournament_id in endpoint.tournament_ids)
    ]


def ready_match_ids(tournament_id: int) -> list[int]:
    query = sa.select(Match.id).where(
        Match.tournament_id == tournament_id, Match.status == MatchStatus.READY
    )
    return list(db.session.scalars(query.order_by(Match.id)))
