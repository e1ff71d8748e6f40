"""Battle royale: snake-seeded lobbies, points-table scoring, tie-breaks, validation, advancing."""

from __future__ import annotations

import json

import pytest

from deltacrown.brackets.engine import (
    InvalidLobbyResultError,
    InvalidOptionsError,
    MatchAlreadyCompletedError,
    Stage,
    StageNotCompleteError,
    UnknownLobbyError,
    WrongFormatError,
    advancing,
    final_placements,
    generate,
    mark_absent,
    record_lobby_game,
    stage_standings,
)

TABLE = {"placement": {"1": 10, "2": 6, "3": 5, "4": 4}, "kill": 1}


def game(*rows: tuple[str, int, int]) -> list[dict]:
    return [{"participant": p, "placement": place, "kills": kills} for p, place, kills in rows]


def four_player_lobby(games: int = 2, table: dict = TABLE) -> Stage:
    return generate(
        "battle_royale",
        ["a", "b", "c", "d"],
        {"lobby_size": 4, "games": games, "points_table": table, "advance_per_lobby": 2},
    )


def test_lobbies_split_evenly_with_seeds_snaked() -> None:
    stage = generate("battle_royale", list(range(1, 11)), {"lobby_size": 4})
    assert [(lobby.id, lobby.participants) for lobby in stage.lobbies.values()] == [
        ("BR1", [1, 6, 7]),
        ("BR2", [2, 5, 8]),
        ("BR3", [3, 4, 9, 10]),
    ]
    assert stage.matches == {} and stage.open_count == 3 and not stage.is_complete
    assert stage.options["games"] == 6  # the default series


def test_points_sum_placements_and_kills_over_the_games() -> None:
    stage = four_player_lobby()
    record_lobby_game(stage, "BR1", game(("a", 1, 3), ("b", 2, 5), ("c", 3, 0), ("d", 4, 1)))
    changes = record_lobby_game(
        stage, "BR1", game(("a", 4, 0), ("b", 3, 1), ("c", 1, 2), ("d", 2, 6))
    )
    # a: 10 + 4 = 14 placement, 3 kills = 17. b: 6 + 5 = 11, 6 kills = 17.
    # c: 5 + 10 = 15, 2 kills = 17.          d: 4 + 6 = 10, 7 kills = 17.
    # All on 17: total kills order d (7), b (6), a (3), c (2).
    rows = stage_standings(stage)[0].rows
    assert [
        (r.participant, r.placement_points, r.kill_points, r.points, r.kills) for r in rows
    ] == [
        ("d", 10, 7, 17, 7),
        ("b", 11, 6, 17, 6),
        ("a", 14, 3, 17, 3),
        ("c", 15, 2, 17, 2),
    ]
    assert [r.decided_by for r in rows] == ["kills", "kills", "kills", None]
    assert [(p.participant, p.rank) for p in changes.placements] == [
        ("d", 1), ("b", 2), ("a", 3), ("c", 4),
    ]  # fmt: skip
    assert advancing(stage) == ["d", "b"]


def test_equal_points_and_kills_fall_to_best_placement_then_seed() -> None:
    every_place_alike = {"placement": {"1": 3, "2": 3, "3": 3, "4": 3}, "kill": 0}
    stage = four_player_lobby(games=1, table=every_place_alike)
    record_lobby_game(stage, "BR1", game(("a", 2, 1), ("b", 1, 1), ("c", 3, 1), ("d", 4, 1)))
    rows = stage_standings(stage)[0].rows
    assert [(r.participant, r.best_placement, r.decided_by) for r in rows] == [
        ("b", 1, "best_placement"),
        ("a", 2, "best_placement"),
        ("c", 3, "best_placement"),
        ("d", 4, None),
    ]


def test_placements_outside_the_table_score_nothing_and_kills_use_the_kill_value() -> None:
    stage = generate(
        "battle_royale",
        list(range(1, 7)),
        {"lobby_size": 6, "games": 1, "points_table": {"placement": {"1": 12}, "kill": 2}},
    )
    record_lobby_game(stage, "BR1", game(*[(p, p, 6 - p) for p in range(1, 7)]))  # type: ignore[misc]
    rows = stage_standings(stage)[0].rows
    assert [(r.participant, r.points) for r in rows] == [
        (1, 22), (2, 8), (3, 6), (4, 4), (5, 2), (6, 0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("results", "message"),
    [
        (game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0)), "missing \\['d'\\]"),
        (game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0), ("z", 4, 0)), "not in lobby \\['z'\\]"),
        (game(("a", 1, 0), ("a", 2, 0), ("c", 3, 0), ("d", 4, 0)), "more than once"),
        (game(("a", 1, 0), ("b", 1, 0), ("c", 3, 0), ("d", 4, 0)), "1 to 4, each exactly once"),
        (game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0), ("d", 5, 0)), "1 to 4, each exactly once"),
        (game(("a", 1, -1), ("b", 2, 0), ("c", 3, 0), ("d", 4, 0)), "negative"),
        (game(("a", 1, 0.5), ("b", 2, 0), ("c", 3, 0), ("d", 4, 0)), "integers"),
        ([{"participant": "a", "placement": 1}], "exactly participant, placement, kills"),
        ("abcd", "a list"),
    ],
)
def test_lobby_results_are_validated(results, message) -> None:
    stage = four_player_lobby()
    before = stage.to_dict()
    with pytest.raises(InvalidLobbyResultError, match=message):
        record_lobby_game(stage, "BR1", results)
    assert stage.to_dict() == before


