"""Shared construction of elimination stages: rounds, matches, routing and bye resolution.

Formats describe the full power-of-two bracket round by round, passing each match the
*sources* of its two slots: `(SlotKind.SEED, n)`, `(SlotKind.WINNER, id)`,
`(SlotKind.LOSER, id)`, or `None` for a bye. `add_match` resolves byes on the spot instead of
creating a match nobody plays: a match with one bye is not created and its other source is
forwarded as the match's "winner" (its "loser" is a bye); a match with two byes forwards a bye
both ways. A bye in the winners' bracket therefore never creates an empty losers'-bracket
match, and the slots of every created match name who really fills them.

A round is built whole by `add_round` from two `Feeds` (the first and second slots of its
matches, in match order). Most rounds of a large bracket hold no bye and are fed by one kind
of source only (seeds, or the winners or losers of one earlier round): such a feed is a `Feed`,
which keeps the feeding matches themselves, and such a round is built in bulk, each of its
matches, slots and routes made once by C-level `map`s with no per-match branching or look-up.
A round that sees a bye, mixes kinds or has fewer than `_BULK` matches is fed `Source` lists
and built match by match by `add_match`. Both give the same matches, ids and order
(tests/brackets/test_generation_pins.py); a 4,096-player double elimination (8,191 matches)
takes about 36 % fewer instructions in bulk, a 3,000-player one (whose two largest rounds
on each side see byes) 17 % fewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
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
_READY = MatchStatus.READY
# `tuple.__new__(Target, pair)` builds the same Target as `Target(*pair)` without the
# Python-level __new__ a NamedTuple adds; it halves the cost of routing in generation.
_new_target = tuple.__new__
# Rounds of fewer matches go match by match: below this the maps' set-up costs more than
# they save (a few microseconds per stage of 8 players, measured in instructions).
_BULK = 8


class Feed:
    """Sources of one kind, none a bye: seed numbers, or the winners or losers of `matches`.

    `refs` are what the slots will hold (seed numbers, or the ids of `matches`); `matches` is
    None for seeds.
    """

    __slots__ = ("kind", "refs", "matches")

    def __init__(self, kind: SlotKind, refs: list[Any], matches: list[Match] | None) -> None:
        self.kind = kind
        self.refs = refs
        self.matches = matches

    def sources(self) -> list[Source]:
        return [(self.kind, ref) for ref in self.refs]


Feeds = Feed | list[Source]
"""A round's sources in match order: a `Feed` when uniform, else a list of `Source`."""


def as_sources(feeds: Feeds) -> list[Source]:
    return feeds.sources() if isinstance(feeds, Feed) else feeds


def halves(feeds: Feeds) -> tuple[Feeds, Feeds]:
    """The sources at even and at odd positions: the first and second slots of the next round."""
    if isinstance(feeds, Feed):
        matches = feeds.matches
        return (
            Feed(feeds.kind, feeds.refs[0::2], matches and matches[0::2]),
            Feed(feeds.kind, feeds.refs[1::2], matches and matches[1::2]),
        )
    return feeds[0::2], feeds[1::2]


