"""Game configurations: versioned JSON Schemas per game, published by staff, and tournament
settings validated against the latest version (which is stored with the tournament)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from deltacrown.core.errors import PermissionDeniedError
from deltacrown.extensions import db
from deltacrown.games import config
from deltacrown.games.models import Game
from deltacrown.tournaments.models import Tournament
from tests.factories import make_tournament, tournament_body
from tests.helpers import assert_problem

SEEDED = [
    "valorant",
    "cs2",
    "dota2",
    "efootball",
    "ea-fc",
    "pubg-mobile",
    "free-fire",
    "codm",
    "mlbb",
]
BO3_ONLY = {"type": "object", "properties": {"best_of": {"const": 3}}, "required": ["best_of"]}


def schema_url(game):
    return f"/api/games/{game}/config-schema/"


@pytest.fixture
def new_game(app):
    """A game with no configuration yet."""
    with app.app_context():
        game = Game(slug="chess960", name="Chess960", team_size=1, id_rule="ign_uid")
        db.session.add(game)
        db.session.commit()
        return game.id


def current(client, slug="valorant"):
    """The game's latest published version (the seeded ones may have had updates since 1)."""
    return client.get(schema_url(slug)).get_json()["version"]


@pytest.mark.parametrize("slug", SEEDED)
def test_every_seeded_game_has_a_valid_latest_version_and_its_first(client, slug):
    body = client.get(schema_url(slug)).get_json()
    assert body["version"] >= 1
    config.check_schema(body["schema"])
    assert body["schema"]["type"] == "object"
    first = client.get(schema_url(slug) + "?version=1").get_json()
    assert first["version"] == 1
    config.check_schema(first["schema"])


def test_a_game_without_versions_is_version_0_and_permissive(client, new_game):
    assert client.get(schema_url(new_game)).get_json() == {
        "version": 0,
        "schema": {"type": "object"},
    }


def test_unknown_games_and_versions_are_404(client):
    assert_problem(client.get(schema_url("chess")), 404, "game_not_found")
    assert_problem(client.get(schema_url("valorant") + "?version=7"), 404, "game_config_not_found")


def test_staff_publish_version_n_plus_1(client, staff):
    n = current(client)
    response = client.post(schema_url("valorant"), json={"schema": BO3_ONLY}, headers=staff.headers)
    assert response.status_code == 201
    assert (response.get_json()["version"], response.get_json()["schema"]) == (n + 1, BO3_ONLY)
    assert current(client) == n + 1
    older = client.get(schema_url("valorant") + "?version=1").get_json()
    assert older["version"] == 1 and "map_pool" in older["schema"]["properties"]


def test_only_staff_publish_schemas(client, user):
    assert_problem(client.post(schema_url("valorant"), json={"schema": BO3_ONLY}), 401)
    assert_problem(
        client.post(schema_url("valorant"), json={"schema": BO3_ONLY}, headers=user.headers),
        403,
        "forbidden",
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "objekt"},
        {"type": "object", "properties": {"best_of": {"minimum": "one"}}},
        {"type": "object", "required": "best_of"},
    ],
)
def test_an_invalid_json_schema_is_422_invalid_schema(client, staff, schema):
    n = current(client)
    response = client.post(schema_url("valorant"), json={"schema": schema}, headers=staff.headers)
    body = assert_problem(response, 422, "invalid_schema")
    assert body["errors"]["schema"]
    assert current(client) == n


def test_a_schema_must_be_an_object(client, staff):
    response = client.post(schema_url("valorant"), json={"schema": True}, headers=staff.headers)
    assert_problem(response, 422, "validation_error")
    with pytest.raises(config.InvalidSchemaError):
        config.check_schema([])


def test_the_service_refuses_non_staff(app_ctx, owner, load):
    with pytest.raises(PermissionDeniedError):
        config.create_config_version("valorant", actor=load(owner), schema=BO3_ONLY)