def test_a_completed_lobby_takes_no_more_games_but_a_game_can_be_corrected() -> None:
    stage = four_player_lobby(games=1)
    first = game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0), ("d", 4, 0))
    record_lobby_game(stage, "BR1", first)
    with pytest.raises(MatchAlreadyCompletedError):
        record_lobby_game(stage, "BR1", first)
    changes = record_lobby_game(
        stage, "BR1", game(("a", 4, 0), ("b", 2, 0), ("c", 3, 0), ("d", 1, 0)), game=1
    )
    assert [p.participant for p in changes.placements][:1] == ["d"]
    with pytest.raises(InvalidLobbyResultError, match="cannot replace 2"):
        record_lobby_game(stage, "BR1", first, game=2)
    with pytest.raises(UnknownLobbyError):
        record_lobby_game(stage, "BR9", first)
    with pytest.raises(WrongFormatError):
        record_lobby_game(generate("round_robin", [1, 2]), "BR1", first)


def test_the_top_of_each_lobby_advance_winners_first() -> None:
    stage = generate(
        "battle_royale", list(range(1, 9)), {"lobby_size": 4, "games": 1, "advance_per_lobby": 2}
    )
    assert [lobby.participants for lobby in stage.lobbies.values()] == [[1, 4, 5, 8], [2, 3, 6, 7]]
    record_lobby_game(stage, "BR1", game(*[(p, i, 0) for i, p in enumerate([8, 5, 4, 1], 1)]))  # type: ignore[misc]
    with pytest.raises(StageNotCompleteError):
        advancing(stage)
    changes = record_lobby_game(
        stage,
        "BR2",
        game(*[(p, i, 9) for i, p in enumerate([3, 7, 2, 6], 1)]),  # type: ignore[misc]
    )
    # Winners 8 (15 points, 0 kills) and 3 (15 + 9 kills): 3 first; then 7 and 5.
    assert advancing(stage) == [3, 8, 7, 5]
    assert [(p.participant, p.rank) for p in changes.placements] == [
        (3, 1), (8, 1), (5, 3), (7, 3), (2, 5), (4, 5), (1, 7), (6, 7),
    ]  # fmt: skip
    assert final_placements(stage) == changes.placements


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lobby_size": 1}, "lobby_size"),
        ({"games": 0}, "games"),
        ({"advance_per_lobby": 4}, "smallest lobby"),  # lobbies of 3
        ({"points_table": {"placement": {"first": 10}, "kill": 1}}, "placement"),
        ({"points_table": {"placement": {"1": 10}}}, "placement and kill"),
        ({"points_table": {"placement": {"1": 10}, "kill": -1}}, "kill"),
    ],
)
def test_battle_royale_refuses_bad_options(options, message) -> None:
    with pytest.raises(InvalidOptionsError, match=message):
        generate("battle_royale", list(range(1, 7)), {"lobby_size": 3, **options})


def test_a_battle_royale_stage_round_trips_through_json() -> None:
    stage = four_player_lobby()
    record_lobby_game(stage, "BR1", game(("a", 1, 3), ("b", 2, 5), ("c", 3, 0), ("d", 4, 1)))
    data = json.loads(json.dumps(stage.to_dict()))
    assert data["lobbies"][0]["status"] == "ready" and len(data["lobbies"][0]["games"]) == 1
    copy = Stage.from_dict(data)
    assert copy == stage and copy.open_count == 1


def test_absent_members_are_in_no_game_and_rank_last_with_nothing() -> None:
    stage = four_player_lobby(games=1)
    lobby = mark_absent(stage, "BR1", ["b"])
    assert (lobby.absent, lobby.present) == (["b"], ["a", "c", "d"])
    with pytest.raises(InvalidLobbyResultError):  # the absent member has no placement
        record_lobby_game(stage, "BR1", game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0), ("d", 4, 0)))
    changes = record_lobby_game(stage, "BR1", game(("c", 1, 1), ("a", 2, 0), ("d", 3, 0)))
    (table,) = stage_standings(stage)
    assert [(row.participant, row.points) for row in table.rows] == [
        ("c", 11),
        ("a", 6),
        ("d", 5),
        ("b", 0),
    ]
    assert changes.placements is not None and changes.placements[-1].participant == "b"
    restored = Stage.from_dict(json.loads(json.dumps(stage.to_dict())))
    assert restored.lobbies["BR1"].absent == ["b"]


def test_absences_come_before_the_first_game_and_leave_someone_to_play() -> None:
    stage = four_player_lobby()
    with pytest.raises(InvalidLobbyResultError):
        mark_absent(stage, "BR1", ["a", "b", "c", "d"])
    with pytest.raises(InvalidLobbyResultError):
        mark_absent(stage, "BR1", ["z"])
    with pytest.raises(UnknownLobbyError):
        mark_absent(stage, "BR9", ["a"])
    record_lobby_game(stage, "BR1", game(("a", 1, 0), ("b", 2, 0), ("c", 3, 0), ("d", 4, 0)))
    with pytest.raises(InvalidLobbyResultError):
        mark_absent(stage, "BR1", ["a"])
    assert "absent" not in stage.to_dict()["lobbies"][0]  # unchanged serialization without any
