"""The games catalogue: seeded games, ETags, sparse fieldsets, pagination."""

import json

import pytest

from tests.helpers import assert_problem

SEEDED = {
    "valorant": (5, "score", "riot_id"),
    "cs2": (5, "score", "steam_id64"),
    "dota2": (5, "score", "steam_id64"),
    "efootball": (1, "score", "konami_id"),
    "ea-fc": (1, "score", "ea_id"),
    "pubg-mobile": (4, "placement_points", "ign_uid"),
    "free-fire": (4, "placement_points", "ign_uid"),
    "codm": (5, "score", "ign_uid"),
    "mlbb": (5, "score", "mlbb_uid_zone"),
}


def test_the_migration_seeds_the_supported_games(client):
    response = client.get("/api/games/?page_size=100")
    assert response.status_code == 200
    games = {g["slug"]: g for g in response.get_json()}
    assert set(games) == set(SEEDED)
    for slug, (size, shape, rule) in SEEDED.items():
        assert games[slug]["team_size"] == size
        assert games[slug]["result_shape"] == shape
        assert games[slug]["player_id"]["key"] == rule
    assert games["efootball"]["has_draws"] is True


def test_games_list_is_paginated_with_header(client):
    response = client.get("/api/games/?page=2&page_size=4")
    assert len(response.get_json()) == 4
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 9 and meta["total_pages"] == 3 and meta["page"] == 2


def test_page_past_the_end_is_an_empty_list(client):
    response = client.get("/api/games/?page=50")
    assert response.status_code == 200
    assert response.get_json() == []


def test_page_size_over_100_is_422(client):
    body = assert_problem(client.get("/api/games/?page_size=101"), 422, "validation_error")
    assert "page_size" in body["errors"]


def test_filter_by_result_shape(client):
    slugs = {g["slug"] for g in client.get("/api/games/?result_shape=placement_points").get_json()}
    assert slugs == {"pubg-mobile", "free-fire"}


def test_get_game_by_slug_and_id_with_weak_etag(client):
    by_slug = client.get("/api/games/valorant/")
    assert by_slug.status_code == 200
    etag = by_slug.headers["ETag"]
    assert etag == 'W/"1"'
    by_id = client.get(f"/api/games/{by_slug.get_json()['id']}/")
    assert by_id.get_json()["slug"] == "valorant"


def test_conditional_get_with_current_etag_is_304_without_body(client):
    etag = client.get("/api/games/cs2/").headers["ETag"]
    response = client.get("/api/games/cs2/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert client.get("/api/games/cs2/", headers={"If-None-Match": 'W/"999"'}).status_code == 200


def test_unknown_game_is_404_problem(client):
    assert_problem(client.get("/api/games/tetris/"), 404, "game_not_found")


def test_fields_trims_list_and_item(client):
    games = client.get("/api/games/?fields=id,slug").get_json()
    assert games and all(set(g) == {"id", "slug"} for g in games)
    item = client.get("/api/games/valorant/?fields=name").get_json()
    assert item == {"name": "Valorant"}


def test_fields_with_unknown_name_is_422(client):
    body = assert_problem(client.get("/api/games/?fields=id,secret"), 422, "validation_error")
    assert "fields" in body["errors"]


@pytest.mark.parametrize("ref", ["9223372036854775808", "99999999999999999999", "2147483648", "²"])
def test_a_game_ref_that_is_no_possible_id_is_not_found(client, ref):
    for path in (f"/api/games/{ref}/", f"/api/games/{ref}/config-schema/"):
        assert_problem(client.get(path), 404, "game_not_found")
