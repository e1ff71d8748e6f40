"""Websocket fan-out: events go out only after commit, numbered per channel, to every process."""

import os
import time
import uuid
from typing import Any

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


def _brokers() -> list[Any]:
    """A memory broker, and a Redis one when TEST_REDIS_URL is set; both keep 3 events."""
    found: list[Any] = [realtime.MemoryBroker(realtime.Hub(), history=3)]
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        found.append(realtime.RedisBroker(realtime.Hub(), url, history=3))
    return found


def _forget(broker: Any, channel: str) -> None:
    if isinstance(broker, realtime.RedisBroker):
        broker.client.delete(
            f"{realtime.REDIS_PREFIX}seq:{channel}", f"{realtime.REDIS_PREFIX}st:{channel}"
        )
    broker.close()


def test_history_answers_the_kept_events_after_a_seq_or_asks_for_a_resync():
    for broker in _brokers():
        channel = f"match:h{uuid.uuid4().hex[:8]}"
        try:
            assert broker.history(channel, 0) == []  # nothing yet, nothing missed
            sent = [broker.publish(channel, "e", {"n": n}) for n in range(5)]
            assert [m["seq"] for m in sent] == [1, 2, 3, 4, 5]
            assert broker.last_seq(channel) == 5
            assert broker.history(channel, 5) == []
            assert broker.history(channel, 3) == sent[3:]
            assert broker.history(channel, 2) == sent[2:]  # the oldest kept is seq 3
            assert broker.history(channel, 1) is None  # seq 2 is no longer kept
            assert broker.history(channel, 6) is None  # ahead of the channel
        finally:
            _forget(broker, channel)


def test_history_and_live_delivery_carry_the_same_message():
    for broker in _brokers():
        channel = f"match:s{uuid.uuid4().hex[:8]}"
        if isinstance(broker, realtime.RedisBroker):
            broker.ensure_listening()
            time.sleep(0.3)
        sub = broker.hub.subscribe(channel)
        try:
            sent = broker.publish(channel, "match.score_updated", {"p1": 1, "nested": {"a": [1]}})
            assert sub.get(timeout=2) == sent == broker.history(channel, 0)[0]
            assert sent["ts"].endswith("Z") and sent["data"] == {"p1": 1, "nested": {"a": [1]}}
        finally:
            sub.close()
            _forget(broker, channel)


def test_a_slow_subscriber_loses_events_to_its_full_inbox_and_is_told():
    hub = realtime.Hub()
    woken: list[int] = []
    sub = hub.subscribe("match:slow", notify=lambda: woken.append(1))
    for n in range(sub.queue.maxsize + 2):
        hub.deliver("match:slow", {"seq": n + 1})
    assert sub.overflowed and sub.queue.qsize() == sub.queue.maxsize
    assert len(woken) == sub.queue.maxsize + 2


def test_state_changes_in_one_unit_of_work_are_announced_once(app_ctx):
    emitted: list[tuple[str, str]] = []
    with unit_of_work():
        realtime.publish_transition("match:9", "ready", "live", lambda a, b: emitted.append((a, b)))
        realtime.publish_transition("match:9", "live", "completed", lambda a, b: None)
        realtime.publish_transition("match:8", "live", "ready", lambda a, b: emitted.append((a, b)))
        realtime.publish_transition("match:8", "ready", "live", lambda a, b: emitted.append((a, b)))
    assert emitted == [("ready", "completed")]  # match 8 went back where it was
    with pytest.raises(RuntimeError), unit_of_work():
        realtime.publish_transition(
            "match:9", "completed", "ready", lambda a, b: emitted.append((a, b))
        )
        raise RuntimeError("rolled back")
    with unit_of_work():
        realtime.publish_transition("match:9", "ready", "live", lambda a, b: emitted.append((a, b)))
    assert emitted == [("ready", "completed"), ("ready", "live")]


def test_connection_slots_are_limited_per_user_across_processes():
    from deltacrown.core.ws_limits import Slots

    url = os.environ.get("TEST_REDIS_URL")
    clients = [None]
    if url:
        import redis

        clients.append(redis.Redis.from_url(url))
    for client in clients:
        one, two = Slots(client), Slots(client)  # two processes share Redis
        user = int(uuid.uuid4().int % 10**9)
        if client is None:
            two = one  # in memory there is one process
        try:
            assert [one.acquire(user, f"a{n}", 3) for n in range(2)] == [True, True]
            assert two.acquire(user, "b0", 3) is True
            assert two.acquire(user, "b1", 3) is False
            one.release(user, "a0")
            assert two.acquire(user, "b1", 3) is True
            one.refresh(user, "a1")
        finally:
            if client is not None:
                client.delete(f"{realtime.REDIS_PREFIX}conns:{user}")


