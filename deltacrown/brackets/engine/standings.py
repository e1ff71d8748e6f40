"""Standings: played, W/D/L, points, game difference and ordered tie-breakers with `decided_by`.

A table ranks a set of participants by the completed matches among them (a round-robin group,
a Swiss stage, an elimination stage). The stage's `tie_breakers` is an ordered list; the
participants tied on every criterion so far are split by the next one, and each row records
which criterion separated it from the row below (`decided_by`; None for the last row and for
rows still tied when the list runs out, which share a rank).

Criteria (all "higher is better" except `losses` and `seed`):
- `points`: the stage's points table (`{"win": 3, "draw": 1, "loss": 0}` by default); a Swiss
  bye counts as a win (played, won, points) without an opponent.
- `wins`, `losses` (fewer first).
- `head_to_head`: a mini-table of the points from the matches among the tied participants
  only; if it splits them, each sub-tie of two or more is mini-tabled again among its own
  members, until it no longer splits (then the next criterion applies).
- `game_difference`: games won minus games lost, from the per-game scores (a game is won by
  the higher score; equal game scores count for nobody).
- `buchholz`: the sum of the opponents' points; `buchholz_cut1` without the lowest;
  `median_buchholz` without the highest and the lowest.
- `sonneborn_berger`: the points of the opponents beaten plus half those of the opponents
  drawn.
- `seed`: the better (lower) seed first; it always separates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deltacrown.brackets.engine.errors import InvalidOptionsError
from deltacrown.brackets.engine.model import Match, MatchStatus, ParticipantId, Placement, Stage

DEFAULT_POINTS = {"win": 3, "draw": 1, "loss": 0}
ROUND_ROBIN_TIE_BREAKERS = ("points", "head_to_head", "game_difference", "seed")
SWISS_TIE_BREAKERS = ("points", "buchholz", "sonneborn_berger", "head_to_head", "seed")
# X-wins Swiss: 3-0, 3-1 and 3-2 have equal points, and the record ranks before Buchholz.
SWISS_WINS_TIE_BREAKERS = (
    "points",
    "losses",
    "buchholz",
    "sonneborn_berger",
    "head_to_head",
    "seed",
)
TIE_BREAKERS = frozenset(
    {
        "points",
        "wins",
        "losses",
        "head_to_head",
        "game_difference",
        "buchholz",
        "buchholz_cut1",
        "median_buchholz",
        "sonneborn_berger",
        "seed",
    }
)
Number = int | float


@dataclass(slots=True)
class StandingRow:
    participant: ParticipantId
    seed: int
    rank: int = 0
    played: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    points: int = 0
    games_won: int = 0
    games_lost: int = 0
    tie_breaks: dict[str, Number] = field(default_factory=dict)  # values of the criteria used
    decided_by: str | None = None

    @property
    def game_difference(self) -> int:
        return self.games_won - self.games_lost

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "rank": self.rank,
            "seed": self.seed,
            "played": self.played,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "byes": self.byes,
            "points": self.points,
            "games_won": self.games_won,
            "games_lost": self.games_lost,
            "game_difference": self.game_difference,
            "tie_breaks": dict(self.tie_breaks),
            "decided_by": self.decided_by,
        }


@dataclass(slots=True)
class StandingsTable:
    """One ranked table: a group (`key` "G1"), a lobby ("BR2") or a whole stage ("stage")."""

    key: str
    name: str
    rows: list[Any]  # StandingRow, or LobbyRow for battle royale

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "rows": [r.to_dict() for r in self.rows]}


def check_points(points: Any) -> None:
    if not isinstance(points, dict) or set(points) != set(DEFAULT_POINTS):
        raise InvalidOptionsError("points must be an object with win, draw and loss")
    if not all(type(v) is int and v >= 0 for v in points.values()):
        raise InvalidOptionsError("points must be non-negative integers")
    if not points["win"] > points["draw"] >= points["loss"]:
        raise InvalidOptionsError(
            "points must rank a win above a draw, and a draw not below a loss"
        )


def check_tie_breakers(names: Any) -> None:
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise InvalidOptionsError("tie_breakers must be a list of names")
    unknown = sorted(set(names) - TIE_BREAKERS)
    if unknown or len(set(names)) != len(names):
        raise InvalidOptionsError(
            f"tie_breakers must be distinct names among {', '.join(sorted(TIE_BREAKERS))}"
        )


def rank_table(
    participants: Sequence[ParticipantId],
    matches: Iterable[Match],
    *,
    seeds: Mapping[ParticipantId, int],
    points: Mapping[str, int],
    tie_breakers: Sequence[str],
    byes: Iterable[ParticipantId] = (),
    extra: Mapping[str, Mapping[ParticipantId, Number]] | None = None,
) -> list[StandingRow]:
    """Rank `participants` by the completed `matches` among them, best first.

    `extra` supplies further criteria by name (higher is better), such as an elimination
    stage's final placement.
    """
    table = _Table(participants, seeds, points)
    for match in matches:
        table.add_match(match)
    for participant in byes:
        table.add_bye(participant)
    return table.ranked(tie_breakers, extra or {})


class _Table:
    def __init__(
        self,
        participants: Sequence[ParticipantId],
        seeds: Mapping[ParticipantId, int],
        points: Mapping[str, int],
    ) -> None:
        self.rows = {p: StandingRow(p, seeds[p]) for p in participants}
        self.win, self.draw, self.loss = points["win"], points["draw"], points["loss"]
        # participant -> [(opponent, share)]: share 2 won, 1 drew, 0 lost (halves, kept integral)
        self.results: dict[ParticipantId, list[tuple[ParticipantId, int]]] = defaultdict(list)

    def add_match(self, match: Match) -> None:
        if match.status is not MatchStatus.COMPLETED:
            return
        first, second = match.participants
        rows = self.rows
        if first not in rows or second not in rows:
            return
        a, b = rows[first], rows[second]
        for game_a, game_b in match.scores:
            if game_a != game_b:
                winner, loser = (a, b) if game_a > game_b else (b, a)
                winner.games_won += 1
                loser.games_lost += 1
        a.played += 1
        b.played += 1
        if match.winner is None:
            shares = (1, 1)
            a.draws += 1
            b.draws += 1
            a.points += self.draw
            b.points += self.draw
        else:
            won, lost = (a, b) if match.winner == first else (b, a)
            shares = (2, 0) if won is a else (0, 2)
            won.wins += 1
            won.points += self.win
            lost.losses += 1
            lost.points += self.loss
        self.results[first].append((second, shares[0]))  # type: ignore[index]
        self.results[second].append((first, shares[1]))  # type: ignore[index]

    def add_bye(self, participant: ParticipantId) -> None:
        row = self.rows[participant]
        row.played += 1
        row.wins += 1
        row.byes += 1
        row.points += self.win

    def ranked(
        self, criteria: Sequence[str], extra: Mapping[str, Mapping[ParticipantId, Number]]
    ) -> list[StandingRow]:
        keys = {name: self._key(name, extra) for name in criteria if name != "head_to_head"}
        for name, key in keys.items():
            if name in ("points", "seed"):
                continue
            for participant, row in self.rows.items():
                value = key[participant]
                row.tie_breaks[name] = -value if name == "losses" else value
        ordered: list[StandingRow] = []
        for tier, label in _Ordering(self, criteria, keys).tiers(list(self.rows)):
            rank = len(ordered) + 1
            members = sorted((self.rows[p] for p in tier), key=lambda r: r.seed)
            for row in members:
                row.rank = rank
            members[-1].decided_by = label
            ordered.extend(members)
        return ordered

    def _key(
        self, name: str, extra: Mapping[str, Mapping[ParticipantId, Number]]
    ) -> dict[ParticipantId, Number]:
        rows, results = self.rows, self.results
        if name in extra:
            return dict(extra[name])
        if name == "points":
            return {p: r.points for p, r in rows.items()}
        if name == "wins":
            return {p: r.wins for p, r in rows.items()}
        if name == "losses":
            return {p: -r.losses for p, r in rows.items()}
        if name == "game_difference":
            return {p: r.game_difference for p, r in rows.items()}
        if name == "seed":
            return {p: -r.seed for p, r in rows.items()}
        opponents = {p: sorted(rows[o].points for o, _ in results[p]) for p in rows}
        if name == "buchholz":
            return {p: sum(scores) for p, scores in opponents.items()}
        if name == "buchholz_cut1":
            return {p: sum(scores[1:]) for p, scores in opponents.items()}
        if name == "median_buchholz":
            return {p: sum(scores[1:-1]) for p, scores in opponents.items()}
        if name == "sonneborn_berger":
            return {p: _half(sum(rows[o].points * share for o, share in results[p])) for p in rows}
        raise InvalidOptionsError(f"unknown tie-breaker {name!r}")

    def mini_table(self, block: Sequence[ParticipantId]) -> dict[ParticipantId, int]:
        """Points each member of `block` took from matches against the others in it."""
        members = set(block)
        by_share = {2: self.win, 1: self.draw, 0: self.loss}
        return {
            p: sum(by_share[share] for o, share in self.results[p] if o in members) for p in block
        }


def _half(doubled: int) -> Number:
    return doubled // 2 if doubled % 2 == 0 else doubled / 2


class _Ordering:
    """Splits tied blocks criterion by criterion; yields (tier, label of the gap below it)."""

    def __init__(
        self,
        table: _Table,
        criteria: Sequence[str],
        keys: Mapping[str, Mapping[ParticipantId, Number]],
    ) -> None:
        self.table = table
        self.criteria = list(criteria)
        self.keys = keys

    def tiers(self, block: list[ParticipantId]) -> list[tuple[list[ParticipantId], str | None]]:
        return self._order(block, 0)

    def _order(
        self, block: list[ParticipantId], index: int
    ) -> list[tuple[list[ParticipantId], str | None]]:
        if len(block) == 1 or index == len(self.criteria):
            return [(block, None)]
        name = self.criteria[index]
        if name == "head_to_head":
            parts = self._head_to_head(block)
        else:
            parts = _split(block, self.keys[name])
        if len(parts) == 1:
            return self._order(block, index + 1)
        out: list[tuple[list[ParticipantId], str | None]] = []
        for part in parts:
            if out:
                out[-1] = (out[-1][0], name)
            out.extend(self._order(part, index + 1))
        return out

    def _head_to_head(self, block: list[ParticipantId]) -> list[list[ParticipantId]]:
        """The mini-table's split of `block`, each sub-tie split again by its own mini-table."""
        mini = self.table.mini_table(block)
        for participant, value in mini.items():
            self.table.rows[participant].tie_breaks["head_to_head"] = value
        parts = _split(block, mini)
        if len(parts) == 1:
            return parts
        out: list[list[ParticipantId]] = []
        for part in parts:
            out.extend(self._head_to_head(part) if len(part) > 1 else [part])
        return out


