"""Bracket use cases (flush, never commit), one module per concern: `generation` (seeding,
generate and regenerate, start the tournament), `results` (a match's result through the
engine, Swiss pairing, battle-royale lobbies), `corrections` (preview, then correct), and
`common` (the locks, score rules, finishing a stage: playoffs or the tournament's completion).

Locks: every use case that changes a bracket locks the tournament row first and then the
stage row (`queries.lock_stage`), always in that order, so a result, a correction and a
regeneration never interleave their load and save, and never deadlock one another.

`record_match_result` is the one way a result enters a bracket. Organizers and staff call it
through `POST /api/matches/{id}/result/` (the organizer override); the match lifecycle calls
it with `actor=None` once participants have submitted and confirmed a result.
"""

from deltacrown.brackets.services.corrections import (
    CorrectionOutcome,
    _changes_json,
    correct_match_result,
)
from deltacrown.brackets.services.generation import (
    engine_options,
    generate_bracket,
    regenerate_bracket,
    seed_participants,
    start_tournament,
)
from deltacrown.brackets.services.results import (
    mark_lobby_absent,
    record_lobby_game,
    record_match_result,
)

__all__ = [
    "CorrectionOutcome",
    "_changes_json",
    "correct_match_result",
    "engine_options",
    "generate_bracket",
    "mark_lobby_absent",
    "record_lobby_game",
    "record_match_result",
    "regenerate_bracket",
    "seed_participants",
    "start_tournament",
]
