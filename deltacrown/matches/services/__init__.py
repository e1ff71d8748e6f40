"""Match use cases (flush, never commit), one module per concern:

- `scheduling`: set a match's time and best-of, check in, start, cancel;
- `results`: a side submits, confirms or disputes a result;
- `organizer`: the organizer enters, corrects or previews a result (every route that does),
  records a forfeit or a lobby's game;
- `resets`: staff reset a match (back to ready, its result and routing taken back);
- `rulings`: the organizer reviews, resolves or dismisses a dispute;
- `sweeps`: auto-confirmation and the no-show rule, as the system;
- `evidence`: evidence uploads and the rule their keys follow;
- `detail`: the lifecycle view of a match.

Below them, and below the kinds of match (`kinds.kind_of`: `headtohead`, `lobbies`) they hand
a match to: `matches.lifecycle` (the guards and the steps several use cases take),
`matches.disputes` (the one way a dispute opens and the one way it closes) and
`matches.completion` (a result reaching the bracket through `brackets.services.apply_result`).
Those import no use case and no kind, so the use cases, the kinds and the steps form no cycle.

States and moves are `models.MatchStatus` and its transition table. Every use case locks the
tournament row, then the match row, so two sides acting at once are serialised. Live
channels: `live.py` publishes `match.state_changed` for every status change.
"""

from deltacrown.matches.completion import complete_match
from deltacrown.matches.disputes import visible_dispute
from deltacrown.matches.services.detail import match_state
from deltacrown.matches.services.evidence import (
    MAX_EVIDENCE,
    check_evidence,
    evidence_problems,
    upload_evidence,
)
from deltacrown.matches.services.organizer import (
    ResultEntry,
    enter_result,
    forfeit,
    override_result,
    record_lobby_game,
)
from deltacrown.matches.services.resets import reset_match
from deltacrown.matches.services.results import confirm_result, dispute_result, submit_result
from deltacrown.matches.services.rulings import dismiss_dispute, resolve_dispute, review_dispute
from deltacrown.matches.services.scheduling import (
    MAX_BEST_OF,
    cancel_match,
    check_in_match,
    schedule_match,
    start_match,
)
from deltacrown.matches.services.sweeps import auto_confirm_due, forfeit_no_shows

__all__ = [
    "MAX_BEST_OF",
    "MAX_EVIDENCE",
    "ResultEntry",
    "auto_confirm_due",
    "cancel_match",
    "check_evidence",
    "check_in_match",
    "complete_match",
    "confirm_result",
    "dismiss_dispute",
    "dispute_result",
    "enter_result",
    "evidence_problems",
    "forfeit",
    "forfeit_no_shows",
    "match_state",
    "override_result",
    "record_lobby_game",
    "reset_match",
    "resolve_dispute",
    "review_dispute",
    "schedule_match",
    "start_match",
    "submit_result",
    "upload_evidence",
    "visible_dispute",
]
