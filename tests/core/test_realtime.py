"""Websocket fan-out: events go out only after commit, numbered per channel, to every process."""

import os
import time
import uuid

import pytest

from deltacrown.core import realtime
from deltacrown.core.transaction import unit_of_work


def test_events_are_delivered_after_commit_with_gap_free_seq(app_ctx):
    sub = realtime.subscribe("match:1")
    try:
        with unit_of_work():
            realtime.publish("match:1", "match.score_updated", {"score": [1, 0]})
            assert sub.get(timeout=0) is None  # nothing before the commit
        with unit_of_work():
            realtime.publish("match:1", "match.score_updated", {"score": [2, 0]})
        first, second = sub.get(timeout=1), sub.get(timeout=1)
        assert first["type"] == "match.score_updated" and first["data"] == {"score": [1, 0]}
        assert second["seq"] == first["seq"] + 1
        assert first["ts"].endswith("Z")
    finally:
        sub.close()


def test_a_rolled_back_unit_of_work_publishes_nothing(app_ctx):
    sub = realtime.subscribe("match:2")
    try:
        with pytest.raises(RuntimeError), unit_of_work():
            realtime.publish("match:2", "match.completed", {})
            raise RuntimeError("rolled back")
        assert sub.get(timeout=0.1) is None
    finally:
        sub.close()


def test_channels_are_separate_and_unsubscribe_stops_delivery(app_ctx):
    a, b = realtime.subscribe("tournament:1"), realtime.subscribe("tournament:2")
    realtime.publish_now("tournament:1", "tournament.updated", {"id": 1})
    assert a.get(timeout=1)["data"] == {"id": 1}
    assert b.get(timeout=0) is None
    a.close()
    realtime.publish_now("tournament:1", "tournament.updated", {"id": 1})
    assert a.get(timeout=0.1) is None
    b.close()
    assert realtime.broker().hub.subscriber_count("tournament:1") == 0


def test_redis_fan_out_reaches_every_process_hub():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    one, two = realtime.Hub(), realtime.Hub()
    broker_one, broker_two = realtime.RedisBroker(one, url), realtime.RedisBroker(two, url)
    channel = f"match:{uuid.uuid4().hex[:8]}"
    try:
        broker_one.ensure_listening()
        broker_two.ensure_listening()
        sub_one, sub_two = one.subscribe(channel), two.subscribe(channel)
        time.sleep(0.3)  # let both pattern subscriptions register
        sent = broker_one.publish(channel, "match.ready", {"n": 1})
        again = broker_two.publish(channel, "match.ready", {"n": 2})
        assert again["seq"] == sent["seq"] + 1  # one counter across processes
        for sub in (sub_one, sub_two):
            assert [sub.get(timeout=2)["data"]["n"], sub.get(timeout=2)["data"]["n"]] == [1, 2]
    finally:
        broker_one.client.delete(f"{realtime.REDIS_PREFIX}seq:{channel}")
        broker_one.close()
        broker_two.close()
