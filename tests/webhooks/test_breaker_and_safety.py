"""The circuit breaker (opens after 5 failures in 2 minutes, half-open after 60 s, one probe)
and the SSRF guard (https only and public addresses only outside development)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.webhooks import breaker, safety, services
from deltacrown.webhooks.errors import UnsafeUrlError
from deltacrown.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.webhooks.conftest import make_endpoint, run_deliver
from tests.webhooks.test_delivery import queue_ping

RULES = breaker.Settings(failures=5, window=120, open_seconds=60)


def failures(state: breaker.State, times: list[float]) -> breaker.State:
    for at in times:
        state = breaker.record(state, False, at, RULES)
    return state


def test_breaker_opens_after_five_failures_within_the_window() -> None:
    state = failures(breaker.fresh(), [0, 10, 20, 30])
    assert breaker.current(state, 30, RULES) == breaker.CLOSED
    state = failures(state, [40])
    assert breaker.current(state, 40, RULES) == breaker.OPEN
    assert breaker.allow(state, 99, RULES)[0] is False


def test_failures_spread_beyond_the_window_do_not_open_it() -> None:
    state = failures(breaker.fresh(), [0, 30, 60, 90, 121])
    assert breaker.current(state, 121, RULES) == breaker.CLOSED


def test_a_success_takes_one_failure_off() -> None:
    state = failures(breaker.fresh(), [0, 1, 2, 3])
    state = breaker.record(state, True, 4, RULES)
    state = failures(state, [5])
    assert breaker.current(state, 5, RULES) == breaker.CLOSED


def test_half_open_lets_one_probe_through_and_its_result_decides() -> None:
    opened = failures(breaker.fresh(), [0, 1, 2, 3, 4])
    assert breaker.current(opened, 64, RULES) == breaker.HALF_OPEN
    allowed, probing = breaker.allow(opened, 64, RULES)
    assert allowed
    assert breaker.allow(probing, 65, RULES)[0] is False  # one probe at a time
    assert breaker.current(breaker.record(probing, True, 66, RULES), 66, RULES) == breaker.CLOSED
    reopened = breaker.record(probing, False, 66, RULES)
    assert breaker.current(reopened, 100, RULES) == breaker.OPEN
    assert breaker.current(reopened, 126, RULES) == breaker.HALF_OPEN


@pytest.mark.usefixtures("fresh_breakers")
def test_an_open_breaker_holds_deliveries_until_the_probe_after_60_seconds(
    organizer: Any, receiver: Any
) -> None:
    endpoint = make_endpoint(organizer, receiver.url)
    receiver.default = 500
    failed = [queue_ping(endpoint) for _ in range(5)]
    held = queue_ping(endpoint)
    for delivery_id in failed:
        run_deliver(delivery_id)
    assert breaker.state_of(endpoint.id) == breaker.OPEN

    run_deliver(held)

    assert len(receiver.received) == 5  # the sixth was not sent
    delivery = db.session.get(WebhookDelivery, held)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.next_attempt_at > utcnow() + timedelta(seconds=50)

    receiver.default = 200
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        assert breaker.state_of(endpoint.id) == breaker.HALF_OPEN
        run_deliver(held)
        assert breaker.state_of(endpoint.id) == breaker.CLOSED
    assert db.session.get(WebhookDelivery, held).status == DeliveryStatus.SUCCEEDED


@pytest.mark.postgres
def test_the_breaker_state_is_shared_through_redis_in_server_mode(app: Any) -> None:
    if not app.config.get("REDIS_URL"):
        pytest.skip("server mode only (TEST_REDIS_URL)")
    with app.app_context():
        app.extensions.pop("deltacrown_webhook_breakers", None)
        store = breaker.store()
        assert isinstance(store, breaker.RedisStore)
        endpoint_id = 2_000_000_000
        try:
            for _ in range(5):
                breaker.report(endpoint_id, False)
            other_worker = breaker.RedisStore(store.client, store.prefix)
            assert breaker.current(other_worker.read(endpoint_id), utcnow().timestamp(), RULES) == (
                breaker.OPEN
            )
            assert breaker.try_pass(endpoint_id)[0] is False
        finally:
            store.client.delete(store.key(endpoint_id))
            app.extensions.pop("deltacrown_webhook_breakers", None)


def test_an_unreachable_breaker_store_lets_deliveries_through(app_ctx: Any) -> None:
    import redis

    class Down:
        def read(self, *args: Any) -> Any:
            raise redis.ConnectionError("down")

        update = read

    app_ctx.extensions["deltacrown_webhook_breakers"] = Down()
    try:
        assert breaker.try_pass(7) == (True, 0.0)
        breaker.report(7, False)
        assert breaker.state_of(7) == breaker.UNKNOWN
    finally:
        app_ctx.extensions.pop("deltacrown_webhook_breakers")


def resolver(*addresses: str) -> Any:
    return lambda host, port: list(addresses)


@pytest.fixture
def production_rules(app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",  # noqa: S104 (an address refused, nothing binds)
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_urls_resolving_to_inside_addresses_are_refused(
    app_ctx: Any, production_rules: None, address: str
) -> None:
    with pytest.raises(UnsafeUrlError):
        safety.check_url("https://hooks.example.com/x", resolver=resolver("93.184.216.34", address))


def test_a_public_https_url_is_accepted_and_http_is_refused(
    app_ctx: Any, production_rules: None
) -> None:
    safety.check_url("https://hooks.example.com/x", resolver=resolver("93.184.216.34"))
    for url in ("http://hooks.example.com/x", "ftp://hooks.example.com", "https://u:p@h.com/"):
        with pytest.raises(UnsafeUrlError):
            safety.check_url(url, resolver=resolver("93.184.216.34"))


def test_a_host_that_does_not_resolve_is_refused(app_ctx: Any, production_rules: None) -> None:
    with pytest.raises(UnsafeUrlError):
        safety.check_url("https://does-not-exist.invalid/hook")


def test_development_and_testing_allow_local_http_receivers(app_ctx: Any) -> None:
    safety.check_url("http://127.0.0.1:8000/hook")


@pytest.mark.usefixtures("fresh_breakers")
def test_the_url_is_checked_again_at_delivery(
    organizer: Any, receiver: Any, production_rules: None, monkeypatch: Any, app: Any
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)
    endpoint = make_endpoint(organizer, receiver.url)
    delivery_id = queue_ping(endpoint)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)  # now it is refused

    run_deliver(delivery_id)

    assert receiver.received == []
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error.startswith("url refused")
    assert services.signing_secrets(endpoint) == [endpoint.secret]
