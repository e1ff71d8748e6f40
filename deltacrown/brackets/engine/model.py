"""The engine's data: a stage of rounds and matches, plain dataclasses that round-trip to JSON.

A stage is generated once (see `formats`) and then changes only through `progress` and
`corrections`, which mutate it in place: copying the stage per result would make a
play-through quadratic. Matches are indexed by id in `Stage.matches` (insertion order is a
valid order of play), and every match knows where its winner and loser go (`winner_to`,
`loser_to`), so routing a result touches a constant number of matches.

Match ids are `<prefix><round>.<n>`: `W` winners, `L` losers, `GF` grand final (`GF1.1`, and
`GF2.1` for the reset), `TP` third place (`TP1.1`). Rounds and positions are counted after byes
are resolved: a round in which every match would have been a bye is dropped and the later
rounds of that side renumbered, so ids and names always describe matches that are played.
Round robin ids are `G<group>.<round>.<n>` (`G2.3.1`: group 2, round 3; a round spans every
group), Swiss ids `S<round>.<n>`. Round-robin and Swiss matches (`Side.GROUP`/`Side.SWISS`)
route nobody: both slots are seeds, and a completed one without a winner is a draw.

Battle royale stages hold `Lobby`s instead of matches. Swiss stages grow a round at a time, so
`more_rounds` keeps such a stage open while its matches are all played.

Serialization stays at version 1: keys added since (`Round.byes`, `Stage.groups`,
`Stage.lobbies`, `Stage.more_rounds`) are written only when they differ from their default, so
elimination payloads are unchanged and old payloads load.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from deltacrown.brackets.engine.errors import InvalidStageError, UnknownMatchError

ParticipantId = int | str
"""An opaque participant id (the registration id); JSON-able and hashable."""

SERIAL_VERSION = 1
# to_dict reads enum members' `_value_` (a plain str) rather than `.value`, a descriptor that
# costs about a microsecond: serializing a 4096-player stage reads 30,000 of them.


class Side(enum.StrEnum):
    WINNERS = "winners"
    LOSERS = "losers"
    GRAND_FINAL = "grand_final"
    # Its own side rather than `winners`: its players are the semi-final losers, so it is not
    # part of the winners' tree, and a client can list or hide it without knowing round names.
    THIRD_PLACE = "third_place"
    GROUP = "group"  # a round-robin match (also when the stage has a single group)
    SWISS = "swiss"
    # Rows only: the round that holds a battle-royale stage's lobby matches (one per lobby,
    # for the match lifecycle); the engine keeps lobbies apart from matches and never uses it.
    LOBBY = "lobby"


SIDE_PREFIX = {
    Side.WINNERS: "W",
    Side.LOSERS: "L",
    Side.GRAND_FINAL: "GF",
    Side.THIRD_PLACE: "TP",
    Side.GROUP: "G",
    Side.SWISS: "S",
}
LEAGUE_SIDES = frozenset({Side.GROUP, Side.SWISS})
"""Sides whose matches route nobody and may end in a draw."""


class SlotKind(enum.StrEnum):
    SEED = "seed"  # ref: the seed number (1-based position in the seed list)
    WINNER = "winner"  # ref: id of the match whose winner fills this slot
    LOSER = "loser"  # ref: id of the match whose loser fills this slot
    # Only while building: generation resolves every bye (see formats/_builder.py), so a
    # generated stage never holds one; `Stage.byes` lists the seeds that received one.
    BYE = "bye"


class MatchStatus(enum.StrEnum):
    """The bracket's view of a match; the match domain keeps the richer live/dispute states."""

    PENDING = "pending"  # at least one participant not known yet
    READY = "ready"  # both participants known, no result
    COMPLETED = "completed"
    SKIPPED = "skipped"  # a grand-final reset that is not needed


# from_dict looks members up in these maps: calling the enum (`Side("winners")`) is as slow.
_SIDES = {member.value: member for member in Side}
_KINDS = {member.value: member for member in SlotKind}
_STATUSES = {member.value: member for member in MatchStatus}


class Target(NamedTuple):
    """Where a participant goes next: slot `slot` (0 or 1) of match `match`."""

    match: str
    slot: int


