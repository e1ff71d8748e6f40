"""Bracket use cases (flush, never commit), one module per concern: `generation` (seeding,
generate and regenerate, start the tournament), `results` (a match's result through the
engine, Swiss pairing, battle-royale lobbies), `corrections` (preview, then correct),
`resets` (a result taken back), and
`common` (the locks, finishing a stage: playoffs, or the tournament's completion and its
TournamentResult rows).

Locks: every use case that changes a bracket locks the tournament row first and then the
stage row (`queries.lock_stage`), always in that order, so a result, a correction and a
regeneration never interleave their load and save, and never deadlock one another.

`apply_result` is the one way a result enters a bracket (`apply_lobby_game` for a lobby's
game, `correct_result` to change one, `reset_match` to take one back). They are system calls
for the matches domain, which owns the match, its lifecycle and every organizer result route: they take no actor, write
no audit and run no reactions; the caller checks who acts and records what it did.
"""

from deltacrown.brackets.services.corrections import (
    CorrectionOutcome,
    changes_json,
    correct_result,
    preview_result,
)
from deltacrown.brackets.services.generation import (
    engine_options,
    generate_bracket,
    regenerate_bracket,
    seed_participants,
    start_tournament,
)
from deltacrown.brackets.services.placements import override_placement
from deltacrown.brackets.services.resets import ResetOutcome, reset_match
from deltacrown.brackets.services.results import (
    LobbyOutcome,
    ResultOutcome,
    apply_lobby_game,
    apply_result,
    mark_lobby_absent,
)

__all__ = [
    "CorrectionOutcome",
    "LobbyOutcome",
    "ResetOutcome",
    "ResultOutcome",
    "apply_lobby_game",
    "apply_result",
    "changes_json",
    "correct_result",
    "engine_options",
    "generate_bracket",
    "mark_lobby_absent",
    "override_placement",
    "preview_result",
    "regenerate_bracket",
    "reset_match",
    "seed_participants",
    "start_tournament",
]
