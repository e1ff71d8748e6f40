"""Deliveries end to end on a real local receiver: signed so `standardwebhooks` verifies them,
retried on 5xx and timeouts with backoff, stopped by a 4xx, switched off by 410, replayed,
signed with both secrets during a rotation, and never sent for a rolled-back change."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from deltacrown.core.time import utcnow
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.tournaments import services as tournament_services
from deltacrown.webhooks import services
from deltacrown.webhooks.models import DeliveryStatus, WebhookDelivery
from deltacrown.webhooks.tasks import retry_due_deliveries
from tests.factories import build_tournament
from tests.teams.conftest import make_player  # noqa: F401  (fixture)
from tests.webhooks.conftest import make_endpoint, run_deliver

pytestmark = pytest.mark.usefixtures("fresh_breakers")


def deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def queue_ping(endpoint: Any) -> int:
    """A delivery created and committed without starting it (the test starts attempts)."""
    delivery = services.send_test(endpoint)
    db.session.commit()
    from flask import g

    g.pop("ready_effects", None)  # not through a boundary: the test runs the attempts
    return delivery.id


def test_publishing_a_tournament_delivers_a_signed_event_the_receiver_verifies(
    organizer: Any, receiver: Any
) -> None:
    endpoint = make_endpoint(organizer, receiver.url, ["tournament.published"])
    tournament = build_tournament(organizer.id)
    db.session.commit()

    with unit_of_work():
        tournament_services.publish_tournament(tournament.id, actor=organizer)

    [request] = receiver.received
    body = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert body["type"] == "tournament.published"
    assert body["data"]["tournament_id"] == tournament.id
    assert body["data"]["tournament"]["slug"] == tournament.slug
    assert body["data"]["previous_status"] == "draft"
    assert request.headers["webhook-id"].startswith("msg_")
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    assert delivery.response_body == '{"received": true}'
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request.body, request.headers)


def test_only_the_organizers_endpoints_that_follow_the_event_and_tournament_receive_it(
    organizer: Any, make_user: Any, receiver: Any
) -> None:
    from deltacrown.accounts.models import User

    [organizer_id] = sa.inspect(organizer).identity
    stranger_id = make_user().id  # (ends the session: load the users again)
    organizer, stranger = db.session.get(User, organizer_id), db.session.get(User, stranger_id)
    tournament = build_tournament(organizer.id)
    other = build_tournament(organizer.id)
    make_endpoint(organizer, receiver.url, ["tournament.published"], tournament_ids=[other.id])
    make_endpoint(organizer, receiver.url, ["registration.created"])
    make_endpoint(stranger, receiver.url, ["tournament.published"])
    follower = make_endpoint(organizer, receiver.url, ["tournament.published"])

    with unit_of_work():
        tournament_services.publish_tournament(tournament.id, actor=organizer)

    assert [d.endpoint_id for d in deliveries()] == [follower.id]
    assert len(receiver.received) == 1


def test_a_registration_is_sent_with_public_fields_only(
    organizer: Any,
    receiver: Any,
    make_player: Any,  # noqa: F811
) -> None:
    from deltacrown.accounts.models import User
    from deltacrown.registrations import services as registration_services

    [organizer_id] = sa.inspect(organizer).identity
    player = make_player()  # (ends the session: load the organizer again)
    organizer = db.session.get(User, organizer_id)
    endpoint = make_endpoint(organizer, receiver.url, ["registration.created"])
    tournament = build_tournament(organizer_id, status="registration_open", participant_type="solo")
    db.session.commit()

    with unit_of_work():
        registration = registration_services.register(
            tournament.id,
            actor=db.session.get(User, player.id),
            invite_code=tournament.invite_code,
        )

    [request] = receiver.received
    body = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert body["type"] == "registration.created"
    assert body["data"]["registration"] == {
        "id": registration.id,
        "status": registration.status.value,
        "user_id": player.id,
        "team_id": None,
    }
    assert player.email.encode() not in request.body


def test_nothing_is_sent_for_a_change_that_rolls_back(organizer: Any, receiver: Any) -> None:
    make_endpoint(organizer, receiver.url, ["tournament.published"])
    tournament = build_tournament(organizer.id)
    db.session.commit()

    with pytest.raises(RuntimeError), unit_of_work():
        tournament_services.publish_tournament(tournament.id, actor=organizer)
        raise RuntimeError("the request failed after the change")

    assert receiver.received == []
    assert deliveries() == []


def test_a_500_is_retried_after_a_backoff_and_then_succeeds(organizer: Any, receiver: Any) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    delivery_id = queue_ping(endpoint)
    receiver.answer(500)

    assert run_deliver(delivery_id) == 500
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery.status == DeliveryStatus.RETRYING
    wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=23) <= wait <= timedelta(seconds=37)  # 30 s ± 20 % jitter
    assert run_deliver(delivery_id) is None  # not due yet: nothing sent
    assert len(receiver.received) == 1

    with time_machine.travel(utcnow() + timedelta(seconds=40), tick=False):
        with unit_of_work():
            assert retry_due_deliveries.run() == 1  # the sweep starts it (inline in tests)
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.SUCCEEDED,
        2,
        200,
    )
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


def test_a_delivery_whose_task_was_lost_is_started_by_the_sweep(
    organizer: Any, receiver: Any
) -> None:
    delivery_id = queue_ping(make_endpoint(organizer, receiver.url))  # its task never ran
    with unit_of_work():
        assert retry_due_deliveries.run() == 0  # not yet: its task may still be coming
    with time_machine.travel(utcnow() + timedelta(seconds=71), tick=False):
        with unit_of_work():
            assert retry_due_deliveries.run() == 1
    assert len(receiver.received) == 1
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery_id).status == DeliveryStatus.SUCCEEDED


def test_backoff_grows_exponentially_to_about_a_day_over_eight_attempts() -> None:
    waits = [services.backoff(n, jitter=1.0).total_seconds() for n in range(1, 8)]
    assert waits == [30, 120, 480, 1920, 7680, 30720, 36000]
    assert 18 * 3600 < sum(waits) < 30 * 3600


def test_the_eighth_failure_gives_up(organizer: Any, receiver: Any, app: Any) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    delivery_id = queue_ping(endpoint)
    receiver.default = 503
    db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(attempts=7)
    )
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        run_deliver(delivery_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 8)
    assert delivery.next_attempt_at is None


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_4xx_stops_at_once(organizer: Any, receiver: Any, status: int) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    delivery_id = queue_ping(endpoint)
    receiver.answer(status)

    run_deliver(delivery_id)

    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        1,
        None,
    )
    assert endpoint.is_active


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_are_retried(organizer: Any, receiver: Any, status: int) -> None:
    delivery_id = queue_ping(make_endpoint(organizer, receiver.url))
    receiver.answer(status)
    run_deliver(delivery_id)
    assert db.session.get(WebhookDelivery, delivery_id).status == DeliveryStatus.RETRYING


def test_410_gone_switches_the_endpoint_off(organizer: Any, receiver: Any) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    first = queue_ping(endpoint)
    second = queue_ping(endpoint)
    receiver.answer(410)

    run_deliver(first)
    run_deliver(second)

    db.session.refresh(endpoint)
    assert not endpoint.is_active
    assert "410" in endpoint.disabled_reason
    assert db.session.get(WebhookDelivery, second).status == DeliveryStatus.FAILED
    assert len(receiver.received) == 1


def test_a_timeout_is_retried(organizer: Any, receiver: Any, app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WEBHOOKS_TIMEOUT_SECONDS", 0.2)
    delivery_id = queue_ping(make_endpoint(organizer, receiver.url))
    receiver.answer(200, delay=0.6)

    assert run_deliver(delivery_id) is None

    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert (delivery.status, delivery.error) == (DeliveryStatus.RETRYING, "timeout")
    assert delivery.response_status is None


def test_a_connection_error_is_retried(organizer: Any, receiver: Any) -> None:
    endpoint = make_endpoint(organizer, "http://127.0.0.1:9/closed")
    delivery_id = queue_ping(endpoint)
    run_deliver(delivery_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.error.startswith("connection error")


def test_a_replay_sends_the_same_message_again_as_a_new_delivery(
    organizer: Any, receiver: Any
) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    original = queue_ping(endpoint)
    receiver.answer(400)
    run_deliver(original)

    with unit_of_work():
        copy = services.replay(db.session.get(WebhookDelivery, original), organizer)

    first, second = receiver.received
    assert json.loads(first.body) == json.loads(second.body)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    Webhook(endpoint.secret).verify(second.body, second.headers)
    copy = db.session.get(WebhookDelivery, copy.id)
    assert (copy.replay_of_id, copy.status) == (original, DeliveryStatus.SUCCEEDED)
    assert db.session.get(WebhookDelivery, original).status == DeliveryStatus.FAILED


def test_after_a_rotation_both_secrets_verify_for_24_hours_then_only_the_new_one(
    organizer: Any, receiver: Any
) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    old = endpoint.secret
    services.rotate_secret(endpoint, organizer)
    new = endpoint.secret
    assert new != old and new.startswith("whsec_")

    run_deliver(queue_ping(endpoint))
    [during] = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)

    with time_machine.travel(utcnow() + timedelta(hours=24, seconds=1), tick=False):
        run_deliver(queue_ping(endpoint))
        after = receiver.received[1]
        Webhook(new).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(after.body, after.headers)


def test_an_event_of_no_tournament_plans_no_delivery_and_looks_nothing_up(app: Any) -> None:
    """A payout made outside a tournament raises `payout.paid` with no tournament id: there is
    no organizer's endpoint to send it to (and no primary-key lookup of None)."""
    import warnings

    with app.app_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # SQLAlchemy warns on get(Model, None)
        assert services.plan_fan_out("payout.paid", None, {"payout_id": 7}) == []
        db.session.remove()


def test_a_payout_made_outside_a_tournament_starts_no_fan_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deltacrown.webhooks import dispatch, receivers

    started: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda name, **kw: started.append((name, kw)))
    receivers.on_payout_paid("payouts", payout_id=7, tournament_id=None, user_id=1)
    receivers.on_payout_paid("payouts", payout_id=8, tournament_id=3, user_id=1)
    assert [kw["ids"]["payout_id"] for _, kw in started] == [8]
