"""Webhook endpoints (register, change, rotate the secret, remove) and deliveries (create
them for an event, claim and record each attempt, replay).

Services only flush; the request, task or command around them commits. Deliveries start
after the commit (`after_commit`), so nothing goes out for a change that was rolled back.
One attempt is three steps, each its own short unit of work in `tasks.deliver`, because the
HTTP call must not hold a transaction (SQLite's write lock) for up to 10 s:
`claim_attempt` → `sender.post` → `record_outcome`.
"""

from __future__ import annotations

import base64
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from deltacrown.core import audit
from deltacrown.core.db import table_of
from deltacrown.core.time import isoformat, utcnow
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament
from deltacrown.webhooks import breaker, dispatch, events, queries, safety, sender
from deltacrown.webhooks.errors import (
    DeliveryNotFoundError,
    EndpointDisabledError,
    UnknownTournamentError,
    UnsafeUrlError,
)
from deltacrown.webhooks.models import (
    OPEN_STATUSES,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

ROTATION_GRACE = timedelta(hours=24)
# A claimed attempt holds its delivery this long past the timeout before the sweep may
# consider it lost and try again.
CLAIM_LEASE_SLACK = timedelta(seconds=60)
BACKOFF_BASE_SECONDS = 30
BACKOFF_FACTOR = 4
BACKOFF_CAP_SECONDS = 10 * 3600
GONE = 410


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def timeout_seconds() -> float:
    return float(current_app.config.get("WEBHOOKS_TIMEOUT_SECONDS", 10))


def max_attempts() -> int:
    return int(current_app.config.get("WEBHOOKS_MAX_ATTEMPTS", 8))


def backoff(attempts: int, *, jitter: float | None = None) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s × 4^(n-1), at most 10 h, ±20 % jitter
    (eight attempts span about a day)."""
    base = min(BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(0, attempts - 1), BACKOFF_CAP_SECONDS)
    spread = random.uniform(0.8, 1.2) if jitter is None else jitter  # noqa: S311 (not security)
    return timedelta(seconds=base * spread)


def _check_tournaments(owner_id: int, tournament_ids: list[int]) -> list[int]:
    wanted = sorted(set(tournament_ids))
    if not wanted:
        return []
    found = {
        t.id: t for t in db.session.scalars(sa.select(Tournament).where(Tournament.id.in_(wanted)))
    }
    foreign = [i for i in wanted if i not in found or owner_id not in found[i].organizer_ids]
    if foreign:
        raise UnknownTournamentError(
            "An endpoint can follow only tournaments you organize.",
            errors={"tournament_ids": [f"Not one of your tournaments: {foreign}"]},
        )
    return wanted


def create_endpoint(
    owner: Any, *, url: str, events: list[str], tournament_ids: list[int], description: str
) -> WebhookEndpoint:
    """Register a receiver for `owner`'s tournaments. Raises UnsafeUrlError (422) for a URL
    the server may not call, UnknownTournamentError (422) for a tournament they don't
    organize. The returned endpoint's `secret` is shown to the owner once."""
    safety.check_url(url)
    endpoint = WebhookEndpoint(
        owner_id=owner.id,
        url=url,
        events=sorted(set(events)),
        tournament_ids=_check_tournaments(owner.id, tournament_ids),
        description=description,
        secret=new_secret(),
        is_active=True,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        action="webhook_endpoint.created", actor=owner, target=endpoint, after={"url": url}
    )
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, actor: Any, changes: dict[str, Any]) -> Any:
    """Change the URL, events, tournaments, description, or switch it on/off (switching on
    clears the reason it was switched off)."""
    if "url" in changes:
        safety.check_url(changes["url"])
        endpoint.url = changes["url"]
    if "events" in changes:
        endpoint.events = sorted(set(changes["events"]))
    if "tournament_ids" in changes:
        endpoint.tournament_ids = _check_tournaments(endpoint.owner_id, changes["tournament_ids"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if "is_active" in changes:
        endpoint.is_active = changes["is_active"]
        if endpoint.is_active:
            endpoint.disabled_reason = None
    db.session.flush()
    audit.record(
        action="webhook_endpoint.updated",
        actor=actor,
        target=endpoint,
        after={"fields": sorted(changes)},
    )
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
    """A new secret signs from now on; the old one also signs for 24 h."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = utcnow() + ROTATION_GRACE
    endpoint.secret = new_secret()
    db.session.flush()
    audit.record(action="webhook_endpoint.secret_rotated", actor=actor, target=endpoint)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, actor: Any) -> None:
    audit.record(
        action="webhook_endpoint.deleted",
        actor=actor,
        target=endpoint,
        before={"url": endpoint.url},
    )
    db.session.delete(endpoint)
    db.session.flush()


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > utcnow():
        keys.append(endpoint.previous_secret)
    return keys


def _queue(
    endpoint: WebhookEndpoint, payload: dict[str, Any], *, message_id: str | None = None
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=message_id or new_message_id(),
        event_type=payload["type"],
        payload=payload,
        status=DeliveryStatus.PENDING,
        attempts=0,
        # If the task that should start it is lost, the sweep starts it after this.
        next_attempt_at=utcnow() + timedelta(seconds=timeout_seconds()) + CLAIM_LEASE_SLACK,
    )
    db.session.add(delivery)
    db.session.flush()
    after_commit(dispatch.enqueue_delivery, delivery.id)
    return delivery


def message(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": isoformat(utcnow()), "data": data}


Planned = list[tuple[int, dict[str, Any]]]  # (endpoint id, message) per delivery to make


def plan_fan_out(event_type: str, tournament_id: int | None, ids: dict[str, Any]) -> Planned:
    """The deliveries an event makes (reads only): one per endpoint that wants `event_type`
    for this tournament. Most events have no subscriber, so the caller can skip the write. An
    event of no tournament (a payout made outside one) has no endpoint to go to.

    When a tournament starts, its matches that are already ready (the first round, created
    ready with the bracket, so no status change announces them) are sent as `match.ready`
    too; later matches become ready by a status change of their own."""
    if tournament_id is None:  # a task queued before the receivers stopped starting these
        return []
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is None:
        return []
    organizers = tournament.organizer_ids
    wanted = [(event_type, ids)]
    if event_type == events.TOURNAMENT_EVENTS["ongoing"]:
        wanted += [("match.ready", {"match_id": m}) for m in queries.ready_match_ids(tournament_id)]
    planned: Planned = []
    for kind, kind_ids in wanted:
        endpoints = queries.subscribed_endpoints(kind, organizers, tournament_id)
        if endpoints:
            payload = message(kind, events.build_data(kind, tournament_id, kind_ids))
            planned += [(endpoint.id, payload) for endpoint in endpoints]
    return planned


def queue_planned(planned: Planned) -> list[int]:
    """Write the planned deliveries; each starts after the commit."""
    created = []
    for endpoint_id, payload in planned:
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is not None and endpoint.is_active:
            created.append(_queue(endpoint, payload).id)
    return created


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `ping` message to the endpoint, whatever events it follows."""
    if not endpoint.is_active:
        raise EndpointDisabledError(_disabled_detail(endpoint))
    return _queue(endpoint, message(events.PING, {"endpoint_id": endpoint.id}))


def replay(delivery: WebhookDelivery, actor: Any) -> WebhookDelivery:
    """Send a delivery's message again, as a new delivery with the same `webhook-id`."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise EndpointDisabledError(_disabled_detail(endpoint))
    copy = _queue(endpoint, dict(delivery.payload), message_id=delivery.message_id)
    copy.replay_of_id = delivery.id
    audit.record(
        action="webhook_delivery.replayed", actor=actor, target=delivery, after={"copy": copy.id}
    )
    return copy


def _disabled_detail(endpoint: WebhookEndpoint) -> str:
    reason = endpoint.disabled_reason or "it was switched off"
    return f"Endpoint {endpoint.id} is disabled ({reason}); switch it on first."


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    endpoint_id: int
    number: int
    url: str
    message_id: str
    secrets: list[str]
    body: bytes


def claim_attempt(delivery_id: int) -> Attempt | None:
    """Take the next attempt of a delivery that is due, or None: already settled, not due
    yet, taken by another worker, its endpoint off, or held by an open breaker (then it waits
    until the breaker lets a probe through, without using up an attempt)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status not in OPEN_STATUSES:
        return None
    now = utcnow()
    due = delivery.next_attempt_at
    if delivery.attempts and due is not None and due > now:
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.error = "endpoint disabled"
        db.session.flush()
        return None
    allowed, wait = breaker.try_pass(endpoint.id)
    if not allowed:
        delivery.next_attempt_at = now + timedelta(seconds=max(wait, 1.0))
        db.session.flush()
        return None
    lease = now + timedelta(seconds=timeout_seconds()) + CLAIM_LEASE_SLACK
    table = table_of(WebhookDelivery)
    taken = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == delivery.id,
            table.c.attempts == delivery.attempts,
            table.c.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .values(attempts=delivery.attempts + 1, next_attempt_at=lease, last_attempt_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return Attempt(
        delivery.id,
        endpoint.id,
        delivery.attempts + 1,
        endpoint.url,
        delivery.message_id,
        signing_secrets(endpoint),
        sender.encode(delivery.payload),
    )


def send(attempt: Attempt) -> sender.Outcome:
    """The HTTP part of an attempt (no database): the URL is checked again first."""
    try:
        safety.check_url(attempt.url)
    except UnsafeUrlError as exc:
        return sender.Outcome(None, None, 0, f"url refused: {exc.detail}"[:255])
    headers = sender.headers_for(attempt.secrets, attempt.message_id, utcnow(), attempt.body)
    outcome = sender.post(attempt.url, attempt.body, headers, timeout=timeout_seconds())
    breaker.report(attempt.endpoint_id, outcome.ok)
    return outcome


def record_outcome(attempt: Attempt, outcome: sender.Outcome) -> WebhookDelivery:
    """Write what the attempt got and decide what follows: done, retry later (5xx, 408,
    429, timeout, connection error, until the last attempt), or give up (any other answer;
    410 Gone also switches the endpoint off)."""
    delivery = db.session.get_one(WebhookDelivery, attempt.delivery_id)
    delivery.response_status = outcome.status
    delivery.response_body = outcome.body
    delivery.latency_ms = outcome.latency_ms
    delivery.error = outcome.error
    refused = outcome.error is not None and outcome.error.startswith("url refused")
    if outcome.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
    elif outcome.retryable and not refused and attempt.number < max_attempts():
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = utcnow() + backoff(attempt.number)
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    if outcome.status == GONE:
        endpoint = delivery.endpoint
        endpoint.is_active = False
        endpoint.disabled_reason = "the receiver answered 410 Gone"
    db.session.flush()
    return delivery


def replay_by_id(delivery_id: int, actor: Any) -> WebhookDelivery:
    """`replay` for staff tools that hold only the id."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise DeliveryNotFoundError(f"No webhook delivery {delivery_id}")
    return replay(delivery, actor)
