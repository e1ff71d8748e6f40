"""Shared construction of elimination stages: rounds, matches, routing and bye resolution.

Formats describe the full power-of-two bracket round by round, passing each match the
*sources* of its two slots: `(SlotKind.SEED, n)`, `(SlotKind.WINNER, id)`,
`(SlotKind.LOSER, id)`, or `None` for a bye. `add_match` resolves byes on the spot instead of
creating a match nobody plays: a match with one bye is not created and its other source is
forwarded as the match's "winner" (its "loser" is a bye); a match with two byes forwards a bye
both ways. A bye in the winners' bracket therefore never creates an empty losers'-bracket
match, and the slots of every created match name who really fills them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from deltacrown.brackets.engine.model import (
    SIDE_PREFIX,
    Match,
    MatchStatus,
    ParticipantId,
    Round,
    Side,
    Slot,
    SlotKind,
    Stage,
    Target,
)

Source = tuple[SlotKind, int | str] | None
"""Who fills a slot, as a format describes it; `None` is a bye."""

_WINNER = SlotKind.WINNER
_LOSER = SlotKind.LOSER
_SEED = SlotKind.SEED
# `tuple.__new__(Target, pair)` builds the same Target as `Target(*pair)` without the
# Python-level __new__ a NamedTuple adds; it halves the cost of routing in generation.
_new_target = tuple.__new__


class PendingRound:
    """A round being built; it joins the stage only when its first match is created."""

    __slots__ = ("side", "name_template", "round", "id_prefix")

    def __init__(self, side: Side, name_template: str) -> None:
        self.side = side
        self.name_template = name_template
        self.round: Round | None = None
        self.id_prefix = ""


class StageBuilder:
    def __init__(self, format_name: str, options: dict[str, Any], seeds: Sequence[ParticipantId]):
        self.format_name = format_name
        self.options = options
        self.seeds = list(seeds)
        self.rounds: list[Round] = []
        self.matches: dict[str, Match] = {}
        self.byes: list[int] = []
        self._round_counts = dict.fromkeys(Side, 0)

    def seed_source(self, seed: int) -> Source:
        """The source for a first-round position: the seed, or a bye if there is no such seed."""
        return (_SEED, seed) if seed <= len(self.seeds) else None

    def round(self, side: Side, name_template: str) -> PendingRound:
        """Open a round; `name_template` may use `{number}` (the round's number on its side)."""
        return PendingRound(side, name_template)

    def add_match(
        self, pending: PendingRound, first: Source, second: Source, *, is_reset: bool = False
    ) -> tuple[Source, Source]:
        """Create the match (unless a bye resolves it); return its (winner, loser) sources."""
        if first is None or second is None:
            forwarded = second if first is None else first
            if forwarded is not None and forwarded[0] is _SEED:
                self.byes.append(forwarded[1])  # type: ignore[arg-type]
            return forwarded, None
        rnd = pending.round
        if rnd is None:
            rnd = self._open_round(pending)
        match_id = pending.id_prefix + str(len(rnd.match_ids) + 1)
        # Hot path (thousands of matches per stage): the two slots are built inline.
        slots: list[Slot] = []
        for index, (kind, ref) in enumerate((first, second)):
            if kind is _SEED:
                slots.append(Slot(kind, ref, self.seeds[ref - 1]))  # type: ignore[operator]
                continue
            target = _new_target(Target, (match_id, index))
            if kind is _WINNER:
                self.matches[ref].winner_to = target  # type: ignore[index]
            else:
                self.matches[ref].loser_to = target  # type: ignore[index]
            slots.append(Slot(kind, ref))
        match = Match(match_id, rnd.side, rnd.number, (slots[0], slots[1]), is_reset=is_reset)
        if slots[0].participant is not None and slots[1].participant is not None:
            match.status = MatchStatus.READY
        rnd.match_ids.append(match_id)
        self.matches[match_id] = match
        return (_WINNER, match_id), (_LOSER, match_id)

    def _open_round(self, pending: PendingRound) -> Round:
        number = self._round_counts[pending.side] + 1
        self._round_counts[pending.side] = number
        rnd = pending.round = Round(
            pending.side, number, pending.name_template.format(number=number)
        )
        pending.id_prefix = f"{SIDE_PREFIX[rnd.side]}{number}."
        self.rounds.append(rnd)
        return rnd

    def finish(self) -> Stage:
        self.byes.sort()
        return Stage(
            format=self.format_name,
            options=self.options,
            seeds=self.seeds,
            byes=self.byes,
            rounds=self.rounds,
            matches=self.matches,
        )


def build_winners_bracket(
    builder: StageBuilder, size: int, order: list[int], round_name: Callable[[int, int], str]
) -> tuple[Source, list[list[Source]]]:
    """The winners' tree for seeds placed in `order`.

    Returns the champion's source and, per round (index 0 = round 1), the losers' sources in
    match order. `round_name(r, k)` names round r of k.
    """
    sources: list[Source] = [builder.seed_source(seed) for seed in order]
    rounds = size.bit_length() - 1
    losers_by_round: list[list[Source]] = []
    add = builder.add_match
    for r in range(1, rounds + 1):
        pending = builder.round(Side.WINNERS, round_name(r, rounds))
        winners: list[Source] = []
        losers: list[Source] = []
        for i in range(0, len(sources), 2):
            won, lost = add(pending, sources[i], sources[i + 1])
            winners.append(won)
            losers.append(lost)
        sources = winners
        losers_by_round.append(losers)
    return sources[0], losers_by_round


def single_elimination_round_name(r: int, rounds: int) -> str:
    """Round r of `rounds`: Final, Semi-finals, Quarter-finals, then Round of 16, 32, ..."""
    remaining = rounds - r
    if remaining == 0:
        return "Final"
    if remaining == 1:
        return "Semi-finals"
    if remaining == 2:
        return "Quarter-finals"
    return f"Round of {2 ** (remaining + 1)}"
