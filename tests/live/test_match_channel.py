"""Following a match live (issue 12): a best-of-3 played through the REST API reaches a
`websockets` follower as ordered events with gap-free `seq`; a follower that reconnects
resumes without missing anything; sides send `score.update` over the socket."""

from __future__ import annotations

from typing import Any

from tests.live.conftest import token_of


def seqs(frames: list[dict[str, Any]]) -> list[int]:
    return [f["seq"] for f in frames if "seq" in f]


def assert_gap_free(frames: list[dict[str, Any]], after: int) -> None:
    numbers = seqs(frames)
    assert numbers == list(range(after + 1, after + 1 + len(numbers))), numbers


def test_a_best_of_3_reaches_a_follower_in_order_with_gap_free_seq(started, m, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    watcher = follow(f"/ws/matches/{match_id}")  # anonymous: the cup is public
    hello = watcher.hello["data"]
    assert hello["channel"] == f"match:{match_id}"
    assert hello["heartbeat_interval"] == 25
    assert hello["is_participant"] is False and hello["user_id"] is None
    start = hello["last_seq"]

    assert m.start(match_id).status_code == 200
    for game, (a, b) in enumerate([(5, 3), (13, 9), (7, 13), (13, 4)], start=1):
        response = m.post(match_id, "score", first.headers, game=min(game, 3), p1=a, p2=b)
        assert response.status_code == 200, response.get_json()
    assert m.submit(match_id, [(13, 9), (7, 13), (13, 4)], first.headers).status_code == 200
    assert m.confirm(match_id, second.headers).status_code == 200

    frames = watcher.until("match.completed")
    assert_gap_free(frames, start)
    types = [f["type"] for f in frames]
    assert types[:2] == ["match.state_changed", "match.started"]
    assert frames[0]["data"]["from"] == "ready" and frames[0]["data"]["to"] == "live"
    scores = [f["data"] for f in frames if f["type"] == "match.score_updated"]
    assert [(s["game"], s["p1"], s["p2"]) for s in scores] == [
        (1, 5, 3), (2, 13, 9), (3, 7, 13), (3, 13, 4)
    ]  # fmt: skip
    assert scores[-1]["live_scores"] == [
        {"game": 1, "p1": 5, "p2": 3}, {"game": 2, "p1": 13, "p2": 9},
        {"game": 3, "p1": 13, "p2": 4},
    ]  # fmt: skip
    assert types.index("match.result_submitted") < types.index("match.completed")
    changes = [(f["data"]["from"], f["data"]["to"]) for f in frames if f["type"] == types[0]]
    assert changes == [
        ("ready", "live"), ("live", "awaiting_confirmation"), ("awaiting_confirmation", "completed")
    ]  # fmt: skip
    assert all(f["ts"].endswith("Z") for f in frames)
    body = m.get(match_id).get_json()
    assert body["status"] == "completed" and len(body["live_scores"]) == 3


def test_the_tournament_channel_carries_match_and_bracket_events(started, m, follow, organizer):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    watcher = follow(f"/ws/tournaments/{play.cup.id}", token=token_of(organizer))
    assert watcher.hello["data"]["is_organizer"] is True
    start = watcher.hello["data"]["last_seq"]
    m.live(match_id)
    m.submit(match_id, [(13, 9), (13, 4)], first.headers)
    m.confirm(match_id, second.headers)
    frames = watcher.until("bracket.updated")
    assert_gap_free(frames, start)
    types = [f["type"] for f in frames]
    assert {"match.state_changed", "match.result_submitted", "match.completed"} <= set(types)
    assert all(f["data"]["match_id"] == match_id for f in frames if f["type"].startswith("match."))


def test_a_dispute_is_announced(started, m, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    m.live(match_id)
    m.submit(match_id, [(13, 9), (13, 4)], first.headers)
    watcher = follow(f"/ws/matches/{match_id}")
    reason = "The scoreboard shows we won the second map."
    assert m.dispute(match_id, reason, second.headers).status_code == 201
    frames = watcher.until("match.disputed")
    changed = [f for f in frames if f["type"] == "match.state_changed"]
    assert changed and changed[-1]["data"]["to"] == "disputed"


def test_a_follower_that_reconnects_resumes_without_missing_anything(started, m, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    m.live(match_id)
    watcher = follow(f"/ws/matches/{match_id}")
    m.post(match_id, "score", first.headers, game=1, p1=1, p2=0)
    seen = watcher.next()["seq"]
    watcher.close()

    for p1 in (2, 3, 4):  # missed while away
        assert m.post(match_id, "score", first.headers, game=1, p1=p1, p2=0).status_code == 200
    back = follow(f"/ws/matches/{match_id}")
    assert back.hello["data"]["last_seq"] == seen + 3
    back.send(type="resume", after_seq=seen)
    replayed = back.events(3)
    assert seqs(replayed) == [seen + 1, seen + 2, seen + 3]
    assert [f["data"]["p1"] for f in replayed] == [2, 3, 4]
    assert back.next() == {"type": "resumed", "data": {"after_seq": seen, "replayed": 3}}
    m.post(match_id, "score", first.headers, game=1, p1=5, p2=0)
    live = back.next()
    assert live["seq"] == seen + 4 and live["data"]["p1"] == 5


def test_a_resume_older_than_the_kept_events_asks_for_a_resync(app, started, follow):
    from deltacrown.core import realtime

    play = started()
    match_id = play.matches["W1.1"]["id"]
    watcher = follow(f"/ws/matches/{match_id}")
    first_seq = watcher.hello["data"]["last_seq"]
    with app.app_context():
        for n in range(realtime.HISTORY + 5):
            realtime.publish_now(f"match:{match_id}", "test.flood", {"n": n})
        last = realtime.last_seq(f"match:{match_id}")
    watcher.send(type="resume", after_seq=first_seq)
    frames = watcher.until("resync_required")
    assert frames[-1] == {"type": "resync_required", "data": {"last_seq": last}}
    watcher.send(type="resume", after_seq=last + 10)  # ahead of the channel (counter reset)
    assert watcher.until("resync_required")[-1]["type"] == "resync_required"


def test_a_side_sends_score_updates_over_the_socket(started, m, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    m.live(match_id)
    spectator = follow(f"/ws/matches/{match_id}")
    player = follow(f"/ws/matches/{match_id}", token=token_of(first))
    assert player.hello["data"]["is_participant"] is True
    assert player.hello["data"]["registration_id"] == play.ids("W1.1")[0]

    player.send(type="score.update", game=1, p1=4, p2=2)
    for follower in (spectator, player):
        event = follower.next()
        assert event["type"] == "match.score_updated"
        assert (event["data"]["game"], event["data"]["p1"], event["data"]["p2"]) == (1, 4, 2)
        assert event["data"]["updated_by"] == first.id
    assert m.get(match_id).get_json()["live_scores"] == [{"game": 1, "p1": 4, "p2": 2}]


def test_a_bad_score_update_answers_an_error_and_publishes_nothing(started, m, follow, stranger):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    spectator = follow(f"/ws/matches/{match_id}")
    player = follow(f"/ws/matches/{match_id}", token=token_of(first))
    outsider = follow(f"/ws/matches/{match_id}", token=token_of(stranger))

    player.send(type="score.update", game=1, p1=1, p2=0)  # not live yet
    error = player.next()
    assert error["type"] == "error" and error["code"] == "invalid_transition"
    m.live(match_id)
    spectator.until("match.started")
    player.until("match.started")

    player.send(type="score.update", game=4, p1=1, p2=0)  # best of 3
    error = player.next()
    assert error["code"] == "validation_error" and "game" in error["errors"]
    player.send(type="score.update", game=1, p1=-1)
    error = player.next()
    assert error["code"] == "validation_error" and set(error["errors"]) == {"p1", "p2"}
    outsider.until("match.started")
    outsider.send(type="score.update", game=1, p1=1, p2=0)
    assert outsider.next()["code"] == "forbidden"
    spectator.send(type="score.update", game=1, p1=1, p2=0)
    assert spectator.next()["code"] == "authentication_required"
    assert spectator.quiet()  # none of that was broadcast
    assert m.get(match_id).get_json()["live_scores"] == []

    bad = m.post(match_id, "score", first.headers, game=0, p1=1, p2=0)
    assert bad.status_code == 422
    assert m.post(match_id, "score", stranger.headers, game=1, p1=1, p2=0).status_code == 403
    assert spectator.quiet()


def test_ping_answers_pong_and_unknown_messages_answer_an_error(started, follow):
    play = started()
    watcher = follow(f"/ws/matches/{play.matches['W1.1']['id']}")
    watcher.send(type="ping")
    assert watcher.next() == {"type": "pong"}
    watcher.send(type="dance")
    assert watcher.next()["code"] == "unknown_type"
    watcher.conn.send("not json")
    assert watcher.next()["code"] == "invalid_json"
    watcher.send(type="resume", after_seq="x")
    assert watcher.next()["code"] == "invalid_message"


def test_a_resume_beyond_any_sequence_number_is_an_error_and_the_socket_goes_on(started, follow):
    play = started()
    watcher = follow(f"/ws/matches/{play.matches['W1.1']['id']}")
    for after_seq in (2**64, 2**70):  # beyond a Redis stream id
        watcher.send(type="resume", after_seq=after_seq)
        assert watcher.next()["code"] == "invalid_message"
    watcher.send(type="ping")
    assert watcher.next() == {"type": "pong"}


def test_an_anonymous_follower_may_authenticate_later_to_send_scores(started, m, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, _ = play.sides("W1.1")
    m.live(match_id)
    watcher = follow(f"/ws/matches/{match_id}")
    assert watcher.hello["data"]["user_id"] is None
    watcher.send(type="auth", token=token_of(first))
    reply = watcher.next()
    assert reply["type"] == "authenticated"
    assert reply["data"]["user_id"] == first.id and reply["data"]["is_participant"] is True
    watcher.send(type="score.update", game=1, p1=2, p2=2)
    assert watcher.next()["type"] == "match.score_updated"


def test_tournament_state_changes_reach_its_followers(cup, client, organizer, follow):
    c = cup(4)
    watcher = follow(f"/ws/tournaments/{c.id}")
    assert watcher.hello["data"]["status"] == "registration_closed"
    response = client.post(
        f"/api/tournaments/{c.id}/cancel/",
        json={"reason": "The venue is flooded."},
        headers=organizer.headers,
    )
    assert response.status_code == 200, response.get_json()
    event = watcher.until("tournament.state_changed")[-1]
    assert event["data"] == {
        "tournament_id": c.id, "from": "registration_closed", "to": "cancelled",
        "status": "cancelled",
    }  # fmt: skip
