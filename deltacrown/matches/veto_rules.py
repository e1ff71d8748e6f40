"""Map veto rules: the sequence of turns for a best-of and a map pool, and the state machine
that replays a veto's history (whose turn, which maps remain, what is played where).

Pure: no database, no clock. Side 1 is the match's first slot (the higher seed) and acts
first. The sequences, for the usual seven-map pool:

* best of 1: the sides ban in turn until one map is left; it is played;
* best of 3: ban, ban, pick, pick, then bans in turn until one map is left (the decider);
* best of 5: ban, ban, then picks in turn until one map is left (the decider).

A bigger pool gets more bans in the same places. When the game has starting sides (Valorant:
attack/defense), every pick is followed by the *other* side choosing its starting side on that
map, and the decider's starting side is chosen by the side that did not act last.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deltacrown.core.errors import ConflictError, ValidationError

BAN, PICK, SIDE, DECIDER = "ban", "pick", "side", "decider"
ACTIONS = (BAN, PICK, SIDE)
SUPPORTED_BEST_OF = (1, 3, 5)


class NotYourTurnError(ConflictError):
    code, title = "not_your_turn", "Not your turn in the veto"


class VetoCompleteError(ConflictError):
    code, title = "veto_complete", "The veto is over"


class MapUnavailableError(ValidationError):
    code, title = "map_unavailable", "Map not available"


class InvalidVetoActionError(ValidationError):
    code, title = "invalid_veto_action", "Not the action this turn expects"


class VetoNotAvailableError(ConflictError):
    code, title = "veto_not_available", "No map veto for this match"


@dataclass(frozen=True)
class Turn:
    """One expected action: `action` by side `by` (1 or 2); a side choice names its `map`."""

    action: str
    by: int
    map: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "by": self.by, "map": self.map}


def other(side: int) -> int:
    return 2 if side == 1 else 1


def check_format(best_of: int, pool_size: int) -> None:
    """VetoNotAvailableError unless a veto exists for this best-of and pool size."""
    if best_of not in SUPPORTED_BEST_OF:
        raise VetoNotAvailableError(
            f"A map veto exists for best of 1, 3 or 5; this match is best of {best_of}."
        )
    needed = 1 if best_of == 1 else 5
    if pool_size < needed:
        raise VetoNotAvailableError(
            f"A best-of-{best_of} veto needs at least {needed} maps; the pool has {pool_size}."
        )


def plan(best_of: int, pool_size: int) -> list[str]:
    """The ban/pick actions in order (sides alternate, side 1 first), before side choices."""
    check_format(best_of, pool_size)
    if best_of == 1:
        return [BAN] * (pool_size - 1)
    if best_of == 3:
        return [BAN, BAN, PICK, PICK] + [BAN] * (pool_size - 5)
    return [BAN] * (pool_size - 5) + [PICK] * 4


@dataclass
class VetoState:
    """A veto replayed from its history. `history` items: {action, map, side?, by, auto?}."""

    pool: list[str]
    best_of: int
    sides: tuple[str, str] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._plan = plan(self.best_of, len(self.pool))
        given, self.history = self.history, []
        for entry in given:
            self._check(dict(entry))

    # ----- reading ---------------------------------------------------------------------------
    @property
    def banned(self) -> list[str]:
        return [e["map"] for e in self.history if e["action"] == BAN]

    @property
    def picked(self) -> list[str]:
        return [e["map"] for e in self.history if e["action"] == PICK]

    @property
    def remaining(self) -> list[str]:
        used = set(self.banned) | set(self.picked)
        return [m for m in self.pool if m not in used]

    def _plan_done(self) -> int:
        return sum(1 for e in self.history if e["action"] in (BAN, PICK))

    def _pending_side(self) -> Turn | None:
        """The side choice owed for a picked map (or the decider) not chosen yet."""
        if self.sides is None:
            return None
        chosen = {e["map"] for e in self.history if e["action"] == SIDE}
        for entry in self.history:
            if entry["action"] == PICK and entry["map"] not in chosen:
                return Turn(SIDE, other(entry["by"]), entry["map"])
        if self._plan_done() == len(self._plan):
            decider = self.remaining[0]
            if decider not in chosen:
                acted = [e["by"] for e in self.history if e["action"] in (BAN, PICK)]
                return Turn(SIDE, other(acted[-1]) if acted else 1, decider)
        return None

    def next_turn(self) -> Turn | None:
        """The action expected next, or None when the veto is complete."""
        side_turn = self._pending_side()
        if side_turn is not None:
            return side_turn
        done = self._plan_done()
        if done < len(self._plan):
            return Turn(self._plan[done], 1 if done % 2 == 0 else 2)
        return None

    @property
    def complete(self) -> bool:
        return self.next_turn() is None

    def maps(self) -> list[dict[str, Any]]:
        """The games' maps in play order once known: picks in order, then the decider. Each:
        {game, map, picked_by (None: decider), side_chosen_by, starting_side}."""
        sides = {e["map"]: e for e in self.history if e["action"] == SIDE}
        games = [(e["map"], e["by"]) for e in self.history if e["action"] == PICK]
        if self._plan_done() == len(self._plan):
            games.append((self.remaining[0], None))
        out = []
        for number, (name, by) in enumerate(games, start=1):
            choice = sides.get(name)
            out.append(
                {
                    "game": number,
                    "map": name,
                    "picked_by": by,
                    "side_chosen_by": choice["by"] if choice else None,
                    "starting_side": choice["side"] if choice else None,
                }
            )
        return out

    # ----- acting ----------------------------------------------------------------------------
    def _check(self, entry: Mapping[str, Any]) -> None:
        turn = self.next_turn()
        if turn is None:
            raise VetoCompleteError("The veto is over; no more bans, picks or sides.")
        by, action, name = entry.get("by"), entry.get("action"), entry.get("map")
        if by != turn.by:
            raise NotYourTurnError(
                f"It is side {turn.by}'s turn to {turn.action}.", expected=turn.as_dict()
            )
        if action != turn.action:
            raise InvalidVetoActionError(
                f"This turn is a {turn.action}, not a {action}.",
                errors={"action": [f"Expected `{turn.action}`."]},
                expected=turn.as_dict(),
            )
        if action == SIDE:
            if name is not None and name != turn.map:
                raise MapUnavailableError(
                    f"The starting side is chosen on {turn.map}.",
                    errors={"map": [f"Expected `{turn.map}`."]},
                )
            if entry.get("side") not in (self.sides or ()):
                raise InvalidVetoActionError(
                    "Choose a starting side.",
                    errors={"side": [f"One of: {', '.join(self.sides or ())}."]},
                    expected=turn.as_dict(),
                )
        elif name not in self.remaining:
            raise MapUnavailableError(
                f"{name} is not in the remaining maps.",
                errors={"map": [f"One of: {', '.join(self.remaining)}."]},
                remaining=self.remaining,
            )
        self.history.append(dict(entry, map=turn.map if action == SIDE else name))

    def apply(
        self, *, by: int, action: str, map: str | None = None, side: str | None = None
    ) -> dict[str, Any]:
        """Apply one action by side `by`; the history entry. Raises VetoCompleteError,
        NotYourTurnError, InvalidVetoActionError, MapUnavailableError; the state is unchanged
        when it raises."""
        entry: dict[str, Any] = {"action": action, "map": map, "by": by}
        if action == SIDE:
            entry["side"] = side
        self._check(entry)
        return self.history[-1]

    def random_action(self, rng: random.Random) -> dict[str, Any]:
        """The expected action taken at random (a turn timer ran out): marked `auto`."""
        turn = self.next_turn()
        if turn is None:
            raise VetoCompleteError("The veto is over.")
        if turn.action == SIDE:
            side = rng.choice(self.sides or ("",))
            choice = self.apply(by=turn.by, action=SIDE, map=turn.map, side=side)
        else:
            choice = self.apply(by=turn.by, action=turn.action, map=rng.choice(self.remaining))
        choice["auto"] = True
        return choice

    def as_dict(self) -> dict[str, Any]:
        turn = self.next_turn()
        return {
            "best_of": self.best_of,
            "pool": list(self.pool),
            "sides": list(self.sides) if self.sides else None,
            "remaining": self.remaining,
            "history": [dict(e) for e in self.history],
            "next": turn.as_dict() if turn else None,
            "complete": turn is None,
            "maps": self.maps(),
        }


def replay(
    pool: Sequence[str],
    best_of: int,
    history: Sequence[Mapping[str, Any]],
    sides: Sequence[str] | None = None,
) -> VetoState:
    """A state from stored values (raises the rules' errors when the history is not valid)."""
    two = (str(sides[0]), str(sides[1])) if sides else None
    return VetoState(list(pool), best_of, two, [dict(e) for e in history])
