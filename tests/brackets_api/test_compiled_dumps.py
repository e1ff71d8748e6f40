"""The hot reads' compiled dumps (`core.dumpers`) equal marshmallow's on real documents of every
shape they answer: tournament lists and details (fees, prizes, co-organizers, a private
tournament its organizer sees with its invite code, a completed one with its podium), the
bracket of each format (elimination, double elimination, round robin with a draw, Swiss, group
stage to playoffs, battle royale lobbies), final and per-stage standings and match pages, in
English and Bengali. Every compiled dump of these requests is compared with the schema's
marshmallow dump of the same objects."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
import pytest

from deltacrown.core import dumpers
from tests.brackets_api.conftest import better_seed
from tests.factories import make_tournament

HOT_SCHEMAS = {
    "BracketSchema",
    "MatchSchema",
    "StandingSchema",
    "TournamentDetailSchema",
    "TournamentSchema",
}


@pytest.fixture
def checked(monkeypatch: Any) -> dict[str, int]:
    """Compile from the first dump, and check each compiled dump against marshmallow's; the
    schemas checked, with how many dumps each."""
    seen: dict[str, int] = {}
    compiled_dump = dumpers.Compiled.dump

    def compare(self: dumpers.Compiled, obj: Any, many: bool) -> Any:
        got = compiled_dump(self, obj, many)
        expected = ma.Schema.dump(self.schema, obj, many=many)
        assert json.dumps(got) == json.dumps(expected)  # key order and JSON types too
        name = type(self.schema).__name__
        seen[name] = seen.get(name, 0) + 1
        return got

    monkeypatch.setattr(dumpers, "COMPILE_AFTER", 0)
    monkeypatch.setattr(dumpers.Compiled, "dump", compare)
    return seen


def read_all(client: Any, tournament_id: int, headers: Any = None) -> None:
    """Every hot read of a tournament, in both languages (each answer 200)."""
    document = client.get(f"/api/tournaments/{tournament_id}/bracket/", headers=headers)
    assert document.status_code == 200, document.get_json()
    stage_ids = [stage["id"] for stage in document.get_json()["stages"]]
    paths = [
        f"/api/tournaments/{tournament_id}/",
        f"/api/tournaments/{tournament_id}/bracket/",
        f"/api/tournaments/{tournament_id}/standings/",
        f"/api/tournaments/{tournament_id}/matches/?page_size=100",
        f"/api/tournaments/{tournament_id}/matches/?view=compact",
        *[f"/api/tournaments/{tournament_id}/standings/?stage={s}" for s in stage_ids],
    ]
    for path in paths:
        for language in ("en", "bn"):
            response = client.get(path, headers={**(headers or {}), "Accept-Language": language})
            assert response.status_code == 200, (path, response.get_json())


def play_some(api: Any, tournament_id: int, results: int) -> None:
    for match in api.playable(tournament_id)[:results]:
        assert api.result(match["id"], better_seed(match), [[13, 7]]).status_code == 200


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("single_elimination", {"third_place_match": True, "best_of": 3}),
        ("double_elimination", {}),
        ("swiss", {}),
        ("group_stage_playoffs", {"group_size": 4, "advance_per_group": 2}),
    ],
)
def test_brackets_of_each_format_dump_alike_before_during_and_after_play(
    client, cup, api, checked, fmt, options
):
    c = cup(8, format=fmt)
    api.generated(c.id, options=options)
    read_all(client, c.id)  # drawn, nothing played
    assert api.start(c.id).status_code == 200
    play_some(api, c.id, 3)
    read_all(client, c.id)
    api.play(c.id)
    read_all(client, c.id)
    assert {"BracketSchema", "MatchSchema", "StandingSchema", "TournamentDetailSchema"} <= set(
        checked
    )


def test_a_round_robin_with_a_draw_dumps_alike(client, cup, api, checked):
    c = cup(4, format="round_robin")
    api.generated(c.id, options={"best_of": 2})
    api.start(c.id)
    first = api.playable(c.id)[0]
    assert api.result(first["id"], None, [[1, 0], [0, 1]]).status_code == 200
    read_all(client, c.id)
    api.play(c.id)
    read_all(client, c.id)


def test_battle_royale_lobbies_dump_alike(client, cup, api, checked):
    c = cup(6, format="battle_royale", game="pubg-mobile")
    (stage,) = api.generated(c.id, options={"lobby_size": 3, "games": 1})["stages"]
    api.start(c.id)
    read_all(client, c.id)
    for lobby in stage["lobbies"]:
        order = [p["registration_id"] for p in lobby["participants"]]
        body = {
            "results": [
                {"registration_id": rid, "placement": i + 1, "kills": 3 - i}
                for i, rid in enumerate(order)
            ]
        }
        response = client.post(
            f"/api/tournaments/{c.id}/lobbies/{lobby['number']}/games/",
            json=body,
            headers=api.headers,
        )
        assert response.status_code == 200, response.get_json()
        read_all(client, c.id)


def test_tournament_lists_and_details_dump_alike(app, client, organizer, co_organizer, checked):
    from tests.brackets_api.conftest import add_co_organizer

    shapes = [
        {"name": "Free Cup"},
        {
            "name": "Cash Cup",
            "entry_fee": {"amount": "100.00", "currency": "BDT"},
            "payment_methods": ["bkash"],
            "prize_pool": {"amount": "1000.00", "currency": "BDT"},
            "prize_distribution": [
                {"placement": 1, "percent": "70"},
                {"placement": 2, "percent": "30"},
            ],
            "region": "Dhaka",
            "venue": "Arena",
            "is_online": False,
            "description": "Bring your own mouse — ও কীবোর্ড",
        },
        {
            "name": "Coin Cup",
            "entry_fee": {"coins": 10},
            "prize_pool": {"coins": 500},
            "prize_funding": "entry_fees",
        },
        {"name": "Team Cup", "participant_type": "team", "team_size": 5, "max_substitutes": 1},
        {"name": "Hidden Cup", "visibility": "private"},
    ]
    ids = [
        make_tournament(app, organizer.id, status="registration_open", **shape) for shape in shapes
    ]
    add_co_organizer(app, ids[1], organizer, co_organizer)
    hidden = client.get(f"/api/tournaments/{ids[-1]}/", headers=organizer.headers).get_json()
    assert hidden["invite_code"]
    paths = [
        "/api/tournaments/",
        "/api/tournaments/?page_size=2&page=2",
        "/api/tournaments/?cursor=&ordering=name",
        "/api/tournaments/?mine=true",
        "/api/tournaments/search/?q=cup",
        "/api/tournaments/upcoming/",
        "/api/tournaments/by-game/valorant/",
        "/api/tournaments/?view=compact&fields=id,status_label,start_at",
        *[f"/api/tournaments/{i}/" for i in ids[:-1]],
        f"/api/tournaments/{ids[-1]}/?invite_code={hidden['invite_code']}",
    ]
    for path in paths:
        for headers in ({}, {"Accept-Language": "bn"}, organizer.headers, co_organizer.headers):
            response = client.get(path, headers=headers)
            anonymous_mine = "mine" in path and "Authorization" not in headers
            assert response.status_code == (401 if anonymous_mine else 200), path
    assert {"TournamentSchema", "TournamentDetailSchema"} <= set(checked)


def test_every_hot_schema_is_compiled_not_left_to_marshmallow():
    from deltacrown.brackets import schemas as brackets
    from deltacrown.tournaments import schemas as tournaments

    for name in sorted(HOT_SCHEMAS):
        schema = getattr(brackets, name, None) or getattr(tournaments, name)
        assert schema.compiled_dump is True
        assert dumpers.compile_schema(schema()) is not None, name
