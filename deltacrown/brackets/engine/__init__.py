"""The bracket engine: pure Python (no Flask, no database) from seeds to final placements.

    stage = generate("double_elimination", [101, 102, 103, 104], {"grand_final": "double"})
    changes = apply_result(stage, "W1.1", winner=101, scores=[[13, 7]])
    preview = preview_correction(stage, "W1.1", winner=104, started={"W2.1"})
    changes = apply_correction(stage, "W1.1", winner=104)
    payload = stage.to_dict()   # JSON-able; Stage.from_dict(payload) restores it

    stage = generate("round_robin", seeds, {"group_size": 8, "double_round_robin": True})
    apply_result(stage, "G1.1.1", winner=None, scores=[[1, 1]])   # a draw
    tables = stage_standings(stage)     # one StandingsTable per group, rows with decided_by

    stage = generate("swiss", seeds, {"swiss_wins_to_advance": 3})
    ...results...; changes.round_completed -> next_round(stage)

    stage = generate("battle_royale", seeds, {"lobby_size": 16, "games": 6, ...})
    record_lobby_game(stage, "BR1", [{"participant": 7, "placement": 1, "kills": 9}, ...])
    advancing(stage)                    # seeds of the next stage

    stage = generate("group_stage_playoffs", seeds, {"group_size": 4, "advance_per_group": 2})
    ...results...; changes.placements is not None -> generate_playoffs(stage)

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
    InvalidLobbyResultError,
    InvalidOptionsError,
    InvalidScoresError,
    InvalidSeedsError,
    InvalidStageError,
    InvalidWinnerError,
    MatchAlreadyCompletedError,
    MatchNotCompletedError,
    MatchNotReadyError,
    NoMoreRoundsError,
    ResetBlockedError,
    RoundNotCompleteError,
    StageNotCompleteError,
    UnknownFormatError,
    UnknownLobbyError,
    UnknownMatchError,
    WrongFormatError,
)
from deltacrown.brackets.engine.formats import FORMATS, BracketFormat, get_format, normalize_options
from deltacrown.brackets.engine.formats.battle_royale import (
    LobbyRow,
    advancing,
    check_lobby_results,
    mark_absent,
    record_lobby_game,
)
from deltacrown.brackets.engine.formats.group_stage import generate_playoffs, playoff_seeds
from deltacrown.brackets.engine.formats.swiss import RoundChanges, next_round
from deltacrown.brackets.engine.model import (
    GameResult,
    Group,
    Lobby,
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
from deltacrown.brackets.engine.progress import (
    Changes,
    Move,
    apply_result,
    final_placements,
    stage_standings,
)
from deltacrown.brackets.engine.resets import reset_match
from deltacrown.brackets.engine.standings import StandingRow, StandingsTable


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
    if not set(map(type, seeds)) <= {int, str}:
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
    "GameResult",
    "Group",
    "InvalidLobbyResultError",
    "InvalidOptionsError",
    "InvalidScoresError",
    "InvalidSeedsError",
    "InvalidStageError",
    "InvalidWinnerError",
    "Lobby",
    "LobbyRow",
    "Match",
    "MatchAlreadyCompletedError",
    "MatchNotCompletedError",
    "MatchNotReadyError",
    "MatchStatus",
    "Move",
    "NoMoreRoundsError",
    "ParticipantId",
    "Placement",
    "Round",
    "ResetBlockedError",
    "RoundChanges",
    "RoundNotCompleteError",
    "Side",
    "Slot",
    "SlotKind",
    "Stage",
    "StageNotCompleteError",
    "StandingRow",
    "StandingsTable",
    "Target",
    "UnknownFormatError",
    "UnknownLobbyError",
    "UnknownMatchError",
    "WrongFormatError",
    "advancing",
    "apply_correction",
    "apply_result",
    "check_lobby_results",
    "final_placements",
    "generate",
    "generate_playoffs",
    "get_format",
    "mark_absent",
    "next_round",
    "playoff_seeds",
    "preview_correction",
    "record_lobby_game",
    "reset_match",
    "stage_standings",
]
