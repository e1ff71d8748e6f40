"""Swiss: round-one pairing, score-group pairing without rematches, byes, X-wins, corrections."""

from __future__ import annotations

import json
import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.brackets.engine import (
    CorrectionBlockedError,
    InvalidOptionsError,
    InvalidWinnerError,
    NoMoreRoundsError,
    RoundNotCompleteError,
    Stage,
    WrongFormatError,
    apply_correction,
    apply_result,
    generate,
    next_round,
    preview_correction,
    stage_standings,
)
from deltacrown.brackets.engine.formats.swiss import swiss_records
from tests.brackets.swiss_support import (
    active_ranked,
    greedy_pairs,
    legal_pairing_exists,
    play_swiss,
)

RANDOMS = st.integers(0, 2**32 - 1).map(random.Random)
BRUTE_FORCE_LIMIT = 14  # players; the checker is exponential


def pairs(stage: Stage, number: int) -> list[tuple]:
    return [stage.matches[mid].participants for mid in stage.rounds[number - 1].match_ids]


def check_rounds(stage: Stage, history) -> None:
    """No rematch, at most one bye each, nobody twice in a round; the bye to the lowest-ranked
    player without one unless that left the others unpairable; any rematch or second bye only
    when no legal pairing existed (checked by brute force on small fields)."""
    seen: set[frozenset] = set()
    byes: Counter = Counter()
    for rnd in stage.rounds:
        players = [p for pair in pairs(stage, rnd.number) for p in pair] + rnd.byes
        assert len(players) == len(set(players)), f"someone plays twice in round {rnd.number}"
        for pair in pairs(stage, rnd.number):
            seen.add(frozenset(pair))
        byes.update(rnd.byes)
    meetings = Counter(frozenset(m.participants) for m in stage.matches.values())
    forced = [changes for _, changes in history if changes.rematches or changes.repeat_byes]
    assert len(meetings) == len(seen)
    if not forced:
        assert set(meetings.values()) <= {1} and set(byes.values()) <= {1}
    for records, changes in history:
        rnd = stage.rounds[changes.round - 1]
        active = [p for pair in pairs(stage, rnd.number) for p in pair] + rnd.byes
        met = {p: records[p].opponents for p in active}
        had_bye = {p for p in active if records[p].byes}
        if changes.rematches or changes.repeat_byes:
            assert len(active) <= BRUTE_FORCE_LIMIT, "a forced rematch in a large field"
            assert not legal_pairing_exists(active, met, had_bye)
        round_pairs = [stage.matches[mid].participants for mid in rnd.match_ids]
        repeated = [
            mid for mid, (a, b) in zip(rnd.match_ids, round_pairs, strict=True) if b in met[a]
        ]
        assert changes.rematches == repeated
        if rnd.byes and not changes.repeat_byes:
            seed = {p: i for i, p in enumerate(stage.seeds)}
            lowest = max(
                (p for p in active if p not in had_bye),
                key=lambda p: (-records[p].points, seed[p]),
            )
            if rnd.byes != [lowest]:  # only if the lowest's bye leaves the rest unpairable
                assert len(active) <= BRUTE_FORCE_LIMIT
                rest = [p for p in active if p != lowest]
                assert not legal_pairing_exists(rest, met, had_bye | {lowest})


@settings(max_examples=100, deadline=None)
@given(n=st.integers(4, 128), draws=st.sampled_from([0.0, 0.2]), rng=RANDOMS)
def test_swiss_never_repeats_a_pairing_and_gives_at_most_one_bye(
    n: int, draws: float, rng: random.Random
) -> None:
    stage = generate("swiss", [f"r{i}" for i in range(1, n + 1)])
    history = play_swiss(stage, rng, draws=draws)
    assert len(stage.rounds) == math.ceil(math.log2(n))
    assert all(not c.rematches and not c.repeat_byes for _, c in history)
    check_rounds(stage, history)
    for rnd in stage.rounds:  # everyone plays (or sits out on a bye) every round
        assert len(rnd.match_ids) * 2 + len(rnd.byes) == n
    rows = stage_standings(stage)[0].rows
    assert sorted(r.rank for r in rows) == list(range(1, n + 1))


def feasible_wins(n: int, wins: int) -> int:
    limit = n if n % 2 else n - 1
    while 2 * wins - 1 > limit:
        wins -= 1
    return wins