def _split(
    block: list[ParticipantId], key: Mapping[ParticipantId, Number]
) -> list[list[ParticipantId]]:
    """`block` cut into runs of equal `key`, highest first."""
    parts: dict[Number, list[ParticipantId]] = defaultdict(list)
    for participant in block:
        parts[key[participant]].append(participant)
    return [parts[value] for value in sorted(parts, reverse=True)]


def group_tables(stage: Stage) -> list[StandingsTable]:
    """One table per group (a round-robin stage), each ranked by the stage's tie-breakers."""
    seeds = {p: i for i, p in enumerate(stage.seeds, start=1)}
    points = stage.options.get("points", DEFAULT_POINTS)
    criteria = stage.options["tie_breakers"]
    return [
        StandingsTable(
            f"G{group.number}",
            group.name,
            rank_table(
                group.participants,
                (stage.matches[mid] for mid in group.match_ids),
                seeds=seeds,
                points=points,
                tie_breakers=criteria,
            ),
        )
        for group in stage.groups
    ]


def pool_table(stage: Stage) -> list[StandingsTable]:
    """One table for the whole stage (Swiss): its tie-breakers, a bye counting as a win."""
    seeds = {p: i for i, p in enumerate(stage.seeds, start=1)}
    rows = rank_table(
        stage.seeds,
        stage.matches.values(),
        seeds=seeds,
        points=stage.options.get("points", DEFAULT_POINTS),
        tie_breakers=stage.options["tie_breakers"],
        byes=[p for rnd in stage.rounds for p in rnd.byes],
    )
    return [StandingsTable("stage", "Standings", rows)]


def elimination_table(stage: Stage, placements: Sequence[Placement] | None) -> list[StandingsTable]:
    """An elimination stage: the final `placements` once it is over (shared ones stay shared);
    until then (None) wins, fewer losses, then seed."""
    seeds = {p: i for i, p in enumerate(stage.seeds, start=1)}
    criteria: tuple[str, ...] = ("wins", "losses", "seed")
    extra = None
    if placements is not None:
        criteria = ("placement",)
        extra = {"placement": {p.participant: -p.rank for p in placements}}
    rows = rank_table(
        stage.seeds,
        stage.matches.values(),
        seeds=seeds,
        points=stage.options.get("points", DEFAULT_POINTS),
        tie_breakers=criteria,
        extra=extra,
    )
    for row in rows:
        row.tie_breaks.pop("placement", None)
    return [StandingsTable("stage", "Standings", rows)]
