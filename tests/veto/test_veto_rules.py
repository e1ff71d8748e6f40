"""The veto state machine per format: turn order, the decider, side choices, refusals."""

from __future__ import annotations

import random

import pytest

from deltacrown.games.mappools import COMPETITIVE_POOLS, STARTING_SIDES, pool_of
from deltacrown.matches.veto_rules import (
    InvalidVetoActionError,
    MapUnavailableError,
    NotYourTurnError,
    VetoCompleteError,
    VetoNotAvailableError,
    VetoState,
    replay,
)

CS2 = COMPETITIVE_POOLS["cs2"]
VAL = COMPETITIVE_POOLS["valorant"]


def turns(state: VetoState) -> list[tuple[str, int]]:
    """Play the veto through, always taking the first remaining map; the (action, side) order."""
    order = []
    while (turn := state.next_turn()) is not None:
        order.append((turn.action, turn.by))
        if turn.action == "side":
            state.apply(by=turn.by, action="side", side=state.sides[0])
        else:
            state.apply(by=turn.by, action=turn.action, map=state.remaining[0])
    return order


def test_cs2_best_of_one_is_six_alternating_bans_and_the_left_over_is_played():
    state = VetoState(list(CS2), 1)
    assert turns(state) == [("ban", 1), ("ban", 2)] * 3
    assert state.maps() == [
        {"game": 1, "map": CS2[6], "picked_by": None, "side_chosen_by": None,
         "starting_side": None}
    ]  # fmt: skip


def test_cs2_best_of_three_is_ban_ban_pick_pick_ban_ban_decider():
    state = VetoState(list(CS2), 3)
    order = turns(state)
    assert order == [("ban", 1), ("ban", 2), ("pick", 1), ("pick", 2), ("ban", 1), ("ban", 2)]
    # first remaining each time: bans Ancient, Dust2; picks Inferno, Mirage; bans Nuke, Overpass
    assert [(m["game"], m["map"], m["picked_by"]) for m in state.maps()] == [
        (1, "Inferno", 1), (2, "Mirage", 2), (3, "Train", None)
    ]  # fmt: skip
    assert state.complete and state.remaining == ["Train"]


def test_cs2_best_of_five_is_two_bans_then_four_picks_and_the_decider():
    state = VetoState(list(CS2), 5)
    assert turns(state) == [("ban", 1), ("ban", 2), ("pick", 1), ("pick", 2), ("pick", 1),
                            ("pick", 2)]  # fmt: skip
    assert [m["picked_by"] for m in state.maps()] == [1, 2, 1, 2, None]


def test_valorant_best_of_three_has_the_other_side_choose_sides_after_each_pick():
    state = VetoState(list(VAL), 3, STARTING_SIDES["valorant"])
    assert turns(state) == [
        ("ban", 1), ("ban", 2), ("pick", 1), ("side", 2), ("pick", 2), ("side", 1),
        ("ban", 1), ("ban", 2), ("side", 1),  # the decider: the side that did not act last
    ]  # fmt: skip
    maps = state.maps()
    assert [(m["picked_by"], m["side_chosen_by"], m["starting_side"]) for m in maps] == [
        (1, 2, "attack"), (2, 1, "attack"), (None, 1, "attack")
    ]  # fmt: skip


def test_valorant_best_of_one_ends_with_a_side_choice_on_the_left_over_map():
    state = VetoState(list(VAL), 1, STARTING_SIDES["valorant"])
    assert turns(state)[-1] == ("side", 1)
    assert state.maps()[0]["side_chosen_by"] == 1


def test_a_bigger_pool_gets_more_bans_in_the_same_places():
    state = VetoState([f"m{i}" for i in range(9)], 3)
    assert [a for a, _ in turns(state)] == ["ban", "ban", "pick", "pick"] + ["ban"] * 4


def test_acting_out_of_turn_or_on_a_gone_map_is_refused_and_changes_nothing():
    state = VetoState(list(CS2), 3)
    with pytest.raises(NotYourTurnError):
        state.apply(by=2, action="ban", map="Nuke")
    with pytest.raises(InvalidVetoActionError):
        state.apply(by=1, action="pick", map="Nuke")
    state.apply(by=1, action="ban", map="Nuke")
    with pytest.raises(MapUnavailableError):
        state.apply(by=2, action="ban", map="Nuke")
    with pytest.raises(MapUnavailableError):
        state.apply(by=2, action="ban", map="Cache")
    assert state.banned == ["Nuke"] and state.next_turn().by == 2


def test_a_side_choice_needs_one_of_the_games_sides():
    state = VetoState(list(VAL), 3, STARTING_SIDES["valorant"])
    state.apply(by=1, action="ban", map="Abyss")
    state.apply(by=2, action="ban", map="Ascent")
    state.apply(by=1, action="pick", map="Bind")
    with pytest.raises(InvalidVetoActionError):
        state.apply(by=2, action="side", side="ct")
    state.apply(by=2, action="side", side="defense")
    assert state.maps()[0]["starting_side"] == "defense"


def test_a_complete_veto_takes_no_more_actions():
    state = VetoState(["a", "b"], 1)
    state.apply(by=1, action="ban", map="a")
    with pytest.raises(VetoCompleteError):
        state.apply(by=2, action="ban", map="b")


def test_unsupported_best_of_or_too_small_pool_has_no_veto():
    with pytest.raises(VetoNotAvailableError):
        VetoState(list(CS2), 2)
    with pytest.raises(VetoNotAvailableError):
        VetoState(["a", "b", "c", "d"], 3)


def test_random_actions_finish_a_veto_and_replay_reproduces_it():
    state = VetoState(list(VAL), 5, STARTING_SIDES["valorant"])
    rng = random.Random(7)  # noqa: S311  (reproducible, not secret)
    while not state.complete:
        assert state.random_action(rng)["auto"] is True
    again = replay(VAL, 5, state.history, ["attack", "defense"])
    assert again.maps() == state.maps() and len(state.maps()) == 5


def test_the_pool_is_the_tournaments_own_or_the_schemas_default():
    schema = {"properties": {"map_pool": {"default": ["x", "y"]}}}
    assert pool_of(schema, {}) == ["x", "y"]
    assert pool_of(schema, {"map_pool": ["z"]}) == ["z"]
    assert pool_of({"type": "object"}, {}) is None
