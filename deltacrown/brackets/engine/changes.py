"""What one result changed in a stage (`Changes`, with its `Move`s): produced by `progress`,
`corrections` and the battle-royale format, persisted and announced by the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deltacrown.brackets.engine.model import ParticipantId, Placement


@dataclass(frozen=True, slots=True)
class Move:
    """`participant`, as `outcome` ("winner"/"loser") of `from_match`, now fills a slot."""

    participant: ParticipantId
    from_match: str
    outcome: str
    to_match: str
    slot: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "from_match": self.from_match,
            "outcome": self.outcome,
            "to_match": self.to_match,
            "slot": self.slot,
        }


@dataclass(slots=True)
class Changes:
    """Everything one result (or correction) changed, for the service to persist and announce."""

    match_id: str
    moves: list[Move] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)  # matches that now have both participants
    reset: list[str] = field(default_factory=list)  # corrections: matches whose line-up changed
    skipped: list[str] = field(default_factory=list)  # a grand-final reset not needed
    eliminated: list[ParticipantId] = field(default_factory=list)
    reinstated: list[ParticipantId] = field(default_factory=list)  # corrections only
    placements: list[Placement] | None = None  # set when the stage is over afterwards
    # Swiss: the number of the round this result completed (pair the next one now), and who
    # reached X wins (advanced) or X losses (`eliminated`) in it.
    round_completed: int | None = None
    advanced: list[ParticipantId] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "match_id": self.match_id,
            "moves": [m.to_dict() for m in self.moves],
            "ready": list(self.ready),
            "reset": list(self.reset),
            "skipped": list(self.skipped),
            "eliminated": list(self.eliminated),
            "reinstated": list(self.reinstated),
            "round_completed": self.round_completed,
            "advanced": list(self.advanced),
            "placements": None
            if self.placements is None
            else [p.to_dict() for p in self.placements],
        }
