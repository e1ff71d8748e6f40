"""GET /api/tournaments/upcoming/ and /api/tournaments/by-game/{game_id}/."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import utcnow
from tests.discovery.conftest import names
from tests.helpers import assert_problem

UPCOMING = "/api/tournaments/upcoming/"


def by_game(game_id):
    return f"/api/tournaments/by-game/{game_id}/"


def test_upcoming_is_open_registration_or_a_start_within_30_days_soonest_first(client, tourney):
    tourney("Open Far", status="registration_open", start_in_days=90)
    tourney("Published Soon", start_in_days=10)
    tourney("Closed Sooner", status="registration_closed", start_in_days=3)
    tourney("Published Far", start_in_days=45)
    tourney("Draft Soon", status="draft", start_in_days=2)
    tourney("Cancelled Soon", status="cancelled", start_in_days=2)
    tourney("Private Soon", start_in_days=2, visibility="private")
    assert names(client.get(UPCOMING)) == ["Closed Sooner", "Published Soon", "Open Far"]


def test_upcoming_window_follows_days_and_time(client, tourney):
    tourney("In Ten Days", start_in_days=10)
    tourney("In Forty Days", start_in_days=40)
    assert names(client.get(UPCOMING, query_string={"days": 5})) == []
    assert names(client.get(UPCOMING, query_string={"days": 60})) == [
        "In Ten Days",
        "In Forty Days",
    ]
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        # Ten days on, one has started (its time is past) and the other is within 30 days.
        assert names(client.get(UPCOMING)) == ["In Forty Days"]
    assert_problem(client.get(UPCOMING, query_string={"days": 0}), 422, "validation_error")


def test_upcoming_takes_the_filters(client, tourney):
    tourney("Valorant Soon", start_in_days=3)
    tourney("CS Soon", start_in_days=4, game="cs2")
    assert names(client.get(UPCOMING, query_string={"game": "cs2"})) == ["CS Soon"]


def test_by_game_lists_a_games_listed_tournaments(client, tourney):
    tourney("Valorant One")
    tourney("Valorant Two", status="registration_open")
    tourney("Valorant Draft", status="draft")
    cs = tourney("CS One", game="cs2")
    game_id = client.get(f"/api/tournaments/{cs}/").get_json()["game"]["id"]
    assert names(client.get(by_game(game_id))) == ["CS One"]
    valorant = client.get("/api/games/valorant/").get_json()["id"]
    assert names(client.get(by_game(valorant), query_string={"ordering": "name"})) == [
        "Valorant One",
        "Valorant Two",
    ]
    assert names(client.get(by_game(valorant), query_string={"status": "registration_open"})) == [
        "Valorant Two"
    ]


def test_by_game_unknown_game_is_404(client):
    assert_problem(client.get(by_game(9999)), 404, "game_not_found")


def test_by_game_takes_the_games_slug_as_well_as_its_id(client, tourney):
    tourney("Football Night", game="efootball")
    tourney("Valorant Night")
    assert names(client.get(by_game("efootball"))) == ["Football Night"]
    assert names(client.get(by_game("eFootball"))) == ["Football Night"]
    assert_problem(client.get(by_game("no-such-game")), 404, "game_not_found")


def test_by_game_is_not_captured_by_the_tournament_route(client):
    assert client.get("/api/tournaments/search").status_code == 308
