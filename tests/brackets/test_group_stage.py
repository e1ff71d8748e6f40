"""Group stage then playoffs: the declared rule, cross-seeding, and a full play-through."""

from __future__ import annotations

import itertools
import random

import pytest

from deltacrown.brackets.engine import (
    InvalidOptionsError,
    InvalidSeedsError,
    Stage,
    StageNotCompleteError,
    WrongFormatError,
    apply_result,
    generate,
    generate_playoffs,
    next_round,
    playoff_seeds,
    stage_standings,
)
from deltacrown.brackets.engine.formats.group_stage import _meeting_round, _separate_group_mates
from deltacrown.brackets.engine.seeding import bracket_size, standard_order
from tests.brackets.support import play


def play_groups(stage: Stage, order: dict[int, list]) -> None:
    """Each group finishes in `order[group number]`: the earlier one wins every meeting."""
    for group in stage.groups:
        rank = {p: i for i, p in enumerate(order[group.number])}
        for match_id in group.match_ids:
            a, b = stage.matches[match_id].participants
            apply_result(stage, match_id, a if rank[a] < rank[b] else b)


def test_two_groups_top_two_cross_over_in_the_semi_finals() -> None:
    stage = generate("group_stage_playoffs", list(range(1, 9)), {"group_size": 4})
    assert stage.format == "round_robin"
    assert [g.participants for g in stage.groups] == [[1, 4, 5, 8], [2, 3, 6, 7]]
    assert stage.options["playoffs"] == {
        "advance_per_group": 2,
        "format": "single_elimination",
        "options": {"third_place": False},
    }
    play_groups(stage, {1: [5, 1, 8, 4], 2: [7, 2, 3, 6]})
    assert stage.is_complete
    assert playoff_seeds(stage, 2) == [5, 7, 1, 2]  # A1, B1, A2, B2
    playoffs = generate_playoffs(stage)
    assert playoffs.matches["W1.1"].participants == (5, 2)  # A1 v B2
    assert playoffs.matches["W1.2"].participants == (7, 1)  # B1 v A2


def earliest_meetings(seeds_by_group: list[list[int]], size: int) -> list[int]:
    position = {seed: i for i, seed in enumerate(standard_order(size))}
    return sorted(
        min(_meeting_round(position, a, b) for a, b in itertools.combinations(seeds, 2))
        for seeds in seeds_by_group
    )


@pytest.mark.parametrize(
    ("groups", "advance"), [(2, 2), (3, 2), (4, 2), (5, 2), (6, 2), (2, 3), (3, 3), (4, 3)]
)
def test_group_mates_meet_as_late_as_any_seeding_allows(groups: int, advance: int) -> None:
    tiers = [[(t, g) for g in range(groups)] for t in range(advance)]
    seeds = _separate_group_mates(tiers)
    number = {p: i for i, p in enumerate(seeds, start=1)}
    assert seeds[:groups] == tiers[0]  # group winners take the top seeds, in group order
    size = bracket_size(groups * advance)
    ours = earliest_meetings(
        [[number[(t, g)] for t in range(advance)] for g in range(groups)], size
    )
    best = max(
        earliest_meetings(
            [[g + 1] + [t * groups + 1 + perm[t - 1][g] for t in range(1, advance)]
             for g in range(groups)],
            size,
        )
        for perm in itertools.product(itertools.permutations(range(groups)), repeat=advance - 1)
    )  # fmt: skip
    assert ours == best
    if groups <= 4:  # winners in different quarters: no two meet before the semi-finals
        position = {seed: i for i, seed in enumerate(standard_order(size))}
        last = size.bit_length() - 1
        for a, b in itertools.combinations(range(1, groups + 1), 2):
            assert _meeting_round(position, a, b) >= last - 1


def test_group_stage_then_double_elimination_plays_through() -> None:
    stage = generate(
        "group_stage_playoffs",
        [f"t{i}" for i in range(1, 13)],
        {"group_size": 4, "advance_per_group": 2, "playoff_format": "double_elimination",
         "grand_final": "single", "double_round_robin": True},
    )  # fmt: skip
    rng = random.Random(3)  # noqa: S311
    changes = None
    for match in list(stage.matches.values()):
        changes = apply_result(stage, match.id, rng.choice(match.participants))
    assert changes is not None and changes.placements is not None
    playoffs = generate_playoffs(stage)
    assert playoffs.format == "double_elimination" and len(playoffs.seeds) == 6
    winners = [t.rows[0].participant for t in stage_standings(stage)]
    assert playoffs.seeds[:3] == winners
    last = play(playoffs)
    assert last.placements is not None and len(last.placements) == 6


def test_a_swiss_pool_sends_everyone_with_x_wins() -> None:
    stage = generate(
        "group_stage_playoffs",
        list(range(1, 17)),
        {"group_format": "swiss", "swiss_wins_to_advance": 3, "advance_per_group": None},
    )
    assert stage.format == "swiss"
    rng = random.Random(11)  # noqa: S311
    while True:
        for match_id in stage.rounds[-1].match_ids:
            apply_result(stage, match_id, rng.choice(stage.matches[match_id].participants))
        if stage.is_complete:
            break
        next_round(stage)
    rows = stage_standings(stage)[0].rows
    qualified = [r.participant for r in rows if r.wins == 3]
    assert len(qualified) == 8  # 16 players, 3 wins or 3 losses: half go through
    playoffs = generate_playoffs(stage)
    assert playoffs.seeds == qualified and playoffs.format == "single_elimination"


def test_playoffs_wait_for_the_group_stage() -> None:
    stage = generate("group_stage_playoffs", list(range(1, 9)), {"group_size": 4})
    with pytest.raises(StageNotCompleteError):
        generate_playoffs(stage)
    with pytest.raises(WrongFormatError):
        generate_playoffs(generate("round_robin", [1, 2, 3, 4]))


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"swiss_rounds": 3}, InvalidOptionsError, "does not apply"),
        ({"grand_final": "single"}, InvalidOptionsError, "does not apply"),
        ({"playoff_format": "round_robin"}, InvalidOptionsError, "playoff_format"),
        ({"group_format": "battle_royale"}, InvalidOptionsError, "group_format"),
        ({"advance_per_group": 4}, InvalidOptionsError, "smallest group"),
        ({"advance_per_group": None}, InvalidOptionsError, "required"),
        ({"advance_per_group": 0}, InvalidOptionsError, "positive"),
        ({"group_size": None, "advance_per_group": 1}, InvalidSeedsError, "1 qualifier"),
    ],
)
def test_group_stage_playoffs_refuses_bad_options(options, error, message) -> None:
    with pytest.raises(error, match=message):
        generate("group_stage_playoffs", list(range(1, 8)), {"group_size": 4, **options})