def test_redis_forgets_a_quiet_channel_after_the_retention():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    broker = realtime.RedisBroker(realtime.Hub(), url)
    channel = f"match:r{uuid.uuid4().hex[:8]}"
    try:
        broker.publish(channel, "e", {})
        for kind in ("seq", "st"):
            ttl = broker.client.ttl(f"{realtime.REDIS_PREFIX}{kind}:{channel}")
            assert 0 < ttl <= realtime.RETENTION_SECONDS
    finally:
        _forget(broker, channel)


def test_a_status_set_on_a_new_row_that_already_has_an_id_announces_nothing(app_ctx):
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match, MatchStatus
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    subs = [realtime.subscribe(name) for name in ("match:5", "match:6", "tournament:7")]
    try:
        with unit_of_work():
            Match(id=5, status=MatchStatus.READY).status = MatchStatus.LIVE
            late = Match()
            late.id = 6
            late.status = "ready"
            late.status = MatchStatus.LIVE
            pending = Tournament(id=7, status=TournamentStatus.DRAFT)
            db.session.add(pending)
            pending.status = TournamentStatus.PUBLISHED
            db.session.expunge(pending)  # never stored: nothing to announce
        assert [sub.get(timeout=0.1) for sub in subs] == [None, None, None]
    finally:
        for sub in subs:
            sub.close()


def test_a_stored_row_whose_status_was_not_loaded_announces_the_change_from_its_stored_status(
    app, user
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament, TournamentStatus
    from tests.factories import make_tournament

    tournament_id = make_tournament(app, user.id)
    with app.app_context():
        sub = realtime.subscribe(f"tournament:{tournament_id}")
        try:
            tournament = db.session.get(Tournament, tournament_id)
            db.session.expire(tournament)  # as after a commit: the status is read on demand
            with unit_of_work():
                tournament.status = TournamentStatus.PUBLISHED
            event = sub.get(timeout=1)
            assert event is not None and event["type"] == "tournament.state_changed"
            assert event["data"]["from"] == "draft" and event["data"]["to"] == "published"
        finally:
            sub.close()
            db.session.remove()


@pytest.fixture
def redis_broker(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Redis broker standing in for the app's, recording the pipelines it opens."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    broker = realtime.RedisBroker(realtime.Hub(), url)
    broker.pipelines = []
    real_pipeline = broker.client.pipeline

    def pipeline(**options: Any) -> Any:
        broker.pipelines.append(options)
        return real_pipeline(**options)

    monkeypatch.setattr(broker.client, "pipeline", pipeline)
    monkeypatch.setattr(realtime, "broker", lambda: broker)
    channels: list[str] = []
    broker.channels = channels
    yield broker
    for channel in channels:
        _forget_keys(broker, channel)
    broker.close()


def _forget_keys(broker: Any, channel: str) -> None:
    broker.client.delete(
        f"{realtime.REDIS_PREFIX}seq:{channel}", f"{realtime.REDIS_PREFIX}st:{channel}"
    )


def test_a_commits_live_events_leave_for_redis_in_one_round_trip_in_order(app_ctx, redis_broker):
    match, tournament = f"match:t{uuid.uuid4().hex[:8]}", f"tournament:t{uuid.uuid4().hex[:8]}"
    redis_broker.channels += [match, tournament]
    with unit_of_work():
        for n in range(3):
            realtime.publish(match, "match.score_updated", {"n": n})
        realtime.publish(tournament, "bracket.updated", {"n": 9})
    assert len(redis_broker.pipelines) == 1
    kept = redis_broker.history(match, 0)
    assert [(m["seq"], m["data"]["n"]) for m in kept] == [(1, 0), (2, 1), (3, 2)]
    assert [m["data"] for m in redis_broker.history(tournament, 0)] == [{"n": 9}]


def test_held_events_are_published_one_by_one_when_redis_lost_the_script(app_ctx, redis_broker):
    channel = f"match:n{uuid.uuid4().hex[:8]}"
    redis_broker.channels.append(channel)
    redis_broker._script.sha = "0" * 40  # as after a SCRIPT FLUSH or a new Redis server
    with unit_of_work():
        realtime.publish(channel, "e", {"n": 1})
        realtime.publish(channel, "e", {"n": 2})
    assert [m["data"]["n"] for m in redis_broker.history(channel, 0)] == [1, 2]


def test_outside_a_commits_effects_an_event_is_published_at_once(app_ctx, redis_broker):
    channel = f"match:o{uuid.uuid4().hex[:8]}"
    redis_broker.channels.append(channel)
    sent = realtime.publish_now(channel, "e", {"n": 1})
    assert sent is not None and sent["seq"] == 1
    assert redis_broker.pipelines == []
