"""Property tests: for any N from 2 (3) to 300 and any results, the bracket stays sound."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.brackets.engine import (
    CorrectionBlockedError,
    MatchStatus,
    SlotKind,
    Stage,
    Target,
    apply_correction,
    apply_result,
    final_placements,
    generate,
    preview_correction,
)
from deltacrown.brackets.engine.seeding import bracket_size
from tests.brackets.support import losses, play, random_winner

STRUCTURE = settings(max_examples=200, deadline=None)
PROPERTIES = settings(max_examples=100, deadline=None)
GRAND_FINALS = st.sampled_from(["none", "single", "double"])
# A seed for `random.Random` rather than `st.randoms()`: a play-through draws thousands of
# choices, which hypothesis would record one by one (slow, and too large to shrink well).
RANDOMS = st.integers(0, 2**32 - 1).map(random.Random)


def participants(n: int) -> list[str]:
    return [f"r{i}" for i in range(1, n + 1)]


def check_structure(stage: Stage, n: int) -> None:
    """Every seed placed once (round one or a bye), byes only where N demands, sound routing."""
    size = bracket_size(n)
    assert stage.byes == list(range(1, size - n + 1))  # the missing seeds' opponents: the top
    order = {mid: i for i, mid in enumerate(stage.matches)}
    seed_rounds: dict[int, int] = {}
    for match in stage.matches.values():
        sources = [(slot.kind, slot.ref) for slot in match.slots]
        assert sources[0] != sources[1], f"{match.id} is fed twice by {sources[0]}"
        for index, slot in enumerate(match.slots):
            assert slot.kind is not SlotKind.BYE
            if slot.kind is SlotKind.SEED:
                assert slot.ref not in seed_rounds, f"seed {slot.ref} placed twice"
                seed_rounds[slot.ref] = match.round  # type: ignore[index]
                assert slot.participant == stage.seeds[slot.ref - 1]  # type: ignore[operator]
                continue
            feeder = stage.matches[slot.ref]  # type: ignore[index]
            assert order[feeder.id] < order[match.id]  # match order is an order of play
            route = feeder.winner_to if slot.kind is SlotKind.WINNER else feeder.loser_to
            assert route == Target(match.id, index)
        for route, kind in ((match.winner_to, SlotKind.WINNER), (match.loser_to, SlotKind.LOSER)):
            if route is not None:
                slot = stage.matches[route.match].slots[route.slot]
                assert (slot.kind, slot.ref) == (kind, match.id)
        seeded = all(slot.kind is SlotKind.SEED for slot in match.slots)
        assert match.status is (MatchStatus.READY if seeded else MatchStatus.PENDING)
    assert set(seed_rounds) == set(range(1, n + 1))
    for seed, rnd in seed_rounds.items():
        assert rnd == (2 if seed in stage.byes else 1), f"seed {seed} starts in round {rnd}"
    assert stage.open_count == len(stage.matches)


def check_state(stage: Stage) -> None:
    """Who sits where follows from the results recorded so far, and statuses agree."""
    for match in stage.matches.values():
        for slot in match.slots:
            if slot.kind is SlotKind.SEED:
                continue
            feeder = stage.matches[slot.ref]  # type: ignore[index]
            if match.status is MatchStatus.SKIPPED or feeder.status is not MatchStatus.COMPLETED:
                assert slot.participant is None
            else:
                expected = feeder.winner if slot.kind is SlotKind.WINNER else feeder.loser
                assert slot.participant == expected
        first, second = match.participants
        if match.status is MatchStatus.SKIPPED:
            feeder = stage.matches[match.slots[0].ref]  # type: ignore[index]
            assert match.is_reset and feeder.winner == feeder.participants[0]
        elif first is None or second is None:
            assert match.status is MatchStatus.PENDING
        else:
            assert first != second
            assert match.status in (MatchStatus.READY, MatchStatus.COMPLETED)
            assert (match.winner is not None) == (match.status is MatchStatus.COMPLETED)
    done = sum(
        m.status in (MatchStatus.COMPLETED, MatchStatus.SKIPPED) for m in stage.matches.values()
    )
    assert stage.open_count == len(stage.matches) - done


def check_placements(stage: Stage) -> str:
    """Everyone placed once, ranks 1 + number placed above; returns the single champion."""
    placements = final_placements(stage)
    assert placements is not None
    assert sorted(p.participant for p in placements) == sorted(stage.seeds)
    ranks = [p.rank for p in placements]
    assert ranks == [ranks.index(rank) + 1 for rank in ranks]
    champions = [p.participant for p in placements if p.rank == 1]
    assert len(champions) == 1
    return champions[0]  # type: ignore[return-value]


@STRUCTURE
@given(n=st.integers(2, 300), third_place=st.booleans())
def test_single_elimination_structure(n: int, third_place: bool) -> None:
    stage = generate("single_elimination", participants(n), {"third_place": third_place})
    check_structure(stage, n)
    assert len(stage.matches) == n - 1 + (third_place and n >= 4)


@STRUCTURE
@given(n=st.integers(3, 300), grand_final=GRAND_FINALS)
def test_double_elimination_structure(n: int, grand_final: str) -> None:
    stage = generate("double_elimination", participants(n), {"grand_final": grand_final})
    check_structure(stage, n)
    # Everyone but the finalists loses twice: 2n - 3 matches, +1 grand final, +1 reset.
    extra = {"none": 0, "single": 1, "double": 2}[grand_final]
    assert len(stage.matches) == 2 * n - 3 + extra


@PROPERTIES
@given(n=st.integers(2, 300), third_place=st.booleans(), rng=RANDOMS)
def test_single_elimination_champion_won_every_match(
    n: int, third_place: bool, rng: random.Random
) -> None:
    stage = generate("single_elimination", participants(n), {"third_place": third_place})
    play(stage, random_winner(rng), rng=rng)
    check_state(stage)
    champion = check_placements(stage)
    played = [m for m in stage.matches.values() if champion in m.participants]
    assert all(m.winner == champion for m in played)
    rounds = bracket_size(n).bit_length() - 1
    assert len(played) == rounds - (stage.seed_of(champion) in stage.byes)
    lost = losses(stage)
    third_place_loser = stage.matches["TP1.1"].loser if "TP1.1" in stage.matches else None
    assert all(count == 1 + (p == third_place_loser) for p, count in lost.items() if p != champion)


@PROPERTIES
@given(n=st.integers(3, 300), rng=RANDOMS)
def test_double_grand_final_eliminates_nobody_before_two_losses(n: int, rng: random.Random) -> None:
    stage = generate("double_elimination", participants(n), {"grand_final": "double"})
    play(stage, random_winner(rng), rng=rng)
    check_state(stage)
    champion = check_placements(stage)
    lost = losses(stage)
    assert lost.pop(champion) <= 1
    assert set(lost.values()) == {2}


@PROPERTIES
@given(n=st.integers(3, 300), grand_final=GRAND_FINALS, rng=RANDOMS)
def test_double_elimination_ends_with_one_champion(
    n: int, grand_final: str, rng: random.Random
) -> None:
    stage = generate("double_elimination", participants(n), {"grand_final": grand_final})
    last = play(stage, random_winner(rng), rng=rng)
    check_state(stage)
    champion = check_placements(stage)
    assert last.placements == final_placements(stage)
    lost = losses(stage)
    runner_up = last.placements[1].participant  # type: ignore[index]
    assert lost[champion] <= 1 and 1 <= lost[runner_up] <= 2
    assert all(count == 2 for p, count in lost.items() if p not in (champion, runner_up))


@PROPERTIES
@given(n=st.integers(5, 300), rng=RANDOMS)
def test_first_drop_round_never_repeats_a_winners_round_one_match(
    n: int, rng: random.Random
) -> None:
    stage = generate("double_elimination", participants(n), {"grand_final": "single"})
    second_round = {mid for mid, m in stage.matches.items() if m.id.startswith("W2.")}
    drops = [
        m
        for m in stage.matches.values()
        if any(s.kind is SlotKind.LOSER and s.ref in second_round for s in m.slots)
    ]
    first_drop_round = min(m.round for m in drops)
    play(stage, random_winner(rng), rng=rng)
    round_one = {
        frozenset(m.participants) for m in stage.matches.values() if m.id.startswith("W1.")
    }
    for match in drops:
        if match.round == first_drop_round:
            assert frozenset(match.participants) not in round_one, match.id


@settings(max_examples=100, deadline=None)
@given(
    format_name=st.sampled_from(["single_elimination", "double_elimination"]),
    n=st.integers(3, 40),
    option=st.sampled_from([{}, {"third_place": True}, {"grand_final": "single"}]),
    rng=RANDOMS,
)
def test_corrections_leave_the_stage_as_if_played_with_the_corrected_results(
    format_name: str, n: int, option: dict, rng: random.Random
) -> None:
    """Random results and corrections; the end state equals a clean replay of final results."""
    if ("third_place" in option) != (format_name == "single_elimination"):
        option = {}
    stage = generate(format_name, participants(n), option)
    while not (stage.is_complete and rng.random() < 0.5):  # also correct finished stages
        ready = stage.ready_matches()
        completed = [m for m in stage.matches.values() if m.status is MatchStatus.COMPLETED]
        if completed and (not ready or rng.random() < 0.3):
            match = rng.choice(completed)
            winner = rng.choice(match.participants)
            started = {m.id for m in ready if rng.random() < 0.3}
            before = stage.to_dict()
            preview = preview_correction(stage, match.id, winner, [[2, 1]], started=started)
            assert stage.to_dict() == before
            if preview.allowed:
                assert apply_correction(stage, match.id, winner, [[2, 1]], started=started) == (
                    preview.changes
                )
            else:
                assert preview.blocking and preview.changes is None
                try:
                    apply_correction(stage, match.id, winner, started=started)
                except CorrectionBlockedError as exc:
                    assert exc.blocking == preview.blocking
                else:
                    raise AssertionError("a blocked correction was applied")
                assert stage.to_dict() == before
        else:
            match = rng.choice(ready)
            apply_result(stage, match.id, rng.choice(match.participants), [[2, 1]])
        check_state(stage)
    check_placements(stage)
    replay = generate(format_name, participants(n), option)
    for match in stage.matches.values():
        if match.status is MatchStatus.COMPLETED:
            apply_result(replay, match.id, match.winner, [[2, 1]])  # type: ignore[arg-type]
    assert replay.to_dict() == stage.to_dict()


@settings(max_examples=60, deadline=None)
@given(
    format_name=st.sampled_from(["single_elimination", "double_elimination"]),
    n=st.integers(3, 120),
    cut=st.floats(0, 1),
    rng=RANDOMS,
)
def test_a_stage_reloaded_mid_play_plays_on_identically(
    format_name: str, n: int, cut: float, rng: random.Random
) -> None:
    stage = generate(format_name, participants(n))
    steps = int(cut * len(stage.matches))
    for _ in range(steps):
        ready = stage.ready_matches()
        if not ready:
            break
        match = rng.choice(ready)
        apply_result(stage, match.id, rng.choice(match.participants), [[3, rng.randrange(3)]])
    copy = Stage.from_dict(json.loads(json.dumps(stage.to_dict())))
    assert copy == stage
    if stage.is_complete:
        return
    state = rng.getstate()
    play(stage, random_winner(rng), rng=rng)
    rng.setstate(state)
    play(copy, random_winner(rng), rng=rng)
    assert copy == stage
