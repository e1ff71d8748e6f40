"""The live-channel follower without a socket: gap refill from the kept history, and a
failing handler answering an error instead of killing the connection."""

from __future__ import annotations

import json
import threading
from typing import Any

from deltacrown.core import realtime, ws


class FakeSocket:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.sent: list[dict[str, Any]] = []

    def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


def _follower(channel: str, **handlers: Any) -> tuple[ws.Follower, FakeSocket]:
    sock = FakeSocket()
    follower = ws.Follower(
        sock, ws.Channel(name=channel, route="test", check=lambda user: None, handlers=handlers)
    )
    return follower, sock


def test_a_gap_in_the_stream_is_refilled_from_the_history_in_order(app_ctx):
    follower, sock = _follower("match:gap")
    sent = [realtime.publish_now("match:gap", "e", {"n": n}) for n in range(4)]
    follower.last_sent = 1
    follower.forward(sent[3])  # seq 4 arrives while 2 and 3 were dropped
    assert [m["seq"] for m in sock.sent] == [2, 3, 4]
    follower.forward(sent[2])  # an old one is not sent twice
    assert [m["seq"] for m in sock.sent] == [2, 3, 4]


def test_a_gap_older_than_the_history_asks_for_a_resync(app_ctx):
    follower, sock = _follower("match:old")
    for n in range(realtime.HISTORY + 3):
        last = realtime.publish_now("match:old", "e", {"n": n})
    follower.last_sent = 1
    follower.forward(last)
    assert sock.sent[0] == {"type": "resync_required", "data": {"last_seq": last["seq"] - 1}}
    assert sock.sent[1]["seq"] == last["seq"]


def test_a_handler_that_fails_answers_an_internal_error(app_ctx, user):
    def broken(actor: Any, message: dict[str, Any]) -> None:
        raise RuntimeError("bug")

    follower, sock = _follower("match:bug", **{"do.it": broken})
    follower.user = user
    follower.handle(json.dumps({"type": "do.it"}))
    assert sock.sent == [
        {"type": "error", "code": "internal_error", "detail": "The message could not be processed."}
    ]