def reverse(feeds: Feeds) -> Feeds:
    if isinstance(feeds, Feed):
        matches = feeds.matches
        return Feed(feeds.kind, feeds.refs[::-1], matches and matches[::-1])
    return feeds[::-1]


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
        self._numbers: list[str] = []

    def seed_feed(self, order: list[int]) -> Feeds:
        """The first round's sources for seeds in slot `order`: byes where a seed is missing."""
        count = len(self.seeds)
        if max(order, default=0) <= count:
            return Feed(_SEED, order, None)
        return [(_SEED, seed) if seed <= count else None for seed in order]

    def round(self, side: Side, name_template: str) -> PendingRound:
        """Open a round; `name_template` may use `{number}` (the round's number on its side)."""
        return PendingRound(side, name_template)

    def add_round(
        self, pending: PendingRound, firsts: Feeds, seconds: Feeds
    ) -> tuple[Feeds, Feeds]:
        """A match between each of `firsts` and `seconds` (byes resolved as in `add_match`);
        returns the round's winners and losers, in match order."""
        if isinstance(firsts, Feed):
            if isinstance(seconds, Feed) and len(firsts.refs) >= _BULK:
                return self._add_full_round(pending, firsts, seconds)
            firsts = firsts.sources()
        if isinstance(seconds, Feed):
            seconds = seconds.sources()
        add = self.add_match
        winners: list[Source] = []
        losers: list[Source] = []
        for first, second in zip(firsts, seconds, strict=True):
            won, lost = add(pending, first, second)
            winners.append(won)
            losers.append(lost)
        # Every pair played: what this round feeds is uniform again (and large enough).
        if len(losers) >= _BULK and None not in losers:
            ids: list[Any] = [lost[1] for lost in losers]  # type: ignore[index]
            matches = [self.matches[match_id] for match_id in ids]
            return Feed(_WINNER, ids, matches), Feed(_LOSER, ids, matches)
        return winners, losers

    def _add_full_round(
        self, pending: PendingRound, firsts: Feed, seconds: Feed
    ) -> tuple[Feeds, Feeds]:
        if len(firsts.refs) != len(seconds.refs):
            raise ValueError("a round needs as many second slots as first slots")
        rnd = pending.round or self._open_round(pending)
        prefix = pending.id_prefix
        start = len(rnd.match_ids) + 1
        end = start + len(firsts.refs) - 1
        numbers = self._numbers  # "1", "2", ...: each written once per stage, not per round
        if len(numbers) < end:
            numbers += map(str, range(len(numbers) + 1, end + 1))
        ids = [prefix + number for number in numbers[start - 1 : end]]
        pairs = zip(self._slots(firsts, ids, 0), self._slots(seconds, ids, 1), strict=True)
        side, number = repeat(rnd.side), repeat(rnd.number)
        if firsts.kind is _SEED and seconds.kind is _SEED:  # both participants known
            none = repeat(None)
            matches = list(map(Match, ids, side, number, pairs, none, none, repeat(_READY)))
        else:
            matches = list(map(Match, ids, side, number, pairs))
        self.matches.update(zip(ids, matches, strict=True))
        rnd.match_ids += ids
        return Feed(_WINNER, ids, matches), Feed(_LOSER, ids, matches)

    def _slots(self, feed: Feed, ids: list[str], index: int) -> list[Slot]:
        """Slot `index` of the matches `ids`, routing each feeding match's winner or loser."""
        kind, refs = feed.kind, feed.refs
        if kind is _SEED:
            participants = map(self.seeds.__getitem__, [ref - 1 for ref in refs])
            return list(map(Slot, repeat(kind), refs, participants))
        targets = map(_new_target, repeat(Target), zip(ids, repeat(index)))
        if kind is _WINNER:
            for match, target in zip(feed.matches, targets, strict=False):  # type: ignore[arg-type]
                match.winner_to = target
        else:
            for match, target in zip(feed.matches, targets, strict=False):  # type: ignore[arg-type]
                match.loser_to = target
        return list(map(Slot, repeat(kind), refs))

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
        # Every generated match is pending or ready, so all of them are open: counting them
        # again (Stage.recount) would walk thousands of matches for a number known here.
        return Stage(
            format=self.format_name,
            options=self.options,
            seeds=self.seeds,
            byes=self.byes,
            rounds=self.rounds,
            matches=self.matches,
            open_count=len(self.matches),
        )


def build_winners_bracket(
    builder: StageBuilder, size: int, order: list[int], round_name: Callable[[int, int], str]
) -> tuple[Source, list[Feeds]]:
    """The winners' tree for seeds placed in `order`.

    Returns the champion's source and, per round (index 0 = round 1), the losers' sources in
    match order. `round_name(r, k)` names round r of k.
    """
    sources = builder.seed_feed(order)
    rounds = size.bit_length() - 1
    losers_by_round: list[Feeds] = []
    for r in range(1, rounds + 1):
        pending = builder.round(Side.WINNERS, round_name(r, rounds))
        sources, losers = builder.add_round(pending, *halves(sources))
        losers_by_round.append(losers)
    return as_sources(sources)[0], losers_by_round


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
