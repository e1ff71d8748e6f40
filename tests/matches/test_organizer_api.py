"""The organizer's result routes are one implementation: `/override-result/` from the games,
and the older `/result/`, `/correction/preview/` and `/correction/` (deprecated in the
OpenAPI document) from the winner and scores; each keeps the lifecycle in step."""

from __future__ import annotations

import pytest

from tests.brackets_api.conftest import won_by
from tests.matches.conftest import REASON

DEPRECATED = (
    "/api/matches/{match_id}/result/",
    "/api/matches/{match_id}/correction/preview/",
    "/api/matches/{match_id}/correction/",
)
CURRENT = (
    "/api/matches/{match_id}/override-result/",
    "/api/tournaments/{tournament_id}/lobbies/{number}/games/",
)


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def test_the_older_result_routes_are_deprecated_and_the_current_ones_are_not(spec):
    for path in DEPRECATED:
        assert spec["paths"][path]["post"].get("deprecated") is True, path
    for path in CURRENT:
        assert "deprecated" not in spec["paths"][path]["post"], path


def test_a_correction_on_the_older_route_resolves_the_open_dispute_as_an_override_does(
    started, m, api
):
    play = started(best_of=1)
    semi = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    m.live(semi)
    m.submit(semi, [(13, 9)], first.headers)
    m.confirm(semi, second.headers)
    dispute = m.dispute(semi, REASON, second.headers).get_json()["id"]
    loser_before = play.ids("W1.1")[1]
    match = m.get(semi).get_json()
    corrected = api.correction(semi, loser_before, scores=won_by(match, loser_before))
    assert corrected.status_code == 200, corrected.get_json()
    assert corrected.get_json()["applied"] is True
    settled = m.dispute_get(dispute).get_json()
    assert (settled["status"], settled["outcome"]) == ("resolved", "overturned")
    body = m.get(semi).get_json()
    assert body["winner_registration_id"] == loser_before
    assert body["open_dispute_id"] is None
    assert "result_corrected" in [e["type"] for e in m.events(semi).get_json()]


def test_a_result_and_an_override_leave_the_same_history(started, m, api):
    play = started(best_of=1)
    first, second = play.matches["W1.1"], play.matches["W1.2"]
    winner = play.ids("W1.1")[0]
    assert api.result(first["id"], winner, won_by(first, winner)).status_code == 200
    assert m.override(second["id"], [(13, 9)]).status_code == 200
    for match in (first, second):
        types = [e["type"] for e in m.events(match["id"]).get_json()]
        assert "result_overridden" in types, types
