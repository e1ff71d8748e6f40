"""Helpers for the bracket engine tests: readable slot descriptions and a play-through driver."""

from __future__ import annotations

import random
from collections.abc import Callable

from deltacrown.brackets.engine import (
    Changes,
    Match,
    MatchStatus,
    ParticipantId,
    SlotKind,
    Stage,
    apply_result,
)


def describe(match: Match) -> tuple[str, str]:
    """Slots as the issue writes them: "1" for seed 1, "W(W1.1)", "L(W1.1)"."""
    out = []
    for slot in match.slots:
        if slot.kind is SlotKind.SEED:
            out.append(str(slot.ref))
        else:
            out.append(f"{'W' if slot.kind is SlotKind.WINNER else 'L'}({slot.ref})")
    return out[0], out[1]


def layout(stage: Stage) -> dict[str, tuple[str, str]]:
    return {mid: describe(m) for mid, m in stage.matches.items()}


def round_names(stage: Stage) -> list[tuple[str, int, str, int]]:
    return [(r.side.value, r.number, r.name, len(r.match_ids)) for r in stage.rounds]


Chooser = Callable[[Match], ParticipantId]


def first_slot_wins(match: Match) -> ParticipantId:
    return match.slots[0].participant  # type: ignore[return-value]


def random_winner(rng: random.Random) -> Chooser:
    return lambda match: rng.choice(match.participants)  # type: ignore[return-value]


def play(
    stage: Stage,
    choose: Chooser = first_slot_wins,
    *,
    rng: random.Random | None = None,
    on_result: Callable[[Match, Changes], None] | None = None,
) -> Changes:
    """Play ready matches (in a random order if `rng` is given) until the stage is over.

    Only the `ready` lists the engine returns are used to find the next matches, as a
    service would, and at every step it is checked that no participant is in two ready
    matches at once and that nobody meets themselves. Returns the last Changes.
    """
    ready = [m.id for m in stage.ready_matches()]
    busy: dict[ParticipantId, str] = {}

    def mark_ready(match_id: str) -> None:
        match = stage.matches[match_id]
        first, second = match.participants
        assert first is not None and second is not None
        assert first != second, f"{first!r} meets themselves in {match_id}"
        for p in (first, second):
            assert p not in busy, f"{p!r} is in {busy.get(p)} and {match_id} at once"
            busy[p] = match_id

    for match_id in ready:
        mark_ready(match_id)
    changes: Changes | None = None
    while ready:
        index = rng.randrange(len(ready)) if rng else 0
        match_id = ready.pop(index)
        match = stage.matches[match_id]
        for p in match.participants:
            del busy[p]  # type: ignore[arg-type]
        changes = apply_result(stage, match_id, choose(match), [[1, 0]])
        if on_result:
            on_result(match, changes)
        for new in changes.ready:
            mark_ready(new)
        ready.extend(changes.ready)
    assert stage.is_complete, "no ready match left but the stage is not over"
    assert changes is not None
    return changes


def losses(stage: Stage) -> dict[ParticipantId, int]:
    counts = dict.fromkeys(stage.seeds, 0)
    for match in stage.matches.values():
        if match.status is MatchStatus.COMPLETED:
            counts[match.loser] += 1  # type: ignore[index]
    return counts