@dataclass(slots=True)
class Slot:
    kind: SlotKind
    ref: int | str | None
    participant: ParticipantId | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind._value_, "ref": self.ref, "participant": self.participant}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Slot:
        return cls(_KINDS[data["kind"]], data["ref"], data["participant"])


@dataclass(slots=True)
class Match:
    id: str
    side: Side
    round: int
    slots: tuple[Slot, Slot]
    winner_to: Target | None = None
    loser_to: Target | None = None
    status: MatchStatus = MatchStatus.PENDING
    winner: ParticipantId | None = None
    scores: tuple[tuple[int, int], ...] = ()  # per game, in slot order
    # A grand-final reset: played only if the participant in slot 1 of the match feeding it
    # (the losers'-bracket finalist) wins that match; skipped otherwise.
    is_reset: bool = False

    @property
    def participants(self) -> tuple[ParticipantId | None, ParticipantId | None]:
        return self.slots[0].participant, self.slots[1].participant

    @property
    def loser(self) -> ParticipantId | None:
        if self.winner is None:
            return None
        first, second = self.participants
        return second if self.winner == first else first

    @property
    def is_draw(self) -> bool:
        return self.status is MatchStatus.COMPLETED and self.winner is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "side": self.side._value_,
            "round": self.round,
            "slots": [self.slots[0].to_dict(), self.slots[1].to_dict()],
            "winner_to": list(self.winner_to) if self.winner_to else None,
            "loser_to": list(self.loser_to) if self.loser_to else None,
            "status": self.status._value_,
            "winner": self.winner,
            "scores": [list(game) for game in self.scores],
            "is_reset": self.is_reset,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Match:
        first, second = data["slots"]
        return cls(
            id=data["id"],
            side=_SIDES[data["side"]],
            round=data["round"],
            slots=(Slot.from_dict(first), Slot.from_dict(second)),
            winner_to=Target(*data["winner_to"]) if data["winner_to"] else None,
            loser_to=Target(*data["loser_to"]) if data["loser_to"] else None,
            status=_STATUSES[data["status"]],
            winner=data["winner"],
            scores=tuple((int(a), int(b)) for a, b in data["scores"]),
            is_reset=data["is_reset"],
        )


