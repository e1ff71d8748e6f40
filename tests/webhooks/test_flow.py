"""A cup played through the API sends the organizer's endpoint every event it follows, each
signed so `standardwebhooks` verifies it."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks import Webhook

from deltacrown.webhooks.events import EVENT_TYPES
from tests.brackets_api.conftest import api, organizer  # noqa: F401  (fixtures)
from tests.matches.conftest import _session_celery, any_cup, cup, m, started  # noqa: F401
from tests.teams.conftest import make_player  # noqa: F401  (fixture used by `started`)


@pytest.mark.usefixtures("fresh_breakers")
def test_a_cup_played_through_the_api_sends_signed_events(
    client: Any,
    organizer: Any,  # noqa: F811
    started: Any,  # noqa: F811
    m: Any,  # noqa: F811
    receiver: Any,
) -> None:
    endpoint = client.post(
        "/api/webhooks/endpoints/",
        json={"url": receiver.url, "events": list(EVENT_TYPES)},
        headers=organizer.headers,
    ).get_json()
    play = started(n=4, best_of=1)
    match_id = play.matches["W1.1"]["id"]
    player, opponent = play.sides("W1.1")
    m.live(match_id)
    m.submit(match_id, [(13, 9)], player.headers)
    m.submit(match_id, [(9, 13)], opponent.headers)  # the sides disagree: a dispute
    overridden = m.override(match_id, [(13, 9)], reason="Checked the recording")
    assert overridden.status_code == 200, overridden.get_json()

    bodies = [Webhook(endpoint["secret"]).verify(r.body, r.headers) for r in receiver.received]
    types = [body["type"] for body in bodies]
    assert types[:3] == ["tournament.started", "match.ready", "match.ready"]  # the first round
    assert types[3:] == ["match.disputed", "dispute.resolved", "match.completed"]
    assert all(body["data"]["tournament_id"] == play.cup.id for body in bodies)
    [disputed] = [body for body in bodies if body["type"] == "match.disputed"]
    assert disputed["data"]["match"]["id"] == match_id