@settings(max_examples=100, deadline=None)
@given(n=st.integers(4, 128), wins=st.integers(1, 4), rng=RANDOMS)
def test_x_wins_swiss_ends_with_everyone_at_x_wins_or_x_losses(
    n: int, wins: int, rng: random.Random
) -> None:
    wins = feasible_wins(n, wins)
    stage = generate("swiss", list(range(1, n + 1)), {"swiss_wins_to_advance": wins})
    history = play_swiss(stage, rng)
    assert len(stage.rounds) <= 2 * wins - 1
    records = swiss_records(stage)
    assert all((r.wins == wins) != (r.losses == wins) for r in records.values())
    advanced = [p for _, c in history for p in c.advanced]
    check_rounds(stage, history)
    # Nobody plays on after finishing.
    for p, record in records.items():
        assert (
            record.wins + record.losses
            == sum(p in pair for rnd in stage.rounds for pair in pairs(stage, rnd.number))
            + record.byes
        )
    assert set(advanced) <= {p for p, r in records.items() if r.wins == wins}
    qualified = [r.participant for r in stage_standings(stage)[0].rows if r.wins == wins]
    assert qualified == [r.participant for r in stage_standings(stage)[0].rows][: len(qualified)]


def test_round_one_pairs_the_top_half_against_the_bottom_half() -> None:
    stage = generate("swiss", list(range(1, 9)))
    assert pairs(stage, 1) == [(1, 5), (2, 6), (3, 7), (4, 8)]
    assert stage.options["swiss_rounds"] == 3 and stage.more_rounds
    odd = generate("swiss", list(range(1, 8)))
    assert pairs(odd, 1) == [(1, 4), (2, 5), (3, 6)]
    assert odd.rounds[0].byes == [7]  # the lowest seed


def test_greedy_top_down_pairing_is_forced_into_a_rematch_that_the_engine_avoids() -> None:
    # Six players, 2 wins advance, 2 losses out. Round 1: 4 beats 1, 2 beats 5, 6 beats 3.
    # Round 2 (1-0: 2, 4, 6; 0-1: 1, 3, 5; one float): 4 beats 2, 1 beats 6, 3 beats 5.
    # 4 is through (2-0), 5 out (0-2); 1, 2, 3 and 6 are 1-1 and pair in seed order.
    stage = generate("swiss", list(range(1, 7)), {"swiss_wins_to_advance": 2})
    for match_id, winner in (("S1.1", 4), ("S1.2", 2), ("S1.3", 6)):
        apply_result(stage, match_id, winner)
    next_round(stage)
    assert pairs(stage, 2) == [(2, 4), (6, 1), (3, 5)]
    for match_id, winner in (("S2.1", 4), ("S2.2", 1), ("S2.3", 3)):
        changes = apply_result(stage, match_id, winner)
    assert (changes.round_completed, changes.advanced, changes.eliminated) == (2, [4], [5])
    assert active_ranked(stage) == [1, 2, 3, 6]
    met = {p: r.opponents for p, r in swiss_records(stage).items()}
    # Greedy: 1 takes 2 (the best it has not met), which leaves 3 and 6, who met in round 1.
    greedy = greedy_pairs(stage)
    assert greedy == [(1, 2), (3, 6)] and 6 in met[3]
    result = next_round(stage)
    assert pairs(stage, 3) == [(1, 3), (2, 6)]
    assert result.rematches == [] and all(b not in met[a] for a, b in pairs(stage, 3))


def test_a_bye_counts_as_a_win_and_goes_to_the_lowest_ranked_without_one() -> None:
    stage = generate("swiss", list(range(1, 6)))  # 3 rounds
    assert stage.rounds[0].byes == [5]
    for match_id in stage.rounds[0].match_ids:  # better seeds win: 1, 2 at 1-0 with 5
        apply_result(stage, match_id, min(stage.matches[match_id].participants))
    result = next_round(stage)
    # Ranked: 1, 2, 5 (3 points), 3, 4 (0). 4 is the lowest without a bye.
    assert result.byes == [4] and stage.rounds[1].byes == [4]
    rows = {r.participant: r for r in stage_standings(stage)[0].rows}
    assert (rows[5].played, rows[5].wins, rows[5].byes, rows[5].points) == (1, 1, 1, 3)
    assert rows[5].tie_breaks["buchholz"] == 0  # a bye has no opponent


def test_a_round_of_only_a_bye_is_over_at_once() -> None:
    # Six players, 3 wins: after round 4 only 5 (2-2, no bye yet) is left to play.
    stage = generate("swiss", list(range(1, 7)), {"swiss_wins_to_advance": 3})
    results = [("S1.1", 4), ("S1.2", 2), ("S1.3", 6), ("S2.1", 2), ("S2.2", 1), ("S2.3", 5),
               ("S3.1", 6), ("S3.2", 5), ("S3.3", 4), ("S4.1", 2), ("S4.2", 4)]  # fmt: skip
    for match_id, winner in results:
        if match_id not in stage.matches:
            next_round(stage)
        apply_result(stage, match_id, winner)
    assert active_ranked(stage) == [5]
    last = next_round(stage)
    assert (last.round, last.ready, last.byes, last.round_completed) == (5, [], [5], 5)
    assert last.advanced == [5] and stage.is_complete
    assert last.placements is not None and len(last.placements) == 6


