"""Swiss: a fixed number of rounds, or "X wins advance, X losses out", paired round by round.

Round 1 is paired from the seeds, top half against bottom half (1 v N/2+1, 2 v N/2+2, ...;
with an odd N the last seed has the bye). Each later round is paired by `next_round` once
every match of the previous one has a result (the service calls it on an organizer's request
or as soon as `Changes.round_completed` says the round is over): players are ranked by points,
then seed, and paired by `_swiss_pairing` (score groups, no rematch, at most one bye each, the
bye to the lowest-ranked player without one, counted as a win).

Fixed rounds: `swiss_rounds`, by default ceil(log2 N). X wins: with `swiss_wins_to_advance`
X, a player stops playing on reaching X wins (advanced) or X losses (eliminated); the stage
ends when nobody is left, after at most 2X - 1 rounds. Draws are refused there (a draw would
leave a player short of both), and allowed by default with fixed rounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from deltacrown.brackets.engine.errors import (
    InvalidOptionsError,
    NoMoreRoundsError,
    RoundNotCompleteError,
    StageNotCompleteError,
    WrongFormatError,
)
from deltacrown.brackets.engine.formats._placements import rank_tiers
from deltacrown.brackets.engine.formats._swiss_pairing import Pair, Pairer
from deltacrown.brackets.engine.model import (
    Match,
    MatchStatus,
    ParticipantId,
    Placement,
    Round,
    Side,
    Slot,
    SlotKind,
    Stage,
)
from deltacrown.brackets.engine.standings import (
    DEFAULT_POINTS,
    SWISS_TIE_BREAKERS,
    SWISS_WINS_TIE_BREAKERS,
    StandingsTable,
    check_points,
    check_tie_breakers,
    pool_table,
)


@dataclass(slots=True)
class Record:
    points: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    opponents: set[ParticipantId] = field(default_factory=set)


@dataclass(slots=True)
class RoundChanges:
    """What `next_round` (or the end of a round) changed, for the service to persist."""

    round: int
    ready: list[str] = field(default_factory=list)  # the new round's matches
    byes: list[ParticipantId] = field(default_factory=list)
    # As in Changes: set (to `round`) when a round of only a bye is over at once; the service
    # then pairs the next one, as after the last result of a round.
    round_completed: int | None = None
    advanced: list[ParticipantId] = field(default_factory=list)  # X wins: finished this round
    eliminated: list[ParticipantId] = field(default_factory=list)
    placements: list[Placement] | None = None
    # Only when no legal pairing existed: matches repeating a pairing, players with a 2nd bye.
    rematches: list[str] = field(default_factory=list)
    repeat_byes: list[ParticipantId] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "ready": list(self.ready),
            "byes": list(self.byes),
            "round_completed": self.round_completed,
            "advanced": list(self.advanced),
            "eliminated": list(self.eliminated),
            "rematches": list(self.rematches),
            "repeat_byes": list(self.repeat_byes),
            "placements": None
            if self.placements is None
            else [p.to_dict() for p in self.placements],
        }


class Swiss:
    name = "swiss"
    min_participants = 2
    defaults: dict[str, Any] = {
        "swiss_rounds": None,
        "swiss_wins_to_advance": None,
        "allow_draws": None,  # None: allowed with fixed rounds, refused with X wins
        "points": DEFAULT_POINTS,
        "tie_breakers": None,  # None: SWISS_TIE_BREAKERS, or SWISS_WINS_TIE_BREAKERS
    }

    def check_options(self, options: dict[str, Any]) -> None:
        rounds, wins = options["swiss_rounds"], options["swiss_wins_to_advance"]
        for name, value in (("swiss_rounds", rounds), ("swiss_wins_to_advance", wins)):
            if value is not None and (type(value) is not int or value < 1):
                raise InvalidOptionsError(f"{name} must be a positive integer, or null")
        if rounds is not None and wins is not None:
            raise InvalidOptionsError("give swiss_rounds or swiss_wins_to_advance, not both")
        draws = options["allow_draws"]
        if draws is not None and not isinstance(draws, bool):
            raise InvalidOptionsError("allow_draws must be true or false")
        if wins is not None and draws:
            raise InvalidOptionsError("a Swiss played to X wins cannot allow draws")
        check_points(options["points"])
        if options["tie_breakers"] is not None:
            check_tie_breakers(options["tie_breakers"])

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        n = len(seeds)
        wins = options["swiss_wins_to_advance"]
        limit = n if n % 2 else n - 1  # rounds in which everyone can meet someone new
        if wins is None:
            rounds = options["swiss_rounds"] or max(1, math.ceil(math.log2(n)))
            if rounds > limit:
                raise InvalidOptionsError(f"{n} participants can play at most {limit} rounds")
        else:
            rounds = None
            if 2 * wins - 1 > limit:
                raise InvalidOptionsError(
                    f"{wins} wins to advance needs up to {2 * wins - 1} rounds; "
                    f"{n} participants can play at most {limit}"
                )
        criteria = options["tie_breakers"] or (
            SWISS_TIE_BREAKERS if wins is None else SWISS_WINS_TIE_BREAKERS
        )
        options = {
            **options,
            "swiss_rounds": rounds,
            "allow_draws": wins is None
            if options["allow_draws"] is None
            else options["allow_draws"],
            "points": dict(options["points"]),
            "tie_breakers": list(criteria),
        }
        stage = Stage(self.name, options, list(seeds), [], [], {}, more_rounds=True)
        players = list(seeds)
        bye = players.pop() if n % 2 else None
        half = len(players) // 2
        _add_round(stage, [(players[i], players[i + half]) for i in range(half)], bye)
        stage.more_rounds = rounds is None or rounds > 1
        return stage

    def placements(self, stage: Stage) -> list[Placement]:
        tiers: dict[int, list[ParticipantId]] = {}
        for row in pool_table(stage)[0].rows:
            tiers.setdefault(row.rank, []).append(row.participant)
        return rank_tiers(stage, [tiers[rank] for rank in sorted(tiers)])

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """One table for the pool; a bye counts as a win."""
        return pool_table(stage)

    def round_completed(self, stage: Stage, changes: Any) -> None:
        """Called by `progress` when the last result of a round arrives."""
        changes.round_completed = stage.rounds[-1].number
        _settle_round(stage, changes)


def next_round(stage: Stage) -> RoundChanges:
    """Pair the next round of a Swiss stage from the results so far.

    Raises WrongFormatError, RoundNotCompleteError (a match of the current round has no
    result) or NoMoreRoundsError (the stage is over). When no pairing avoids every rematch
    and second bye (only in small fields), the round uses as few as possible and lists them.
    """
    if stage.format != Swiss.name:
        raise WrongFormatError(f"next_round needs a swiss stage, not {stage.format}")
    if stage.open_count:
        raise RoundNotCompleteError(f"{stage.open_count} match(es) of this round have no result")
    if not stage.more_rounds:
        raise NoMoreRoundsError("every round of this stage has been played")
    records = swiss_records(stage)
    seed = {p: i for i, p in enumerate(stage.seeds, start=1)}
    active = [p for p in stage.seeds if _is_active(stage, records[p])]
    ranked = sorted(active, key=lambda p: (-records[p].points, seed[p]))
    pairer = Pairer(
        ranked,
        {p: records[p].points for p in ranked},
        seed,
        {p: records[p].opponents for p in ranked},
        {p for p in ranked if records[p].byes},
    )
    pairs, bye = pairer.pair()
    rnd = _add_round(stage, pairs, bye)
    total = stage.options["swiss_rounds"]
    stage.more_rounds = total is None or rnd.number < total
    changes = RoundChanges(rnd.number, list(rnd.match_ids), list(rnd.byes))
    changes.rematches = [
        mid for mid, (a, b) in zip(rnd.match_ids, pairs, strict=True) if b in records[a].opponents
    ]
    changes.repeat_byes = [p for p in rnd.byes if records[p].byes]
    if not rnd.match_ids:  # only a bye: the round is over already
        changes.round_completed = rnd.number
        _settle_round(stage, changes)
        if stage.is_complete:
            changes.placements = Swiss().placements(stage)
    return changes


def swiss_records(stage: Stage) -> dict[ParticipantId, Record]:
    """Points, wins, draws, losses, byes and opponents of every player from the results."""
    points = stage.options["points"]
    records = {p: Record() for p in stage.seeds}
    for rnd in stage.rounds:
        for p in rnd.byes:
            record = records[p]
            record.byes += 1
            record.wins += 1
            record.points += points["win"]
        for match_id in rnd.match_ids:
            match = stage.matches[match_id]
            first, second = match.participants
            a, b = records[first], records[second]  # type: ignore[index]
            a.opponents.add(second)  # type: ignore[arg-type]
            b.opponents.add(first)  # type: ignore[arg-type]
            if match.status is not MatchStatus.COMPLETED:
                continue
            if match.winner is None:
                for record in (a, b):
                    record.draws += 1
                    record.points += points["draw"]
                continue
            won, lost = (a, b) if match.winner == first else (b, a)
            won.wins += 1
            won.points += points["win"]
            lost.losses += 1
            lost.points += points["loss"]
    return records


def swiss_qualifiers(stage: Stage) -> list[ParticipantId]:
    """X-wins Swiss: the players who reached X wins, in standings order."""
    if not stage.is_complete:
        raise StageNotCompleteError("the Swiss stage is not over")
    wins = stage.options["swiss_wins_to_advance"]
    rows = pool_table(stage)[0].rows
    return [row.participant for row in rows if wins is None or row.wins >= wins]


def _is_active(stage: Stage, record: Record) -> bool:
    wins = stage.options["swiss_wins_to_advance"]
    return wins is None or (record.wins < wins and record.losses < wins)


def _settle_round(stage: Stage, changes: Any) -> None:
    """X wins: who finished in the round just played, and whether anybody is left."""
    wins = stage.options["swiss_wins_to_advance"]
    if wins is None:
        return
    rnd = stage.rounds[-1]
    records = swiss_records(stage)
    played = list(rnd.byes)
    for match_id in rnd.match_ids:
        played.extend(stage.matches[match_id].participants)  # type: ignore[arg-type]
    seed = {p: i for i, p in enumerate(stage.seeds)}
    for p in sorted(played, key=seed.__getitem__):
        if records[p].wins == wins:
            changes.advanced.append(p)
        elif records[p].losses == wins:
            changes.eliminated.append(p)
    stage.more_rounds = any(_is_active(stage, r) for r in records.values())


def _add_round(stage: Stage, pairs: list[Pair], bye: ParticipantId | None) -> Round:
    number = len(stage.rounds) + 1
    seed = {p: i for i, p in enumerate(stage.seeds, start=1)}
    rnd = Round(Side.SWISS, number, f"Round {number}", byes=[] if bye is None else [bye])
    for i, (a, b) in enumerate(pairs, start=1):
        match = Match(
            f"S{number}.{i}",
            Side.SWISS,
            number,
            (Slot(SlotKind.SEED, seed[a], a), Slot(SlotKind.SEED, seed[b], b)),
            status=MatchStatus.READY,
        )
        stage.matches[match.id] = match
        rnd.match_ids.append(match.id)
    stage.rounds.append(rnd)
    stage.open_count += len(rnd.match_ids)
    return rnd