def test_settings_are_checked_against_the_latest_version(app, client, owner, staff):
    n = current(client)
    client.post(schema_url("valorant"), json={"schema": BO3_ONLY}, headers=staff.headers)
    refused = client.post(
        "/api/tournaments/", headers=owner.headers, json=tournament_body(settings={"best_of": 1})
    )
    body = assert_problem(refused, 422, "invalid_settings")
    assert body["errors"] == {"settings.best_of": ["3 was expected"]}
    assert body["schema_version"] == n + 1
    missing = client.post("/api/tournaments/", headers=owner.headers, json=tournament_body())
    assert assert_problem(missing, 422, "invalid_settings")["errors"] == {
        "settings": ["'best_of' is a required property"]
    }
    created = client.post(
        "/api/tournaments/", headers=owner.headers, json=tournament_body(settings={"best_of": 3})
    )
    assert created.get_json()["settings_schema_version"] == n + 1


def test_a_new_version_never_invalidates_stored_tournaments(app, client, owner, staff):
    n = current(client)
    tournament_id = make_tournament(
        app, owner.id, status="published", settings={"best_of": 1, "server_region": "eu"}
    )
    client.post(schema_url("valorant"), json={"schema": BO3_ONLY}, headers=staff.headers)
    # the stored tournament keeps its settings and version; unrelated edits still work
    edited = client.patch(
        f"/api/tournaments/{tournament_id}/",
        headers=owner.headers,
        json={"description": "still fine"},
    )
    assert edited.status_code == 200
    assert edited.get_json()["settings"] == {"best_of": 1, "server_region": "eu"}
    assert edited.get_json()["settings_schema_version"] == n
    # sending the stored settings back unchanged (a full-object PATCH) is not a change
    resent = client.patch(
        f"/api/tournaments/{tournament_id}/",
        headers=owner.headers,
        json={"settings": {"best_of": 1, "server_region": "eu"}, "rules": "r"},
    )
    assert resent.status_code == 200
    assert resent.get_json()["settings_schema_version"] == n
    # changing the settings validates them against the latest version
    stale = client.patch(
        f"/api/tournaments/{tournament_id}/",
        headers=owner.headers,
        json={"settings": {"best_of": 1}},
    )
    assert_problem(stale, 422, "invalid_settings")
    fresh = client.patch(
        f"/api/tournaments/{tournament_id}/",
        headers=owner.headers,
        json={"settings": {"best_of": 3}},
    )
    assert fresh.get_json()["settings_schema_version"] == n + 1


def test_a_permissive_game_accepts_any_settings_as_version_0(app, client, owner, new_game):
    response = client.post(
        "/api/tournaments/",
        headers=owner.headers,
        json=tournament_body(
            game=new_game,
            format="swiss",
            settings={"anything": ["goes"]},
        ),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["settings_schema_version"] == 0


def test_settings_errors_name_every_failing_path(app_ctx):
    valorant = db.session.scalar(sa.select(Game.id).where(Game.slug == "valorant"))
    with pytest.raises(config.InvalidSettingsError) as info:
        config.validate_settings(
            valorant, {"best_of": 2, "map_pool": ["Ascent", "Ascent", "X"], "server_region": "moon"}
        )
    assert set(info.value.errors) == {
        "settings.best_of",
        "settings.map_pool",
        "settings.map_pool.2",
        "settings.server_region",
    }


def test_published_versions_are_audited(app, client, staff):
    client.post(schema_url("cs2"), json={"schema": BO3_ONLY}, headers=staff.headers)
    with app.app_context():
        actions = db.session.scalars(
            sa.text("SELECT action FROM audit_entries WHERE actor_id = :id"), {"id": staff.id}
        ).all()
    assert actions == ["game_config.created"]


def test_tournaments_keep_their_version_in_the_database(app, client, owner):
    n = current(client)
    tournament_id = make_tournament(app, owner.id, settings={"best_of": 5})
    with app.app_context():
        assert db.session.get(Tournament, tournament_id).settings_schema_version == n