def test_next_round_refuses_until_the_round_is_played_and_after_the_end() -> None:
    stage = generate("swiss", [1, 2, 3, 4])
    with pytest.raises(RoundNotCompleteError):
        next_round(stage)
    for match_id in list(stage.rounds[0].match_ids):
        apply_result(stage, match_id, stage.matches[match_id].participants[0])
    next_round(stage)
    assert not stage.more_rounds  # the second of two rounds
    for match_id in list(stage.rounds[1].match_ids):
        changes = apply_result(stage, match_id, stage.matches[match_id].participants[1])
    assert stage.is_complete and changes.placements is not None
    with pytest.raises(NoMoreRoundsError):
        next_round(stage)
    with pytest.raises(WrongFormatError):
        next_round(generate("round_robin", [1, 2, 3]))


def test_x_wins_swiss_refuses_draws() -> None:
    stage = generate("swiss", list(range(1, 17)), {"swiss_wins_to_advance": 3})
    assert stage.options["allow_draws"] is False
    with pytest.raises(InvalidWinnerError):
        apply_result(stage, "S1.1", None)
    fixed = generate("swiss", list(range(1, 17)))
    apply_result(fixed, "S1.1", None, [[1, 1]])
    assert fixed.matches["S1.1"].is_draw


@pytest.mark.parametrize(
    ("n", "options", "message"),
    [
        (8, {"swiss_rounds": 3, "swiss_wins_to_advance": 2}, "not both"),
        (8, {"swiss_rounds": 8}, "at most 7"),
        (8, {"swiss_rounds": 0}, "positive"),
        (6, {"swiss_wins_to_advance": 4}, "at most 5"),
        (8, {"swiss_wins_to_advance": 3, "allow_draws": True}, "draws"),
    ],
)
def test_swiss_refuses_bad_options(n, options, message) -> None:
    with pytest.raises(InvalidOptionsError, match=message):
        generate("swiss", list(range(1, n + 1)), options)


def test_a_result_is_corrected_until_the_next_round_is_paired_on_it() -> None:
    stage = generate("swiss", list(range(1, 9)))
    for match_id in stage.rounds[0].match_ids:
        apply_result(stage, match_id, stage.matches[match_id].participants[0])
    assert preview_correction(stage, "S1.1", 5).allowed
    apply_correction(stage, "S1.1", 5)
    next_round(stage)
    preview = preview_correction(stage, "S1.1", 1)
    assert not preview.allowed and preview.blocking == stage.rounds[1].match_ids
    with pytest.raises(CorrectionBlockedError, match="later rounds were paired on S1.1"):
        apply_correction(stage, "S1.1", None)


def test_correcting_the_last_x_wins_round_settles_it_again() -> None:
    stage = generate("swiss", [1, 2], {"swiss_wins_to_advance": 1})
    changes = apply_result(stage, "S1.1", 1)
    assert stage.is_complete and changes.advanced == [1] and changes.eliminated == [2]
    preview = preview_correction(stage, "S1.1", 2)
    assert preview.changes.advanced == [2] and stage.matches["S1.1"].winner == 1
    corrected = apply_correction(stage, "S1.1", 2)
    assert [(p.participant, p.rank) for p in corrected.placements] == [(2, 1), (1, 2)]


def test_a_swiss_stage_reloaded_mid_way_pairs_the_same_next_round() -> None:
    stage = generate("swiss", list(range(1, 12)))
    rng = random.Random(7)  # noqa: S311
    for _ in range(2):
        for match_id in stage.rounds[-1].match_ids:
            apply_result(stage, match_id, rng.choice(stage.matches[match_id].participants))
        next_round(stage)
    data = json.loads(json.dumps(stage.to_dict()))
    assert data["more_rounds"] is True and data["rounds"][0]["byes"] == [11]
    copy = Stage.from_dict(data)
    assert copy == stage and copy.open_count == stage.open_count
    for match_id in stage.rounds[-1].match_ids:
        winner = stage.matches[match_id].participants[0]
        apply_result(stage, match_id, winner)
        apply_result(copy, match_id, winner)
    assert next_round(copy) == next_round(stage) and copy == stage