@dataclass(slots=True)
class Round:
    side: Side
    number: int
    name: str
    match_ids: list[str] = field(default_factory=list)
    byes: list[ParticipantId] = field(default_factory=list)  # Swiss: a bye, counted as a win

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "side": self.side._value_,
            "number": self.number,
            "name": self.name,
            "match_ids": list(self.match_ids),
        }
        if self.byes:
            data["byes"] = list(self.byes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Round:
        return cls(
            _SIDES[data["side"]],
            data["number"],
            data["name"],
            list(data["match_ids"]),
            list(data.get("byes", ())),
        )


@dataclass(slots=True)
class Group:
    """A round-robin group: its members (best seed first) and its matches in order of play."""

    number: int
    name: str
    participants: list[ParticipantId]
    match_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "participants": list(self.participants),
            "match_ids": list(self.match_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Group:
        return cls(
            data["number"], data["name"], list(data["participants"]), list(data["match_ids"])
        )


class GameResult(NamedTuple):
    """One participant's outcome in one battle-royale game."""

    participant: ParticipantId
    placement: int  # 1 = last one standing
    kills: int

    def to_dict(self) -> dict[str, Any]:
        return {"participant": self.participant, "placement": self.placement, "kills": self.kills}


@dataclass(slots=True)
class Lobby:
    """A battle-royale lobby: its members play `games_total` games together."""

    id: str
    number: int
    name: str
    participants: list[ParticipantId]
    games_total: int
    games: list[tuple[GameResult, ...]] = field(default_factory=list)  # in the order played
    # Members marked absent (no-shows) before the first game: they are in no game's results
    # and score nothing, so they rank last in the lobby.
    absent: list[ParticipantId] = field(default_factory=list)

    @property
    def present(self) -> list[ParticipantId]:
        return [p for p in self.participants if p not in self.absent]

    @property
    def status(self) -> MatchStatus:
        done = len(self.games) >= self.games_total
        return MatchStatus.COMPLETED if done else MatchStatus.READY

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "participants": list(self.participants),
            "games_total": self.games_total,
            "games": [[result.to_dict() for result in game] for game in self.games],
            "status": self.status._value_,
        } | ({"absent": list(self.absent)} if self.absent else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lobby:
        games = [
            tuple(GameResult(r["participant"], int(r["placement"]), int(r["kills"])) for r in game)
            for game in data["games"]
        ]
        return cls(
            data["id"],
            data["number"],
            data["name"],
            list(data["participants"]),
            int(data["games_total"]),
            games,
            list(data.get("absent", ())),
        )


@dataclass(frozen=True, slots=True)
class Placement:
    participant: ParticipantId
    rank: int  # shared ranks leave gaps: 1, 2, 3, 3, 5, 5, 5, 5

    def to_dict(self) -> dict[str, Any]:
        return {"participant": self.participant, "rank": self.rank}


@dataclass(slots=True)
class Stage:
    format: str
    options: dict[str, Any]
    seeds: list[ParticipantId]
    byes: list[int]  # seed numbers that skip the first round
    rounds: list[Round]
    matches: dict[str, Match]
    # Matches (and lobbies) neither completed nor skipped: the stage is over when this reaches
    # 0 and no round is still to come. Derived, so it is neither serialized nor compared.
    open_count: int = field(default=-1, compare=False, repr=False)
    groups: list[Group] = field(default_factory=list)  # round robin
    lobbies: dict[str, Lobby] = field(default_factory=dict)  # battle royale
    more_rounds: bool = False  # Swiss: rounds remain to be paired once this one is played

    def __post_init__(self) -> None:
        if self.open_count < 0:
            self.recount()

    def recount(self) -> None:
        done = (MatchStatus.COMPLETED, MatchStatus.SKIPPED)
        self.open_count = sum(1 for m in self.matches.values() if m.status not in done) + sum(
            1 for lobby in self.lobbies.values() if lobby.status is not MatchStatus.COMPLETED
        )

    @property
    def is_complete(self) -> bool:
        return self.open_count == 0 and not self.more_rounds

    def match(self, match_id: str) -> Match:
        try:
            return self.matches[match_id]
        except KeyError:
            raise UnknownMatchError(f"no match {match_id!r} in this stage") from None

    def seed_of(self, participant: ParticipantId) -> int:
        return self.seeds.index(participant) + 1

    def ready_matches(self) -> list[Match]:
        return [m for m in self.matches.values() if m.status is MatchStatus.READY]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": SERIAL_VERSION,
            "format": self.format,
            "options": dict(self.options),
            "seeds": list(self.seeds),
            "byes": list(self.byes),
            "rounds": [r.to_dict() for r in self.rounds],
            "matches": [m.to_dict() for m in self.matches.values()],
        }
        if self.groups:
            data["groups"] = [g.to_dict() for g in self.groups]
        if self.lobbies:
            data["lobbies"] = [lobby.to_dict() for lobby in self.lobbies.values()]
        if self.more_rounds:
            data["more_rounds"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stage:
        if data.get("version") != SERIAL_VERSION:
            raise InvalidStageError(f"unsupported stage version {data.get('version')!r}")
        try:
            matches = [Match.from_dict(m) for m in data["matches"]]
            lobbies = [Lobby.from_dict(lobby) for lobby in data.get("lobbies", ())]
            stage = cls(
                format=data["format"],
                options=dict(data["options"]),
                seeds=list(data["seeds"]),
                byes=list(data["byes"]),
                rounds=[Round.from_dict(r) for r in data["rounds"]],
                matches={m.id: m for m in matches},
                groups=[Group.from_dict(g) for g in data.get("groups", ())],
                lobbies={lobby.id: lobby for lobby in lobbies},
                more_rounds=bool(data.get("more_rounds", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidStageError(f"malformed stage: {exc!r}") from exc
        if len(stage.matches) != len(matches) or len(stage.lobbies) != len(lobbies):
            raise InvalidStageError("duplicate match or lobby ids")
        return stage
