"""The match room: its members (sides, organizers, staff) read and write it over REST and the
match socket; spectators neither see nor receive it; staff hide a message; a mute silences
messages and nothing else."""

from __future__ import annotations

from tests.helpers import assert_problem
from tests.live.conftest import token_of


def room(match_id):
    return f"/api/matches/{match_id}/chat/"


def test_members_talk_and_read_newest_first_others_may_not(client, started, organizer, stranger):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    outsider = play.sides("W1.2")[0]
    for who, text in ((first, "glhf"), (second, "  gl hf  "), (organizer, "Start at 8.")):
        response = client.post(room(match_id), json={"text": text}, headers=who.headers)
        assert response.status_code == 201, response.get_json()
    assert response.get_json()["author"] == {"id": organizer.id, "username": organizer.username}
    listed = client.get(room(match_id), query_string={"limit": 1}, headers=second.headers)
    assert [m["text"] for m in listed.get_json()] == ["Start at 8."]
    older = client.get(
        room(match_id),
        query_string={"cursor": listed.headers["X-Next-Cursor"]},
        headers=first.headers,
    )
    assert [(m["author"]["id"], m["text"]) for m in older.get_json()] == [
        (second.id, "gl hf"), (first.id, "glhf")
    ]  # fmt: skip
    for who in (outsider, stranger):
        assert_problem(client.get(room(match_id), headers=who.headers), 403, "forbidden")
        assert_problem(
            client.post(room(match_id), json={"text": "hi"}, headers=who.headers), 403, "forbidden"
        )
    assert_problem(client.get(room(match_id)), 401)


def test_only_members_on_the_socket_receive_the_room(client, started, follow, staff):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    side = follow(f"/ws/matches/{match_id}", token=token_of(second))
    spectator = follow(f"/ws/matches/{match_id}")  # anonymous: the cup is public
    talker = follow(f"/ws/matches/{match_id}", token=token_of(first))
    talker.send(type="chat.send", text="  gg\x00 wp  ")
    [said] = [f for f in side.until("chat.message") if f["type"] == "chat.message"]
    assert said["data"]["text"] == "gg wp" and said["data"]["author"]["id"] == first.id
    assert "room_seq" in said and "seq" not in said
    assert talker.until("chat.message")[-1]["data"]["id"] == said["data"]["id"]
    hidden = client.post(f"{room(match_id)}{said['data']['id']}/hide/", headers=staff.headers)
    assert hidden.status_code == 200
    assert side.until("chat.hidden")[-1]["data"] == {"id": said["data"]["id"]}
    assert spectator.quiet()
    assert client.get(room(match_id), headers=first.headers).get_json() == []


def test_messages_are_checked_limited_and_silenced_by_a_mute_only(
    client, started, follow, m, sanction
):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    first = play.sides("W1.1")[0]
    talker = follow(f"/ws/matches/{match_id}", token=token_of(first))
    for text in ("x" * 501, "\x01\x02"):
        talker.send(type="chat.send", text=text)
        assert talker.until("error")[-1]["code"] == "validation_error"

    for n in range(5):
        sent = client.post(room(match_id), json={"text": f"m{n}"}, headers=first.headers)
        assert sent.status_code == 201
    response = client.post(room(match_id), json={"text": "six"}, headers=first.headers)
    assert assert_problem(response, 429, "chat_rate_limited")["retry_after_ms"] == 10000

    sanction(type="mute", scope="chat", user_id=first.id)
    muted = assert_problem(
        client.post(room(match_id), json={"text": "hey"}, headers=first.headers), 403, "muted"
    )
    assert muted["reason_code"] == "muted" and muted["appeal"].endswith("/appeal/")
    assert client.get(room(match_id), headers=first.headers).status_code == 200
    assert m.post(match_id, "check-in", first.headers).status_code == 200
