"""The bracket engine: pure Python (no Flask, no database) from seeds to final placements.

    stage = generate("double_elimination", [101, 102, 103, 104], {"grand_final": "double"})
    changes = apply_result(stage, "W1.1", winner=101, scores=[[13, 7]])
    preview = preview_correction(stage, "W1.1", winner=104, started={"W2.1"})
    changes = apply_correction(stage, "W1.1", winner=104)
    payload = stage.to_dict()   # JSON-able; Stage.from_dict(payload) restores it

Seeds are opaque participant ids (registration ids), best seed first. The stage is mutated in
place by results and corrections; each call returns a `Changes` describing what moved, which
matches became ready and, once the stage is over, the placements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deltacrown.brackets.engine.corrections import (
    CorrectionPreview,
    apply_correction,
    preview_correction,
)
from deltacrown.brackets.engine.errors import (
    BracketError,
    CorrectionBlockedError,
    InvalidOptionsError,
    InvalidScoresError,
    InvalidSeedsError,
    InvalidStageError,
    InvalidWinnerError,
    MatchAlreadyCompletedError,
    MatchNotCompletedError,
    MatchNotReadyError,
    UnknownFormatError,
    UnknownMatchError,
)
from deltacrown.brackets.engine.formats import FORMATS, BracketFormat, get_format, normalize_options
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
    Target,
)
from deltacrown.brackets.engine.progress import Changes, Move, apply_result, final_placements


def generate(
    format_name: str, seeds: Sequence[ParticipantId], options: Mapping[str, Any] | None = None
) -> Stage:
    """A new stage for `seeds` (best first) in format `format_name` with `options`.

    Raises UnknownFormatError, InvalidOptionsError, or InvalidSeedsError (too few seeds for
    the format, duplicates, or ids that are not int/str).
    """
    fmt = get_format(format_name)
    normalized = normalize_options(fmt, options)
    seeds = list(seeds)
    if len(seeds) < fmt.min_participants:
        raise InvalidSeedsError(
            f"{fmt.name} needs at least {fmt.min_participants} participants, got {len(seeds)}"
        )
    if any(type(s) not in (int, str) for s in seeds):
        raise InvalidSeedsError("participant ids must be integers or strings")
    if len(set(seeds)) != len(seeds):
        raise InvalidSeedsError("a participant appears more than once in the seeds")
    return fmt.build(seeds, normalized)


__all__ = [
    "FORMATS",
    "BracketError",
    "BracketFormat",
    "Changes",
    "CorrectionBlockedError",
    "CorrectionPreview",
    "InvalidOptionsError",
    "InvalidScoresError",
    "InvalidSeedsError",
    "InvalidStageError",
    "InvalidWinnerError",
    "Match",
    "MatchAlreadyCompletedError",
    "MatchNotCompletedError",
    "MatchNotReadyError",
    "MatchStatus",
    "Move",
    "ParticipantId",
    "Placement",
    "Round",
    "Side",
    "Slot",
    "SlotKind",
    "Stage",
    "Target",
    "UnknownFormatError",
    "UnknownMatchError",
    "apply_correction",
    "apply_result",
    "final_placements",
    "generate",
    "get_format",
    "preview_correction",
]
