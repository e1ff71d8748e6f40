"""The current user's game profiles: per-game id rules, one per game, one owner per id."""

from tests.helpers import assert_problem

URL = "/api/me/game-profiles/"


def add(client, who, game, in_game_id):
    return client.post(URL, json={"game": game, "in_game_id": in_game_id}, headers=who.headers)


def test_add_profile_by_slug_or_id_normalises_the_id(client, user):
    response = add(client, user, "valorant", "Phoenix#euw1")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["game"] == "valorant"
    assert body["in_game_id"] == "Phoenix#EUW1"
    game_id = client.get("/api/games/cs2/").get_json()["id"]
    response = add(client, user, game_id, "76561198000000001")
    assert response.status_code == 201
    assert response.get_json()["game"] == "cs2"


def test_invalid_id_names_the_expected_shape(client, user):
    body = assert_problem(add(client, user, "mlbb", "12345"), 422, "invalid_game_id")
    assert "UID|Zone" in body["detail"]
    assert body["expected"].startswith("UID|Zone")
    assert "in_game_id" in body["errors"]


def test_unknown_game_is_404(client, user):
    assert_problem(add(client, user, "chess", "whatever1"), 404, "game_not_found")


def test_game_must_be_id_or_slug(client, user):
    assert_problem(add(client, user, True, "whatever1"), 422, "validation_error")


def test_one_profile_per_game(client, user):
    assert add(client, user, "efootball", "123456789").status_code == 201
    assert_problem(add(client, user, "efootball", "987654321"), 409, "game_profile_exists")


def test_an_in_game_id_has_one_owner_per_game(client, user, make_user):
    other = make_user()
    assert add(client, user, "valorant", "Shared#TAG1").status_code == 201
    assert_problem(add(client, other, "valorant", "shared#tag1"), 409, "game_id_taken")
    # The same text is fine for a different game with the same rule shape.
    assert add(client, user, "free-fire", "Shared_TAG1").status_code == 201


def test_list_update_and_delete_own_profiles(client, user):
    created = add(client, user, "ea-fc", "striker_99").get_json()
    listing = client.get(URL, headers=user.headers)
    assert [p["id"] for p in listing.get_json()] == [created["id"]]
    item = f"{URL}{created['id']}/"
    response = client.patch(item, json={"in_game_id": "keeper_01"}, headers=user.headers)
    assert response.status_code == 200
    assert response.get_json()["in_game_id"] == "keeper_01"
    assert_problem(client.patch(item, json={"in_game_id": "x"}, headers=user.headers), 422)
    assert client.delete(item, headers=user.headers).status_code == 204
    assert_problem(client.get(item, headers=user.headers), 404, "game_profile_not_found")


def test_other_users_profiles_are_not_found(client, user, make_user):
    other = make_user()
    created = add(client, other, "valorant", "Other#TAG2").get_json()
    item = f"{URL}{created['id']}/"
    assert_problem(client.get(item, headers=user.headers), 404, "game_profile_not_found")
    assert_problem(client.delete(item, headers=user.headers), 404)


def test_profiles_need_authentication(client):
    assert_problem(client.get(URL), 401, "authentication_required")
