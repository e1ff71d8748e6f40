"""Stages round-trip through JSON, so the persistence layer can store and reload them."""

from __future__ import annotations

import json

import pytest

from deltacrown.brackets.engine import (
    InvalidStageError,
    Stage,
    apply_result,
    generate,
    preview_correction,
)
from tests.brackets.support import first_slot_wins, play


def reload(stage: Stage) -> Stage:
    return Stage.from_dict(json.loads(json.dumps(stage.to_dict())))


@pytest.mark.parametrize(
    ("format_name", "options"),
    [
        ("single_elimination", {"third_place": True}),
        ("double_elimination", {"grand_final": "double"}),
    ],
)
def test_a_reloaded_stage_equals_the_original_and_plays_on_identically(
    format_name, options
) -> None:
    stage = generate(format_name, [f"team-{i}" for i in range(11)], options)
    for match in list(stage.matches.values())[:6]:
        if match.status.value == "ready":
            apply_result(stage, match.id, first_slot_wins(match), [[13, 4], [10, 13], [13, 2]])
    copy = reload(stage)
    assert copy == stage
    assert copy.open_count == stage.open_count
    assert copy.matches["W1.1"].scores == stage.matches["W1.1"].scores
    assert play(copy) == play(stage)
    assert reload(copy) == copy


def test_a_reloaded_stage_can_be_corrected() -> None:
    stage = generate("single_elimination", [1, 2, 3, 4])
    apply_result(stage, "W1.1", 1)
    copy = reload(stage)
    assert preview_correction(copy, "W1.1", 4) == preview_correction(stage, "W1.1", 4)


def test_to_dict_is_plain_json() -> None:
    stage = generate("double_elimination", [10, 20, 30])
    data = stage.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["version"] == 1
    assert data["matches"][0] == {
        "id": "W1.1",
        "side": "winners",
        "round": 1,
        "slots": [
            {"kind": "seed", "ref": 2, "participant": 20},
            {"kind": "seed", "ref": 3, "participant": 30},
        ],
        "winner_to": ["W2.1", 1],
        "loser_to": ["L1.1", 1],
        "status": "ready",
        "winner": None,
        "scores": [],
        "is_reset": False,
    }
    assert data["rounds"][0] == {
        "side": "winners",
        "number": 1,
        "name": "Winners semi-finals",
        "match_ids": ["W1.1"],
    }


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=2),
        lambda d: d.pop("matches"),
        lambda d: d["matches"][0].update(status="exploded"),
        lambda d: d["matches"].append(d["matches"][0]),
    ],
)
def test_from_dict_refuses_unknown_versions_and_malformed_data(mutate) -> None:
    data = generate("single_elimination", [1, 2, 3]).to_dict()
    mutate(data)
    with pytest.raises(InvalidStageError):
        Stage.from_dict(data)
